-- Every seat change announces itself inside its own transaction, so listeners hear it
-- only on commit. Payloads over NOTIFY's 8000-byte limit become "refetch this show".
CREATE OR REPLACE FUNCTION boxoffice_notify(p_show bigint, p_seats text[], p_state text,
                                            p_booking bigint, p_counter text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    payload text;
BEGIN
    payload := json_build_object('show', p_show, 'seats', p_seats, 'state', p_state,
                                 'booking', p_booking, 'counter', p_counter)::text;
    IF octet_length(payload) > 7900 THEN
        payload := json_build_object('show', p_show, 'refetch', true, 'state', p_state,
                                     'booking', p_booking, 'counter', p_counter)::text;
    END IF;
    PERFORM pg_notify('boxoffice_changes', payload);
END
$$;
