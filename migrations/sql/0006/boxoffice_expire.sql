-- expiry: one batch under the cluster-wide advisory lock
CREATE OR REPLACE FUNCTION boxoffice_expire(p_lock_key bigint, p_batch integer)
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
        SELECT h.id FROM holds_overdue h
        ORDER BY h.hold_deadline
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
$$;
