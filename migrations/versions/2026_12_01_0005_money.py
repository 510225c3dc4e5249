"""money: currency, ticket types, price categories and prices, paid tickets, payments,
refunds and cash counts

- ``venue_settings``: one row, the venue's currency (ISO code) and its minor units.
- ``ticket_types`` (venue-wide: Adult, Child, ...), ``price_categories`` (per show, mapped
  onto its seats by ``show_seats.price_category_id``; a seat without one is priced by the
  show's first category) and ``prices`` (a category × a ticket type, in minor units).
- ``booking_tickets``: each seat of a paid booking with its category, type and price
  copied in when sold, so a later price change never rewrites history.
- ``payments``: money in and out by method; ``cash_counts``: cash counted at a till.
- ``boxoffice_pay``: confirm a hold and record its tickets and payment in one
  transaction (a failed confirm records no payment). Payment stays off the seat-locking
  path: it locks the booking row, never the show.
- ``boxoffice_cancel`` now refunds what was paid; ``boxoffice_cancel_seats`` cancels
  some seats of a sale and refunds those only; ``boxoffice_exchange`` moves paid tickets
  with their seats and refuses to change a paid booking's number of seats.
- Event kinds ``payment_taken``, ``refund_given``, ``booking_part_cancelled``,
  ``prices_changed``: the cash-up is computed from the event log.
- Row-level security: a clerk reads their own payments, cash counts and money events;
  managers read everyone's. Managers change prices with table grants.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 03:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = (
    "booking_held", "booking_sold", "booking_confirmed", "booking_failed", "booking_released",
    "booking_expired", "booking_cancelled", "booking_exchanged", "ticket_printed",
    "show_deleted", "show_created", "show_changed", "hall_created", "hall_changed",
    "ticket_checked_in",
)
NEW_KINDS = (*OLD_KINDS, "payment_taken", "refund_given", "booking_part_cancelled",
             "prices_changed")
MONEY_KINDS = "('payment_taken', 'refund_given')"
MAX_AMOUNT = 100_000_000

PAY = "boxoffice_pay(bigint, jsonb, text, integer, text, text, text, text)"
CANCEL_SEATS = "boxoffice_cancel_seats(bigint, text[], text, text, text, text)"
CASH_COUNT = "boxoffice_record_cash_count(date, integer, text, text)"
INTERNAL = [
    "boxoffice_acting_clerk(text)",
    "boxoffice_money_text(bigint)",
    "boxoffice_refund(bigint, text[], text, text, text, text)",
]
STAFF_LOGIN = (
    "pg_has_role(session_user, 'boxoffice_viewer', 'MEMBER') AND NOT pg_has_role("
    "session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'payments'::regclass), "
    "'MEMBER')"
)

FUNCTIONS = [
    # Who took the money: a staff login is who it is, whatever name the client sent; the
    # owner (the single-user embedded database) names its clerks itself.
    rf"""
    CREATE FUNCTION boxoffice_acting_clerk(p_clerk text) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
        SELECT CASE WHEN {STAFF_LOGIN} THEN session_user::text ELSE p_clerk END
    $$
    """,
    r"""
    CREATE FUNCTION boxoffice_money_text(p_amount bigint) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
        SELECT v.currency || ' ' || CASE WHEN v.minor_units = 0 THEN p_amount::text
               ELSE round(p_amount::numeric / (10 ^ v.minor_units)::numeric,
                          v.minor_units)::text END
        FROM venue_settings v
    $$
    """,
    # -- pay: confirm a hold, fix each seat's price, record the payment; all or nothing --
    r"""
    CREATE FUNCTION boxoffice_pay(p_booking bigint, p_tickets jsonb, p_method text,
                                  p_tendered integer, p_reference text, p_clerk text,
                                  p_counter text, p_customer text)
    RETURNS TABLE (outcome text, status text, total bigint, change_due integer,
                   payment_id bigint)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        c record;
        v_show bigint;
        v_clerk text := boxoffice_acting_clerk(p_clerk);
        v_seats text[];
        v_asked text[];
        v_bad text;
        v_total bigint;
        v_change integer;
        v_payment bigint;
        v_lines jsonb;
    BEGIN
        IF p_tickets IS NULL OR jsonb_typeof(p_tickets) <> 'array' THEN
            RAISE EXCEPTION 'The tickets must be a list of seats with their ticket types.'
                USING ERRCODE = 'BO003';
        END IF;
        IF p_method IS NOT NULL AND p_method NOT IN ('cash', 'card', 'voucher', 'invoice') THEN
            RAISE EXCEPTION 'Unknown payment method: %.', p_method USING ERRCODE = 'BO003';
        END IF;
        -- Confirm first: it locks the booking row, and decides expired / wrong state.
        SELECT * INTO c FROM boxoffice_confirm(p_booking, v_clerk, p_counter, p_customer);
        IF c.outcome <> 'confirmed' THEN
            RETURN QUERY SELECT c.outcome, c.status, NULL::bigint, NULL::integer, NULL::bigint;
            RETURN;
        END IF;
        -- From here on any refusal raises, undoing the confirm: the hold stays a hold.
        SELECT bk.show_id INTO v_show FROM bookings bk WHERE bk.id = p_booking;
        v_seats := ARRAY(SELECT bs.seat_number FROM booking_seats bs
                         WHERE bs.booking_id = p_booking ORDER BY bs.seat_number);
        v_asked := ARRAY(SELECT t->>'seat' FROM jsonb_array_elements(p_tickets) t
                         ORDER BY t->>'seat');
        IF v_asked IS DISTINCT FROM v_seats THEN
            RAISE EXCEPTION 'The tickets (%) must name each seat of the booking (%) once.',
                array_to_string(v_asked, ', '), array_to_string(v_seats, ', ')
                USING ERRCODE = 'BO003';
        END IF;
        SELECT t->>'type' INTO v_bad FROM jsonb_array_elements(p_tickets) t
        WHERE NOT EXISTS (SELECT 1 FROM ticket_types tt WHERE tt.name = t->>'type'
                          AND tt.active)
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'There is no ticket type called %.', coalesce(v_bad, '(none)')
                USING ERRCODE = 'BO003';
        END IF;
        -- Each seat's price: its category (or the show's first), the type's price there.
        -- A show with no categories at all sells at 0; a missing price is refused.
        SELECT jsonb_agg(jsonb_build_object(
                   'seat', t->>'seat', 'category', pc.name, 'type', tt.name,
                   'price', CASE WHEN pc.id IS NULL THEN 0 ELSE pr.amount END)
               ORDER BY t->>'seat')
        INTO v_lines
        FROM jsonb_array_elements(p_tickets) t
        JOIN ticket_types tt ON tt.name = t->>'type'
        JOIN show_seats ss ON ss.show_id = v_show AND ss.seat_number = t->>'seat'
        LEFT JOIN price_categories pc ON pc.id = coalesce(ss.price_category_id, (
            SELECT d.id FROM price_categories d WHERE d.show_id = v_show
            ORDER BY d.sort_order, d.id LIMIT 1))
        LEFT JOIN prices pr ON pr.category_id = pc.id AND pr.ticket_type_id = tt.id;
        SELECT l.type || ' in ' || l.category || ' (seat ' || l.seat || ')' INTO v_bad
        FROM jsonb_to_recordset(v_lines) AS l(seat text, category text, type text, price integer)
        WHERE l.price IS NULL ORDER BY l.seat LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'There is no price for % at this show. Ask a manager to set it.',
                v_bad USING ERRCODE = 'BO003';
        END IF;
        SELECT coalesce(sum(l.price), 0) INTO v_total
        FROM jsonb_to_recordset(v_lines) AS l(price integer);
        IF v_total > 0 AND p_method IS NULL THEN
            RAISE EXCEPTION 'Choose how the customer pays % (cash, card, voucher or invoice).',
                boxoffice_money_text(v_total) USING ERRCODE = 'BO003';
        END IF;
        IF p_tendered IS NOT NULL AND p_method IS DISTINCT FROM 'cash' THEN
            RAISE EXCEPTION 'An amount given is only recorded for cash.' USING ERRCODE = 'BO003';
        END IF;
        IF p_tendered IS NOT NULL AND p_tendered < v_total THEN
            RAISE EXCEPTION 'The customer gave %, the tickets cost %.',
                boxoffice_money_text(p_tendered), boxoffice_money_text(v_total)
                USING ERRCODE = 'BO003';
        END IF;
        -- Free tickets move no money: no method, no change, no payment row.
        IF v_total = 0 THEN
            p_method := NULL;
            p_tendered := NULL;
        END IF;
        v_change := CASE WHEN p_tendered IS NULL THEN NULL ELSE p_tendered - v_total END;
        INSERT INTO booking_tickets (booking_id, show_id, seat_number, category, ticket_type,
                                     price)
        SELECT p_booking, v_show, l.seat, l.category, l.type, l.price
        FROM jsonb_to_recordset(v_lines) AS l(seat text, category text, type text, price integer)
        ORDER BY l.seat;
        IF v_total > 0 THEN  -- free tickets move no money: no payment row
            INSERT INTO payments (booking_id, show_id, kind, method, amount, tendered,
                                  change_due, reference, user_name, counter)
            VALUES (p_booking, v_show, 'payment', p_method, v_total, p_tendered, v_change,
                    p_reference, v_clerk, p_counter)
            RETURNING id INTO v_payment;
        END IF;
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        VALUES ('payment_taken', p_counter, v_show, p_booking, v_seats, jsonb_build_object(
            'clerk', v_clerk, 'method', p_method, 'amount', v_total, 'tendered', p_tendered,
            'change', v_change, 'reference', p_reference, 'payment', v_payment,
            'currency', (SELECT v.currency FROM venue_settings v), 'tickets', v_lines));
        RETURN QUERY SELECT 'paid'::text, 'CONFIRMED'::text, v_total, v_change, v_payment;
    END
    $$
    """,
    # -- refund: some or all sold tickets of a booking, by method; money events --------
    r"""
    CREATE FUNCTION boxoffice_refund(p_booking bigint, p_seats text[], p_method text,
                                     p_clerk text, p_counter text, p_reason text)
    RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    DECLARE
        v_show bigint;
        v_clerk text := boxoffice_acting_clerk(p_clerk);
        v_method text;
        v_amount bigint;
        v_seats text[];
        v_lines jsonb;
        v_payment bigint;
    BEGIN
        WITH refunded AS (
            UPDATE booking_tickets t SET status = 'REFUNDED', refunded_at = now()
            WHERE t.booking_id = p_booking AND t.status = 'SOLD'
              AND (p_seats IS NULL OR t.seat_number = ANY(p_seats))
            RETURNING t.show_id, t.seat_number, t.category, t.ticket_type, t.price
        )
        SELECT max(r.show_id), coalesce(sum(r.price), 0),
               array_agg(r.seat_number ORDER BY r.seat_number),
               jsonb_agg(jsonb_build_object('seat', r.seat_number, 'category', r.category,
                                            'type', r.ticket_type, 'price', r.price)
                         ORDER BY r.seat_number)
        INTO v_show, v_amount, v_seats, v_lines FROM refunded r;
        IF v_show IS NULL THEN
            RETURN 0;  -- nothing was paid for these seats
        END IF;
        v_method := coalesce(p_method, (
            SELECT p.method FROM payments p WHERE p.booking_id = p_booking
            AND p.kind = 'payment' ORDER BY p.id DESC LIMIT 1), 'cash');
        IF v_amount > 0 THEN
            INSERT INTO payments (booking_id, show_id, kind, method, amount, user_name, counter,
                                  reference)
            VALUES (p_booking, v_show, 'refund', v_method, v_amount, v_clerk, p_counter,
                    p_reason)
            RETURNING id INTO v_payment;
        END IF;
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        VALUES ('refund_given', p_counter, v_show, p_booking, v_seats, jsonb_build_object(
            'clerk', v_clerk, 'method', v_method, 'amount', v_amount, 'payment', v_payment,
            'reason', p_reason, 'currency', (SELECT v.currency FROM venue_settings v),
            'tickets', v_lines));
        RETURN v_amount;
    END
    $$
    """,
    # -- cancel: a refund of the whole sale; managers only -----------------------------
    r"""
    CREATE OR REPLACE FUNCTION boxoffice_cancel(p_booking bigint, p_clerk text, p_counter text,
                                                p_reason text)
    RETURNS TABLE (outcome text, status text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    BEGIN
        RETURN QUERY SELECT c.outcome, c.status
        FROM boxoffice_cancel_seats(p_booking, NULL, p_clerk, p_counter, p_reason, NULL) c;
    END
    $$
    """,
    # -- cancel some seats (or all: NULL) of a sale, refunding what they were paid -----
    r"""
    CREATE FUNCTION boxoffice_cancel_seats(p_booking bigint, p_seats text[], p_clerk text,
                                           p_counter text, p_reason text, p_method text)
    RETURNS TABLE (outcome text, status text, refunded bigint, seats text[])
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        b record;
        v_owned text[];
        v_gone text[];
        v_details jsonb := jsonb_build_object('clerk', boxoffice_acting_clerk(p_clerk));
        v_amount bigint;
    BEGIN
        IF p_method IS NOT NULL AND p_method NOT IN ('cash', 'card', 'voucher', 'invoice') THEN
            RAISE EXCEPTION 'Unknown refund method: %.', p_method USING ERRCODE = 'BO003';
        END IF;
        SELECT bk.show_id, bk.status INTO b FROM bookings bk WHERE bk.id = p_booking
        FOR UPDATE;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::bigint, NULL::text[];
            RETURN;
        ELSIF b.status <> 'CONFIRMED' THEN
            RETURN QUERY SELECT 'wrong_state'::text, b.status, NULL::bigint, NULL::text[];
            RETURN;
        END IF;
        IF p_reason IS NOT NULL THEN
            v_details := v_details || jsonb_build_object('reason', p_reason);
        END IF;
        v_owned := ARRAY(SELECT bs.seat_number FROM booking_seats bs
                         WHERE bs.booking_id = p_booking);
        IF p_seats IS NOT NULL THEN
            v_gone := ARRAY(SELECT DISTINCT x FROM unnest(p_seats) x ORDER BY x);
            IF cardinality(v_gone) = 0 OR NOT v_gone <@ v_owned THEN
                RAISE EXCEPTION 'Seats % are not all part of booking %.',
                    array_to_string(p_seats, ', '), p_booking USING ERRCODE = 'BO003';
            END IF;
        END IF;
        IF p_seats IS NULL OR v_owned <@ v_gone THEN
            v_gone := boxoffice_free_booking(p_booking, 'CANCELLED', 'booking_cancelled',
                                           p_counter, v_details);
            v_amount := boxoffice_refund(p_booking, NULL, p_method, p_clerk, p_counter,
                                         p_reason);
            RETURN QUERY SELECT 'cancelled'::text, 'CANCELLED'::text, v_amount, v_gone;
            RETURN;
        END IF;
        DELETE FROM booking_seats bs WHERE bs.booking_id = p_booking
          AND bs.seat_number = ANY(v_gone);
        UPDATE bookings SET seats_requested = seats_requested - cardinality(v_gone),
               updated_at = now()
        WHERE id = p_booking;
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        VALUES ('booking_part_cancelled', p_counter, b.show_id, p_booking, v_gone, v_details);
        v_amount := boxoffice_refund(p_booking, v_gone, p_method, p_clerk, p_counter, p_reason);
        PERFORM boxoffice_notify(b.show_id, v_gone, 'free', p_booking, p_counter);
        RETURN QUERY SELECT 'part_cancelled'::text, 'CONFIRMED'::text, v_amount, v_gone;
    END
    $$
    """,
    # -- a clerk's counted cash for a day's cash-up ------------------------------------
    r"""
    CREATE FUNCTION boxoffice_record_cash_count(p_day date, p_counted integer, p_counter text,
                                                p_clerk text)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        v_id bigint;
    BEGIN
        INSERT INTO cash_counts (day, counter, user_name, counted)
        VALUES (p_day, p_counter, boxoffice_acting_clerk(p_clerk), p_counted)
        RETURNING id INTO v_id;
        RETURN v_id;
    END
    $$
    """,
]

# The exchange of 0003, plus: paid tickets follow their seats (the seats given up, in
# order, become the new ones, keeping the price they were sold at), and a paid booking
# keeps its number of seats (fewer is a partial cancellation with a refund).
EXCHANGE = r"""
    CREATE OR REPLACE FUNCTION boxoffice_exchange(p_booking bigint, p_seats text[],
                                                  p_clerk text, p_counter text)
    RETURNS TABLE (outcome text, status text, seats text[])
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        b record;
        v_old text[];
        v_new_only text[];
        v_bad text[];
        v_gone text[];
        v_added text[];
    BEGIN
        SELECT s.id AS show_id, bk.status, bk.hold_deadline <= now() AS overdue INTO b
        FROM bookings bk JOIN shows s ON s.id = bk.show_id
        WHERE bk.id = p_booking FOR UPDATE OF s, bk;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::text[];
            RETURN;
        END IF;
        IF b.status NOT IN ('PENDING', 'CONFIRMED') THEN
            RETURN QUERY SELECT 'wrong_state'::text, b.status, NULL::text[];
            RETURN;
        END IF;
        IF b.status = 'PENDING' AND b.overdue THEN
            RETURN QUERY SELECT 'expired'::text, b.status, NULL::text[];
            RETURN;
        END IF;
        IF EXISTS (SELECT 1 FROM booking_tickets t WHERE t.booking_id = p_booking
                   AND t.status = 'SOLD')
           AND cardinality(p_seats) <> (SELECT count(*) FROM booking_tickets t
                                        WHERE t.booking_id = p_booking AND t.status = 'SOLD')
        THEN
            RAISE EXCEPTION 'A paid booking keeps its number of seats: to give seats back, '
                            'cancel them for a refund.' USING ERRCODE = 'BO003';
        END IF;
        v_bad := ARRAY(SELECT x FROM unnest(p_seats) x
                       WHERE NOT EXISTS (SELECT 1 FROM show_seats ss
                                         WHERE ss.show_id = b.show_id AND ss.seat_number = x));
        IF cardinality(v_bad) > 0 THEN
            RETURN QUERY SELECT 'unknown'::text, b.status, v_bad;
            RETURN;
        END IF;
        v_bad := ARRAY(SELECT ss.seat_number FROM show_seats ss
                       WHERE ss.show_id = b.show_id AND ss.seat_number = ANY(p_seats)
                         AND NOT ss.sellable);
        IF cardinality(v_bad) > 0 THEN
            RETURN QUERY SELECT 'blocked'::text, b.status, v_bad;
            RETURN;
        END IF;
        v_old := ARRAY(SELECT seat_number FROM booking_seats WHERE booking_id = p_booking
                       ORDER BY id);
        v_new_only := ARRAY(SELECT x FROM unnest(p_seats) x WHERE x <> ALL(v_old));
        WITH released AS (
            UPDATE bookings bk SET status = 'FAILED', updated_at = now()
            WHERE bk.id IN (SELECT bs.booking_id FROM booking_seats bs
                            WHERE bs.show_id = b.show_id AND bs.seat_number = ANY(v_new_only))
              AND bk.id <> p_booking AND bk.status = 'PENDING' AND bk.hold_deadline <= now()
            RETURNING bk.id
        ), freed AS (
            DELETE FROM booking_seats bs USING released WHERE bs.booking_id = released.id
            RETURNING bs.booking_id, bs.seat_number
        )
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        SELECT 'booking_expired', p_counter, b.show_id, f.booking_id, array_agg(f.seat_number),
               '{"released_by": "exchange"}'::jsonb
        FROM freed f GROUP BY f.booking_id;
        WITH gone AS (
            DELETE FROM booking_seats WHERE booking_id = p_booking AND seat_number <> ALL(p_seats)
            RETURNING seat_number
        ), added AS (
            INSERT INTO booking_seats (booking_id, show_id, seat_number)
            SELECT p_booking, b.show_id, x FROM unnest(v_new_only) x
            ON CONFLICT ON CONSTRAINT uq_booking_seats_show_id_seat_number DO NOTHING
            RETURNING seat_number
        )
        SELECT ARRAY(SELECT seat_number FROM gone), ARRAY(SELECT seat_number FROM added)
        INTO v_gone, v_added;
        IF cardinality(v_added) <> cardinality(v_new_only) THEN
            RAISE EXCEPTION 'seats taken' USING ERRCODE = 'BO002',
                DETAIL = array_to_string(ARRAY(SELECT x FROM unnest(v_new_only) x
                                               WHERE x <> ALL(v_added)), ',');
        END IF;
        -- Paid tickets follow their seats, keeping the price they were sold at.
        UPDATE booking_tickets t SET seat_number = m.new_seat
        FROM (SELECT g.seat AS old_seat, n.seat AS new_seat
              FROM unnest(ARRAY(SELECT x FROM unnest(v_gone) x ORDER BY x))
                   WITH ORDINALITY AS g(seat, i)
              JOIN unnest(ARRAY(SELECT x FROM unnest(v_new_only) x ORDER BY x))
                   WITH ORDINALITY AS n(seat, i) ON n.i = g.i) m
        WHERE t.booking_id = p_booking AND t.status = 'SOLD' AND t.seat_number = m.old_seat;
        UPDATE bookings SET seats_requested = cardinality(p_seats), updated_at = now()
        WHERE id = p_booking;
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        VALUES ('booking_exchanged', p_counter, b.show_id, p_booking, p_seats,
                jsonb_build_object('from', v_old, 'to', p_seats, 'clerk', p_clerk));
        IF cardinality(v_gone) > 0 THEN
            PERFORM boxoffice_notify(b.show_id, v_gone, 'free', p_booking, p_counter);
        END IF;
        IF cardinality(v_new_only) > 0 THEN
            PERFORM boxoffice_notify(b.show_id, v_new_only,
                CASE WHEN b.status = 'CONFIRMED' THEN 'sold' ELSE 'held' END,
                p_booking, p_counter);
        END IF;
        RETURN QUERY SELECT 'exchanged'::text, b.status, p_seats;
    END
    $$
"""

# A sold ticket belongs to a seat its booking owns, and a live paid booking has a sold
# ticket for every seat: checked at commit, whoever wrote the rows.
TICKETS_MATCH_SEATS = [
    r"""
    CREATE FUNCTION boxoffice_check_booking_tickets() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    DECLARE
        b_id bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.booking_id ELSE NEW.booking_id END;
        v_bad text;
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM booking_tickets t WHERE t.booking_id = b_id) THEN
            RETURN NULL;  -- a booking sold without money (API, benchmark)
        END IF;
        SELECT coalesce(t.seat_number, bs.seat_number) INTO v_bad
        FROM (SELECT seat_number FROM booking_tickets WHERE booking_id = b_id
              AND status = 'SOLD') t
        FULL JOIN (SELECT seat_number FROM booking_seats WHERE booking_id = b_id) bs
             ON bs.seat_number = t.seat_number
        WHERE t.seat_number IS NULL OR bs.seat_number IS NULL
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'booking %: seat % has a sold ticket or a seat but not both',
                b_id, v_bad USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE CONSTRAINT TRIGGER booking_tickets_match_seats
    AFTER INSERT OR UPDATE OR DELETE ON booking_tickets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION boxoffice_check_booking_tickets()
    """,
    # Paid money is history: a payment is never rewritten or removed.
    """
    CREATE TRIGGER payments_no_update_delete BEFORE UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION boxoffice_events_append_only()
    """,
    """
    CREATE TRIGGER payments_user_name BEFORE INSERT ON payments
    FOR EACH ROW EXECUTE FUNCTION boxoffice_stamp_actor()
    """,
    """
    CREATE TRIGGER cash_counts_user_name BEFORE INSERT ON cash_counts
    FOR EACH ROW EXECUTE FUNCTION boxoffice_stamp_actor()
    """,
]

MANAGER = "pg_has_role(session_user, 'boxoffice_manager', 'MEMBER')"
POLICIES = [
    "ALTER TABLE payments ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE cash_counts ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE booking_events ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY own_money ON payments FOR SELECT USING (user_name = session_user OR {MANAGER})",
    f"CREATE POLICY own_counts ON cash_counts FOR SELECT "
    f"USING (user_name = session_user OR {MANAGER})",
    f"CREATE POLICY own_money_events ON booking_events FOR SELECT USING ("
    f"kind NOT IN {MONEY_KINDS} OR details->>'clerk' = session_user OR {MANAGER})",
    # managers log show and price changes themselves (shows.py); everyone else writes
    # events only through the SECURITY DEFINER functions, which run as the owner.
    "CREATE POLICY managers_log ON booking_events FOR INSERT TO boxoffice_manager "
    "WITH CHECK (true)",
]

DEFAULT_TYPES = [("Adult", 1), ("Child", 2), ("Concession", 3), ("Complimentary", 4)]


def _kinds_check(kinds: Sequence[str]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _name_check(table: str, column: str, *, nullable: bool = False) -> sa.CheckConstraint:
    cond = (f"char_length({column}) BETWEEN 1 AND 200 AND {column} !~ '[[:cntrl:]]' "
            f"AND btrim({column}) <> ''")
    if nullable:
        cond = f"{column} IS NULL OR ({cond})"
    return sa.CheckConstraint(cond, name=op.f(f"ck_{table}_{column}_valid"))


def _created_at() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "venue_settings",
        sa.Column("id", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("currency", sa.Text(), server_default=sa.text("'EUR'"), nullable=False),
        sa.Column("minor_units", sa.Integer(), server_default=sa.text("2"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.CheckConstraint("id", name=op.f("ck_venue_settings_single_row")),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_venue_settings_currency_valid")),
        sa.CheckConstraint("minor_units BETWEEN 0 AND 3",
                           name=op.f("ck_venue_settings_minor_units_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_settings")),
    )
    op.execute("INSERT INTO venue_settings DEFAULT VALUES")
    op.create_table(
        "ticket_types",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        _created_at(),
        _name_check("ticket_types", "name"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_types")),
        sa.UniqueConstraint("name", name=op.f("uq_ticket_types_name")),
    )
    op.bulk_insert(sa.table("ticket_types", sa.column("name"), sa.column("sort_order")),
                   [{"name": n, "sort_order": o} for n, o in DEFAULT_TYPES])
    op.create_table(
        "price_categories",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("show_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default=sa.text("0"), nullable=False),
        _name_check("price_categories", "name"),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"],
                                name=op.f("fk_price_categories_show_id_shows"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_categories")),
        sa.UniqueConstraint("show_id", "name", name=op.f("uq_price_categories_show_id_name")),
        sa.UniqueConstraint("id", "show_id", name=op.f("uq_price_categories_id_show_id")),
    )
    op.create_table(
        "prices",
        sa.Column("category_id", sa.BigInteger(), nullable=False),
        sa.Column("ticket_type_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"amount BETWEEN 0 AND {MAX_AMOUNT}", name=op.f("ck_prices_amount_valid")),
        sa.ForeignKeyConstraint(["category_id"], ["price_categories.id"],
                                name=op.f("fk_prices_category_id_price_categories"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ticket_type_id"], ["ticket_types.id"],
                                name=op.f("fk_prices_ticket_type_id_ticket_types")),
        sa.PrimaryKeyConstraint("category_id", "ticket_type_id", name=op.f("pk_prices")),
    )
    op.add_column("show_seats", sa.Column("price_category_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f("fk_show_seats_price_category_id_show_id_price_categories"),
                          "show_seats", "price_categories", ["price_category_id", "show_id"],
                          ["id", "show_id"])
    op.create_table(
        "booking_tickets",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("booking_id", sa.BigInteger(), nullable=False),
        sa.Column("show_id", sa.BigInteger(), nullable=False),
        sa.Column("seat_number", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("ticket_type", sa.Text(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'SOLD'"), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        _created_at(),
        sa.CheckConstraint(f"price BETWEEN 0 AND {MAX_AMOUNT}",
                           name=op.f("ck_booking_tickets_price_valid")),
        sa.CheckConstraint("status IN ('SOLD', 'REFUNDED')",
                           name=op.f("ck_booking_tickets_status_valid")),
        sa.CheckConstraint("(status = 'SOLD') = (refunded_at IS NULL)",
                           name=op.f("ck_booking_tickets_refunded_at_valid")),
        _name_check("booking_tickets", "ticket_type"),
        _name_check("booking_tickets", "category", nullable=True),
        sa.ForeignKeyConstraint(["booking_id", "show_id"], ["bookings.id", "bookings.show_id"],
                                name=op.f("fk_booking_tickets_booking_id_show_id_bookings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_tickets")),
    )
    op.create_index(op.f("ix_booking_tickets_booking_id"), "booking_tickets", ["booking_id"])
    op.create_index("uq_booking_tickets_sold_seat", "booking_tickets",
                    ["show_id", "seat_number"], unique=True,
                    postgresql_where=sa.text("status = 'SOLD'"))
    op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("booking_id", sa.BigInteger(), nullable=False),
        sa.Column("show_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("tendered", sa.Integer(), nullable=True),
        sa.Column("change_due", sa.Integer(), nullable=True),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("user_name", sa.Text(), nullable=False),
        sa.Column("counter", sa.Text(), nullable=True),
        _created_at(),
        sa.CheckConstraint("kind IN ('payment', 'refund')", name=op.f("ck_payments_kind_valid")),
        sa.CheckConstraint("method IN ('cash', 'card', 'voucher', 'invoice')",
                           name=op.f("ck_payments_method_valid")),
        sa.CheckConstraint(f"amount BETWEEN 0 AND {MAX_AMOUNT * 20}",
                           name=op.f("ck_payments_amount_valid")),
        sa.CheckConstraint(
            "(method = 'cash' AND kind = 'payment') OR (tendered IS NULL AND change_due IS NULL)",
            name=op.f("ck_payments_tendered_only_for_cash")),
        sa.CheckConstraint(
            "(tendered IS NULL AND change_due IS NULL) OR "
            "(tendered >= amount AND change_due = tendered - amount)",
            name=op.f("ck_payments_change_adds_up")),
        _name_check("payments", "user_name"),
        _name_check("payments", "counter", nullable=True),
        _name_check("payments", "reference", nullable=True),
        sa.ForeignKeyConstraint(["booking_id", "show_id"], ["bookings.id", "bookings.show_id"],
                                name=op.f("fk_payments_booking_id_show_id_bookings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    op.create_index(op.f("ix_payments_booking_id"), "payments", ["booking_id"])
    op.create_index(op.f("ix_payments_created_at"), "payments", ["created_at"])
    op.create_table(
        "cash_counts",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("counter", sa.Text(), nullable=True),
        sa.Column("user_name", sa.Text(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        _created_at(),
        sa.CheckConstraint(f"counted BETWEEN 0 AND {MAX_AMOUNT * 20}",
                           name=op.f("ck_cash_counts_counted_valid")),
        _name_check("cash_counts", "user_name"),
        _name_check("cash_counts", "counter", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_counts")),
    )
    op.create_index(op.f("ix_cash_counts_day"), "cash_counts", ["day"])
    op.drop_constraint(op.f("ck_booking_events_kind_valid"), "booking_events", type_="check")
    op.create_check_constraint(op.f("ck_booking_events_kind_valid"), "booking_events",
                               _kinds_check(NEW_KINDS))
    # The money events name who took the money; the cash-up groups them by it.
    op.create_index("ix_booking_events_money", "booking_events", ["occurred_at"],
                    postgresql_where=sa.text(f"kind IN {MONEY_KINDS}"))
    for statement in [*FUNCTIONS, EXCHANGE, *TICKETS_MATCH_SEATS, *POLICIES]:
        op.execute(statement)
    new_functions = ", ".join([PAY, CANCEL_SEATS, CASH_COUNT, *INTERNAL])
    op.execute(f"REVOKE EXECUTE ON FUNCTION {new_functions} FROM PUBLIC")
    op.execute("REVOKE ALL ON venue_settings, ticket_types, price_categories, prices, "
               "booking_tickets, payments, cash_counts FROM PUBLIC")
    op.execute("GRANT SELECT ON venue_settings, ticket_types, price_categories, prices, "
               "booking_tickets, payments, cash_counts TO boxoffice_viewer, boxoffice_expiry")
    op.execute(f"GRANT EXECUTE ON FUNCTION {PAY}, {CASH_COUNT} TO boxoffice_clerk")
    op.execute(f"GRANT EXECUTE ON FUNCTION {CANCEL_SEATS} TO boxoffice_manager")
    op.execute("GRANT INSERT, UPDATE, DELETE ON ticket_types, price_categories, prices "
               "TO boxoffice_manager")
    op.execute("GRANT UPDATE (currency, minor_units, updated_at) ON venue_settings "
               "TO boxoffice_manager")
    op.execute("GRANT USAGE ON SEQUENCE ticket_types_id_seq, price_categories_id_seq "
               "TO boxoffice_manager")


def downgrade() -> None:
    for statement in ("DROP POLICY managers_log ON booking_events",
                      "DROP POLICY own_money_events ON booking_events",
                      "ALTER TABLE booking_events DISABLE ROW LEVEL SECURITY",
                      "DROP TRIGGER booking_tickets_match_seats ON booking_tickets",
                      "DROP FUNCTION boxoffice_check_booking_tickets()",
                      "DROP FUNCTION boxoffice_cancel(bigint, text, text, text)"):
        op.execute(statement)
    for fn in (PAY, CANCEL_SEATS, CASH_COUNT, *INTERNAL):
        op.execute(f"DROP FUNCTION {fn}")
    # 0003's cancel and exchange come back as they were.
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "boxoffice_migration_0003", Path(__file__).with_name("2026_11_25_0003_staff_roles.py"))
    assert spec is not None and spec.loader is not None
    old = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(old)
    for statement in old.FUNCTIONS:
        if "FUNCTION boxoffice_cancel(" in statement or "FUNCTION boxoffice_exchange(" in statement:
            op.execute(statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    op.execute("GRANT EXECUTE ON FUNCTION boxoffice_cancel(bigint, text, text, text) "
               "TO boxoffice_manager")
    op.execute("REVOKE EXECUTE ON FUNCTION boxoffice_cancel(bigint, text, text, text) "
               "FROM PUBLIC")
    op.drop_index("ix_booking_events_money", table_name="booking_events")
    op.drop_constraint(op.f("ck_booking_events_kind_valid"), "booking_events", type_="check")
    op.execute("ALTER TABLE booking_events ADD CONSTRAINT ck_booking_events_kind_valid "
               f"CHECK ({_kinds_check(OLD_KINDS)}) NOT VALID")
    op.drop_table("cash_counts")
    op.drop_table("payments")
    op.drop_table("booking_tickets")
    op.drop_constraint(op.f("fk_show_seats_price_category_id_show_id_price_categories"),
                       "show_seats", type_="foreignkey")
    op.drop_column("show_seats", "price_category_id")
    op.drop_table("prices")
    op.drop_table("price_categories")
    op.drop_table("ticket_types")
    op.drop_table("venue_settings")
