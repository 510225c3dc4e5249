-- The booking transaction as BoxOffice sends it since migrations 0002/0003: one call of
-- boxoffice_book (autocommit, so one statement is the whole locked transaction), and for
-- a hold, boxoffice_confirm in a transaction, then the booking read back, as
-- booking.confirm does (BoxOffice sends those four statements as one simple-protocol
-- message, one round trip; pgbench's prepared mode sends them one by one). The tighter
-- limit:
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
SELECT * FROM boxoffice_confirm(CAST(:bid AS bigint), 'bench', 'pgbench', NULL);
COMMIT;
SELECT b.id, b.show_id, b.status, b.seats_requested, b.user_name, b.customer_name, b.counter,
       b.hold_deadline, b.request_key, b.created_at, b.updated_at,
       coalesce((SELECT array_agg(bs.seat_number ORDER BY bs.id) FROM booking_seats bs
                 WHERE bs.booking_id = b.id), '{}') AS seats
FROM bookings b WHERE b.id = CAST(:bid AS bigint);
\endif
\endif
