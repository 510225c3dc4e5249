CREATE OR REPLACE FUNCTION boxoffice_check_booking_tickets() RETURNS trigger
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
$$;
