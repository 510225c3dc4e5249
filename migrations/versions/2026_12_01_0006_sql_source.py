"""seats taken now: one rule for sold and live-held seats, money notifications, and the
database's functions single-sourced in boxoffice/sql

- ``seats_taken_now``: one row per seat sold or held by a PENDING booking whose deadline
  is still ahead (state 'sold' or 'held'), which the seat map, show list, cash-up and a
  layout change read; ``holds_overdue``: the PENDING bookings past their deadline, which
  the booking, exchange and expiry functions release.
- ``boxoffice_book``, ``boxoffice_exchange`` and ``boxoffice_expire`` find stale holds
  through ``holds_overdue``; ``boxoffice_pay``, ``boxoffice_refund`` and
  ``boxoffice_record_cash_count`` notify ``boxoffice_changes`` with state 'money' (show
  and booking null for a till count) inside their transactions, so a cash-up refreshes
  on money rather than on every hold.
- From here on each function and view has one living source, boxoffice/sql/<name>.sql;
  this migration loads its copies in migrations/sql/0006/, and its downgrade the
  baseline migrations/sql/0005/ (see boxoffice/sqlsource.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from boxoffice.sqlsource import downgrade_objects, upgrade_objects

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_objects(__file__, revision)
    op.execute("GRANT SELECT ON seats_taken_now, holds_overdue "
               "TO boxoffice_viewer, boxoffice_expiry")


def downgrade() -> None:
    downgrade_objects(__file__, revision)
