-- release: the customer walked away; a hold's seats go back on sale
CREATE OR REPLACE FUNCTION boxoffice_release(p_booking bigint, p_clerk text, p_counter text)
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
$$;
