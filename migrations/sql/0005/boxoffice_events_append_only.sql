-- The event log is the audit trail and the outbox: nobody rewrites history.
CREATE OR REPLACE FUNCTION boxoffice_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'booking_events is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
