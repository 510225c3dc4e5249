"""The text in a ticket's QR code: which show, booking and seat, and a check value.

``BO1.<show>.<booking>.<seat>.<check>``, e.g. ``BO1.12.345.C7.K4M2Q9XW7T``. The check
value is HMAC-SHA256 over the other fields with the database's ticket key (migration
0004), truncated to 50 bits and written in a 32-letter alphabet. A one-character typo or
a made-up code fails the check (the odds of a guess passing are 1 in 2**50); a code is
only good for the database that signed it.

Only upper-case letters, digits and ``.`` appear, so the code fits QR's compact
alphanumeric mode and a keyboard-wedge scanner types it the same on US, UK, French
or German keyboard layouts; the alphabet leaves out I, O (read as 1, 0) and Y, Z (swapped
by scanners that assume a US layout on a German one).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from boxoffice.errors import BoxOfficeError

VERSION = "BO1"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWX"
CHECK_LENGTH = 10  # characters of 5 bits: 50 bits of the HMAC
_SEAT = re.compile(r"^[A-Z0-9]{1,4}[0-9]{1,4}$")
# A venue chart's seat whose id does not fit the code (``Groundfloor-A-9``, a GUID) is
# named by its place in the show: row index and column in base 32 (15 bits each), then X.
# It ends in a letter, so it never reads as a grid label.
_PLACE = re.compile(rf"^[{ALPHABET}]{{6}}X$")
_PLACE_BITS = 15
_FORMAT = re.compile(
    rf"^{VERSION}\.([1-9][0-9]{{0,17}})\.([1-9][0-9]{{0,17}})\.([A-Z0-9]{{2,8}})"
    rf"\.([{ALPHABET}]{{{CHECK_LENGTH}}})$"
)


class BadTicketCode(BoxOfficeError):
    """The scanned text is not a BoxOffice ticket, or its check value is wrong."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # "format" (not a ticket code) or "check" (typo or forgery)


@dataclass(frozen=True, slots=True)
class TicketCode:
    show_id: int
    booking_id: int
    seat: str


def _check_value(key: bytes, show_id: int, booking_id: int, seat: str) -> str:
    message = f"{VERSION}|{show_id}|{booking_id}|{seat}".encode()
    digest = int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:8], "big")
    digest >>= 64 - 5 * CHECK_LENGTH
    chars = []
    for _ in range(CHECK_LENGTH):
        chars.append(ALPHABET[digest & 31])
        digest >>= 5
    return "".join(reversed(chars))


def seat_token(seat: str, row_index: int, column: int) -> str:
    """What a ticket code calls a seat: its grid label as it is (``C7``), else its place
    in the show (``show_seats.row_index`` / ``column_index``), which the door turns back
    into the seat (``place_of``)."""
    if _SEAT.match(seat):
        return seat
    limit = 1 << _PLACE_BITS
    if not (0 <= row_index < limit and 0 <= column < limit):
        raise ValueError(f"seat {seat!r} is beyond what a ticket code can name")
    value = row_index << _PLACE_BITS | column
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(6))) + "X"


def place_of(token: str) -> tuple[int, int] | None:
    """(row index, column) of a place token, or None for a grid label."""
    if not _PLACE.match(token):
        return None
    value = 0
    for ch in token[:6]:
        value = value << 5 | ALPHABET.index(ch)
    return value >> _PLACE_BITS, value & ((1 << _PLACE_BITS) - 1)


def encode(key: bytes, show_id: int, booking_id: int, seat: str) -> str:
    """The QR text of one seat's ticket, signed with ``key``."""
    if not (isinstance(show_id, int) and show_id > 0 and isinstance(booking_id, int)
            and booking_id > 0):
        raise ValueError("show and booking ids are positive integers")
    if not (_SEAT.match(seat) or _PLACE.match(seat)):
        raise ValueError(f"{seat!r} is not a seat label that fits a ticket code "
                         "(seat_token makes one)")
    return f"{VERSION}.{show_id}.{booking_id}.{seat}.{_check_value(key, show_id, booking_id, seat)}"


_AS_DIGITS = str.maketrans({"O": "0", "I": "1"})
_VERSION_TYPED = {"B01": VERSION}


def _read_lookalikes(cleaned: str) -> str:
    """``B01.1O.1OO1.C7.K4M2Q9XW7T`` → ``BO1.10.1001.C7.K4M2Q9XW7T``: the fields where O
    and I cannot be meant (digits; the check alphabet has no O or I) read as 0 and 1."""
    parts = cleaned.split(".")
    if len(parts) != 5:
        return cleaned
    version, show, booking_id, seat, check = parts
    return ".".join([_VERSION_TYPED.get(version, version), show.translate(_AS_DIGITS),
                     booking_id.translate(_AS_DIGITS), seat, check.translate(_AS_DIGITS)])


def decode(key: bytes, text: str) -> TicketCode:
    """Parse and verify scanned text.

    Scanners add line ends and sometimes type in lower case (caps lock): both are
    forgiven, and so is a person typing the letter O for a zero (or I for a one) where
    only digits or the check alphabet can stand: the version, the ids and the check
    value. The seat label is taken as typed (rows may be lettered O or I).

    Raises:
        BadTicketCode: not a ticket code (``reason="format"``), or a code whose check
            value does not match (``reason="check"``: a typo, a damaged print, a forgery,
            or a ticket from another BoxOffice database).
    """
    cleaned = _read_lookalikes(text.strip().upper())
    m = _FORMAT.match(cleaned)
    if m is None:
        raise BadTicketCode(
            "This is not a BoxOffice ticket code. Scan the square code on the ticket, "
            "or type the text printed under it.", reason="format")
    show_id, booking_id, seat, check = int(m[1]), int(m[2]), m[3], m[4]
    if not (_SEAT.match(seat) or _PLACE.match(seat)) or not hmac.compare_digest(
            check, _check_value(key, show_id, booking_id, seat)):
        raise BadTicketCode(
            "The ticket code does not check out: it was mistyped, the print is damaged, "
            "or the ticket is forged. Ask for the booking number and look it up.",
            reason="check")
    return TicketCode(show_id, booking_id, seat)
