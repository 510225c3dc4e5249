"""Every connection understands libpq's multi-host forms, and says which host it is on.

Parsing needs no server; the connecting tests put a dead host (127.0.0.1 port 1, which
refuses at once) before the real test server, so reaching the database at all proves
the list was read and tried in order.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from boxoffice import booking, expiry, shows
from boxoffice.changes import SeatsChanged, SeatState
from boxoffice.config import load_settings
from boxoffice.connections import address, conninfo
from boxoffice.db import Database, describe_url, make_engine, url_has_password
from boxoffice.live import LiveFeed
from tests import dbutil

DEAD = "127.0.0.1:1"


@pytest.mark.parametrize(("url", "hosts", "ports", "attrs"), [
    ("postgresql://u@h1:5432,h2:5433/db?target_session_attrs=read-write",
     ("h1", "h2"), ("5432", "5433"), "read-write"),
    ("postgresql+psycopg://u@h1,h2/db?port=5432,5433", ("h1", "h2"), ("5432", "5433"), None),
    ("postgresql+psycopg://u@/db?host=h1:5432&host=h2:5433&target_session_attrs=primary",
     ("h1", "h2"), ("5432", "5433"), "primary"),
    ("host=h1,h2 port=5432,5433 dbname=db user=u target_session_attrs=read-write",
     ("h1", "h2"), ("5432", "5433"), "read-write"),
    ("postgresql://u@[::1]:5432,h2:5433/db", ("::1", "h2"), ("5432", "5433"), None),
])
def test_host_lists_are_read_in_every_form(url: str, hosts: tuple[str, ...],
                                           ports: tuple[str, ...], attrs: str | None) -> None:
    where = address(url)
    assert (where.hosts, where.ports, where.dbname, where.target_session_attrs) == (
        hosts, ports, "db", attrs)
    assert psycopg.conninfo.conninfo_to_dict(conninfo(url))["host"] == ",".join(hosts)
    assert describe_url(url) == "db on " + ", ".join(
        f"{h}:{p}" for h, p in zip(hosts, ports, strict=True))


def test_service_and_load_balancing_are_libpqs_own() -> None:
    where = address("postgresql:///db?service=boxoffice&load_balance_hosts=random")
    assert (where.service, where.load_balance_hosts) == ("boxoffice", "random")
    assert describe_url("service=boxoffice") == "(default) on service boxoffice"
    assert url_has_password("postgresql://u:secret@h1,h2/db")
    assert not url_has_password("postgresql://u@h1:1,h2:2/db")


@pytest.mark.parametrize("bad", ["mysql://u@h/db", "nonsense", "postgresql://u@h/db?nosuch=1"])
def test_an_address_libpq_refuses_is_refused_at_once(bad: str) -> None:
    with pytest.raises(ValueError):
        conninfo(bad)


# -- connecting through each form, the first host dead ---------------------------------


def _server(db_url: str) -> tuple[str, str, str, str]:
    where = address(db_url)
    assert where.hosts and where.dbname, "the test server needs a TCP address"
    port = where.ports[0] if where.ports else "5432"
    return where.hosts[0], port, where.dbname, where.user or "postgres"


def _forms(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    host, port, name, user = _server(db_url)
    service = tmp_path / "pg_service.conf"
    service.write_text(f"[boxoffice]\nhost=127.0.0.1,{host}\nport=1,{port}\n"
                       f"dbname={name}\nuser={user}\ntarget_session_attrs=read-write\n")
    monkeypatch.setenv("PGSERVICEFILE", str(service))
    return {
        "url host list": f"postgresql://{user}@{DEAD},{host}:{port}/{name}"
                         "?target_session_attrs=read-write&connect_timeout=3",
        "sqlalchemy host params": f"postgresql+psycopg://{user}@/{name}?host={DEAD}"
                                  f"&host={host}:{port}&target_session_attrs=read-write",
        "host= port= lists": f"host=127.0.0.1,{host} port=1,{port} dbname={name} user={user}",
        "service file": "postgresql://?service=boxoffice",
        "load_balance_hosts": f"postgresql://{user}@{DEAD},{host}:{port}/{name}"
                              "?load_balance_hosts=random",
    }


@pytest.fixture
def forms(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return _forms(db_url, tmp_path, monkeypatch)


FORMS = ["url host list", "sqlalchemy host params", "host= port= lists", "service file",
         "load_balance_hosts"]


@pytest.fixture
def reachable(db_url: str) -> Iterator[None]:
    host, _, _, _ = _server(db_url)
    if host.startswith("/"):
        pytest.skip("the test server listens on a socket only; host lists need TCP")
    yield


@pytest.mark.usefixtures("reachable")
@pytest.mark.parametrize("form", FORMS)
def test_engine_feed_and_expiry_connect_past_a_dead_host(
    form: str, forms: dict[str, str], db: Database, show: shows.ShowView
) -> None:
    url = forms[form]
    listed = dbutil.open_db(url)
    feed = LiveFeed(url, max_backoff=0.5).start()
    changes: queue.Queue[object] = queue.Queue()
    feed.subscribe(changes.put)
    try:
        assert feed.wait_connected(), feed.state
        sold = booking.sell(listed, show.id, ["C1"], clerk="ann")
        assert changes.get(timeout=10) == SeatsChanged(show.id, ("C1",), SeatState.SOLD, sold.id, None)
        held = booking.hold(listed, show.id, ["C2"], clerk="ann")
        changes.get(timeout=10)
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1s' "
                              "WHERE id = :b"), {"b": held.id})
        assert expiry.expire_holds(listed).bookings == 1
        assert listed.server_host() == db.server_host()  # the live host, not the dead one
        assert feed.server == db.server_host()
    finally:
        feed.stop()
        listed.dispose()


@pytest.mark.usefixtures("reachable")
def test_pghost_and_pgport_lists(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    host, port, name, user = _server(db_url)
    for key, value in {"PGHOST": f"127.0.0.1,{host}", "PGPORT": f"1,{port}",
                       "PGDATABASE": name, "PGUSER": user}.items():
        monkeypatch.setenv(key, value)
    settings = load_settings(env={"PGHOST": "set"})
    assert settings.database_url is not None
    db = Database.connect(settings)
    try:
        assert db.server_host() == f"{host}:{port}"
    finally:
        db.dispose()


@pytest.mark.usefixtures("reachable")
def test_target_session_attrs_is_honoured(db_url: str) -> None:
    host, port, name, user = _server(db_url)
    engine = make_engine(f"postgresql://{user}@{host}:{port}/{name}"
                         "?target_session_attrs=standby&connect_timeout=3")
    try:
        with pytest.raises(Exception, match="standby|read-only|not a hot standby"):
            with engine.connect():
                pass
    finally:
        engine.dispose()


@pytest.mark.usefixtures("reachable")
def test_the_bench_prepares_and_books_through_a_host_list(db_url: str) -> None:
    from boxoffice.bench import prepare as prep

    host, port, _, user = _server(db_url)
    admin = (f"postgresql://{user}@{DEAD},{host}:{port}/postgres"
             "?target_session_attrs=read-write")
    name = prep.new_name()
    url = prep.create_database(admin, name)
    try:
        assert address(url).hosts == ("127.0.0.1", host) and address(url).dbname == name
        plan = prep.prepare(url, shows_count=1, cols=12)
        bench_db = Database(make_engine(url, pool_size=1), load_settings(url), url)
        try:
            sold = booking.sell(bench_db, plan.show_for(0), ["A1"], clerk="bench")
            assert sold.seats == ("A1",)
        finally:
            bench_db.dispose()
    finally:
        prep.drop_database(admin, name)


@pytest.mark.usefixtures("reachable")
def test_health_says_which_host_and_names_sessions_without_a_session_set(
        forms: dict[str, str], db: Database) -> None:
    from boxoffice.ops.health import OpsMonitor, name_sessions

    listed = dbutil.open_db(forms["url host list"])
    try:
        name_sessions(listed, "boxoffice-expiry-worker:test")
        report = OpsMonitor(listed, interval=5, runs_expiry=False).refresh()
        assert report.ready and report.server == db.server_host()
        with listed.engine.connect() as conn:
            # A startup parameter: RESET (what a pooler runs between clients) keeps it.
            conn.exec_driver_sql("RESET ALL")
            assert conn.exec_driver_sql("SHOW application_name").scalar() == (
                "boxoffice-expiry-worker:test")
    finally:
        listed.dispose()
