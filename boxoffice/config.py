"""One typed settings object, read once at start-up.

Where the database comes from, in order: the ``--database-url`` flag,
``BOXOFFICE_DATABASE_URL``, libpq's own environment (``PGHOST``, ``PGSERVICE``, …),
and, with none of those, the embedded PostgreSQL in the user's data folder.
Passwords never live here: libpq's ``.pgpass`` and service files hold them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import platformdirs

from boxoffice.errors import InvalidRequest

APP_NAME = "BoxOffice"
LIBPQ_VARS = ("PGHOST", "PGHOSTADDR", "PGSERVICE", "PGDATABASE", "PGPORT", "PGUSER")


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    hold_seconds: int = 120
    max_seats_per_booking: int = 20
    expiry_interval_seconds: float = 5.0
    expiry_batch_size: int = 500
    run_expiry: bool = False
    # Past one server (docs/high-availability.md): how long a counter keeps retrying a
    # request through a failover; a direct address for LISTEN when the main one is a
    # pooler; an address for reports that may be a standby; the main address is a
    # transaction-mode PgBouncer (no server-side prepared statements).
    failover_seconds: float = 60.0
    live_url: str | None = None
    read_url: str | None = None
    transaction_pooling: bool = False
    venue_name: str = "BoxOffice"  # printed on tickets
    data_dir: Path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def listen_url(self) -> str | None:
        """Where the live feed LISTENs: ``BOXOFFICE_LIVE_URL``, else the main address."""
        return self.live_url or self.database_url

    @property
    def embedded_pgdata(self) -> Path:
        return self.data_dir / "pgdata"


def _int(env: Mapping[str, str], key: str, default: int, low: int, high: int) -> int:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequest(f"{key} must be a whole number, not {raw!r}.", field=key) from None
    if not low <= value <= high:
        raise InvalidRequest(f"{key} must be between {low} and {high}.", field=key)
    return value


def load_settings(
    database_url: str | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Settings from a flag value and the environment (nothing else is consulted)."""
    env = os.environ if env is None else env
    url = database_url or env.get("BOXOFFICE_DATABASE_URL") or None
    if url is None and any(env.get(k) for k in LIBPQ_VARS):
        url = "postgresql://"  # an empty conninfo: libpq fills it from PG* and the service file
    data_dir = env.get("BOXOFFICE_DATA_DIR")
    return Settings(
        database_url=url,
        hold_seconds=_int(env, "BOXOFFICE_HOLD_SECONDS", 120, 5, 24 * 3600),
        max_seats_per_booking=_int(env, "BOXOFFICE_MAX_SEATS", 20, 1, 1000),
        expiry_interval_seconds=float(_int(env, "BOXOFFICE_EXPIRY_INTERVAL", 5, 1, 3600)),
        expiry_batch_size=_int(env, "BOXOFFICE_EXPIRY_BATCH", 500, 1, 100_000),
        run_expiry=env.get("BOXOFFICE_RUN_EXPIRY", "").lower() in ("1", "true", "yes"),
        failover_seconds=float(_int(env, "BOXOFFICE_FAILOVER_SECONDS", 60, 0, 3600)),
        live_url=env.get("BOXOFFICE_LIVE_URL") or None,
        read_url=env.get("BOXOFFICE_READ_URL") or None,
        transaction_pooling=env.get("BOXOFFICE_TRANSACTION_POOLING", "").lower()
        in ("1", "true", "yes"),
        venue_name=(env.get("BOXOFFICE_VENUE_NAME") or "").strip() or Settings.venue_name,
        data_dir=Path(data_dir) if data_dir else Settings.data_dir,
    )
