-- The door: one seat of one booking, for one show, let in once. The QR code's check
-- value was verified by the caller; this decides everything the database knows.
CREATE OR REPLACE FUNCTION boxoffice_check_in(p_show bigint, p_booking bigint, p_seat text,
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
$$;
