"""Every table BoxOffice keeps, as SQLAlchemy 2 typed ORM classes.

Migrations (``migrations/``) create exactly this; a test runs autogenerate against a
migrated database and expects no difference. Triggers that hold the cross-row
invariants (seat counts per booking, the append-only event log) live in the migrations.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from boxoffice.money.amounts import MAX_AMOUNT
from boxoffice.statuses import BookingStatus, EventKind, TicketStatus


class Xid8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id (``pg_current_xact_id()``), which orders the
    event stream; read through ``boxoffice.events.stream`` as text, never mapped here."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "XID8"


ischema_names.setdefault("xid8", Xid8)  # so reflection (autogenerate) knows the type

BOOKING_STATUSES = tuple(BookingStatus)
EVENT_KINDS = tuple(EventKind)
TICKET_STATUSES = tuple(TicketStatus)
PAYMENT_METHODS = ("cash", "card", "voucher", "invoice")
# Money columns hold integer minor units (cents, pence); never floats. MAX_AMOUNT (the
# upper bound) lives with the amounts, so that the screens, which check amounts, need not
# import the ORM and these models at start-up.


def _in(column: str, values: tuple[str, ...]) -> str:
    """A CHECK that ``column`` holds one of ``values``."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _name_check(column: str, *, nullable: bool = False) -> CheckConstraint:
    """Names: 1..200 characters, no control characters, not blank."""
    cond = (
        f"char_length({column}) BETWEEN 1 AND 200 AND {column} !~ '[[:cntrl:]]' "
        f"AND btrim({column}) <> ''"
    )
    if nullable:
        cond = f"{column} IS NULL OR ({cond})"
    return CheckConstraint(cond, name=f"{column}_valid")


