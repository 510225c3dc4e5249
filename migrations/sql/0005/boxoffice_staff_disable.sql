CREATE OR REPLACE FUNCTION boxoffice_staff_disable(p_name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM boxoffice_staff_guard(p_name, true);
    IF p_name = session_user THEN
        RAISE EXCEPTION 'You cannot disable your own login.'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('ALTER ROLE %I NOLOGIN', p_name);
    EXECUTE format('COMMENT ON ROLE %I IS %L', p_name, 'boxoffice staff (disabled)');
    -- End the disabled login's open sessions at once.
    PERFORM pg_terminate_backend(a.pid) FROM pg_stat_activity a WHERE a.usename = p_name;
END
$$;
