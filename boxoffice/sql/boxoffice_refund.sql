-- refund: some or all sold tickets of a booking, by method; money events
CREATE OR REPLACE FUNCTION boxoffice_refund(p_booking bigint, p_seats text[], p_method text,
                                            p_clerk text, p_counter text, p_reason text)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    v_show bigint;
    v_clerk text := boxoffice_acting_clerk(p_clerk);
    v_method text;
    v_amount bigint;
    v_seats text[];
    v_lines jsonb;
    v_payment bigint;
BEGIN
    WITH refunded AS (
        UPDATE booking_tickets t SET status = 'REFUNDED', refunded_at = now()
        WHERE t.booking_id = p_booking AND t.status = 'SOLD'
          AND (p_seats IS NULL OR t.seat_number = ANY(p_seats))
        RETURNING t.show_id, t.seat_number, t.category, t.ticket_type, t.price
    )
    SELECT max(r.show_id), coalesce(sum(r.price), 0),
           array_agg(r.seat_number ORDER BY r.seat_number),
           jsonb_agg(jsonb_build_object('seat', r.seat_number, 'category', r.category,
                                        'type', r.ticket_type, 'price', r.price)
                     ORDER BY r.seat_number)
    INTO v_show, v_amount, v_seats, v_lines FROM refunded r;
    IF v_show IS NULL THEN
        RETURN 0;  -- nothing was paid for these seats
    END IF;
    v_method := coalesce(p_method, (
        SELECT p.method FROM payments p WHERE p.booking_id = p_booking
        AND p.kind = 'payment' ORDER BY p.id DESC LIMIT 1), 'cash');
    IF v_amount > 0 THEN
        INSERT INTO payments (booking_id, show_id, kind, method, amount, user_name, counter,
                              reference)
        VALUES (p_booking, v_show, 'refund', v_method, v_amount, v_clerk, p_counter,
                p_reason)
        RETURNING id INTO v_payment;
    END IF;
    INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
    VALUES ('refund_given', p_counter, v_show, p_booking, v_seats, jsonb_build_object(
        'clerk', v_clerk, 'method', v_method, 'amount', v_amount, 'payment', v_payment,
        'reason', p_reason, 'currency', (SELECT v.currency FROM venue_settings v),
        'tickets', v_lines));
    PERFORM boxoffice_notify(v_show, NULL, 'money', p_booking, p_counter);
    RETURN v_amount;
END
$$;
