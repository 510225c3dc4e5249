-- cancel: a refund of the whole sale; managers only
CREATE OR REPLACE FUNCTION boxoffice_cancel(p_booking bigint, p_clerk text, p_counter text,
                                            p_reason text)
RETURNS TABLE (outcome text, status text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    RETURN QUERY SELECT c.outcome, c.status
    FROM boxoffice_cancel_seats(p_booking, NULL, p_clerk, p_counter, p_reason, NULL) c;
END
$$;
