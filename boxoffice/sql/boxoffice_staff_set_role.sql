CREATE OR REPLACE FUNCTION boxoffice_staff_set_role(p_name text, p_role text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    g text;
BEGIN
    PERFORM boxoffice_staff_guard(p_name, true);
    IF p_role NOT IN ('viewer', 'clerk', 'manager') THEN
        RAISE EXCEPTION 'A staff role is viewer, clerk or manager, not %.', p_role
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH g IN ARRAY ARRAY['boxoffice_viewer', 'boxoffice_clerk', 'boxoffice_manager'] LOOP
        EXECUTE format('REVOKE %I FROM %I', g, p_name);
    END LOOP;
    EXECUTE format('GRANT %I TO %I', 'boxoffice_' || p_role, p_name);
END
$$;
