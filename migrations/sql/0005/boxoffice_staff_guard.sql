-- staff logins, managed by managers without giving them CREATEROLE
CREATE OR REPLACE FUNCTION boxoffice_staff_guard(p_name text, p_must_exist boolean)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF p_name !~ '^[a-z_][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'A staff login is 1 to 63 lower-case letters, digits or _, '
                        'starting with a letter.' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_name LIKE 'boxoffice\_%' OR p_name LIKE 'pg\_%' THEN
        RAISE EXCEPTION 'The name % is reserved.', p_name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_must_exist AND NOT EXISTS (
        SELECT 1 FROM pg_roles r WHERE r.rolname = p_name AND NOT r.rolsuper
        AND (pg_has_role(r.oid, 'boxoffice_viewer', 'MEMBER')
             OR r.rolname IN (SELECT rolname FROM boxoffice_staff_disabled()))) THEN
        RAISE EXCEPTION 'There is no staff login called %.', p_name
            USING ERRCODE = 'undefined_object';
    END IF;
END
$$;
