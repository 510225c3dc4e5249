-- freeing a booking's seats: shared by release, cancel and a late confirm
CREATE OR REPLACE FUNCTION boxoffice_free_booking(p_booking bigint, p_status text, p_kind text,
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
$$;
