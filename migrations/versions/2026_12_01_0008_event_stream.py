"""a gap-free event stream: each event carries its transaction id; relay positions;
batched live changes

- ``booking_events.txid xid8``: the id of the transaction that wrote the event, stamped by
  ``boxoffice_stamp_actor`` (a client cannot forge it). Event ids are taken at insert but
  become visible at commit, in another order, so "the last id I handled" skips an event
  that commits late. A reader that takes only events with ``txid`` below
  ``pg_snapshot_xmin(pg_current_snapshot())`` - every transaction below it has ended - in
  ``(txid, id)`` order, after the ``(txid, id)`` it last handled, never skips one
  (boxoffice/events/stream.py). Rows written before this migration all carry its txid.
- ``event_relay_positions``: where each stream consumer (the NATS relay) got to, kept in
  the database so a restarted or taken-over relay resumes there.
- ``live_changes`` (unlogged) and ``boxoffice_notify``: while the designated live
  notifier holds its advisory lock, a seat change is queued there instead of sent as a
  NOTIFY inside the booking's transaction; the notifier announces a batch of them per
  NOTIFY (boxoffice/events/notifier.py). Without one, changes are announced as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from boxoffice.sqlsource import downgrade_objects, upgrade_objects

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The append-only trigger refuses UPDATE, not a column added with its default.
    op.execute("ALTER TABLE booking_events "
               "ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id()")
    op.execute("CREATE INDEX ix_booking_events_stream ON booking_events (txid, id)")
    op.execute("""
        CREATE TABLE event_relay_positions (
            consumer text PRIMARY KEY,
            txid xid8 NOT NULL,
            event_id bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )""")
    op.execute("GRANT SELECT ON event_relay_positions TO boxoffice_viewer")
    op.execute("""
        CREATE UNLOGGED TABLE live_changes (
            id bigserial PRIMARY KEY,
            payload text NOT NULL
        )""")
    # A manager's show edits and the expiry role call boxoffice_notify as themselves.
    op.execute("GRANT INSERT ON live_changes TO boxoffice_manager, boxoffice_expiry")
    op.execute("GRANT USAGE ON SEQUENCE live_changes_id_seq "
               "TO boxoffice_manager, boxoffice_expiry")
    upgrade_objects(__file__, revision)


def downgrade() -> None:
    downgrade_objects(__file__, revision)
    op.execute("DROP TABLE live_changes")
    op.execute("DROP TABLE event_relay_positions")
    op.execute("DROP INDEX ix_booking_events_stream")
    op.execute("ALTER TABLE booking_events DROP COLUMN txid")
