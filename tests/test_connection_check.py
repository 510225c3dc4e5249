"""Connection failures in the clerk's words, and the connection check of the Settings
dialog, against real servers (a closed port, a stopped database, a wrong name)."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url

from boxoffice.connection_check import UNKNOWN, check_connection, plain_reason
from boxoffice.errors import SchemaOutOfDate
from tests import dbutil


@pytest.mark.parametrize(("driver_said", "clerk_reads"), [
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: Connection '
     'refused\n\tIs the server running on that host and accepting TCP/IP connections?',
     "not running"),
    ('connection failed: connection to server on socket "/tmp/x/.s.PGSQL.5432" failed: No '
     "such file or directory", "not running"),
    ("consuming input failed: server closed the connection unexpectedly", "stopped"),
    ("terminating connection due to administrator command", "stopped or restarted"),
    ("the database system is starting up", "starting up"),
    ('failed to resolve host "db.lan": [Errno -2] Name or service not known',
     "name cannot be found"),
    ("connection timeout expired", "did not answer in time"),
    ('FATAL:  password authentication failed for user "ann"', "refused this login"),
    ('FATAL:  role "ann" does not exist', "does not know this login"),
    ('FATAL:  database "boxofice" does not exist', "no database of that name"),
    ("FATAL:  sorry, too many clients already", "no free connections"),
    ("something nobody expected", UNKNOWN),
])
def test_driver_errors_read_as_one_plain_sentence(driver_said: str, clerk_reads: str) -> None:
    said = plain_reason(driver_said)
    assert clerk_reads in said
    assert "\n" not in said and len(said) < 120
    assert plain_reason(RuntimeError(driver_said)) == said


def test_a_boxoffice_error_keeps_its_own_message() -> None:
    assert "boxoffice db upgrade" in plain_reason(SchemaOutOfDate("0004", "0005"))


def test_the_check_says_connected_wrong_schema_or_why_not(db_url: str, empty_db: str) -> None:
    good = dbutil.open_db(db_url)
    empty = dbutil.open_db(empty_db)
    closed = dbutil.open_db(make_url(db_url).set(port=1).render_as_string(hide_password=False))
    missing = dbutil.open_db(make_url(db_url).set(database="no_such_db_c13a")
                             .render_as_string(hide_password=False))
    try:
        ok = check_connection(good)
        assert ok.ok and ok.message.startswith("Connected") and "up to date" in ok.message
        old = check_connection(empty)
        assert not old.ok and "boxoffice db upgrade" in old.message
        refused = check_connection(closed)
        assert not refused.ok and "not running" in refused.message
        nodb = check_connection(missing)
        assert not nodb.ok and "no such login or database" in nodb.message  # LoginFailed
    finally:
        for db in (good, empty, closed, missing):
            db.dispose()
