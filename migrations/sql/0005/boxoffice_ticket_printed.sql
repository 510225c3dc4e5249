-- A print is logged; a second print of the same booking is a reprint whatever the
-- client says, so a lost first log line cannot hide a duplicate ticket.
CREATE OR REPLACE FUNCTION boxoffice_ticket_printed(p_booking bigint, p_reprint boolean,
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
$$;
