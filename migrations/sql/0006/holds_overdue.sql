-- Holds past their deadline that nobody has released yet: their seats are not in
-- seats_taken_now, and the next sale of one of them, an exchange onto it, a layout
-- change or the expiry job releases them. A plain view over bookings, so the partial
-- index ix_bookings_stale_holds serves it and FOR UPDATE SKIP LOCKED locks its rows.
CREATE OR REPLACE VIEW holds_overdue AS
SELECT b.id, b.show_id, b.counter, b.user_name, b.hold_deadline
FROM bookings b
WHERE b.status = 'PENDING' AND b.hold_deadline <= now();
