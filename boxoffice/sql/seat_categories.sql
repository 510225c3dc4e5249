-- Each seat of a show with the price category that prices it: its own, or (none set)
-- the show's first category by sort order; NULL when the show has no categories at all
-- (its tickets are free). The one statement of that rule for boxoffice_pay, the
-- exchange and the audit.
CREATE OR REPLACE VIEW seat_categories AS
SELECT ss.show_id, ss.seat_number, pc.id AS category_id, pc.name AS category
FROM show_seats ss
LEFT JOIN price_categories pc ON pc.id = coalesce(ss.price_category_id, (
    SELECT d.id FROM price_categories d WHERE d.show_id = ss.show_id
    ORDER BY d.sort_order, d.id LIMIT 1));
