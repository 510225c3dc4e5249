-- What moving a paid booking to p_seats does to its tickets, before anything is written:
-- one row per ticket that moves (the seats given up, in order, become the new ones, in
-- order), keeping its ticket type. A ticket moving into another category is re-priced at
-- that category's price for its type (NULL: no price set there); within its category it
-- keeps the price it was sold at. The counter shows this as the difference to take or
-- give back, and boxoffice_exchange applies exactly these rows.
CREATE OR REPLACE FUNCTION boxoffice_exchange_quote(p_booking bigint, p_seats text[])
RETURNS TABLE (old_seat text, new_seat text, ticket_type text, old_category text,
               new_category text, old_price integer, new_price integer)
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    WITH gone AS (
        SELECT t.show_id, t.seat_number, t.ticket_type, t.category, t.price,
               row_number() OVER (ORDER BY t.seat_number) AS i
        FROM booking_tickets t
        WHERE t.booking_id = p_booking AND t.status = 'SOLD'
          AND t.seat_number <> ALL(p_seats)
    ), fresh AS (
        SELECT x AS seat_number, row_number() OVER (ORDER BY x) AS i
        FROM unnest(p_seats) x
        WHERE NOT EXISTS (SELECT 1 FROM booking_seats bs
                          WHERE bs.booking_id = p_booking AND bs.seat_number = x)
    )
    SELECT g.seat_number, f.seat_number, g.ticket_type, g.category, sc.category, g.price,
           CASE WHEN sc.category IS NOT DISTINCT FROM g.category THEN g.price
                WHEN sc.category_id IS NULL THEN 0
                ELSE pr.amount END
    FROM gone g
    JOIN fresh f ON f.i = g.i
    LEFT JOIN seat_categories sc ON sc.show_id = g.show_id AND sc.seat_number = f.seat_number
    LEFT JOIN ticket_types tt ON tt.name = g.ticket_type
    LEFT JOIN prices pr ON pr.category_id = sc.category_id AND pr.ticket_type_id = tt.id
    ORDER BY g.seat_number
$$;
