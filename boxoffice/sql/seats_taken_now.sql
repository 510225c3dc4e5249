-- Every seat taken now: sold, or held by a booking whose deadline is still ahead. A
-- hold past its deadline counts as free, as it does for the next sale, even before the
-- expiry job sweeps it away (holds_overdue names those bookings: a booking's seats are
-- either here or its booking is there). The seat map, the show list, the cash-up's
-- occupancy and a layout change all count taken seats through this one rule.
CREATE OR REPLACE VIEW seats_taken_now AS
SELECT bs.show_id, bs.seat_number, bs.booking_id,
       CASE WHEN b.status = 'CONFIRMED' THEN 'sold' ELSE 'held' END AS state,
       b.hold_deadline, b.counter, b.user_name, b.customer_name
FROM booking_seats bs
JOIN bookings b ON b.id = bs.booking_id
WHERE b.status = 'CONFIRMED' OR (b.status = 'PENDING' AND b.hold_deadline > now());
