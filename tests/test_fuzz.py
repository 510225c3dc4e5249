"""Hostile input at every entry point: a clear refusal or an exact round trip, never a traceback.

Hypothesis throws arbitrary names, seat lists, ids, hold times and request keys at the
booking API, junk at settings, layouts, connection URLs and the command line. The rules:
only ``BoxOfficeError`` (or the documented ``ValueError`` of ``sqlalchemy_url``) comes
out; a refusal writes nothing; SQL metacharacters and any printable Unicode (right-to-left,
combining marks, emoji) are stored and read back exactly; NUL and other control
characters are refused with a message that says so.
"""

from __future__ import annotations

import io
import itertools
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from boxoffice import booking, shows
from boxoffice.cli import main as cli_main
from boxoffice.config import load_settings
from boxoffice.db import Database, sqlalchemy_url
from boxoffice.errors import BoxOfficeError, InvalidLayout, InvalidRequest, SeatsTaken
from boxoffice.exchange import exchange
from boxoffice.history import booking_history
from boxoffice.layout import Layout
from tests.conftest import table_snapshot

DB_RUNS = settings(max_examples=40, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])
PURE_RUNS = settings(max_examples=150, deadline=None, database=None)

# Any code point, lone surrogates included (refused like control characters).
txt = st.characters(exclude_categories=())
# Text a person could type: no surrogates, no control or format characters.
printable = st.text(st.characters(exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
                    min_size=1, max_size=60).filter(lambda s: s.strip() != "")
nasty_names = st.one_of(
    printable,
    st.sampled_from([
        "Robert'); DROP TABLE bookings;--", "O'Brien \"Bob\" \\ %_ $1 :name ?", "%s %(x)s",
        "שלום עולם", "مرحبا بالعالم", "e\u0301\u0301 Zoe\u0308", "🎭🇯🇵 👍🏽 🍿",
        "ﷺ ꧁꧂ 𝕳𝖊𝖑𝖑𝖔", "\u05d0\u05b8 mixed עִבְרִית and ASCII", "x" * 200,
    ]),
)
anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(txt, max_size=30),
                     st.binary(max_size=10), st.lists(st.integers(), max_size=3))
seat_junk = st.one_of(
    st.lists(st.one_of(st.sampled_from(["A2", "a3", " B4 ", "B4", "Z99", "A1", "J1"]),
                       st.text(txt, max_size=8), st.integers(), st.none()), max_size=5),
    st.text(txt, max_size=10), st.tuples(st.sampled_from(["A2", "B3", "A1"])), st.none(),
    st.integers())
ids = st.one_of(st.integers(min_value=-5, max_value=2**64), st.booleans(),
                st.text(txt, max_size=5),
                st.none(), st.floats())


_halls = itertools.count()


def _refused_cleanly(exc: BaseException) -> None:
    assert isinstance(exc, BoxOfficeError), f"{type(exc).__name__}: {exc}"
    assert exc.message and "Traceback" not in exc.message


@DB_RUNS
@given(show_id=ids, seats=seat_junk, clerk=st.one_of(nasty_names, anything),
       customer=st.one_of(st.none(), nasty_names, anything),
       hold_seconds=st.one_of(st.none(), st.integers(-10, 10**6), st.floats(), st.booleans()),
       request_key=st.one_of(st.none(), st.text(txt, max_size=210)), sell=st.booleans())
def test_booking_api_refuses_junk_cleanly_and_writes_nothing(
        db: Database, show: shows.ShowView, show_id: Any, seats: Any, clerk: Any,
        customer: Any, hold_seconds: Any, request_key: Any, sell: bool) -> None:
    if isinstance(show_id, bool) or show_id == 1:
        show_id = show.id
    before = table_snapshot(db)
    try:
        if sell:
            booking.sell(db, show_id, seats, clerk=clerk, customer=customer,
                         request_key=request_key)
        else:
            booking.hold(db, show_id, seats, clerk=clerk, customer=customer,
                         request_key=request_key, hold_seconds=hold_seconds)
    except SeatsTaken as exc:  # a refusal that is also a record: the FAILED booking
        _refused_cleanly(exc)
    except BoxOfficeError as exc:
        _refused_cleanly(exc)
        assert table_snapshot(db) == before, "a refused request wrote something"


