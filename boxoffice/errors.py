"""Typed errors the counter can act on.

Each carries a ``message`` written for a clerk (shown as it is in the app) and
the facts behind it as attributes, so the UI can highlight seats or offer a retry.
Anything that is not a ``BoxOfficeError`` is a bug and goes to the crash dialog.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class BoxOfficeError(Exception):
    """A known, explainable failure; ``message`` is what the clerk reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(BoxOfficeError):
    """The request itself is wrong (bad name, bad seats, ...); nothing was written."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RequestRefused(InvalidRequest):
    """The database refused a request as asked (SQLSTATE BO003: a ticket type with no
    price, too little cash given, a paid booking shrunk by an exchange...); its message
    is written for the clerk and nothing was written."""


class InvalidLayout(InvalidRequest):
    """A seat layout that cannot be built (duplicate labels, bad rows, ...)."""


def _seat_list(seats: Iterable[str]) -> str:
    return ", ".join(sorted(seats, key=_seat_sort_key))


def _seat_sort_key(label: str) -> tuple[str, int, str]:
    prefix = label.rstrip("0123456789")
    digits = label[len(prefix):]
    return (prefix, int(digits) if digits else -1, label)


class UnknownSeats(InvalidRequest):
    """Seats that are not in the show's layout."""

    def __init__(self, seats: Sequence[str]) -> None:
        super().__init__(f"These seats do not exist in this hall: {_seat_list(seats)}.", field="seats")
        self.seats = tuple(seats)


class BlockedSeats(InvalidRequest):
    """Seats that exist but are blocked (house seats, broken, sight line)."""

    def __init__(self, seats: Sequence[str]) -> None:
        super().__init__(f"These seats are blocked and cannot be sold: {_seat_list(seats)}.", field="seats")
        self.seats = tuple(seats)


class ShowNotFound(BoxOfficeError):
    def __init__(self, show_id: int) -> None:
        super().__init__(f"Show {show_id} does not exist.")
        self.show_id = show_id


class ShowHasBookings(BoxOfficeError):
    """A show with bookings on record cannot be deleted."""

    def __init__(self, show_id: int, bookings: int) -> None:
        super().__init__(
            f"Show {show_id} has {bookings} booking(s) on record and cannot be deleted. "
            "Cancel its sales and keep it, or move it to another date."
        )
        self.show_id = show_id
        self.bookings = bookings


class HallNotFound(BoxOfficeError):
    def __init__(self, hall: int | str) -> None:
        super().__init__(f"Hall {hall} does not exist.")
        self.hall = hall


class BookingNotFound(BoxOfficeError):
    def __init__(self, booking_id: int) -> None:
        super().__init__(f"Booking {booking_id} does not exist.")
        self.booking_id = booking_id


class SeatsTaken(BoxOfficeError):
    """Another counter got some of the seats first; the FAILED booking records it."""

    def __init__(self, taken: Sequence[str], *, show_id: int, booking_id: int | None) -> None:
        word = "seat is" if len(taken) == 1 else "seats are"
        super().__init__(
            f"Sorry, {len(taken)} {word} no longer free: {_seat_list(taken)}. "
            "Nothing was booked; choose other seats."
        )
        self.taken = tuple(sorted(taken, key=_seat_sort_key))
        self.show_id = show_id
        self.booking_id = booking_id


class HoldExpired(BoxOfficeError):
    """The hold ran out before it was confirmed; its seats went back on sale."""

    def __init__(self, booking_id: int) -> None:
        super().__init__(
            f"The hold on booking {booking_id} has expired and its seats were released. "
            "Select the seats again to sell them."
        )
        self.booking_id = booking_id


class WrongBookingState(BoxOfficeError):
    """confirm/release/cancel on a booking that is not in a state that allows it."""

    def __init__(self, booking_id: int, status: str, action: str) -> None:
        super().__init__(f"Booking {booking_id} is {status.lower()}; it cannot be {action}.")
        self.booking_id = booking_id
        self.status = status
        self.action = action


class LayoutInUse(BoxOfficeError):
    """A layout change would remove or block seats that are sold or held."""

    def __init__(self, show_id: int, seats: Sequence[str]) -> None:
        super().__init__(
            f"Show {show_id} has sold or held seats that the new layout would remove or block: "
            f"{_seat_list(seats)}. Release or cancel those bookings first."
        )
        self.show_id = show_id
        self.seats = tuple(seats)


class RequestKeyReused(InvalidRequest):
    """A request key came back with a different request: a client bug, never a retry."""

    def __init__(self, request_key: str) -> None:
        super().__init__(
            f"Request key {request_key!r} was already used for a different booking request.",
            field="request_key",
        )
        self.request_key = request_key


class SchemaOutOfDate(BoxOfficeError):
    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(
            f"The database schema is at {current or 'nothing (empty database)'}, "
            f"this BoxOffice needs {head}. Run: boxoffice db upgrade"
        )
        self.current = current
        self.head = head


class NotAllowed(BoxOfficeError):
    """PostgreSQL refused the operation for this login's role."""

    def __init__(self, detail: str = "") -> None:
        text = "Not allowed for your role."
        if detail:
            text += f" ({detail})"
        super().__init__(text)
        self.detail = detail


class LoginFailed(BoxOfficeError):
    """Bad credentials, a disabled login or a dropped role."""


class DatabaseUnavailable(BoxOfficeError):
    """The database cannot be reached; the outcome of a write in flight is unknown."""


class ChartRefused(InvalidRequest):
    """A venue chart that cannot be sold as it is (duplicate seat ids, unknown categories,
    broken geometry...): ``problems`` names every offending seat; nothing was written."""

    def __init__(self, source: str, problems: Sequence[object], advice: str) -> None:
        shown = "\n".join(f"  {source}: {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem{'s' if len(problems) != 1 else ''}"
                         f", nothing imported:\n{shown}\n{advice}", field="chart")
        self.source = source
        self.problems = tuple(problems)
        self.advice = advice
