-- The exchange of 0003, plus: paid tickets follow their seats as
-- boxoffice_exchange_quote says (the seats given up, in order, become the new ones; a
-- ticket moving into another category is re-priced there), and the difference is taken
-- (a payment) or given back (a refund) by p_method in the same transaction. p_expected,
-- the difference the clerk was shown, must still be the difference. A paid booking keeps
-- its number of seats (fewer is a partial cancellation with a refund).
CREATE OR REPLACE FUNCTION boxoffice_exchange(p_booking bigint, p_seats text[],
                                              p_clerk text, p_counter text,
                                              p_method text DEFAULT NULL,
                                              p_reference text DEFAULT NULL,
                                              p_expected bigint DEFAULT NULL)
RETURNS TABLE (outcome text, status text, seats text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    b record;
    v_clerk text := boxoffice_acting_clerk(p_clerk);
    v_lines jsonb;
    v_diff bigint;
    v_unpriced text;
    v_payment bigint;
    v_moved text[];
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
    -- What the tickets cost on their new seats, and the difference (+ take, - give back).
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'seat', q.new_seat, 'from', q.old_seat, 'type', q.ticket_type,
               'category', q.new_category, 'price', q.new_price,
               'old_category', q.old_category, 'old_price', q.old_price)
               ORDER BY q.new_seat), '[]'::jsonb),
           coalesce(sum(q.new_price - q.old_price), 0),
           min(CASE WHEN q.new_price IS NULL
                    THEN q.ticket_type || ' in ' || q.new_category || ' (seat ' || q.new_seat
                         || ')' END)
    INTO v_lines, v_diff, v_unpriced
    FROM boxoffice_exchange_quote(p_booking, p_seats) q;
    v_moved := ARRAY(SELECT l->>'seat' FROM jsonb_array_elements(v_lines) l);
    IF v_unpriced IS NOT NULL THEN
        RAISE EXCEPTION 'There is no price for % at this show. Ask a manager to set it.',
            v_unpriced USING ERRCODE = 'BO003';
    END IF;
    IF p_expected IS NOT NULL AND p_expected <> v_diff THEN
        RAISE EXCEPTION 'The prices were just changed: the difference is now % (it was %). '
                        'Check it with the customer and move again.',
            boxoffice_money_text(v_diff), boxoffice_money_text(p_expected)
            USING ERRCODE = 'BO003';
    END IF;
    IF p_method IS NOT NULL AND p_method NOT IN ('cash', 'card', 'voucher', 'invoice') THEN
        RAISE EXCEPTION 'Unknown payment method: %.', p_method USING ERRCODE = 'BO003';
    END IF;
    IF v_diff > 0 AND p_method IS NULL THEN
        RAISE EXCEPTION 'The new seats cost % more: choose how the customer pays it '
                        '(cash, card, voucher or invoice).', boxoffice_money_text(v_diff)
            USING ERRCODE = 'BO003';
    END IF;
    IF v_diff < 0 AND p_method IS NULL THEN
        RAISE EXCEPTION 'The new seats cost % less: choose how it is refunded '
                        '(cash, card, voucher or invoice).', boxoffice_money_text(-v_diff)
            USING ERRCODE = 'BO003';
    END IF;
    IF v_diff > 0 AND p_method = 'voucher' AND nullif(btrim(p_reference), '') IS NULL THEN
        RAISE EXCEPTION 'Type the voucher''s code to pay % by voucher.',
            boxoffice_money_text(v_diff) USING ERRCODE = 'BO003';
    END IF;
    v_old := ARRAY(SELECT seat_number FROM booking_seats WHERE booking_id = p_booking
                   ORDER BY id);
    v_new_only := ARRAY(SELECT x FROM unnest(p_seats) x WHERE x <> ALL(v_old));
    WITH released AS (
        UPDATE bookings bk SET status = 'FAILED', updated_at = now()
        WHERE bk.id IN (SELECT bs.booking_id
                        FROM booking_seats bs JOIN holds_overdue h ON h.id = bs.booking_id
                        WHERE bs.show_id = b.show_id AND bs.seat_number = ANY(v_new_only))
          AND bk.id <> p_booking AND bk.status = 'PENDING'
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
    -- Paid tickets follow their seats, priced as quoted.
    UPDATE booking_tickets t SET seat_number = m.seat, category = m.category,
                                 price = m.price
    FROM jsonb_to_recordset(v_lines) AS m("from" text, seat text, category text,
                                          price integer)
    WHERE t.booking_id = p_booking AND t.status = 'SOLD' AND t.seat_number = m."from";
    IF v_diff <> 0 THEN
        INSERT INTO payments (booking_id, show_id, kind, method, amount, reference,
                              user_name, counter)
        VALUES (p_booking, b.show_id, CASE WHEN v_diff > 0 THEN 'payment' ELSE 'refund' END,
                p_method, abs(v_diff), nullif(btrim(p_reference), ''), v_clerk, p_counter)
        RETURNING id INTO v_payment;
        -- 'exchange', not 'tickets': the cash-up counts no ticket sold or refunded here.
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        VALUES (CASE WHEN v_diff > 0 THEN 'payment_taken' ELSE 'refund_given' END,
                p_counter, b.show_id, p_booking, v_moved, jsonb_build_object(
                'clerk', v_clerk, 'method', p_method, 'amount', abs(v_diff),
                'payment', v_payment, 'reference', nullif(btrim(p_reference), ''),
                'reason', 'exchange', 'currency', (SELECT v.currency FROM venue_settings v),
                'exchange', v_lines));
        PERFORM boxoffice_notify(b.show_id, NULL, 'money', p_booking, p_counter);
    END IF;
    UPDATE bookings SET seats_requested = cardinality(p_seats), updated_at = now()
    WHERE id = p_booking;
    INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
    VALUES ('booking_exchanged', p_counter, b.show_id, p_booking, p_seats,
            jsonb_build_object('from', v_old, 'to', p_seats, 'clerk', p_clerk,
                               'tickets', v_lines, 'difference', v_diff));
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