@DB_RUNS
@given(booking_id=ids, clerk=st.one_of(nasty_names, anything), seats=seat_junk,
       action=st.sampled_from(["confirm", "release", "cancel", "exchange", "get", "history"]))
def test_after_sale_operations_refuse_junk_cleanly(db: Database, show: shows.ShowView,
                                                   booking_id: Any, clerk: Any, seats: Any,
                                                   action: str) -> None:
    before = table_snapshot(db)
    try:
        if action == "exchange":
            exchange(db, booking_id, seats, clerk=clerk)
        elif action == "get":
            booking.get_booking(db, booking_id)
        elif action == "history":
            booking_history(db, booking_id)
        else:
            getattr(booking, action)(db, booking_id, clerk=clerk)
    except BoxOfficeError as exc:
        _refused_cleanly(exc)
        assert table_snapshot(db) == before


@DB_RUNS
@given(customer=nasty_names, hall_name=nasty_names, show_name=nasty_names, counter=nasty_names)
def test_names_are_stored_and_read_back_exactly(db: Database, customer: str, hall_name: str,
                                                show_name: str, counter: str) -> None:
    assume(not customer.strip().lstrip("#").isdigit())  # that is a search by number
    hall_name = f"{hall_name.strip()[:150]} #{next(_halls)}"  # hall names are unique
    hall = shows.create_hall(db, hall_name, Layout.grid(1, 3))
    show = shows.create_show(db, show_name, _tomorrow(), hall=hall.id, counter=counter)
    made = booking.sell(db, show.id, ["A2"], clerk=counter, customer=customer, counter=counter)
    again = booking.get_booking(db, made.id)
    assert again.customer_name == customer.strip()
    assert again.counter == counter.strip() and again.user_name == counter.strip()
    assert shows.get_show(db, show.id).name == show_name.strip()
    assert shows.get_show(db, show.id).hall_name == hall_name
    assert made.id in [b.id for b in booking.find_bookings(db, customer, show_id=show.id)]


@pytest.mark.parametrize("bad", ["A\x00B", "tab\there", "esc\x1b[31m", "new\nline", "bell\x07",
                                 "rlo\u202eevil", "zero\u200bwidth", "line\u2028sep", "\x7f",
                                 "\x00"])
def test_control_characters_are_refused_with_a_clear_message(db: Database,
                                                             show: shows.ShowView,
                                                             bad: str) -> None:
    before = table_snapshot(db)
    with pytest.raises(InvalidRequest, match="control characters|cannot be empty"):
        booking.sell(db, show.id, ["A2"], clerk="ann", customer=bad)
    with pytest.raises(InvalidRequest, match="control characters|cannot be empty"):
        shows.create_hall(db, bad, Layout.grid(1, 2))
    with pytest.raises(InvalidRequest, match="printable"):
        booking.sell(db, show.id, ["A2"], clerk="ann", request_key=bad)
    assert table_snapshot(db) == before


@pytest.mark.parametrize("field", ["customer", "request_key", "hall"])
def test_lone_surrogates_are_refused_with_a_message(db: Database, show: shows.ShowView,
                                                    field: str) -> None:
    before = table_snapshot(db)
    with pytest.raises(InvalidRequest):
        if field == "hall":
            shows.create_hall(db, "Hall \ud800", Layout.grid(1, 2))
        else:
            booking.sell(db, show.id, ["A2"], clerk="ann", **{field: "x\ud800"})
    assert table_snapshot(db) == before


@pytest.mark.parametrize("seats", [None, 5])
def test_seats_that_are_not_a_list_are_refused(db: Database, show: shows.ShowView,
                                               seats: Any) -> None:
    with pytest.raises(InvalidRequest):
        booking.sell(db, show.id, seats, clerk="ann")


# -- settings, layouts, URLs: no database needed ----------------------------------------

ENV_KEYS = ["BOXOFFICE_DATABASE_URL", "BOXOFFICE_HOLD_SECONDS", "BOXOFFICE_MAX_SEATS",
            "BOXOFFICE_EXPIRY_INTERVAL", "BOXOFFICE_EXPIRY_BATCH", "BOXOFFICE_RUN_EXPIRY",
            "BOXOFFICE_DATA_DIR", "PGHOST", "PGSERVICE"]
