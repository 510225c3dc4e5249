-- who did it, and (for an event) in which transaction: set by the database, not sent
-- by the client. An event's txid is what the gap-free stream orders and bounds by
-- (boxoffice/events/stream.py), so a client must not be able to forge it.
CREATE OR REPLACE FUNCTION boxoffice_stamp_actor() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_TABLE_NAME = 'booking_events' THEN
        NEW.actor := session_user;
        NEW.txid := pg_current_xact_id();
    ELSIF pg_has_role(session_user, 'boxoffice_viewer', 'MEMBER')
          AND NOT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c
                                             WHERE c.oid = TG_RELID), 'MEMBER') THEN
        -- A staff login: the booking is theirs, whatever name the client sent.
        -- (The owner - the single-user embedded database - names its clerks itself.)
        NEW.user_name := session_user;
    END IF;
    RETURN NEW;
END
$$;
