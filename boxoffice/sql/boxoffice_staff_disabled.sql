CREATE OR REPLACE FUNCTION boxoffice_staff_disabled() RETURNS TABLE (rolname name)
LANGUAGE sql SET search_path = pg_catalog, public AS $$
    SELECT r.rolname FROM pg_roles r
    WHERE NOT r.rolcanlogin AND r.rolname NOT LIKE 'boxoffice\_%'
      AND EXISTS (SELECT 1 FROM pg_shdescription d
                  WHERE d.objoid = r.oid AND d.description = 'boxoffice staff (disabled)')
$$;
