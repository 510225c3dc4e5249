-- Outcomes: 'booked' (CONFIRMED or PENDING, the booking's columns filled in),
-- 'taken' (FAILED is written; seats = the taken ones), 'no_show', 'unknown', 'blocked'
-- (nothing written; seats = the offending ones). A request key that committed in between
-- raises SQLSTATE BO001, undoing the whole call, and the caller answers with that booking.
CREATE OR REPLACE FUNCTION boxoffice_book(
               p_show bigint, p_seats text[], p_status text, p_clerk text, p_customer text,
               p_counter text, p_hold_seconds integer, p_request_key text)
RETURNS TABLE (outcome text, seats text[], id bigint, show_id bigint, status text,
               seats_requested integer, user_name text, customer_name text, counter text,
               hold_deadline timestamptz, request_key text, created_at timestamptz,
               updated_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_unknown text[];
    v_blocked text[];
    v_freed text[];
    v_id bigint;
    v_inserted text[];
    v_taken text[];
    v_kind text;
    v_state text;
    b bookings;
BEGIN
    IF p_status NOT IN ('CONFIRMED', 'PENDING') THEN
        RAISE EXCEPTION 'boxoffice_book: status % is neither CONFIRMED nor PENDING', p_status
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM 1 FROM shows s WHERE s.id = p_show FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_show'::text, NULL::text[], NULL::bigint, NULL::bigint,
            NULL::text, NULL::integer, NULL::text, NULL::text, NULL::text,
            NULL::timestamptz, NULL::text, NULL::timestamptz, NULL::timestamptz;
        RETURN;
    END IF;

    -- Validate against the layout. (From Python this ran in the same statement as the
    -- stale-hold release below, and a refusal rolled that release back; here the
    -- refusal comes before it, which leaves the same nothing-written outcome.)
    v_unknown := ARRAY(SELECT x FROM unnest(p_seats) x
                       WHERE NOT EXISTS (SELECT 1 FROM show_seats ss
                                         WHERE ss.show_id = p_show AND ss.seat_number = x));
    v_blocked := ARRAY(SELECT ss.seat_number FROM show_seats ss
                       WHERE ss.show_id = p_show AND ss.seat_number = ANY(p_seats)
                         AND NOT ss.sellable);
    IF cardinality(v_unknown) > 0 OR cardinality(v_blocked) > 0 THEN
        RETURN QUERY SELECT CASE WHEN cardinality(v_unknown) > 0 THEN 'unknown' ELSE 'blocked' END,
            CASE WHEN cardinality(v_unknown) > 0 THEN v_unknown ELSE v_blocked END,
            NULL::bigint, NULL::bigint, NULL::text, NULL::integer, NULL::text, NULL::text,
            NULL::text, NULL::timestamptz, NULL::text, NULL::timestamptz, NULL::timestamptz;
        RETURN;
    END IF;

    -- Release any expired hold standing on a requested seat, before the expiry job does.
    -- (Still PENDING once its row is locked: a hold's deadline never moves.)
    WITH stale AS (
        SELECT DISTINCT bs.booking_id
        FROM booking_seats bs JOIN holds_overdue h ON h.id = bs.booking_id
        WHERE bs.show_id = p_show AND bs.seat_number = ANY(p_seats)
    ), released AS (
        UPDATE bookings bk SET status = 'FAILED', updated_at = now()
        FROM stale
        WHERE bk.id = stale.booking_id AND bk.status = 'PENDING'
        RETURNING bk.id, bk.counter
    ), freed AS (
        DELETE FROM booking_seats bs USING released
        WHERE bs.booking_id = released.id
        RETURNING bs.booking_id, bs.seat_number
    ), logged AS (
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        SELECT 'booking_expired', p_counter, p_show, f.booking_id, array_agg(f.seat_number),
               '{"released_by": "next request"}'::jsonb
        FROM freed f GROUP BY f.booking_id
    )
    SELECT ARRAY(SELECT f.seat_number FROM freed f) INTO v_freed;
    IF cardinality(v_freed) > 0 THEN
        PERFORM boxoffice_notify(p_show, v_freed, 'free', NULL, p_counter);
    END IF;

    -- The PENDING booking and its seats; a seat someone owns is simply not inserted.
    WITH booking AS (
        INSERT INTO bookings (show_id, seats_requested, status, user_name, customer_name,
                              counter, hold_deadline, request_key)
        VALUES (p_show, cardinality(p_seats), 'PENDING', p_clerk, p_customer, p_counter,
                now() + make_interval(secs => p_hold_seconds), p_request_key)
        ON CONFLICT ON CONSTRAINT uq_bookings_request_key DO NOTHING
        RETURNING bookings.id
    ), ins AS (
        INSERT INTO booking_seats (booking_id, show_id, seat_number)
        SELECT booking.id, p_show, s FROM booking, unnest(p_seats) AS s
        ON CONFLICT ON CONSTRAINT uq_booking_seats_show_id_seat_number DO NOTHING
        RETURNING booking_seats.seat_number
    )
    SELECT booking.id, ARRAY(SELECT ins.seat_number FROM ins) INTO v_id, v_inserted
    FROM booking;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'request key % was used in between', p_request_key
            USING ERRCODE = 'BO001';
    END IF;

    IF cardinality(v_inserted) = cardinality(p_seats) THEN
        v_kind := CASE WHEN p_status = 'CONFIRMED' THEN 'booking_sold' ELSE 'booking_held' END;
        v_state := CASE WHEN p_status = 'CONFIRMED' THEN 'sold' ELSE 'held' END;
        UPDATE bookings bk SET status = p_status, updated_at = now(),
               hold_deadline = CASE WHEN p_status = 'CONFIRMED' THEN NULL ELSE bk.hold_deadline END
        WHERE bk.id = v_id
        RETURNING bk.* INTO b;
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        VALUES (v_kind, p_counter, p_show, v_id, p_seats,
                jsonb_build_object('customer', b.customer_name IS NOT NULL,
                                   'hold_deadline', b.hold_deadline));
        PERFORM boxoffice_notify(p_show, p_seats, v_state, v_id, p_counter);
        RETURN QUERY SELECT 'booked'::text, p_seats, b.id, b.show_id, b.status,
            b.seats_requested, b.user_name, b.customer_name, b.counter, b.hold_deadline,
            b.request_key, b.created_at, b.updated_at;
        RETURN;
    END IF;

    -- Some seat was taken: undo the seats, record the FAILED booking and what was taken.
    v_taken := ARRAY(SELECT s FROM unnest(p_seats) s WHERE s <> ALL(v_inserted));
    DELETE FROM booking_seats bs WHERE bs.booking_id = v_id;
    UPDATE bookings bk SET status = 'FAILED', updated_at = now() WHERE bk.id = v_id;
    INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
    VALUES ('booking_failed', p_counter, p_show, v_id, p_seats,
            jsonb_build_object('taken', v_taken));
    RETURN QUERY SELECT 'taken'::text, v_taken, v_id, p_show, 'FAILED'::text,
        cardinality(p_seats), p_clerk, p_customer, p_counter, NULL::timestamptz,
        p_request_key, NULL::timestamptz, NULL::timestamptz;
END
$$;
