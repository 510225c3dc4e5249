-- pay: confirm a hold, fix each seat's price, record the payment; all or nothing
CREATE OR REPLACE FUNCTION boxoffice_pay(p_booking bigint, p_tickets jsonb, p_method text,
                                         p_tendered integer, p_reference text, p_clerk text,
                                         p_counter text, p_customer text)
RETURNS TABLE (outcome text, status text, total bigint, change_due integer,
               payment_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    c record;
    v_show bigint;
    v_clerk text := boxoffice_acting_clerk(p_clerk);
    v_seats text[];
    v_asked text[];
    v_bad text;
    v_total bigint;
    v_change integer;
    v_payment bigint;
    v_lines jsonb;
BEGIN
    IF p_tickets IS NULL OR jsonb_typeof(p_tickets) <> 'array' THEN
        RAISE EXCEPTION 'The tickets must be a list of seats with their ticket types.'
            USING ERRCODE = 'BO003';
    END IF;
    IF p_method IS NOT NULL AND p_method NOT IN ('cash', 'card', 'voucher', 'invoice') THEN
        RAISE EXCEPTION 'Unknown payment method: %.', p_method USING ERRCODE = 'BO003';
    END IF;
    -- Confirm first: it locks the booking row, and decides expired / wrong state.
    SELECT * INTO c FROM boxoffice_confirm(p_booking, v_clerk, p_counter, p_customer);
    IF c.outcome <> 'confirmed' THEN
        RETURN QUERY SELECT c.outcome, c.status, NULL::bigint, NULL::integer, NULL::bigint;
        RETURN;
    END IF;
    -- From here on any refusal raises, undoing the confirm: the hold stays a hold.
    SELECT bk.show_id INTO v_show FROM bookings bk WHERE bk.id = p_booking;
    v_seats := ARRAY(SELECT bs.seat_number FROM booking_seats bs
                     WHERE bs.booking_id = p_booking ORDER BY bs.seat_number);
    v_asked := ARRAY(SELECT t->>'seat' FROM jsonb_array_elements(p_tickets) t
                     ORDER BY t->>'seat');
    IF v_asked IS DISTINCT FROM v_seats THEN
        RAISE EXCEPTION 'The tickets (%) must name each seat of the booking (%) once.',
            array_to_string(v_asked, ', '), array_to_string(v_seats, ', ')
            USING ERRCODE = 'BO003';
    END IF;
    SELECT t->>'type' INTO v_bad FROM jsonb_array_elements(p_tickets) t
    WHERE NOT EXISTS (SELECT 1 FROM ticket_types tt WHERE tt.name = t->>'type'
                      AND tt.active)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'There is no ticket type called %.', coalesce(v_bad, '(none)')
            USING ERRCODE = 'BO003';
    END IF;
    -- Each seat's price: its category (seat_categories), the type's price there.
    -- A show with no categories at all sells at 0; a missing price is refused.
    SELECT jsonb_agg(jsonb_build_object(
               'seat', t->>'seat', 'category', sc.category, 'type', tt.name,
               'price', CASE WHEN sc.category_id IS NULL THEN 0 ELSE pr.amount END)
           ORDER BY t->>'seat')
    INTO v_lines
    FROM jsonb_array_elements(p_tickets) t
    JOIN ticket_types tt ON tt.name = t->>'type'
    JOIN seat_categories sc ON sc.show_id = v_show AND sc.seat_number = t->>'seat'
    LEFT JOIN prices pr ON pr.category_id = sc.category_id AND pr.ticket_type_id = tt.id;
    SELECT l.type || ' in ' || l.category || ' (seat ' || l.seat || ')' INTO v_bad
    FROM jsonb_to_recordset(v_lines) AS l(seat text, category text, type text, price integer)
    WHERE l.price IS NULL ORDER BY l.seat LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'There is no price for % at this show. Ask a manager to set it.',
            v_bad USING ERRCODE = 'BO003';
    END IF;
    SELECT coalesce(sum(l.price), 0) INTO v_total
    FROM jsonb_to_recordset(v_lines) AS l(price integer);
    IF v_total > 0 AND p_method IS NULL THEN
        RAISE EXCEPTION 'Choose how the customer pays % (cash, card, voucher or invoice).',
            boxoffice_money_text(v_total) USING ERRCODE = 'BO003';
    END IF;
    IF v_total > 0 AND p_method = 'voucher' AND nullif(btrim(p_reference), '') IS NULL THEN
        RAISE EXCEPTION 'Type the voucher''s code to pay % by voucher.',
            boxoffice_money_text(v_total) USING ERRCODE = 'BO003';
    END IF;
    IF p_tendered IS NOT NULL AND p_method IS DISTINCT FROM 'cash' THEN
        RAISE EXCEPTION 'An amount given is only recorded for cash.' USING ERRCODE = 'BO003';
    END IF;
    IF p_tendered IS NOT NULL AND p_tendered < v_total THEN
        RAISE EXCEPTION 'The customer gave %, the tickets cost %.',
            boxoffice_money_text(p_tendered), boxoffice_money_text(v_total)
            USING ERRCODE = 'BO003';
    END IF;
    -- Free tickets move no money: no method, no change, no payment row.
    IF v_total = 0 THEN
        p_method := NULL;
        p_tendered := NULL;
    END IF;
    v_change := CASE WHEN p_tendered IS NULL THEN NULL ELSE p_tendered - v_total END;
    INSERT INTO booking_tickets (booking_id, show_id, seat_number, category, ticket_type,
                                 price)
    SELECT p_booking, v_show, l.seat, l.category, l.type, l.price
    FROM jsonb_to_recordset(v_lines) AS l(seat text, category text, type text, price integer)
    ORDER BY l.seat;
    IF v_total > 0 THEN  -- free tickets move no money: no payment row
        INSERT INTO payments (booking_id, show_id, kind, method, amount, tendered,
                              change_due, reference, user_name, counter)
        VALUES (p_booking, v_show, 'payment', p_method, v_total, p_tendered, v_change,
                p_reference, v_clerk, p_counter)
        RETURNING id INTO v_payment;
    END IF;
    INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
    VALUES ('payment_taken', p_counter, v_show, p_booking, v_seats, jsonb_build_object(
        'clerk', v_clerk, 'method', p_method, 'amount', v_total, 'tendered', p_tendered,
        'change', v_change, 'reference', p_reference, 'payment', v_payment,
        'currency', (SELECT v.currency FROM venue_settings v), 'tickets', v_lines));
    -- The cash-up refreshes on money, not on every hold.
    PERFORM boxoffice_notify(v_show, NULL, 'money', p_booking, p_counter);
    RETURN QUERY SELECT 'paid'::text, 'CONFIRMED'::text, v_total, v_change, v_payment;
END
$$;
