-- correct a booking's customer name afterwards ("Grace Hoper" → "Grace Hopper"); the old
-- and the new name go in the booking's history, so a correction is never silent
CREATE OR REPLACE FUNCTION boxoffice_rename_customer(p_booking bigint, p_name text,
                                                    p_clerk text, p_counter text)
RETURNS TABLE (outcome text, status text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_status text;
    v_old text;
    v_show bigint;
    v_name text := nullif(btrim(p_name), '');
BEGIN
    IF v_name IS NOT NULL AND (char_length(v_name) > 200 OR v_name ~ '[[:cntrl:]]') THEN
        RAISE EXCEPTION 'A customer name is at most 200 characters, on one line.'
            USING ERRCODE = 'BO003';
    END IF;
    SELECT bk.status, bk.customer_name, bk.show_id INTO v_status, v_old, v_show
    FROM bookings bk WHERE bk.id = p_booking FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::text;
    ELSIF v_status NOT IN ('PENDING', 'CONFIRMED', 'CANCELLED') THEN
        RETURN QUERY SELECT 'wrong_state'::text, v_status;
    ELSIF v_old IS NOT DISTINCT FROM v_name THEN
        RETURN QUERY SELECT 'unchanged'::text, v_status;
    ELSE
        UPDATE bookings SET customer_name = v_name, updated_at = now() WHERE id = p_booking;
        INSERT INTO booking_events (kind, counter, show_id, booking_id, details)
        VALUES ('customer_renamed', p_counter, v_show, p_booking,
                jsonb_build_object('clerk', p_clerk, 'old', v_old, 'new', v_name));
        RETURN QUERY SELECT 'renamed'::text, v_status;
    END IF;
END
$$;
