"""tickets and door check-in: the ticket key, checked-in seats, two functions

- ``boxoffice_secrets``: per-database secrets, readable by nobody but the owner; holds
  ``ticket_key``, the HMAC key that signs each ticket's QR code (so a typo'd or forged
  code is refused at the door). Staff read it only through ``boxoffice_ticket_key()``.
- ``ticket_checkins``: one row per seat let in, UNIQUE (show_id, seat_number), so a
  ticket can be used once even when two doors scan it at the same moment; who and when
  are set by the database (``session_user``, ``now()``).
- ``boxoffice_check_in(...)``: the whole door check in one locked call, granted to
  viewers (door staff are viewers, who may write nothing else).
- ``boxoffice_ticket_printed(...)``: logs a print or reprint; clerks may not insert into
  booking_events themselves.
- event kind ``ticket_checked_in``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = (
    "booking_held", "booking_sold", "booking_confirmed", "booking_failed", "booking_released",
    "booking_expired", "booking_cancelled", "booking_exchanged", "ticket_printed",
    "show_deleted", "show_created", "show_changed", "hall_created", "hall_changed",
)
NEW_KINDS = (*OLD_KINDS, "ticket_checked_in")

CHECK_IN = "boxoffice_check_in(bigint, bigint, text, text)"
PRINTED = "boxoffice_ticket_printed(bigint, boolean, text)"
KEY = "boxoffice_ticket_key()"

FUNCTIONS = [
    r"""
    CREATE FUNCTION boxoffice_ticket_key() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT value FROM boxoffice_secrets WHERE name = 'ticket_key'
    $$
    """,
    # The door: one seat of one booking, for one show, let in once. The QR code's check
    # value was verified by the caller; this decides everything the database knows.
    r"""
    CREATE FUNCTION boxoffice_check_in(p_show bigint, p_booking bigint, p_seat text,
                                       p_counter text)
    RETURNS TABLE (outcome text, booking_show bigint, status text,
                   checked_in_at timestamptz, checked_in_by text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        b record;
        v_prev bigint;
        v_at timestamptz;
        v_by text;
    BEGIN
        -- FOR SHARE: a cancel or exchange of this booking waits for the check-in.
        SELECT bk.id, bk.show_id, bk.status INTO b FROM bookings bk
        WHERE bk.id = p_booking FOR SHARE;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'unknown'::text, NULL::bigint, NULL::text,
                                NULL::timestamptz, NULL::text;
            RETURN;
        END IF;
        IF b.show_id <> p_show THEN
            RETURN QUERY SELECT 'wrong_show'::text, b.show_id, b.status,
                                NULL::timestamptz, NULL::text;
            RETURN;
        END IF;
        IF b.status <> 'CONFIRMED' THEN
            RETURN QUERY SELECT (CASE WHEN b.status = 'CANCELLED' THEN 'cancelled'
                                      ELSE 'not_sold' END)::text,
                                b.show_id, b.status, NULL::timestamptz, NULL::text;
            RETURN;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM booking_seats bs WHERE bs.booking_id = p_booking
                       AND bs.seat_number = p_seat) THEN
            -- The booking was exchanged onto other seats: this ticket is void.
            RETURN QUERY SELECT 'seat_not_in_booking'::text, b.show_id, b.status,
                                NULL::timestamptz, NULL::text;
            RETURN;
        END IF;
        INSERT INTO ticket_checkins (show_id, booking_id, seat_number, counter)
        VALUES (p_show, p_booking, p_seat, p_counter)
        ON CONFLICT ON CONSTRAINT uq_ticket_checkins_show_id_seat_number DO NOTHING
        RETURNING ticket_checkins.checked_in_at, ticket_checkins.checked_in_by
        INTO v_at, v_by;
        IF NOT FOUND THEN
            SELECT t.booking_id, t.checked_in_at, t.checked_in_by INTO v_prev, v_at, v_by
            FROM ticket_checkins t WHERE t.show_id = p_show AND t.seat_number = p_seat
            FOR UPDATE;
            IF v_prev = p_booking THEN
                RETURN QUERY SELECT 'already'::text, b.show_id, b.status, v_at, v_by;
                RETURN;
            END IF;
            -- The seat was let in on a ticket that no longer holds it (refunded or
            -- exchanged, then sold again): this booking's ticket is the valid one now.
            UPDATE ticket_checkins t SET booking_id = p_booking, counter = p_counter,
                   checked_in_at = now(), checked_in_by = session_user
            WHERE t.show_id = p_show AND t.seat_number = p_seat
            RETURNING t.checked_in_at, t.checked_in_by INTO v_at, v_by;
        END IF;
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        VALUES ('ticket_checked_in', p_counter, p_show, p_booking, ARRAY[p_seat], '{}'::jsonb);
        PERFORM pg_notify('boxoffice_checkins', json_build_object(
            'show', p_show, 'booking', p_booking, 'seat', p_seat)::text);
        RETURN QUERY SELECT 'checked_in'::text, b.show_id, b.status, v_at, v_by;
    END
    $$
    """,
    # A print is logged; a second print of the same booking is a reprint whatever the
    # client says, so a lost first log line cannot hide a duplicate ticket.
    r"""
    CREATE FUNCTION boxoffice_ticket_printed(p_booking bigint, p_reprint boolean,
                                             p_counter text DEFAULT NULL)
    RETURNS TABLE (outcome text, reprint boolean)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        b record;
        v_reprint boolean;
    BEGIN
        SELECT bk.id, bk.show_id, bk.status INTO b FROM bookings bk WHERE bk.id = p_booking
        FOR SHARE;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'not_found'::text, NULL::boolean;
            RETURN;
        END IF;
        IF b.status <> 'CONFIRMED' THEN
            RETURN QUERY SELECT 'wrong_state'::text, NULL::boolean;
            RETURN;
        END IF;
        v_reprint := coalesce(p_reprint, false) OR EXISTS (
            SELECT 1 FROM booking_events e WHERE e.booking_id = p_booking
            AND e.kind = 'ticket_printed');
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        VALUES ('ticket_printed', p_counter, b.show_id, p_booking,
                ARRAY(SELECT bs.seat_number FROM booking_seats bs
                      WHERE bs.booking_id = p_booking ORDER BY bs.id),
                jsonb_build_object('reprint', v_reprint));
        RETURN QUERY SELECT 'printed'::text, v_reprint;
    END
    $$
    """,
]


def _kinds_check(kinds: Sequence[str]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade() -> None:
    op.create_table(
        "boxoffice_secrets",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_boxoffice_secrets")),
    )
    # 244 random bits from two v4 UUIDs (gen_random_uuid is core since PostgreSQL 13 and
    # uses the server's strong random source); no extension needed.
    op.execute(
        "INSERT INTO boxoffice_secrets (name, value) VALUES ('ticket_key', "
        "replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))"
    )
    op.create_table(
        "ticket_checkins",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("show_id", sa.BigInteger(), nullable=False),
        sa.Column("booking_id", sa.BigInteger(), nullable=False),
        sa.Column("seat_number", sa.Text(), nullable=False),
        sa.Column("counter", sa.Text(), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("checked_in_by", sa.Text(), server_default=sa.text("session_user"),
                  nullable=False),
        sa.ForeignKeyConstraint(["booking_id", "show_id"], ["bookings.id", "bookings.show_id"],
                                name=op.f("fk_ticket_checkins_booking_id_show_id_bookings"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_checkins")),
        sa.UniqueConstraint("show_id", "seat_number",
                            name=op.f("uq_ticket_checkins_show_id_seat_number")),
    )
    op.create_index(op.f("ix_ticket_checkins_booking_id"), "ticket_checkins", ["booking_id"])
    op.drop_constraint(op.f("ck_booking_events_kind_valid"), "booking_events", type_="check")
    op.create_check_constraint(op.f("ck_booking_events_kind_valid"), "booking_events",
                               _kinds_check(NEW_KINDS))
    for statement in FUNCTIONS:
        op.execute(statement)
    # New functions are executable by PUBLIC by default; every right comes from a group.
    op.execute(f"REVOKE EXECUTE ON FUNCTION {CHECK_IN}, {PRINTED}, {KEY} FROM PUBLIC")
    op.execute("REVOKE ALL ON boxoffice_secrets, ticket_checkins FROM PUBLIC")
    op.execute("GRANT SELECT ON ticket_checkins TO boxoffice_viewer, boxoffice_expiry")
    op.execute(f"GRANT EXECUTE ON FUNCTION {CHECK_IN}, {KEY} TO boxoffice_viewer")
    op.execute(f"GRANT EXECUTE ON FUNCTION {PRINTED} TO boxoffice_clerk")


def downgrade() -> None:
    for fn in (CHECK_IN, PRINTED, KEY):
        op.execute(f"DROP FUNCTION {fn}")
    op.drop_constraint(op.f("ck_booking_events_kind_valid"), "booking_events", type_="check")
    # Check-in events cannot stay under the old rule; the log is append-only, so the
    # constraint comes back NOT VALID rather than by deleting history.
    op.execute("ALTER TABLE booking_events ADD CONSTRAINT ck_booking_events_kind_valid "
               f"CHECK ({_kinds_check(OLD_KINDS)}) NOT VALID")
    op.drop_index(op.f("ix_ticket_checkins_booking_id"), table_name="ticket_checkins")
    op.drop_table("ticket_checkins")
    op.drop_table("boxoffice_secrets")
