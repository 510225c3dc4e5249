CREATE OR REPLACE FUNCTION boxoffice_staff_list()
RETURNS TABLE (name text, role text, can_login boolean)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT r.rolname::text,
           CASE WHEN pg_has_role(r.oid, 'boxoffice_manager', 'MEMBER') THEN 'manager'
                WHEN pg_has_role(r.oid, 'boxoffice_clerk', 'MEMBER') THEN 'clerk'
                WHEN pg_has_role(r.oid, 'boxoffice_viewer', 'MEMBER') THEN 'viewer'
                ELSE 'none' END,
           r.rolcanlogin
    FROM pg_roles r
    WHERE NOT r.rolsuper AND r.rolname NOT LIKE 'boxoffice\_%' AND r.rolname NOT LIKE 'pg\_%'
      AND (pg_has_role(r.oid, 'boxoffice_viewer', 'MEMBER')
           OR r.rolname IN (SELECT rolname FROM boxoffice_staff_disabled()))
    ORDER BY 1
$$;
