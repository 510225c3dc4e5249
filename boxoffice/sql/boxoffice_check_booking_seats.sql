-- A live booking owns exactly seats_requested seats, a dead one none: checked at
-- commit, whichever client wrote the rows.
CREATE OR REPLACE FUNCTION boxoffice_check_booking_seats() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    b_id bigint;
    b_status text;
    b_requested integer;
    owned integer;
BEGIN
    IF TG_TABLE_NAME = 'bookings' THEN
        b_id := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        b_id := OLD.booking_id;
    ELSE
        b_id := NEW.booking_id;
    END IF;
    SELECT status, seats_requested INTO b_status, b_requested FROM bookings WHERE id = b_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO owned FROM booking_seats WHERE booking_id = b_id;
    IF (b_status IN ('PENDING', 'CONFIRMED') AND owned <> b_requested)
       OR (b_status IN ('FAILED', 'CANCELLED') AND owned <> 0) THEN
        RAISE EXCEPTION 'booking % is % with % seats requested but owns % seats',
            b_id, b_status, b_requested, owned
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
