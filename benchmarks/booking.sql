-- The booking transaction of boxoffice/booking.py as plain SQL, for pgbench: the limit.
--
-- Same steps, same statements, same order as the Python client issues them (sell, or
-- hold then confirm), with no Python in between. `boxoffice bench` runs it as
--   pgbench -n -M prepared -f benchmarks/booking.sql -c N -j N -T S --log \
--           -D show_base=.. -D spread=0|1 -D rows=26 -D cols=.. -D sale_pct=70 -D hold_seconds=120
-- spread=1 gives each client its own show (show_base + client_id); 0 puts all on one.
-- One run of this script is one request; a hold and its confirm are timed together.

\set n random(1, 6)
\set r random(1, :rows)
\set c random(1, :cols - :n + 1)
\set show :show_base + :spread * :client_id
\set e :c + :n - 1
\set p random(1, 100)

BEGIN;
SELECT id FROM shows WHERE id = CAST(:show AS bigint) FOR UPDATE;
-- validate the seats against the layout and release expired holds on them
WITH want AS (
    SELECT ARRAY(SELECT chr(64 + CAST(:r AS int)) || g FROM generate_series(CAST(:c AS int), CAST(:e AS int)) g) AS seats
), stale AS (
    SELECT DISTINCT bs.booking_id
    FROM booking_seats bs JOIN bookings b ON b.id = bs.booking_id, want
    WHERE bs.show_id = CAST(:show AS bigint) AND bs.seat_number = ANY(want.seats)
      AND b.status = 'PENDING' AND b.hold_deadline <= now()
), released AS (
    UPDATE bookings b SET status = 'FAILED', updated_at = now()
    FROM stale
    WHERE b.id = stale.booking_id AND b.status = 'PENDING' AND b.hold_deadline <= now()
    RETURNING b.id, b.counter
), freed AS (
    DELETE FROM booking_seats bs USING released
    WHERE bs.booking_id = released.id
    RETURNING bs.booking_id, bs.seat_number
), logged AS (
    INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
    SELECT 'booking_expired', 'pgbench', CAST(:show AS bigint), f.booking_id, array_agg(f.seat_number),
           '{"released_by": "next request"}'::jsonb
    FROM freed f GROUP BY f.booking_id
)
SELECT
    cardinality(ARRAY(SELECT x FROM want, unnest(want.seats) x
          WHERE NOT EXISTS (SELECT 1 FROM show_seats ss
                            WHERE ss.show_id = CAST(:show AS bigint) AND ss.seat_number = x))) AS unknown,
    cardinality(ARRAY(SELECT ss.seat_number FROM show_seats ss, want
          WHERE ss.show_id = CAST(:show AS bigint) AND ss.seat_number = ANY(want.seats) AND NOT ss.sellable))
        AS blocked,
    ARRAY(SELECT seat_number FROM freed) AS freed,
    cardinality(ARRAY(SELECT seat_number FROM freed)) AS nfreed
\gset
\if :nfreed > 0
SELECT boxoffice_notify(CAST(:show AS bigint), CAST(:freed AS text[]), 'free', NULL, 'pgbench');
\endif
-- the PENDING booking and its seats, ON CONFLICT DO NOTHING
WITH want AS (
    SELECT ARRAY(SELECT chr(64 + CAST(:r AS int)) || g FROM generate_series(CAST(:c AS int), CAST(:e AS int)) g) AS seats
), booking AS (
    INSERT INTO bookings (show_id, seats_requested, status, user_name, customer_name, counter,
                          hold_deadline, request_key)
    VALUES (CAST(:show AS bigint), CAST(:n AS int), 'PENDING', 'bench', NULL, 'pgbench',
            now() + make_interval(secs => :hold_seconds), NULL)
    ON CONFLICT (request_key) DO NOTHING
    RETURNING id, hold_deadline
), seats AS (
    INSERT INTO booking_seats (booking_id, show_id, seat_number)
    SELECT booking.id, CAST(:show AS bigint), s FROM booking, want, unnest(want.seats) AS s
    ON CONFLICT (show_id, seat_number) DO NOTHING
    RETURNING seat_number
)
SELECT booking.id AS bid, want.seats AS wanted,
       (cardinality(ARRAY(SELECT seat_number FROM seats)) = CAST(:n AS int))::int AS ok,
       ARRAY(SELECT s FROM unnest(want.seats) s
             WHERE s NOT IN (SELECT seat_number FROM seats)) AS taken
FROM booking, want
\gset
\if :ok = 1 and :p <= :sale_pct
WITH done AS (
    UPDATE bookings SET status = 'CONFIRMED', updated_at = now(), hold_deadline = NULL
    WHERE id = CAST(:bid AS bigint)
    RETURNING *
), logged AS (
    INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
    SELECT 'booking_sold', 'pgbench', CAST(:show AS bigint), CAST(:bid AS bigint), CAST(:wanted AS text[]),
           jsonb_build_object('customer', done.customer_name IS NOT NULL,
                              'hold_deadline', done.hold_deadline)
    FROM done
)
SELECT done.*, boxoffice_notify(CAST(:show AS bigint), CAST(:wanted AS text[]), 'sold', CAST(:bid AS bigint), 'pgbench')::text
FROM done;
\elif :ok = 1
WITH done AS (
    UPDATE bookings SET status = 'PENDING', updated_at = now()
    WHERE id = CAST(:bid AS bigint)
    RETURNING *
), logged AS (
    INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
    SELECT 'booking_held', 'pgbench', CAST(:show AS bigint), CAST(:bid AS bigint), CAST(:wanted AS text[]),
           jsonb_build_object('customer', done.customer_name IS NOT NULL,
                              'hold_deadline', done.hold_deadline)
    FROM done
)
SELECT done.*, boxoffice_notify(CAST(:show AS bigint), CAST(:wanted AS text[]), 'held', CAST(:bid AS bigint), 'pgbench')::text
FROM done;
\else
-- compensation: delete the inserted seats, FAILED, and the event naming the taken seats
WITH undone AS (
    DELETE FROM booking_seats WHERE booking_id = CAST(:bid AS bigint)
), failed AS (
    UPDATE bookings SET status = 'FAILED', updated_at = now() WHERE id = CAST(:bid AS bigint)
    RETURNING id
)
INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
SELECT 'booking_failed', 'pgbench', CAST(:show AS bigint), CAST(:bid AS bigint), CAST(:wanted AS text[]),
       jsonb_build_object('taken', CAST(:taken AS text[]))
FROM failed;
\endif
COMMIT;

-- a hold that succeeded is confirmed straight away, as a paying customer would
\if :ok = 1 and :p > :sale_pct
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
    SELECT 'booking_confirmed', 'pgbench', CAST(:show AS bigint), CAST(:bid AS bigint), CAST(:wanted AS text[]),
           jsonb_build_object('customer', done.customer_name IS NOT NULL,
                              'hold_deadline', done.hold_deadline)
    FROM done
)
SELECT done.*, boxoffice_notify(CAST(:show AS bigint), CAST(:wanted AS text[]), 'sold', CAST(:bid AS bigint), 'pgbench')::text
FROM done;
COMMIT;
\endif