class Hall(Base):
    __tablename__ = "halls"
    __table_args__ = (
        _name_check("name"),
        CheckConstraint("total_seats > 0", name="total_seats_positive"),
        UniqueConstraint("name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    # The grid the layout editor edits; NULL for an imported chart (migration 0009).
    layout: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    chart: Mapped[dict[str, Any]] = mapped_column(JSONB)
    total_seats: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Show(Base):
    __tablename__ = "shows"
    __table_args__ = (
        _name_check("name"),
        CheckConstraint("total_seats > 0", name="total_seats_positive"),
        Index("ix_shows_start_time", "start_time"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    start_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    total_seats: Mapped[int] = mapped_column(Integer)
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id", ondelete="SET NULL"))
    hall_name: Mapped[str] = mapped_column(Text)
    layout: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    chart: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ShowSeat(Base):
    """One seat of one show's layout; booking_seats references it, so PostgreSQL refuses
    a seat that is not in the hall (or is blocked) even from a buggy client."""

    __tablename__ = "show_seats"
    __table_args__ = (
        UniqueConstraint("show_id", "seat_number", "sellable"),
        CheckConstraint("kind IN ('standard', 'wheelchair', 'companion')", name="kind_valid"),
        CheckConstraint("sellable = (blocked_reason IS NULL)", name="blocked_has_reason"),
        CheckConstraint("standing_area IS NULL OR (seat_number LIKE standing_area || '#%' "
                        "AND kind = 'standard')", name="standing_place_named"),
        ForeignKeyConstraint(
            ["price_category_id", "show_id"], ["price_categories.id", "price_categories.show_id"]
        ),
    )

    show_id: Mapped[int] = mapped_column(
        ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True
    )
    seat_number: Mapped[str] = mapped_column(Text, primary_key=True)
    row_label: Mapped[str] = mapped_column(Text)
    row_index: Mapped[int] = mapped_column(Integer)
    column_index: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(Text, server_default=text("'standard'"))
    sellable: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # NULL: the show's first price category prices the seat (migration 0005).
    price_category_id: Mapped[int | None] = mapped_column(BigInteger)
    # Where the chart draws it and what it is called (migration 0009).
    pos_x: Mapped[float] = mapped_column(Float, server_default=text("0"))
    pos_y: Mapped[float] = mapped_column(Float, server_default=text("0"))
    rotation: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str] = mapped_column(Text, server_default=text("''"))
    section: Mapped[str] = mapped_column(Text, server_default=text("''"))
    seat_label: Mapped[str | None] = mapped_column(Text)  # the number as text: "12 bis"
    restricted_view: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    # A standing area's places <area>#1..#N are rows too: capacity is their count.
    standing_area: Mapped[str | None] = mapped_column(Text)


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(_in("status", BOOKING_STATUSES), name="status_valid"),
        CheckConstraint("seats_requested > 0", name="seats_requested_positive"),
        CheckConstraint(
            "status <> 'PENDING' OR hold_deadline IS NOT NULL", name="pending_has_deadline"
        ),
        CheckConstraint(
            "request_key IS NULL OR char_length(request_key) BETWEEN 1 AND 200",
            name="request_key_valid",
        ),
        _name_check("user_name"),
        _name_check("customer_name", nullable=True),
        _name_check("counter", nullable=True),
        UniqueConstraint("request_key"),
        UniqueConstraint("id", "show_id"),
        Index("ix_bookings_show_id", "show_id"),
        Index(
            "ix_bookings_stale_holds",
            "hold_deadline",
            postgresql_where=text("status = 'PENDING'"),
        ),
        Index("ix_bookings_customer", text("lower(customer_name)")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id"))
    seats_requested: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text)
    user_name: Mapped[str] = mapped_column(Text)
    customer_name: Mapped[str | None] = mapped_column(Text)
    counter: Mapped[str | None] = mapped_column(Text)
    hold_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    request_key: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BookingSeat(Base):
    __tablename__ = "booking_seats"
    __table_args__ = (
        UniqueConstraint("show_id", "seat_number"),
        CheckConstraint("sellable", name="sellable_only"),
        ForeignKeyConstraint(
            ["booking_id", "show_id"], ["bookings.id", "bookings.show_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["show_id", "seat_number", "sellable"],
            ["show_seats.show_id", "show_seats.seat_number", "show_seats.sellable"],
        ),
        Index("ix_booking_seats_booking_id", "booking_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    booking_id: Mapped[int] = mapped_column(BigInteger)
    show_id: Mapped[int] = mapped_column(BigInteger)
    seat_number: Mapped[str] = mapped_column(Text)
    sellable: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BookingEvent(Base):
    """Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE."""

    __tablename__ = "booking_events"
    __table_args__ = (
        CheckConstraint(_in("kind", EVENT_KINDS), name="kind_valid"),
        Index("ix_booking_events_show_id", "show_id"),
        Index("ix_booking_events_booking_id", "booking_id"),
        Index("ix_booking_events_occurred_at", "occurred_at"),
        Index("ix_booking_events_money", "occurred_at",
              postgresql_where=text("kind IN ('payment_taken', 'refund_given')")),
        Index("ix_booking_events_stream", "txid", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    actor: Mapped[str] = mapped_column(Text, server_default=text("session_user"))
    counter: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    # No foreign keys: the audit trail outlives a deleted show.
    show_id: Mapped[int | None] = mapped_column(BigInteger)
    booking_id: Mapped[int | None] = mapped_column(BigInteger)
    seats: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # The writing transaction, stamped by the database (boxoffice_stamp_actor): the
    # stream reads (txid, id) order below the oldest running transaction (migration 0008).
    txid: Mapped[int] = mapped_column(Xid8, server_default=func.pg_current_xact_id(),
                                      deferred=True)


class EventRelayPosition(Base):
    """How far a consumer of the event stream got: the (txid, event id) of the last event
    it handled, so a restarted relay resumes there (``boxoffice events relay``)."""

    __tablename__ = "event_relay_positions"

    consumer: Mapped[str] = mapped_column(Text, primary_key=True)
    txid: Mapped[int] = mapped_column(Xid8)
    event_id: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())


class LiveChange(Base):
    """A seat change waiting for the designated live notifier to announce it with others
    in one NOTIFY (migration 0008). Unlogged: after a crash the screens resync anyway."""

    __tablename__ = "live_changes"
    __table_args__ = {"prefixes": ["UNLOGGED"]}

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    payload: Mapped[str] = mapped_column(Text)


class BoxofficeSecret(Base):
    """Per-database secrets (the ticket signing key); only the owner reads the table,
    staff through SECURITY DEFINER functions (migration 0004)."""

    __tablename__ = "boxoffice_secrets"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TicketCheckin(Base):
    """A seat let in at the door: once per show and seat; who and when set by the database."""

    __tablename__ = "ticket_checkins"
    __table_args__ = (
        UniqueConstraint("show_id", "seat_number"),
        ForeignKeyConstraint(
            ["booking_id", "show_id"], ["bookings.id", "bookings.show_id"], ondelete="CASCADE"
        ),
        Index("ix_ticket_checkins_booking_id", "booking_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    show_id: Mapped[int] = mapped_column(BigInteger)
    booking_id: Mapped[int] = mapped_column(BigInteger)
    seat_number: Mapped[str] = mapped_column(Text)
    counter: Mapped[str | None] = mapped_column(Text)
    checked_in_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    checked_in_by: Mapped[str] = mapped_column(Text, server_default=text("session_user"))


# -- money (migration 0005) ----------------------------------------------------------


class VenueSettings(Base):
    """The venue's one row of settings: the currency every price and payment is in."""

    __tablename__ = "venue_settings"
    __table_args__ = (
        CheckConstraint("id", name="single_row"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_valid"),
        CheckConstraint("minor_units BETWEEN 0 AND 3", name="minor_units_valid"),
    )

    id: Mapped[bool] = mapped_column(Boolean, primary_key=True, server_default=text("true"))
    currency: Mapped[str] = mapped_column(Text, server_default=text("'EUR'"))
    minor_units: Mapped[int] = mapped_column(Integer, server_default=text("2"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TicketType(Base):
    """Adult, Child, Concession, Complimentary...: venue-wide; retired, never deleted."""

    __tablename__ = "ticket_types"
    __table_args__ = (_name_check("name"), UniqueConstraint("name"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PriceCategory(Base):
    """A show's price band (Stalls, Circle, Restricted view) mapped onto its seats."""

    __tablename__ = "price_categories"
    __table_args__ = (
        _name_check("name"),
        UniqueConstraint("show_id", "name"),
        UniqueConstraint("id", "show_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class Price(Base):
    """What one ticket type costs in one category, in minor units."""

    __tablename__ = "prices"
    __table_args__ = (
        CheckConstraint(f"amount BETWEEN 0 AND {MAX_AMOUNT}", name="amount_valid"),
    )

    category_id: Mapped[int] = mapped_column(
        ForeignKey("price_categories.id", ondelete="CASCADE"), primary_key=True
    )
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id"), primary_key=True)
    amount: Mapped[int] = mapped_column(Integer)


class BookingTicket(Base):
    """One seat of a paid booking with the price fixed when it was sold: a later price
    change never rewrites it. Refunded tickets stay, marked REFUNDED."""

    __tablename__ = "booking_tickets"
    __table_args__ = (
        CheckConstraint(f"price BETWEEN 0 AND {MAX_AMOUNT}", name="price_valid"),
        CheckConstraint(_in("status", TICKET_STATUSES), name="status_valid"),
        CheckConstraint("(status = 'SOLD') = (refunded_at IS NULL)", name="refunded_at_valid"),
        _name_check("ticket_type"),
        _name_check("category", nullable=True),
        ForeignKeyConstraint(["booking_id", "show_id"], ["bookings.id", "bookings.show_id"]),
        Index("ix_booking_tickets_booking_id", "booking_id"),
        Index("uq_booking_tickets_sold_seat", "show_id", "seat_number", unique=True,
              postgresql_where=text("status = 'SOLD'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    booking_id: Mapped[int] = mapped_column(BigInteger)
    show_id: Mapped[int] = mapped_column(BigInteger)
    seat_number: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    ticket_type: Mapped[str] = mapped_column(Text)
    price: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text, server_default=text("'SOLD'"))
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Payment(Base):
    """Money in (a payment) or out (a refund) for one booking, by method; who took it
    is set by the database for staff logins."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("kind IN ('payment', 'refund')", name="kind_valid"),
        CheckConstraint(
            "method IN (" + ", ".join(f"'{m}'" for m in PAYMENT_METHODS) + ")",
            name="method_valid",
        ),
        CheckConstraint(f"amount BETWEEN 0 AND {MAX_AMOUNT * 20}", name="amount_valid"),
        CheckConstraint(
            "(method = 'cash' AND kind = 'payment') OR (tendered IS NULL AND change_due IS NULL)",
            name="tendered_only_for_cash",
        ),
        CheckConstraint(
            "(tendered IS NULL AND change_due IS NULL) OR "
            "(tendered >= amount AND change_due = tendered - amount)",
            name="change_adds_up",
        ),
        _name_check("user_name"),
        _name_check("counter", nullable=True),
        _name_check("reference", nullable=True),
        ForeignKeyConstraint(["booking_id", "show_id"], ["bookings.id", "bookings.show_id"]),
        Index("ix_payments_booking_id", "booking_id"),
        Index("ix_payments_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    booking_id: Mapped[int] = mapped_column(BigInteger)
    show_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)
    amount: Mapped[int] = mapped_column(Integer)
    tendered: Mapped[int | None] = mapped_column(Integer)
    change_due: Mapped[int | None] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(Text)
    user_name: Mapped[str] = mapped_column(Text)
    counter: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CashCount(Base):
    """Cash a clerk counted in the till at the end of a day, for the cash-up."""

    __tablename__ = "cash_counts"
    __table_args__ = (
        CheckConstraint(f"counted BETWEEN 0 AND {MAX_AMOUNT * 20}", name="counted_valid"),
        _name_check("user_name"),
        _name_check("counter", nullable=True),
        Index("ix_cash_counts_day", "day"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    counter: Mapped[str | None] = mapped_column(Text)
    user_name: Mapped[str] = mapped_column(Text)
    counted: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
