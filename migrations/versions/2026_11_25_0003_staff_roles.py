"""staff roles: what a viewer, clerk and manager may do, enforced by PostgreSQL

Group roles ``boxoffice_viewer`` ⊂ ``boxoffice_clerk`` ⊂ ``boxoffice_manager``, and
``boxoffice_expiry`` for the expiry runner. Clerks write only through SECURITY DEFINER
functions that do exactly the booking flow (a direct grant would let them rewrite any
booking); managers also set up shows and halls with table grants, cancel through a
function, and manage staff logins through functions. Who did it (``bookings.user_name``
for staff logins, ``booking_events.actor``) is set by the database from
``session_user``. Group roles are cluster-wide: created when missing, never dropped.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUPS = ("boxoffice_viewer", "boxoffice_clerk", "boxoffice_manager", "boxoffice_expiry")

FUNCTIONS = [
    # -- freeing a booking's seats: shared by release, cancel and a late confirm --------
    r"""
    CREATE FUNCTION boxoffice_free_booking(p_booking bigint, p_status text, p_kind text,
                                           p_counter text, p_details jsonb)
    RETURNS text[] LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    DECLARE
        v_show bigint;
        v_seats text[];
    BEGIN
        WITH freed AS (
            DELETE FROM booking_seats WHERE booking_id = p_booking RETURNING seat_number
        )
        SELECT ARRAY(SELECT seat_number FROM freed) INTO v_seats;
        UPDATE bookings SET status = p_status, updated_at = now() WHERE id = p_booking
        RETURNING show_id INTO v_show;
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        VALUES (p_kind, p_counter, v_show, p_booking, v_seats, p_details);
        PERFORM boxoffice_notify(v_show, v_seats, 'free', p_booking, p_counter);
        RETURN v_seats;
    END
    $$
    """,
    # -- confirm: a hold becomes a sale, if still held and before its deadline ----------
    r"""
    CREATE FUNCTION boxoffice_confirm(p_booking bigint, p_clerk text, p_counter text,
                                      p_customer text)
    RETURNS TABLE (outcome text, status text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        b record;
        v_seats text[];
    BEGIN
        SELECT bk.id, bk.show_id, bk.status, bk.hold_deadline <= now() AS overdue INTO b
        FROM bookings bk WHERE bk.id = p_booking FOR UPDATE;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'not_found'::text, NULL::text;
            RETURN;
        END IF;
        IF b.status <> 'PENDING' THEN
            -- A new statement, so a new snapshot: it sees what expiry committed while we
            -- waited for the row lock.
            IF EXISTS (SELECT 1 FROM booking_events e WHERE e.booking_id = p_booking
                       AND e.kind = 'booking_expired') THEN
                RETURN QUERY SELECT 'expired'::text, b.status;
            ELSE
                RETURN QUERY SELECT 'wrong_state'::text, b.status;
            END IF;
            RETURN;
        END IF;
        IF b.overdue THEN
            PERFORM boxoffice_free_booking(p_booking, 'FAILED', 'booking_expired', p_counter,
                jsonb_build_object('released_by', 'confirm after deadline', 'clerk', p_clerk));
            RETURN QUERY SELECT 'expired'::text, 'FAILED'::text;
            RETURN;
        END IF;
        v_seats := ARRAY(SELECT seat_number FROM booking_seats WHERE booking_id = p_booking
                         ORDER BY id);
        UPDATE bookings SET status = 'CONFIRMED', updated_at = now(), hold_deadline = NULL,
               customer_name = coalesce(p_customer, customer_name)
        WHERE id = p_booking;
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        VALUES ('booking_confirmed', p_counter, b.show_id, p_booking, v_seats,
                jsonb_build_object('clerk', p_clerk));
        PERFORM boxoffice_notify(b.show_id, v_seats, 'sold', p_booking, p_counter);
        RETURN QUERY SELECT 'confirmed'::text, 'CONFIRMED'::text;
    END
    $$
    """,
    # -- release: the customer walked away; a hold's seats go back on sale -------------
    r"""
    CREATE FUNCTION boxoffice_release(p_booking bigint, p_clerk text, p_counter text)
    RETURNS TABLE (outcome text, status text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        v_status text;
    BEGIN
        SELECT bk.status INTO v_status FROM bookings bk WHERE bk.id = p_booking FOR UPDATE;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'not_found'::text, NULL::text;
        ELSIF v_status <> 'PENDING' THEN
            RETURN QUERY SELECT 'wrong_state'::text, v_status;
        ELSE
            PERFORM boxoffice_free_booking(p_booking, 'FAILED', 'booking_released', p_counter,
                                           jsonb_build_object('clerk', p_clerk));
            RETURN QUERY SELECT 'released'::text, 'FAILED'::text;
        END IF;
    END
    $$
    """,
    # -- cancel: a refund; managers only (EXECUTE is granted to boxoffice_manager) -----
    r"""
    CREATE FUNCTION boxoffice_cancel(p_booking bigint, p_clerk text, p_counter text,
                                     p_reason text)
    RETURNS TABLE (outcome text, status text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        v_status text;
        v_details jsonb := jsonb_build_object('clerk', p_clerk);
    BEGIN
        SELECT bk.status INTO v_status FROM bookings bk WHERE bk.id = p_booking FOR UPDATE;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'not_found'::text, NULL::text;
        ELSIF v_status <> 'CONFIRMED' THEN
            RETURN QUERY SELECT 'wrong_state'::text, v_status;
        ELSE
            IF p_reason IS NOT NULL THEN
                v_details := v_details || jsonb_build_object('reason', p_reason);
            END IF;
            PERFORM boxoffice_free_booking(p_booking, 'CANCELLED', 'booking_cancelled',
                                           p_counter, v_details);
            RETURN QUERY SELECT 'cancelled'::text, 'CANCELLED'::text;
        END IF;
    END
    $$
    """,
    # -- exchange: other seats for the same booking, all or nothing ---------------------
    r"""
    CREATE FUNCTION boxoffice_exchange(p_booking bigint, p_seats text[], p_clerk text,
                                       p_counter text)
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
        -- Expired holds standing on the wanted seats are released first, as a sale would.
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
            -- Undo everything: the booking keeps its seats. The caller reads the taken
            -- seats from the message's DETAIL.
            RAISE EXCEPTION 'seats taken' USING ERRCODE = 'BO002',
                DETAIL = array_to_string(ARRAY(SELECT x FROM unnest(v_new_only) x
                                               WHERE x <> ALL(v_added)), ',');
        END IF;
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
    """,
    # -- expiry: one batch under the cluster-wide advisory lock -------------------------
    r"""
    CREATE FUNCTION boxoffice_expire(p_lock_key bigint, p_batch integer)
    RETURNS TABLE (ran boolean, bookings integer, seats integer)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        v_bookings integer;
        v_seats integer;
    BEGIN
        IF NOT pg_try_advisory_xact_lock(p_lock_key) THEN
            RETURN QUERY SELECT false, 0, 0;
            RETURN;
        END IF;
        WITH stale AS (
            SELECT bk.id FROM bookings bk
            WHERE bk.status = 'PENDING' AND bk.hold_deadline <= now()
            ORDER BY bk.hold_deadline
            LIMIT p_batch
            FOR UPDATE SKIP LOCKED
        ), expired AS (
            UPDATE bookings bk SET status = 'FAILED', updated_at = now()
            FROM stale WHERE bk.id = stale.id
            RETURNING bk.id, bk.show_id, bk.counter
        ), freed AS (
            DELETE FROM booking_seats bs USING expired
            WHERE bs.booking_id = expired.id
            RETURNING bs.booking_id, bs.show_id, bs.seat_number
        ), per_booking AS (
            SELECT e.id, e.show_id, e.counter,
                   ARRAY(SELECT f.seat_number FROM freed f WHERE f.booking_id = e.id) AS seats
            FROM expired e
        ), logged AS (
            INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
            SELECT 'booking_expired', p.counter, p.show_id, p.id, p.seats,
                   '{"released_by": "expiry"}'::jsonb
            FROM per_booking p
        ), announced AS (
            SELECT p.id, boxoffice_notify(p.show_id, p.seats, 'free', p.id, p.counter)
            FROM per_booking p
        )
        SELECT count(*)::integer, (SELECT count(*) FROM freed)::integer
        INTO v_bookings, v_seats FROM announced;
        RETURN QUERY SELECT true, v_bookings, v_seats;
    END
    $$
    """,
    # -- who did it: set by the database, not sent by the client -----------------------
    r"""
    CREATE FUNCTION boxoffice_stamp_actor() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    BEGIN
        IF TG_TABLE_NAME = 'booking_events' THEN
            NEW.actor := session_user;
        ELSIF pg_has_role(session_user, 'boxoffice_viewer', 'MEMBER')
              AND NOT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c
                                                 WHERE c.oid = TG_RELID), 'MEMBER') THEN
            -- A staff login: the booking is theirs, whatever name the client sent.
            -- (The owner - the single-user embedded database - names its clerks itself.)
            NEW.user_name := session_user;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER booking_events_actor BEFORE INSERT ON booking_events
    FOR EACH ROW EXECUTE FUNCTION boxoffice_stamp_actor()
    """,
    """
    CREATE TRIGGER bookings_user_name BEFORE INSERT OR UPDATE OF user_name ON bookings
    FOR EACH ROW EXECUTE FUNCTION boxoffice_stamp_actor()
    """,
    # -- staff logins, managed by managers without giving them CREATEROLE ---------------
    r"""
    CREATE FUNCTION boxoffice_staff_guard(p_name text, p_must_exist boolean)
    RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    BEGIN
        IF p_name !~ '^[a-z_][a-z0-9_]{0,62}$' THEN
            RAISE EXCEPTION 'A staff login is 1 to 63 lower-case letters, digits or _, '
                            'starting with a letter.' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_name LIKE 'boxoffice\_%' OR p_name LIKE 'pg\_%' THEN
            RAISE EXCEPTION 'The name % is reserved.', p_name
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_must_exist AND NOT EXISTS (
            SELECT 1 FROM pg_roles r WHERE r.rolname = p_name AND NOT r.rolsuper
            AND (pg_has_role(r.oid, 'boxoffice_viewer', 'MEMBER')
                 OR r.rolname IN (SELECT rolname FROM boxoffice_staff_disabled()))) THEN
            RAISE EXCEPTION 'There is no staff login called %.', p_name
                USING ERRCODE = 'undefined_object';
        END IF;
    END
    $$
    """,
    r"""
    CREATE FUNCTION boxoffice_staff_disabled() RETURNS TABLE (rolname name)
    LANGUAGE sql SET search_path = pg_catalog, public AS $$
        SELECT r.rolname FROM pg_roles r
        WHERE NOT r.rolcanlogin AND r.rolname NOT LIKE 'boxoffice\_%'
          AND EXISTS (SELECT 1 FROM pg_shdescription d
                      WHERE d.objoid = r.oid AND d.description = 'boxoffice staff (disabled)')
    $$
    """,
    r"""
    CREATE FUNCTION boxoffice_staff_add(p_name text, p_role text, p_password text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    BEGIN
        PERFORM boxoffice_staff_guard(p_name, false);
        IF p_role NOT IN ('viewer', 'clerk', 'manager') THEN
            RAISE EXCEPTION 'A staff role is viewer, clerk or manager, not %.', p_role
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN
            RAISE EXCEPTION 'A login called % already exists.', p_name
                USING ERRCODE = 'duplicate_object';
        END IF;
        IF p_password IS NULL OR p_password NOT LIKE 'SCRAM-SHA-256$%' THEN
            RAISE EXCEPTION 'The password must arrive SCRAM-encrypted by the client.'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', p_name, p_password,
                       'boxoffice_' || p_role);
        EXECUTE format('COMMENT ON ROLE %I IS %L', p_name, 'boxoffice staff');
    END
    $$
    """,
    r"""
    CREATE FUNCTION boxoffice_staff_set_role(p_name text, p_role text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        g text;
    BEGIN
        PERFORM boxoffice_staff_guard(p_name, true);
        IF p_role NOT IN ('viewer', 'clerk', 'manager') THEN
            RAISE EXCEPTION 'A staff role is viewer, clerk or manager, not %.', p_role
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        FOREACH g IN ARRAY ARRAY['boxoffice_viewer', 'boxoffice_clerk', 'boxoffice_manager'] LOOP
            EXECUTE format('REVOKE %I FROM %I', g, p_name);
        END LOOP;
        EXECUTE format('GRANT %I TO %I', 'boxoffice_' || p_role, p_name);
    END
    $$
    """,
    r"""
    CREATE FUNCTION boxoffice_staff_disable(p_name text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    BEGIN
        PERFORM boxoffice_staff_guard(p_name, true);
        IF p_name = session_user THEN
            RAISE EXCEPTION 'You cannot disable your own login.'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        EXECUTE format('ALTER ROLE %I NOLOGIN', p_name);
        EXECUTE format('COMMENT ON ROLE %I IS %L', p_name, 'boxoffice staff (disabled)');
        -- End the disabled login's open sessions at once.
        PERFORM pg_terminate_backend(a.pid) FROM pg_stat_activity a WHERE a.usename = p_name;
    END
    $$
    """,
    r"""
    CREATE FUNCTION boxoffice_staff_password(p_name text, p_password text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    BEGIN
        PERFORM boxoffice_staff_guard(p_name, true);
        IF p_password IS NULL OR p_password NOT LIKE 'SCRAM-SHA-256$%' THEN
            RAISE EXCEPTION 'The password must arrive SCRAM-encrypted by the client.'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        EXECUTE format('ALTER ROLE %I PASSWORD %L', p_name, p_password);
    END
    $$
    """,
    r"""
    CREATE FUNCTION boxoffice_staff_list()
    RETURNS TABLE (name text, role text, can_login boolean)
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT r.rolname::text,
               CASE WHEN pg_has_role(r.oid, 'boxoffice_manager', 'MEMBER') THEN 'manager'
                    WHEN pg_has_role(r.oid, 'boxoffice_clerk', 'MEMBER') THEN 'clerk'
                    WHEN pg_has_role(r.oid, 'boxoffice_viewer', 'MEMBER') THEN 'viewer'
                    ELSE 'none' END,
               r.rolcanlogin
        FROM pg_roles r
        WHERE NOT r.rolsuper AND r.rolname NOT LIKE 'boxoffice\_%' AND r.rolname NOT LIKE 'pg\_%'
          AND (pg_has_role(r.oid, 'boxoffice_viewer', 'MEMBER')
               OR r.rolname IN (SELECT rolname FROM boxoffice_staff_disabled()))
        ORDER BY 1
    $$
    """,
]

BOOK_SIGNATURE = "boxoffice_book(bigint, text[], text, text, text, text, integer, text)"

GRANTS = [
    # Nothing for PUBLIC: every right comes from a BoxOffice group role.
    "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC",
    "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC",
    "REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC",
    f"ALTER FUNCTION {BOOK_SIGNATURE} SECURITY DEFINER",
    "GRANT USAGE ON SCHEMA public TO boxoffice_viewer, boxoffice_expiry",
    # viewer: read shows, seat maps, bookings and their history
    "GRANT SELECT ON halls, shows, show_seats, bookings, booking_seats, booking_events, "
    "alembic_version TO boxoffice_viewer, boxoffice_expiry",
    # clerk (inherits viewer): the booking flow, only through its functions
    f"GRANT EXECUTE ON FUNCTION {BOOK_SIGNATURE}, "
    "boxoffice_confirm(bigint, text, text, text), boxoffice_release(bigint, text, text), "
    "boxoffice_exchange(bigint, text[], text, text) TO boxoffice_clerk",
    # manager (inherits clerk): refunds, shows and halls, staff
    "GRANT EXECUTE ON FUNCTION boxoffice_cancel(bigint, text, text, text), "
    "boxoffice_staff_add(text, text, text), boxoffice_staff_set_role(text, text), "
    "boxoffice_staff_disable(text), boxoffice_staff_password(text, text), "
    "boxoffice_staff_list() TO boxoffice_manager",
    "GRANT INSERT, UPDATE ON halls TO boxoffice_manager",
    "GRANT INSERT, UPDATE, DELETE ON shows, show_seats TO boxoffice_manager",
    # A layout change releases expired holds on seats that go: status and seats only.
    "GRANT UPDATE (status, updated_at) ON bookings TO boxoffice_manager",
    "GRANT DELETE ON booking_seats TO boxoffice_manager",
    "GRANT INSERT ON booking_events TO boxoffice_manager",
    "GRANT USAGE ON SEQUENCE halls_id_seq, shows_id_seq, booking_events_id_seq "
    "TO boxoffice_manager",
    "GRANT EXECUTE ON FUNCTION boxoffice_notify(bigint, text[], text, bigint, text) "
    "TO boxoffice_manager",
    # the expiry runner: one function
    "GRANT EXECUTE ON FUNCTION boxoffice_expire(bigint, integer) TO boxoffice_expiry",
]


def upgrade() -> None:
    op.execute(
        "DO $$ DECLARE g text; BEGIN "
        "FOREACH g IN ARRAY ARRAY['" + "','".join(GROUPS) + "'] LOOP "
        "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) THEN "
        "EXECUTE format('CREATE ROLE %I NOLOGIN', g); END IF; END LOOP; END $$"
    )
    op.execute("GRANT boxoffice_viewer TO boxoffice_clerk")
    op.execute("GRANT boxoffice_clerk TO boxoffice_manager")
    op.execute("GRANT boxoffice_expiry TO boxoffice_manager")
    for statement in FUNCTIONS:
        op.execute(statement)
    for statement in GRANTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER bookings_user_name ON bookings")
    op.execute("DROP TRIGGER booking_events_actor ON booking_events")
    for fn in ("boxoffice_staff_list()", "boxoffice_staff_password(text, text)",
               "boxoffice_staff_disable(text)", "boxoffice_staff_set_role(text, text)",
               "boxoffice_staff_add(text, text, text)", "boxoffice_staff_guard(text, boolean)",
               "boxoffice_staff_disabled()", "boxoffice_stamp_actor()",
               "boxoffice_expire(bigint, integer)",
               "boxoffice_exchange(bigint, text[], text, text)",
               "boxoffice_cancel(bigint, text, text, text)",
               "boxoffice_release(bigint, text, text)",
               "boxoffice_confirm(bigint, text, text, text)",
               "boxoffice_free_booking(bigint, text, text, text, jsonb)"):
        op.execute(f"DROP FUNCTION {fn}")
    op.execute(f"ALTER FUNCTION {BOOK_SIGNATURE} SECURITY INVOKER")
    # Database objects' grants go with them; the cluster-wide group roles stay, since
    # other BoxOffice databases on the same server may use them.
    op.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM boxoffice_viewer, "
               "boxoffice_clerk, boxoffice_manager, boxoffice_expiry")
    op.execute("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM boxoffice_manager")
    op.execute("REVOKE ALL ON SCHEMA public FROM boxoffice_viewer, boxoffice_expiry")
    op.execute("REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM boxoffice_clerk, "
               "boxoffice_manager, boxoffice_expiry")
