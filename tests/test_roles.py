"""What each staff role may do, enforced by PostgreSQL on the role's own connection."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import exc, make_url, text

from boxoffice import booking, expiry, money, shows, staff
from boxoffice.db import Database, libpq_url
from boxoffice.errors import InvalidRequest, LoginFailed, NotAllowed
from boxoffice.exchange import exchange
from boxoffice.history import booking_history
from boxoffice.layout import Layout
from tests.dbutil import open_db, tomorrow

Op = Callable[[Database, dict[str, int]], object]


def _sql(statement: str) -> Op:
    def run(db: Database, ids: dict[str, int]) -> object:
        with db.engine.begin() as conn:
            return conn.execute(text(statement.format(**ids)))
    return run


# operation → (what it is, how to run it, which roles may)
OPERATIONS: dict[str, tuple[str, Op, set[str]]] = {
    "read shows and seat maps": ("list shows", lambda db, ids: shows.list_shows(db),
                                 {"viewer", "clerk", "manager"}),
    "read bookings": ("look a booking up", lambda db, ids: booking.get_booking(db, ids["sold"]),
                      {"viewer", "clerk", "manager"}),
    "sell": ("sell a seat", lambda db, ids: booking.sell(db, ids["show"], ["C1"], clerk="x"),
             {"clerk", "manager"}),
    "hold": ("hold a seat", lambda db, ids: booking.hold(db, ids["show"], ["C2"], clerk="x"),
             {"clerk", "manager"}),
    "confirm": ("confirm a hold", lambda db, ids: booking.confirm(db, ids["held"], clerk="x"),
                {"clerk", "manager"}),
    "release": ("release a hold", lambda db, ids: booking.release(db, ids["held"], clerk="x"),
                {"clerk", "manager"}),
    "exchange": ("exchange seats",
                 lambda db, ids: exchange(db, ids["sold"], ["D5"], clerk="x"),
                 {"clerk", "manager"}),
    "cancel": ("cancel (refund) a sale",
               lambda db, ids: booking.cancel(db, ids["sold"], clerk="x"), {"manager"}),
    "sell for money": ("sell seats with payment",
                       lambda db, ids: money.sell(db, ids["show"], {"C4": "Adult"},
                                                  money.Payment("card"), clerk="x"),
                       {"clerk", "manager"}),
    "cancel seats": ("refund some seats of a sale",
                     lambda db, ids: money.cancel_seats(db, ids["sold"], ["B1"], clerk="x"),
                     {"manager"}),
    "record cash": ("record counted cash",
                    lambda db, ids: money.record_cash_count(db, date.today(), 1000, clerk="x"),
                    {"clerk", "manager"}),
    "change prices": ("change a show's prices",
                      lambda db, ids: money.set_price_plan(
                          db, ids["show"], [money.PriceCategory("Stalls", {"Adult": 1000})]),
                      {"manager"}),
    "add ticket type": ("add a ticket type",
                        lambda db, ids: money.add_ticket_type(db, f"T {uuid.uuid4().hex[:6]}"),
                        {"manager"}),
    "create show": ("create a show",
                    lambda db, ids: shows.create_show(db, "New", tomorrow(), hall=ids["hall"]),
                    {"manager"}),
    "create hall": ("create a hall",
                    lambda db, ids: shows.create_hall(db, f"Hall {uuid.uuid4().hex[:6]}",
                                                      Layout.grid(2, 2)), {"manager"}),
    "change show": ("rename a show",
                    lambda db, ids: shows.rename_show(db, ids["show"], "Renamed"), {"manager"}),
    "change layout": ("change a show's layout",
                      lambda db, ids: shows.change_layout(db, ids["show"], Layout.grid(10, 12)),
                      {"manager"}),
    "list staff": ("list staff logins", lambda db, ids: staff.list_staff(db), {"manager"}),
    "run expiry": ("run the expiry job", lambda db, ids: expiry.expire_holds(db), {"manager"}),
    "raw: insert a show": ("INSERT INTO shows directly", _sql(
        "INSERT INTO shows (name, start_time, total_seats, hall_name, layout, chart) "
        "VALUES ('x', now() + interval '1 day', 1, 'x', '{{}}', '{{}}')"), {"manager"}),
    "raw: release a hold": ("release a hold by raw SQL (UPDATE bookings)", _sql(
        "WITH freed AS (DELETE FROM booking_seats WHERE booking_id = {held}) "
        "UPDATE bookings SET status = 'FAILED' WHERE id = {held}"), {"manager"}),
    "raw: take a seat": ("INSERT INTO booking_seats directly", _sql(
        "INSERT INTO booking_seats (booking_id, show_id, seat_number) "
        "VALUES ({sold}, {show}, 'E1')"), set()),
    "raw: insert a payment": ("INSERT INTO payments directly", _sql(
        "INSERT INTO payments (booking_id, show_id, kind, method, amount, user_name) "
        "VALUES ({sold}, {show}, 'refund', 'cash', 100, 'x')"), set()),
    "raw: rewrite a payment": ("UPDATE payments", _sql("UPDATE payments SET amount = 0"), set()),
    "raw: rewrite the event log": ("UPDATE booking_events", _sql(
        "UPDATE booking_events SET actor = 'nobody'"), set()),
    "raw: erase the event log": ("DELETE FROM booking_events", _sql(
        "DELETE FROM booking_events"), set()),
    "raw: drop a table": ("DROP TABLE", _sql("DROP TABLE booking_events"), set()),
    "raw: change another role": ("ALTER ROLE", _sql("ALTER ROLE postgres NOLOGIN"), set()),
}
ROLES = ("viewer", "clerk", "manager")


@pytest.fixture
def logins(db: Database) -> Iterator[dict[str, str]]:
    tag = uuid.uuid4().hex[:8]
    names = {role: f"t{tag}_{role}" for role in ROLES}
    for role, name in names.items():
        staff.add_staff(db, name, role, "correct horse battery")
    yield names
    with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def as_login(db: Database, login: str) -> Database:
    return open_db(make_url(db.url).set(username=login, password=None)
                   .render_as_string(hide_password=False))


@pytest.fixture
def ids(db: Database, show: shows.ShowView, hall: shows.HallView) -> dict[str, int]:
    sold = booking.sell(db, show.id, ["B1", "B2"], clerk="owner")
    held = booking.hold(db, show.id, ["B3"], clerk="owner")
    return {"show": show.id, "hall": hall.id, "sold": sold.id, "held": held.id}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_role_may_do_exactly_what_it_is_granted(
    db: Database, logins: dict[str, str], ids: dict[str, int], role: str, operation: str
) -> None:
    _, run, allowed = OPERATIONS[operation]
    session = as_login(db, logins[role])
    try:
        if role in allowed:
            run(session, ids)
        else:
            with pytest.raises((NotAllowed, exc.ProgrammingError)) as err:
                run(session, ids)
            if isinstance(err.value, exc.ProgrammingError):  # e.g. "must be owner"
                assert err.value.orig.sqlstate in ("42501", "42P01")  # type: ignore[union-attr]
    finally:
        session.dispose()


def test_a_clerk_cannot_sell_in_somebody_elses_name(db: Database, logins: dict[str, str],
                                                    ids: dict[str, int]) -> None:
    clerk = as_login(db, logins["clerk"])
    try:
        b = booking.sell(clerk, ids["show"], ["F1"], clerk="the manager")
        assert b.user_name == logins["clerk"]
        assert booking_history(clerk, b.id)[0].actor == logins["clerk"]
    finally:
        clerk.dispose()


def test_the_app_mirrors_what_the_database_allows(db: Database, logins: dict[str, str]) -> None:
    owner = staff.my_rights(db)
    assert owner.role == "owner" and owner.can_cancel and owner.can_manage_staff
    for role in ROLES:
        session = as_login(db, logins[role])
        try:
            r = staff.my_rights(session)
        finally:
            session.dispose()
        assert r.role == role and r.login == logins[role]
        assert r.can_view
        assert r.can_sell == (role != "viewer")
        assert r.can_cancel == r.can_manage_shows == r.can_manage_staff == (role == "manager")


def test_staff_management(db: Database, logins: dict[str, str]) -> None:
    listed = {m.name: m for m in staff.list_staff(db)}
    assert listed[logins["clerk"]].role == "clerk"
    staff.set_role(db, logins["clerk"], "viewer")
    assert {m.name: m.role for m in staff.list_staff(db)}[logins["clerk"]] == "viewer"
    with pytest.raises(InvalidRequest, match="no staff login"):
        staff.set_role(db, "postgres", "clerk")
    with pytest.raises(InvalidRequest, match="lower-case"):
        staff.add_staff(db, "Robert'); DROP TABLE shows;--", "clerk", "long enough pw")
    with pytest.raises(InvalidRequest, match="already exists"):
        staff.add_staff(db, logins["viewer"], "clerk", "long enough pw")
    with pytest.raises(InvalidRequest, match="8 characters"):
        staff.add_staff(db, "shortpw", "clerk", "short")
    manager = as_login(db, logins["manager"])
    try:
        with pytest.raises(InvalidRequest, match="own login"):
            staff.disable(manager, logins["manager"])
    finally:
        manager.dispose()


def test_disabled_and_dropped_logins_get_clear_messages(db: Database,
                                                        logins: dict[str, str]) -> None:
    staff.disable(db, logins["viewer"])
    assert not {m.name: m for m in staff.list_staff(db)}[logins["viewer"]].can_login
    disabled = as_login(db, logins["viewer"])
    try:
        with pytest.raises(LoginFailed, match="disabled"):
            shows.list_shows(disabled)
    finally:
        disabled.dispose()
    gone = as_login(db, "nobody_at_all")
    try:
        with pytest.raises(LoginFailed, match="no such login"):
            shows.list_shows(gone)
    finally:
        gone.dispose()


def test_readme_has_the_role_table() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert role_table() in readme, "README's role table is out of date:\n" + role_table()


def role_table() -> str:
    lines = ["| operation | viewer | clerk | manager |", "| --- | --- | --- | --- |"]
    for _, (what, _, allowed) in OPERATIONS.items():
        lines.append(f"| {what} | " + " | ".join("yes" if r in allowed else "no" for r in ROLES)
                     + " |")
    return "\n".join(lines)


def test_a_dedicated_expiry_login_runs_expiry_and_nothing_else(
    db: Database, ids: dict[str, int]
) -> None:
    name = f"t{uuid.uuid4().hex[:8]}_expiry"
    with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{name}" LOGIN IN ROLE boxoffice_expiry')
    runner = as_login(db, name)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1s' "
                              "WHERE id = :b"), {"b": ids["held"]})
        assert expiry.expire_holds(runner).bookings == 1
        assert staff.my_rights(runner).can_run_expiry
        with pytest.raises(NotAllowed):
            booking.sell(runner, ids["show"], ["G1"], clerk="x")
        with pytest.raises(NotAllowed):
            booking.cancel(runner, ids["sold"], clerk="x")
    finally:
        runner.dispose()
        with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
            admin.execute(f'DROP ROLE "{name}"')
