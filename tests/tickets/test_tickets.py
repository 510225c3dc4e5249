"""Tickets: the signed QR payload, the layout resource, what a ticket shows, the print log,
and the PDF (one page per seat, rendered by poppler to a non-blank image)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from boxoffice import booking, shows
from boxoffice.db import Database
from boxoffice.errors import BookingNotFound, WrongBookingState
from boxoffice.tickets import payload
from boxoffice.tickets.layout import (
    InvalidTicketLayout,
    load_layout,
    parse_layout,
    resource_path,
)
from boxoffice.tickets.service import booking_tickets, log_printed, ticket_key, was_printed

KEY = b"0123456789abcdef0123456789abcdef"


# -- the payload ---------------------------------------------------------------------


@pytest.mark.parametrize(("show", "booking_id", "seat"),
                         [(1, 1, "A1"), (12, 345, "C7"), (2**40, 2**50, "ROW12345")])
def test_payload_round_trip(show: int, booking_id: int, seat: str) -> None:
    code = payload.encode(KEY, show, booking_id, seat)
    assert re.fullmatch(r"[0-9A-Z.]+", code), "QR alphanumeric mode, wedge-safe characters"
    assert payload.decode(KEY, code) == payload.TicketCode(show, booking_id, seat)
    # what scanners add or change: a line end, caps lock
    assert payload.decode(KEY, f"  {code.lower()}\r\n") == payload.TicketCode(show, booking_id, seat)


def test_a_letter_o_typed_as_zero_or_the_other_way_is_the_same_code() -> None:
    """Issue 13 item 25: "BO1…" typed as "B01…" was refused. Codes only mix O with digits
    in the version and ids; the check value's alphabet has neither I nor O, so reading
    them as 1 and 0 there is never ambiguous. Old codes stay valid as printed."""
    code = payload.encode(KEY, 10, 1001, "C7")
    want = payload.TicketCode(10, 1001, "C7")
    prefix, show, booking_id, seat, check = code.split(".")
    for typed in [f"B01.{show}.{booking_id}.{seat}.{check}",
                  f"BO1.1O.1OO1.{seat}.{check}", f"bo1.io.1oo1.{seat}.{check.lower()}",
                  f"B01.{show}.{booking_id}.{seat}.{check.replace('0', 'O').replace('1', 'I')}"]:
        assert payload.decode(KEY, typed) == want, typed
    assert payload.decode(KEY, code) == want
    with pytest.raises(payload.BadTicketCode):  # seat labels are not guessed at
        payload.decode(KEY, code.replace(".C7.", ".C7O."))


LOOKALIKES = {"0": "O", "1": "I", "O": "0"}


def test_every_one_character_typo_is_detected() -> None:
    code = payload.encode(KEY, 12, 345, "C7")
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ."
    tried = 0
    seat_at = code.index(".C7.") + 1
    for i, original in enumerate(code):
        for c in alphabet:
            if c == original:
                continue
            if LOOKALIKES.get(original) == c and not seat_at <= i < seat_at + 2:
                continue  # read as the same character (the test above)
            typo = code[:i] + c + code[i + 1:]
            with pytest.raises(payload.BadTicketCode):
                payload.decode(KEY, typo)
            tried += 1
    # swapped neighbours, a dropped and a doubled character
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            with pytest.raises(payload.BadTicketCode):
                payload.decode(KEY, code[:i] + code[i + 1] + code[i] + code[i + 2:])
        with pytest.raises(payload.BadTicketCode):
            payload.decode(KEY, code[:i] + code[i + 1:])
        with pytest.raises(payload.BadTicketCode):
            payload.decode(KEY, code[:i] + code[i] + code[i:])
    assert tried > 500


def test_a_forged_code_is_detected() -> None:
    genuine = payload.encode(KEY, 12, 345, "C7")
    # another seat with the genuine check value, a made-up check value, another key
    forged = [genuine.replace(".C7.", ".C8."), genuine[:-10] + "0000000000",
              payload.encode(b"somebody else's key", 12, 345, "C7")]
    for code in forged:
        with pytest.raises(payload.BadTicketCode) as err:
            payload.decode(KEY, code)
        assert err.value.reason == "check"
        assert "forged" in err.value.message
    for junk in ["", "hello", "https://example.com", "BO1.0.1.A1.0000000000",
                 "BO2.1.1.A1.0000000000", genuine + "X"]:
        with pytest.raises(payload.BadTicketCode) as err:
            payload.decode(KEY, junk)
        assert err.value.reason == "format"


# -- the layout ----------------------------------------------------------------------


def test_the_shipped_layout_loads() -> None:
    layout = load_layout(resource_path())
    assert layout.width > layout.height > 0
    assert [e.kind for e in layout.elements].count("qr") == 1


def _shipped() -> dict:  # type: ignore[type-arg]
    return json.loads(resource_path().read_text(encoding="utf-8"))


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["elements"].append({"type": "text", "x": 1, "y": 1, "w": 9, "h": 9,
                                     "text": "{prize}"}), "{prize} is not a ticket field"),
    (lambda d: d.__setitem__("elements", [e for e in d["elements"] if e["type"] != "qr"]),
     "exactly one qr"),
    (lambda d: d["elements"][0].__setitem__("stroke", "red"), "colour like"),
    (lambda d: d["page"].__setitem__("width", "wide"), "width must be a number"),
    (lambda d: d["elements"].append({"type": "circle", "x": 1, "y": 1}), "type must be"),
    (lambda d: d["elements"].append({"type": "text", "x": 1, "y": 1, "w": 9, "h": 9,
                                     "text": "{show_name"}), "not a valid template"),
])
def test_a_bad_layout_edit_is_refused_with_a_reason(change, message) -> None:  # type: ignore[no-untyped-def]
    data = _shipped()
    change(data)
    with pytest.raises(InvalidTicketLayout, match=re.escape(message)):
        parse_layout(data)


def test_the_data_folder_copy_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from boxoffice.tickets.layout import layout_path

    monkeypatch.delenv("BOXOFFICE_TICKET_LAYOUT", raising=False)
    assert layout_path(tmp_path) == resource_path()
    (tmp_path / "ticket_layout.json").write_text("{}")
    assert layout_path(tmp_path) == tmp_path / "ticket_layout.json"
    with pytest.raises(InvalidTicketLayout):
        load_layout(tmp_path / "ticket_layout.json")


# -- what a ticket shows, and the print log --------------------------------------------


def test_one_ticket_per_seat_with_everything_printed(db: Database,
                                                     show: shows.ShowView) -> None:
    sold = booking.sell(db, show.id, ["D4", "C12"], clerk="alice", customer="Ann")
    tickets = booking_tickets(db, sold.id)
    assert [(t.row, t.seat_in_row) for t in tickets] == [("C", "12"), ("D", "4")]
    t = tickets[0]
    assert (t.booking_id, t.show_id, t.show_name, t.hall_name) == (
        sold.id, show.id, "Test Show", "Test Hall")
    assert t.start_time == show.start_time
    # sold without a price plan: no category, a plain admission, free
    assert (t.category, t.ticket_type, t.price, t.customer_name) == ("", "Admission", "", "Ann")
    assert t.venue_name == db.settings.venue_name
    assert payload.decode(ticket_key(db), t.code) == payload.TicketCode(show.id, sold.id, "C12")


def test_a_ticket_carries_the_category_type_and_price_it_was_sold_at(
        db: Database, show: shows.ShowView) -> None:
    """Issue 13 item 1: a Child ticket in the Stalls printed "Standard / Adult"."""
    from boxoffice import money
    from boxoffice.money import Payment, PriceCategory

    money.set_price_plan(db, show.id, [
        PriceCategory("Stalls", {"Adult": 3200, "Child": 1250}),
        PriceCategory("Circle", {"Adult": 2400}, seats=("J3",)),
    ])
    sale = money.sell(db, show.id, {"C5": "Child", "J3": "Adult", "C6": "Adult"},
                      Payment("card"), clerk="ann", customer="Ada")
    # a later price change never rewrites what was sold
    money.set_price_plan(db, show.id, [PriceCategory("Stalls", {"Adult": 9900, "Child": 9900})])
    printed = {t.seat: (t.category, t.ticket_type, t.price, t.hall_name)
               for t in booking_tickets(db, sale.booking.id)}
    assert printed == {"C5": ("Stalls", "Child", "EUR 12.50", "Test Hall"),
                       "C6": ("Stalls", "Adult", "EUR 32.00", "Test Hall"),
                       "J3": ("Circle", "Adult", "EUR 24.00", "Test Hall")}
    # a seat given back leaves no ticket to print
    money.cancel_seats(db, sale.booking.id, ["C6"], clerk="ann", reason="one fewer")
    assert [t.seat for t in booking_tickets(db, sale.booking.id)] == ["C5", "J3"]
    fields = booking_tickets(db, sale.booking.id)[0].fields()
    assert (fields["category"], fields["ticket_type"], fields["price"]) == (
        "Stalls", "Child", "EUR 12.50")
    assert fields["venue_name"] == db.settings.venue_name


def test_no_tickets_for_a_hold_or_a_missing_booking(db: Database, show: shows.ShowView) -> None:
    held = booking.hold(db, show.id, ["E1"], clerk="alice")
    with pytest.raises(WrongBookingState):
        booking_tickets(db, held.id)
    with pytest.raises(WrongBookingState):
        log_printed(db, held.id)
    with pytest.raises(BookingNotFound):
        booking_tickets(db, 987654)


def _print_events(db: Database, booking_id: int) -> list[tuple[dict, list[str]]]:  # type: ignore[type-arg]
    with db.engine.connect() as conn:
        return [(r.details, r.seats) for r in conn.execute(text(
            "SELECT details, seats FROM booking_events WHERE booking_id = :b "
            "AND kind = 'ticket_printed' ORDER BY id"), {"b": booking_id})]


def test_a_reprint_is_marked_in_the_event_log(db: Database, show: shows.ShowView) -> None:
    sold = booking.sell(db, show.id, ["F1", "F2"], clerk="alice")
    assert not was_printed(db, sold.id)
    assert log_printed(db, sold.id, counter="Box 1") is False
    assert was_printed(db, sold.id)
    assert log_printed(db, sold.id, reprint=True) is True
    # the database knows it was printed before even if the client forgets to say so
    assert log_printed(db, sold.id, reprint=False) is True
    assert _print_events(db, sold.id) == [({"reprint": False}, ["F1", "F2"]),
                                          ({"reprint": True}, ["F1", "F2"]),
                                          ({"reprint": True}, ["F1", "F2"])]


def test_a_clerk_login_logs_prints_through_the_function(db: Database,
                                                        show: shows.ShowView) -> None:
    from tests.test_checkin import staff_login

    sold = booking.sell(db, show.id, ["G1"], clerk="alice")
    with staff_login(db, "clerk") as (clerk, name):
        assert log_printed(clerk, sold.id, reprint=True) is True
        with clerk.engine.connect() as conn:
            actor = conn.execute(text("SELECT actor FROM booking_events WHERE kind = "
                                      "'ticket_printed' AND booking_id = :b"),
                                 {"b": sold.id}).scalar_one()
        assert actor == name


# -- the PDF -------------------------------------------------------------------------


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", path.read_bytes()))


def test_the_pdf_has_one_page_per_seat_and_renders(db: Database, show: shows.ShowView,
                                                   tmp_path: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QImage

    from boxoffice.ui.printing.tickets import write_tickets_pdf

    sold = booking.sell(db, show.id, ["H1", "H2", "H3"], clerk="alice")
    pdf = tmp_path / "tickets.pdf"
    assert write_tickets_pdf(db, sold.id, pdf) == 3
    assert pdf_pages(pdf) == 3
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: the PDF was not rendered")
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    image = QImage(str(png))
    assert image.width() > 300 and image.height() > 100
    # mm page size: 180 × 70 mm at 60 dpi
    assert abs(image.width() - round(180 / 25.4 * 60)) <= 2
    dark = sum(1 for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
               if image.pixelColor(x, y).lightness() < 100)
    light = sum(1 for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
                if image.pixelColor(x, y).lightness() > 200)
    assert dark > 200 and light > 200, "a ticket, not a blank or black page"
