CREATE OR REPLACE FUNCTION boxoffice_money_text(p_amount bigint) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT v.currency || ' ' || CASE WHEN v.minor_units = 0 THEN p_amount::text
           ELSE round(p_amount::numeric / (10 ^ v.minor_units)::numeric,
                      v.minor_units)::text END
    FROM venue_settings v
$$;
