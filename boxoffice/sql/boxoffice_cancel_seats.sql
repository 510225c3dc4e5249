-- cancel some seats (or all: NULL) of a sale, refunding what they were paid
CREATE OR REPLACE FUNCTION boxoffice_cancel_seats(p_booking bigint, p_seats text[], p_clerk text,
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
$$;
