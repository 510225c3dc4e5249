CREATE OR REPLACE FUNCTION boxoffice_ticket_key() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT value FROM boxoffice_secrets WHERE name = 'ticket_key'
$$;
