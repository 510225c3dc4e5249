-- A standing area sells by quantity. Under the show's lock, the first places
-- <area>#n that are not taken now (free, or held by a hold past its deadline, which
-- boxoffice_book releases) go to boxoffice_book, so they are held, sold, expired,
-- refunded and exchanged like seats. The places are rows of show_seats: capacity is their
-- count, and UNIQUE (show_id, seat_number) keeps one place to one booking whatever the
-- client. Fewer places left than asked: BO003 with the number left, nothing written.
-- Outcomes otherwise as boxoffice_book's ('unknown' with the area when it has no places).
CREATE OR REPLACE FUNCTION boxoffice_book_standing(
               p_show bigint, p_area text, p_quantity integer, p_status text, p_clerk text,
               p_customer text, p_counter text, p_hold_seconds integer)
RETURNS TABLE (outcome text, seats text[], id bigint, show_id bigint, status text,
               seats_requested integer, user_name text, customer_name text, counter text,
               hold_deadline timestamptz, request_key text, created_at timestamptz,
               updated_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_places text[];
    v_name text;
BEGIN
    IF p_quantity IS NULL OR p_quantity < 1 THEN
        RAISE EXCEPTION 'Ask for at least one standing place.' USING ERRCODE = 'BO003';
    END IF;
    PERFORM 1 FROM shows s WHERE s.id = p_show FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_show'::text, NULL::text[], NULL::bigint, NULL::bigint,
            NULL::text, NULL::integer, NULL::text, NULL::text, NULL::text,
            NULL::timestamptz, NULL::text, NULL::timestamptz, NULL::timestamptz;
        RETURN;
    END IF;
    SELECT ss.row_label INTO v_name FROM show_seats ss
    WHERE ss.show_id = p_show AND ss.standing_area = p_area LIMIT 1;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'unknown'::text, ARRAY[p_area], NULL::bigint, NULL::bigint,
            NULL::text, NULL::integer, NULL::text, NULL::text, NULL::text,
            NULL::timestamptz, NULL::text, NULL::timestamptz, NULL::timestamptz;
        RETURN;
    END IF;
    v_places := ARRAY(
        SELECT ss.seat_number FROM show_seats ss
        WHERE ss.show_id = p_show AND ss.standing_area = p_area AND ss.sellable
          AND NOT EXISTS (SELECT 1 FROM seats_taken_now t
                          WHERE t.show_id = p_show AND t.seat_number = ss.seat_number)
        ORDER BY ss.column_index
        LIMIT p_quantity);
    IF cardinality(v_places) < p_quantity THEN
        RAISE EXCEPTION 'Only % standing place(s) left in %; % asked for. Nothing was booked.',
            cardinality(v_places), v_name, p_quantity USING ERRCODE = 'BO003';
    END IF;
    RETURN QUERY SELECT * FROM boxoffice_book(p_show, v_places, p_status, p_clerk, p_customer,
                                              p_counter, p_hold_seconds, NULL);
END
$$;
