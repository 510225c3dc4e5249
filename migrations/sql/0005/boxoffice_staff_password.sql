CREATE OR REPLACE FUNCTION boxoffice_staff_password(p_name text, p_password text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM boxoffice_staff_guard(p_name, true);
    IF p_password IS NULL OR p_password NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'The password must arrive SCRAM-encrypted by the client.'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L', p_name, p_password);
END
$$;
