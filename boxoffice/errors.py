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

    def __init__(self, show_id: int, bookings: int, name: str | None = None) -> None:
        # the clerk knows the show by its name; the id is for the log
        what = f"“{name}”" if name else f"Show {show_id}"
        counted = "1 booking" if bookings == 1 else f"{bookings} bookings"
        super().__init__(
            f"{what} has {counted} on record (sold, held, cancelled or released) and "
            "cannot be deleted. Keep it, or move it to another date."
        )
        self.show_id = show_id
        self.bookings = bookings
        self.name = name


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
    def __init__(self, current: str | None, head: str, url: str | None = None) -> None:
        # the command names the database, so it upgrades the one that was refused
        where = f" --database-url '{url}'" if url else ""
        super().__init__(
            f"The database schema is at {current or 'nothing (empty database)'}, "
            f"this BoxOffice needs {head}. Run: boxoffice db upgrade{where}"
        )
        self.current = current
        self.head = head
        self.url = url


# What PostgreSQL's "permission denied for <kind> <name>" means at the counter: the job
# the object stands for, and whose login it needs. Functions first (each is one job),
# then tables, which only managers and the owner write.
_NEEDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("boxoffice_book", "boxoffice_confirm", "boxoffice_release", "boxoffice_exchange",
      "boxoffice_pay", "boxoffice_ticket_printed"),
     "Selling, holding and printing tickets need a clerk's or a manager's login."),
    (("boxoffice_record_cash_count",), "Counting a till needs a clerk's or a manager's login."),
    (("boxoffice_rename_customer",),
     "Correcting a customer's name needs a clerk's or a manager's login."),
    (("boxoffice_cancel", "boxoffice_cancel_seats"),
     "Cancelling and refunding need a manager's login."),
    (("boxoffice_staff_",), "Staff logins are managed with a manager's login."),
    (("boxoffice_expire",), "Releasing expired holds needs an expiry runner's login."),
    (("boxoffice_check_in",), "Letting guests in needs a door (viewer) login or better."),
    (("boxoffice_secrets",), "Only the database owner may read that."),
    (("halls", "shows", "show_seats", "prices", "price_categories", "ticket_types",
      "venue_settings", "booking_events", "booking_seats", "bookings"),
     "Changing shows, halls and prices needs a manager's login."),
)


def _needed_login(detail: str) -> str:
    """The clerk's words for a permission PostgreSQL refused (``detail`` is its message)."""
    name = detail.rsplit(" ", 1)[-1].strip('"') if detail.startswith("permission denied") \
        else ""
    for names, words in _NEEDS:
        if any(name == n or (n.endswith("_") and name.startswith(n)) for n in names):
            return words
    return "Ask a manager to do this, or to give your login the right."


class NotAllowed(BoxOfficeError):
    """PostgreSQL refused the operation for this login's role.

    ``message`` says in the counter's words what the login may not do and whose login
    may; ``detail`` keeps PostgreSQL's own text for the log.
    """

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"Your login may not do this. {_needed_login(detail)}")
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message


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
