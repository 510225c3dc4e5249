"""Typed change records: what changed in the box office, as every view subscribes to it.

Two sources produce them: the live feed (a committed change anywhere, from PostgreSQL's
notifications) and the counter operations (what the clerk's own write just changed, so
the clerk's screen need not wait for its own notification). A view subscribes to the
kinds it shows — the seat grid to ``SeatsChanged`` of its show, the cash-up to
``MoneyChanged`` — instead of matching strings (in the spirit of Anki's ``OpChanges``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SeatState(StrEnum):
    """What a seat became: the states a seat change can carry (live payloads use these words)."""

    SOLD = "sold"
    HELD = "held"
    FREE = "free"


class ShowChange(StrEnum):
    """What happened to a show as a whole (payload ``state`` words of show-level notices)."""

    CREATED = "show_created"
    CHANGED = "show_changed"
    DELETED = "show_deleted"
    LAYOUT_CHANGED = "layout_changed"


@dataclass(frozen=True, slots=True)
class SeatsChanged:
    """Seats of one show became ``state``. ``refetch``: the list was too long for one
    message, so the receiver refetches the show's seats instead of trusting ``seats``."""

    show_id: int
    seats: tuple[str, ...]
    state: SeatState
    booking_id: int | None = None
    counter: str | None = None
    refetch: bool = False


@dataclass(frozen=True, slots=True)
class ShowChanged:
    """A show was created, edited, deleted or given a new layout: views refetch it."""

    show_id: int
    kind: ShowChange
    counter: str | None = None


@dataclass(frozen=True, slots=True)
class PricesChanged:
    """A show's price plan changed: open sales re-price their ticket lines."""

    show_id: int
    counter: str | None = None


@dataclass(frozen=True, slots=True)
class CheckedIn:
    """A ticket was scanned at the door."""

    show_id: int
    seat: str
    booking_id: int | None = None


@dataclass(frozen=True, slots=True)
class MoneyChanged:
    """Money moved for a booking (a payment, a refund, a till count): the cash-up refreshes."""

    show_id: int | None
    booking_id: int | None = None
    counter: str | None = None


@dataclass(frozen=True, slots=True)
class Resync:
    """The feed was interrupted: anything may have changed; every view refetches."""

    reason: str


Change = SeatsChanged | ShowChanged | PricesChanged | CheckedIn | MoneyChanged | Resync
