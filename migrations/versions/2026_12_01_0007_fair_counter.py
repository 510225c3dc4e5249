"""issue 13: exchanges re-price, money paid at another till, vouchers carry a code,
accent-blind booking search

- ``seat_categories``: each seat with the category that prices it, one rule for
  ``boxoffice_pay``, the exchange and the audit.
- ``boxoffice_exchange`` gains ``p_method``, ``p_reference`` and ``p_expected``: a ticket
  moved into another category is re-priced (``boxoffice_exchange_quote``, which the
  counter shows first) and the difference is taken or refunded in the same transaction.
- ``boxoffice_booking_paid``: the totals paid and refunded for a booking, which
  row-level security hides from a clerk when another clerk took the money.
- ``boxoffice_pay`` refuses a voucher payment without the voucher's code, and so does a
  trigger on payments (``boxoffice_voucher_has_code``; a trigger rather than a CHECK, as
  payments are append-only and those taken before are left as they are).
- ``boxoffice_fold``: a name lower-cased with its accents off, for a booking search where
  "zoe" finds "Zoë" (plain SQL: the embedded PostgreSQL ships no unaccent extension).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from boxoffice.sqlsource import downgrade_objects, upgrade_objects

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_EXCHANGE = "boxoffice_exchange(bigint, text[], text, text)"
EXCHANGE = "boxoffice_exchange(bigint, text[], text, text, text, text, bigint)"
QUOTE = "boxoffice_exchange_quote(bigint, text[])"
PAID = "boxoffice_booking_paid(bigint)"
FOLD = "boxoffice_fold(text)"
VOUCHER = "boxoffice_voucher_has_code()"


def upgrade() -> None:
    op.execute(f"DROP FUNCTION {OLD_EXCHANGE}")  # a new signature, not an overload
    upgrade_objects(__file__, revision)
    op.execute(f"REVOKE EXECUTE ON FUNCTION {EXCHANGE}, {QUOTE}, {PAID}, {FOLD}, {VOUCHER} "
               "FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {EXCHANGE} TO boxoffice_clerk")
    op.execute(f"GRANT EXECUTE ON FUNCTION {QUOTE}, {PAID}, {FOLD} TO boxoffice_viewer")
    op.execute("GRANT SELECT ON seat_categories TO boxoffice_viewer, boxoffice_expiry")
    op.execute("CREATE TRIGGER payments_voucher_has_code BEFORE INSERT ON payments "
               "FOR EACH ROW EXECUTE FUNCTION boxoffice_voucher_has_code()")


def downgrade() -> None:
    op.execute("DROP TRIGGER payments_voucher_has_code ON payments")
    op.execute(f"DROP FUNCTION {EXCHANGE}")
    downgrade_objects(__file__, revision)  # the old exchange comes back from 0006
    op.execute(f"REVOKE EXECUTE ON FUNCTION {OLD_EXCHANGE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {OLD_EXCHANGE} TO boxoffice_clerk")
