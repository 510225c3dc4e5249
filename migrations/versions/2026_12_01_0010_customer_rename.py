"""issue 13 item 3: a booking's customer name can be corrected afterwards, logged

- ``boxoffice_rename_customer``: locks the booking, sets its customer name and writes a
  ``customer_renamed`` event with the old and the new name (a clerk has no UPDATE on
  bookings; this function is the one way, and it always leaves the trace).
- ``booking_events.kind`` admits ``customer_renamed``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from boxoffice.sqlsource import downgrade_objects, upgrade_objects

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAME = "boxoffice_rename_customer(bigint, text, text, text)"
# The event kinds as this revision knows them (frozen here: statuses.py moves on).
OLD_KINDS = (
    "booking_held", "booking_sold", "booking_confirmed", "booking_failed",
    "booking_released", "booking_expired", "booking_cancelled", "booking_exchanged",
    "ticket_printed", "show_deleted", "show_created", "show_changed", "hall_created",
    "hall_changed", "ticket_checked_in", "payment_taken", "refund_given",
    "booking_part_cancelled", "prices_changed",
)
NEW_KINDS = (*OLD_KINDS, "customer_renamed")


def _kinds_check(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_booking_events_kind_valid"), "booking_events", type_="check")
    op.create_check_constraint(op.f("ck_booking_events_kind_valid"), "booking_events",
                               _kinds_check(NEW_KINDS))
    upgrade_objects(__file__, revision)
    op.execute(f"REVOKE EXECUTE ON FUNCTION {RENAME} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {RENAME} TO boxoffice_clerk")


def downgrade() -> None:
    downgrade_objects(__file__, revision)  # drops the function: no earlier copy of it
    op.drop_constraint(op.f("ck_booking_events_kind_valid"), "booking_events", type_="check")
    # Renames already logged cannot stay under the old rule; the log is append-only, so the
    # constraint comes back NOT VALID rather than by deleting history.
    op.execute("ALTER TABLE booking_events ADD CONSTRAINT ck_booking_events_kind_valid "
               f"CHECK ({_kinds_check(OLD_KINDS)}) NOT VALID")
