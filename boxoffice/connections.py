"""Where a connection goes: every form of address libpq understands, for every connection.

A box office past one server names its database the way libpq does: a URL with a host
list (``postgresql://u@h1:5432,h2:5432/db?target_session_attrs=read-write``),
``host=``/``port=`` lists, ``PGHOST``/``PGPORT`` lists, a service file, with
``target_session_attrs`` and ``load_balance_hosts``. SQLAlchemy's URL parser cannot read
a host list (``invalid literal for int()``) and re-renders its own ``?host=h:p&host=h:p``
form into something libpq misreads, so no connection of ours goes through it: every
address is turned here into one libpq conninfo string, which libpq itself parses, and the
engine, the live feed, the expiry runner and the bench all connect with that string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict

_SCHEME = re.compile(r"^(postgres(?:ql)?)(\+[a-z0-9_]+)?://", re.IGNORECASE)
_DRIVERS = ("", "+psycopg", "+psycopg2")


def conninfo(url: str) -> str:
    """The libpq conninfo for any of the accepted forms (URL, ``key=value`` string, empty).

    ``postgresql+psycopg://`` loses its driver suffix; SQLAlchemy's repeated
    ``?host=h:p`` parameters become libpq's ``host=h1,h2&port=p1,p2``. Everything else
    is libpq's own business, and libpq parses it here so a bad address fails at once.

    Raises:
        ValueError: not an address libpq accepts, or not a PostgreSQL one.
    """
    text = url.strip()
    match = _SCHEME.match(text)
    if match is not None:
        if (match.group(2) or "").lower() not in _DRIVERS:
            raise ValueError(f"BoxOffice needs a PostgreSQL URL, not {match.group(0)!r}.")
        text = "postgresql://" + text[match.end():]
        text = _hosts_from_query(text)
    elif "://" in text:
        raise ValueError(f"BoxOffice needs a PostgreSQL URL, not {text.split('://')[0]!r}.")
    elif text and "=" not in text:
        raise ValueError(f"{url!r} is not a database URL (postgresql://user@host/db).")
    try:
        conninfo_to_dict(text)
    except psycopg.ProgrammingError as exc:
        raise ValueError(f"{url!r} is not a database address libpq accepts: {exc}") from None
    return text


def _hosts_from_query(url: str) -> str:
    """SQLAlchemy's ``?host=h:p&host=h:p`` becomes libpq's ``?host=h,h&port=p,p``."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    hosts = [v for k, v in query if k == "host"]
    if len(hosts) < 2 and not any(":" in h and not h.startswith("/") for h in hosts):
        return url
    names, ports = [], []
    for h in hosts:
        name, sep, port = h.rpartition(":") if not h.startswith("[") else h.partition("]:")
        if not sep or not port.isdigit():
            name, port = h, ""
        names.append(name.strip("[]"))
        ports.append(port)
    rest = [(k, v) for k, v in query if k not in ("host", "port")]
    given_ports = [v for k, v in query if k == "port"]
    if any(ports):
        rest.append(("port", ",".join(ports)))
    elif given_ports:
        rest.append(("port", given_ports[-1]))
    rest.insert(0, ("host", ",".join(names)))
    new_query = "&".join(f"{k}={quote(v, safe='/,:')}" for k, v in rest)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, new_query, parts.fragment))


@dataclass(frozen=True, slots=True)
class Address:
    """What an address says, as libpq reads it (unset parts come from PG* and services)."""

    hosts: tuple[str, ...]
    ports: tuple[str, ...]
    dbname: str | None
    user: str | None
    has_password: bool
    target_session_attrs: str | None
    load_balance_hosts: str | None
    service: str | None

    def describe(self) -> str:
        """``boxoffice on h1:5432, h2:5432`` for a status bar (no secrets)."""
        where = ", ".join(
            f"{h or 'local socket'}" + (f":{p}" if p else "")
            for h, p in zip(self.hosts, self.ports or ("",) * len(self.hosts), strict=False))
        if not where:
            where = f"service {self.service}" if self.service else "local socket"
        return f"{self.dbname or '(default)'} on {where}"


def address(url: str) -> Address:
    """The parts of an address (raises ``ValueError`` like ``conninfo``)."""
    info = conninfo_to_dict(conninfo(url))

    def listed(key: str) -> tuple[str, ...]:
        raw = info.get(key)
        return tuple(str(raw).split(",")) if raw else ()

    hosts = listed("host") or listed("hostaddr")
    ports = listed("port")
    if len(ports) == 1 and len(hosts) > 1:
        ports = ports * len(hosts)
    return Address(
        hosts=hosts, ports=ports,
        dbname=_str(info.get("dbname")), user=_str(info.get("user")),
        has_password=bool(info.get("password")),
        target_session_attrs=_str(info.get("target_session_attrs")),
        load_balance_hosts=_str(info.get("load_balance_hosts")),
        service=_str(info.get("service")))


def _str(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def with_dbname(url: str, dbname: str) -> str:
    """The same address on another database of the same server(s)."""
    return psycopg.conninfo.make_conninfo(conninfo(url), dbname=dbname)


def server_of(conn: psycopg.Connection[object]) -> str:
    """``host:port`` of the server a connection reached (which host of a list it is on)."""
    info = conn.info
    host = info.host or "local socket"
    return f"{host}:{info.port}" if info.port else host


__all__ = ["Address", "address", "conninfo", "server_of", "with_dbname"]
