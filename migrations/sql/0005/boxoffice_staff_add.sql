CREATE OR REPLACE FUNCTION boxoffice_staff_add(p_name text, p_role text, p_password text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM boxoffice_staff_guard(p_name, false);
    IF p_role NOT IN ('viewer', 'clerk', 'manager') THEN
        RAISE EXCEPTION 'A staff role is viewer, clerk or manager, not %.', p_role
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN
        RAISE EXCEPTION 'A login called % already exists.', p_name
            USING ERRCODE = 'duplicate_object';
    END IF;
    IF p_password IS NULL OR p_password NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'The password must arrive SCRAM-encrypted by the client.'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', p_name, p_password,
                   'boxoffice_' || p_role);
    EXECUTE format('COMMENT ON ROLE %I IS %L', p_name, 'boxoffice staff');
END
$$;
