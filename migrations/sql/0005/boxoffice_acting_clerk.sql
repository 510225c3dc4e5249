-- Who took the money: a staff login is who it is, whatever name the client sent; the
-- owner (the single-user embedded database) names its clerks itself.
CREATE OR REPLACE FUNCTION boxoffice_acting_clerk(p_clerk text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT CASE WHEN pg_has_role(session_user, 'boxoffice_viewer', 'MEMBER') AND NOT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'payments'::regclass), 'MEMBER') THEN session_user::text ELSE p_clerk END
$$;
