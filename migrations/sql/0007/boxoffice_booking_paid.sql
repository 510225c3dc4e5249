-- How much was paid for a booking and given back, over every till. Row-level security
-- shows a clerk only their own payment rows; this tells them the totals (never who took
-- the money, how, or when), so a sale paid at another till never reads as unpaid.
CREATE OR REPLACE FUNCTION boxoffice_booking_paid(p_booking bigint)
RETURNS TABLE (paid bigint, refunded bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT coalesce(sum(p.amount) FILTER (WHERE p.kind = 'payment'), 0)::bigint,
           coalesce(sum(p.amount) FILTER (WHERE p.kind = 'refund'), 0)::bigint
    FROM payments p WHERE p.booking_id = p_booking
$$;