env_values = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
                       st.integers(-10**12, 10**12).map(str), st.sampled_from(["", " 7 ", "1e3"]))


@PURE_RUNS
@given(env=st.dictionaries(st.sampled_from(ENV_KEYS), env_values),
       flag=st.one_of(st.none(), st.text(max_size=30)))
def test_settings_take_any_environment_or_say_what_is_wrong(env: dict[str, str],
                                                            flag: str | None) -> None:
    try:
        s = load_settings(flag, env=env)
    except InvalidRequest as exc:
        assert any(k in exc.message for k in ENV_KEYS), exc.message
        return
    assert 5 <= s.hold_seconds <= 86400 and 1 <= s.max_seats_per_booking <= 1000


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-3, 40), st.floats(),
                      st.text(max_size=5))
json_like = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=6), st.dictionaries(st.text(max_size=8), inner, max_size=5)),
    max_leaves=30)
row_like = st.fixed_dictionaries(
    {"label": st.one_of(st.text(max_size=4), json_leaf),
     "seats": st.one_of(st.lists(st.one_of(st.none(), st.integers(-2, 30), json_leaf),
                                 max_size=8), json_like)},
    optional={"blocked": json_like, "wheelchair": json_like, "companion": json_like})
layout_like = st.one_of(
    json_like,
    st.fixed_dictionaries({"rows": st.lists(row_like, max_size=5)},
                          optional={"blocked": st.lists(st.text(max_size=4), max_size=3),
                                    "wheelchair": json_like, "companion": json_like,
                                    "blocked_reasons": json_like}))


@PURE_RUNS
@given(data=layout_like)
def test_layout_definitions_are_built_or_refused_as_invalid_layouts(data: Any) -> None:
    try:
        layout = Layout.from_json(data)
    except InvalidLayout as exc:
        assert exc.message
        return
    assert Layout.from_json(layout.to_json()) == layout  # what is accepted round-trips


@PURE_RUNS
@given(url=st.one_of(
    st.text(max_size=40),
    st.builds(lambda scheme, rest: f"{scheme}://{rest}",
              st.sampled_from(["postgresql", "postgres", "postgresql+psycopg2", "mysql",
                               "sqlite", "postgresql+asyncpg", "http", ""]),
              st.text(max_size=30))))
@example(url="postgresql://u:p%40ss@host:5432/db?sslmode=require")
@example(url="postgres://[::1]:5432/x")
def test_connection_urls_route_to_psycopg_or_are_refused(url: str) -> None:
    try:
        out = sqlalchemy_url(url)
    except ValueError as exc:
        assert str(exc)  # the documented refusal, with its reason
        return
    assert out.startswith("postgresql+psycopg://")


def test_unparseable_url_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        sqlalchemy_url("::::")


# -- the command line -------------------------------------------------------------------


def _run_cli(argv: list[str]) -> int | None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli_main(argv)
        except SystemExit as exc:  # argparse's own refusal (or --help)
            assert exc.code in (0, 2), exc.code
            return None
    assert isinstance(code, int)
    assert "Traceback" not in err.getvalue()
    return code


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=st.lists(st.one_of(st.text(max_size=12),
                               st.sampled_from(["--database-url", "--log-level", "--interval",
                                                "--days", "--help", "-h", "db", "current",
                                                "--once", "INFO", "0.0001", "nan", "-1"])),
                     max_size=5))
def test_cli_arguments_never_raise_past_argparse(db_url: str, argv: list[str]) -> None:
    # A fuzzed tail behind a harmless command, against a real test database; commands
    # that open windows, fill venues or run forever are kept out of reach.
    for first in (["check"], ["db", "current"], ["expiry-worker", "--once"]):
        full = [*first, *argv, "--database-url", db_url]
        assume("gui" not in argv)
        _run_cli(full)


@pytest.mark.parametrize("command", [["check"], ["db", "current"]])
@pytest.mark.parametrize("url", ["mysql://a/b", "postgresql://a@b:notaport/x", "::::",
                                 "postgresql://nobody@127.0.0.1:1/none"])
def test_cli_bad_or_unreachable_database_url_is_a_message(command: list[str], url: str) -> None:
    assert _run_cli([*command, "--database-url", url]) == 2


def _tomorrow() -> Any:
    from tests.dbutil import tomorrow

    return tomorrow()
