-- confirm: a hold becomes a sale, if still held and before its deadline
CREATE OR REPLACE FUNCTION boxoffice_confirm(p_booking bigint, p_clerk text, p_counter text,
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
$$;
