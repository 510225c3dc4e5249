-- A payment by voucher names the voucher: its code is how the voucher is redeemed and
-- traced. The trigger payments_voucher_has_code (migration 0007) runs this on every
-- insert, so a raw SQL client is refused too; refunds by voucher need no code.
CREATE OR REPLACE FUNCTION boxoffice_voucher_has_code() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF NEW.kind = 'payment' AND NEW.method = 'voucher'
       AND btrim(coalesce(NEW.reference, '')) = '' THEN
        RAISE EXCEPTION 'Type the voucher''s code: a voucher payment is recorded with it.'
            USING ERRCODE = 'BO003';
    END IF;
    RETURN NEW;
END
$$;
