-- a clerk's counted cash for a day's cash-up
CREATE OR REPLACE FUNCTION boxoffice_record_cash_count(p_day date, p_counted integer, p_counter text,
                                                       p_clerk text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO cash_counts (day, counter, user_name, counted)
    VALUES (p_day, p_counter, boxoffice_acting_clerk(p_clerk), p_counted)
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
