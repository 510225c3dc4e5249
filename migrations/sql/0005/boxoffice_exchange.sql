-- The exchange of 0003, plus: paid tickets follow their seats (the seats given up, in
-- order, become the new ones, keeping the price they were sold at), and a paid booking
-- keeps its number of seats (fewer is a partial cancellation with a refund).
CREATE OR REPLACE FUNCTION boxoffice_exchange(p_booking bigint, p_seats text[],
                                              p_clerk text, p_counter text)
RETURNS TABLE (outcome text, status text, seats text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    b record;
    v_old text[];
    v_new_only text[];
    v_bad text[];
    v_gone text[];
    v_added text[];
BEGIN
    SELECT s.id AS show_id, bk.status, bk.hold_deadline <= now() AS overdue INTO b
    FROM bookings bk JOIN shows s ON s.id = bk.show_id
    WHERE bk.id = p_booking FOR UPDATE OF s, bk;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::text[];
        RETURN;
    END IF;
    IF b.status NOT IN ('PENDING', 'CONFIRMED') THEN
        RETURN QUERY SELECT 'wrong_state'::text, b.status, NULL::text[];
        RETURN;
    END IF;
    IF b.status = 'PENDING' AND b.overdue THEN
        RETURN QUERY SELECT 'expired'::text, b.status, NULL::text[];
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM booking_tickets t WHERE t.booking_id = p_booking
               AND t.status = 'SOLD')
       AND cardinality(p_seats) <> (SELECT count(*) FROM booking_tickets t
                                    WHERE t.booking_id = p_booking AND t.status = 'SOLD')
    THEN
        RAISE EXCEPTION 'A paid booking keeps its number of seats: to give seats back, '
                        'cancel them for a refund.' USING ERRCODE = 'BO003';
    END IF;
    v_bad := ARRAY(SELECT x FROM unnest(p_seats) x
                   WHERE NOT EXISTS (SELECT 1 FROM show_seats ss
                                     WHERE ss.show_id = b.show_id AND ss.seat_number = x));
    IF cardinality(v_bad) > 0 THEN
        RETURN QUERY SELECT 'unknown'::text, b.status, v_bad;
        RETURN;
    END IF;
    v_bad := ARRAY(SELECT ss.seat_number FROM show_seats ss
                   WHERE ss.show_id = b.show_id AND ss.seat_number = ANY(p_seats)
                     AND NOT ss.sellable);
    IF cardinality(v_bad) > 0 THEN
        RETURN QUERY SELECT 'blocked'::text, b.status, v_bad;
        RETURN;
    END IF;
    v_old := ARRAY(SELECT seat_number FROM booking_seats WHERE booking_id = p_booking
                   ORDER BY id);
    v_new_only := ARRAY(SELECT x FROM unnest(p_seats) x WHERE x <> ALL(v_old));
    WITH released AS (
        UPDATE bookings bk SET status = 'FAILED', updated_at = now()
        WHERE bk.id IN (SELECT bs.booking_id FROM booking_seats bs
                        WHERE bs.show_id = b.show_id AND bs.seat_number = ANY(v_new_only))
          AND bk.id <> p_booking AND bk.status = 'PENDING' AND bk.hold_deadline <= now()
        RETURNING bk.id
    ), freed AS (
        DELETE FROM booking_seats bs USING released WHERE bs.booking_id = released.id
        RETURNING bs.booking_id, bs.seat_number
    )
    INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
    SELECT 'booking_expired', p_counter, b.show_id, f.booking_id, array_agg(f.seat_number),
           '{"released_by": "exchange"}'::jsonb
    FROM freed f GROUP BY f.booking_id;
    WITH gone AS (
        DELETE FROM booking_seats WHERE booking_id = p_booking AND seat_number <> ALL(p_seats)
        RETURNING seat_number
    ), added AS (
        INSERT INTO booking_seats (booking_id, show_id, seat_number)
        SELECT p_booking, b.show_id, x FROM unnest(v_new_only) x
        ON CONFLICT ON CONSTRAINT uq_booking_seats_show_id_seat_number DO NOTHING
        RETURNING seat_number
    )
    SELECT ARRAY(SELECT seat_number FROM gone), ARRAY(SELECT seat_number FROM added)
    INTO v_gone, v_added;
    IF cardinality(v_added) <> cardinality(v_new_only) THEN
        RAISE EXCEPTION 'seats taken' USING ERRCODE = 'BO002',
            DETAIL = array_to_string(ARRAY(SELECT x FROM unnest(v_new_only) x
                                           WHERE x <> ALL(v_added)), ',');
    END IF;
    -- Paid tickets follow their seats, keeping the price they were sold at.
    UPDATE booking_tickets t SET seat_number = m.new_seat
    FROM (SELECT g.seat AS old_seat, n.seat AS new_seat
          FROM unnest(ARRAY(SELECT x FROM unnest(v_gone) x ORDER BY x))
               WITH ORDINALITY AS g(seat, i)
          JOIN unnest(ARRAY(SELECT x FROM unnest(v_new_only) x ORDER BY x))
               WITH ORDINALITY AS n(seat, i) ON n.i = g.i) m
    WHERE t.booking_id = p_booking AND t.status = 'SOLD' AND t.seat_number = m.old_seat;
    UPDATE bookings SET seats_requested = cardinality(p_seats), updated_at = now()
    WHERE id = p_booking;
    INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
    VALUES ('booking_exchanged', p_counter, b.show_id, p_booking, p_seats,
            jsonb_build_object('from', v_old, 'to', p_seats, 'clerk', p_clerk));
    IF cardinality(v_gone) > 0 THEN
        PERFORM boxoffice_notify(b.show_id, v_gone, 'free', p_booking, p_counter);
    END IF;
    IF cardinality(v_new_only) > 0 THEN
        PERFORM boxoffice_notify(b.show_id, v_new_only,
            CASE WHEN b.status = 'CONFIRMED' THEN 'sold' ELSE 'held' END,
            p_booking, p_counter);
    END IF;
    RETURN QUERY SELECT 'exchanged'::text, b.status, p_seats;
END
$$;
