-- Every seat change announces itself inside its own transaction, so listeners hear it
-- only on commit. Payloads over NOTIFY's 8000-byte limit become "refetch this show".
-- While the designated live notifier runs (boxoffice events notifier: it holds advisory
-- lock 0x626F786E7466 for as long as it lives) the change is queued in live_changes
-- instead, and the notifier announces many at once: each NOTIFY wakes every listening
-- session and takes a database-wide lock at commit, so one per booking caps the booking
-- rate as screens are added. With no notifier (the embedded single-PC default) the
-- shared try-lock succeeds and the change is announced directly, as before.
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
    IF pg_try_advisory_xact_lock_shared(108230901396582) THEN
        PERFORM pg_notify('boxoffice_changes', payload);
    ELSE
        INSERT INTO live_changes (payload) VALUES (payload);
    END IF;
END
$$;
