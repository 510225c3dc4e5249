-- The booking transaction as BoxOffice sends it since migration 0002: one call of
-- boxoffice_book (autocommit, so one statement is the whole locked transaction), then
-- for a hold the same confirm statements as benchmarks/booking.sql. The tighter limit:
--   boxoffice bench --pgbench-script benchmarks/booking_fn.sql ...
-- Variables as in benchmarks/booking.sql.

\set n random(1, 6)
\set r random(1, :rows)
\set c random(1, :cols - :n + 1)
\set show :show_base + :spread * :client_id
\set e :c + :n - 1
\set p random(1, 100)

\if :p <= :sale_pct
SELECT * FROM boxoffice_book(CAST(:show AS bigint),
    ARRAY(SELECT chr(64 + CAST(:r AS int)) || g
          FROM generate_series(CAST(:c AS int), CAST(:e AS int)) g),
    'CONFIRMED', 'bench', NULL, 'pgbench', CAST(:hold_seconds AS integer), NULL);
\else
SELECT (outcome = 'booked')::int AS ok, id AS bid, seats AS wanted
FROM boxoffice_book(CAST(:show AS bigint),
    ARRAY(SELECT chr(64 + CAST(:r AS int)) || g
          FROM generate_series(CAST(:c AS int), CAST(:e AS int)) g),
    'PENDING', 'bench', NULL, 'pgbench', CAST(:hold_seconds AS integer), NULL)
\gset
\if :ok = 1
BEGIN;
SELECT b.id, b.show_id, b.status, b.counter, b.hold_deadline,
       b.status = 'PENDING' AND b.hold_deadline <= now() AS overdue
FROM bookings b WHERE b.id = CAST(:bid AS bigint) FOR UPDATE OF b;
UPDATE bookings SET customer_name = coalesce(NULL, customer_name) WHERE id = CAST(:bid AS bigint);
SELECT seat_number FROM booking_seats WHERE booking_id = CAST(:bid AS bigint) ORDER BY id;
WITH done AS (
    UPDATE bookings SET status = 'CONFIRMED', updated_at = now(), hold_deadline = NULL
    WHERE id = CAST(:bid AS bigint)
    RETURNING *
), logged AS (
    INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
    SELECT 'booking_confirmed', 'pgbench', CAST(:show AS bigint), CAST(:bid AS bigint),
           CAST(:wanted AS text[]),
           jsonb_build_object('customer', done.customer_name IS NOT NULL,
                              'hold_deadline', done.hold_deadline)
    FROM done
)
SELECT done.*, boxoffice_notify(CAST(:show AS bigint), CAST(:wanted AS text[]), 'sold',
                                CAST(:bid AS bigint), 'pgbench')::text
FROM done;
COMMIT;
\endif
\endif
