"""The bookings list: one row per booking found, with the show it is for, and the words
and colours the bookings window uses for statuses and history events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from boxoffice import booking, shows
from boxoffice.statuses import BookingStatus
from boxoffice.ui.common.table_model import RowsTableModel

COL_NUMBER, COL_CUSTOMER, COL_SHOW, COL_WHEN, COL_SEATS, COL_STATUS = range(6)
HEADERS = ("Booking", "Customer", "Show", "Show starts", "Seats", "Status")
BookingRole = Qt.ItemDataRole.UserRole + 1

STATUS_WORDS = {BookingStatus.PENDING: "Held", BookingStatus.CONFIRMED: "Sold",
                BookingStatus.FAILED: "Released / failed", BookingStatus.CANCELLED: "Cancelled"}
STATUS_COLOURS = {BookingStatus.PENDING: "#b26a00", BookingStatus.CONFIRMED: "#1e7d32",
                  BookingStatus.FAILED: "#6b737c", BookingStatus.CANCELLED: "#b3261e"}
EVENT_WORDS = {
    "booking_held": "Held", "booking_sold": "Sold", "booking_confirmed": "Confirmed (paid)",
    "booking_failed": "Not booked: seats were taken", "booking_released": "Hold released",
    "booking_expired": "Hold expired", "booking_cancelled": "Cancelled (seats back on sale)",
    "booking_exchanged": "Seats exchanged", "ticket_printed": "Ticket printed",
    "payment_taken": "Paid", "refund_given": "Refunded",
    "booking_part_cancelled": "Seats cancelled (back on sale)",
    "customer_renamed": "Customer name corrected",
}
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class BookingRow:
    """A booking with the show it is for, as the results list shows it."""

    booking: booking.BookingRecord
    show_name: str
    show_start: datetime | None
    hall_name: str


def seat_key(label: str) -> tuple[str, int]:
    prefix = label.rstrip("0123456789")
    digits = label[len(prefix):]
    return prefix, int(digits) if digits else -1


def seats_text(seats: tuple[str, ...]) -> str:
    return ", ".join(sorted(seats, key=seat_key)) or "—"


def when_text(value: datetime | None, *, year: bool = True) -> str:
    if value is None:
        return "—"
    return value.astimezone().strftime("%a %d %b %Y, %H:%M" if year else "%a %d %b, %H:%M")


CREATING_EVENTS = ("booking_held", "booking_sold", "booking_failed")


def event_row(e: Any, b: booking.BookingRecord) -> list[str]:
    """One history line: when, what (with the reason or the seats lost), who, counter, seats."""
    details = e.details or {}
    what = EVENT_WORDS.get(e.kind, e.kind.replace("_", " ").capitalize())
    if e.kind in ("payment_taken", "refund_given") and details.get("method"):
        what += f" by {details['method']}"
    if details.get("reason"):
        what += f" — {details['reason']}"
    if e.kind == "customer_renamed":
        what += f": {details.get('old') or '(none)'} → {details.get('new') or '(none)'}"
    if details.get("taken"):
        what += f" ({seats_text(tuple(details['taken']))})"
    # The event log records the database role as actor; the clerk, where it knows one.
    who = details.get("clerk") or (b.user_name if e.kind in CREATING_EVENTS else e.actor)
    seats = tuple(e.seats) or tuple(details.get("taken") or ())
    return [when_text(e.occurred_at), what, who or "—", e.counter or "—", seats_text(seats)]


class BookingsModel(RowsTableModel):
    """Search results; ``BookingRole`` gives the ``BookingRow``."""

    headers = HEADERS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        b = r.booking
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                COL_NUMBER: f"#{b.id}",
                COL_CUSTOMER: b.customer_name or "—",
                COL_SHOW: r.show_name,
                COL_WHEN: when_text(r.show_start, year=False),
                COL_SEATS: seats_text(b.seats) if b.seats else f"({b.seats_requested} released)",
                COL_STATUS: STATUS_WORDS.get(b.status, b.status.title()),
            }.get(col)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATUS:
            return QColor(STATUS_COLOURS.get(b.status, "#000000"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_SEATS:
            return seats_text(b.seats)
        if role == BookingRole:
            return r
        return None

    def set_rows(self, rows: list[BookingRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def update_booking(self, view: booking.BookingRecord) -> None:
        """One booking changed (cancelled, released): repaint its row only."""
        for i, r in enumerate(self._rows):
            if r.booking.id == view.id:
                self._rows[i] = BookingRow(view, r.show_name, r.show_start, r.hall_name)
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(HEADERS) - 1))
                return

    def row_of(self, booking_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.booking.id == booking_id), -1)


SEARCH_LIMIT = 50  # rows a search lists; more found is said, never silently cut


@dataclass(frozen=True, slots=True)
class BookingSearch:
    """One search's answer: the newest rows found, and how many there are in all."""

    rows: tuple[BookingRow, ...]
    total: int


def search_bookings(query: str) -> Any:
    """The runner's function for one search: bookings found, each with its show's title,
    and the number found in all (more than listed: the clerk is asked to refine)."""
    def fn(db: Any) -> BookingSearch:
        found = booking.find_bookings(db, query, limit=SEARCH_LIMIT)
        total = (len(found) if len(found) < SEARCH_LIMIT
                 else booking.count_bookings(db, query))
        titles = shows.show_titles(db, (b.show_id for b in found))
        out = []
        for b in found:
            t = titles.get(b.show_id)
            if t is None:
                out.append(BookingRow(b, f"Show {b.show_id} (deleted)", None, ""))
            else:
                out.append(BookingRow(b, t.name, t.start_time, t.hall_name))
        return BookingSearch(tuple(out), total)
    return fn
