"""venue charts: halls and shows keep a chart (levels, sections, rows, free positions,
standing areas); show_seats learn where each seat is drawn and what it is called

- ``halls.chart`` and ``shows.chart`` (jsonb, format 1 of ``boxoffice.charts.model``):
  every existing grid layout becomes the chart it draws — one level, one section, a row
  per grid row, seats at their cells, ids = the grid labels — so no seat sold or held
  is renamed. ``layout`` (the grid the layout editor edits) becomes optional: an imported
  chart has none.
- ``show_seats`` gains ``pos_x``, ``pos_y`` (not x, y: the functions name seats x), ``rotation``, ``level``, ``section``, ``seat_label``
  (the number as text: "12 bis"), ``restricted_view``, ``blocked_reason`` (set exactly
  when the seat does not sell) and ``standing_area`` (a standing area's places
  ``<area>#1..#N`` are rows too, so capacity is their count and the unique seat
  constraint guards them). Existing rows are filled from their grid cells and layouts.
- ``boxoffice_book_standing``: a standing area sold by quantity through boxoffice_book,
  under the show's lock; granted to clerks like boxoffice_book.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:10:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from boxoffice.sqlsource import downgrade_objects, upgrade_objects

BOOK_STANDING = ("boxoffice_book_standing(bigint, text, integer, text, text, text, text, "
                 "integer)")

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def grid_chart(layout: dict[str, Any], name: str) -> dict[str, Any]:
    """A stored grid layout as a stored chart (format 1), frozen here so that a later
    change of the chart code never rewrites what this migration did."""
    blocked = set(layout.get("blocked", []))
    wheelchair = set(layout.get("wheelchair", []))
    companion = set(layout.get("companion", []))
    reasons = layout.get("blocked_reasons", {})
    rows = []
    for ri, row in enumerate(layout["rows"]):
        seats = []
        for col, number in enumerate(row["seats"]):
            if number is None:
                continue
            label = f"{row['label']}{number}"
            seat: dict[str, Any] = {"id": label, "number": str(number), "x": float(col),
                                    "y": float(ri)}
            if label in wheelchair:
                seat["access"] = "wheelchair"
            elif label in companion:
                seat["access"] = "companion"
            if label in blocked:
                seat["blocked"] = reasons.get(label) or "Blocked"
            seats.append(seat)
        rows.append({"label": row["label"], "seats": seats})
    return {"chart": 1, "name": name,
            "width": float(max((len(r["seats"]) for r in layout["rows"]), default=0)),
            "height": float(len(layout["rows"])), "focal_point": None, "categories": [],
            "shapes": [], "levels": [{"name": "", "sections": [
                {"name": "", "rows": rows, "standing": []}]}]}


def upgrade() -> None:
    conn = op.get_bind()
    for table in ("halls", "shows"):
        op.add_column(table, sa.Column("chart", JSONB(), nullable=True))
        name = "name" if table == "halls" else "hall_name"
        for row in conn.execute(sa.text(f"SELECT id, {name} AS name, layout FROM {table}")):
            conn.execute(sa.text(f"UPDATE {table} SET chart = CAST(:c AS jsonb) WHERE id = :i"),
                         {"c": json.dumps(grid_chart(row.layout, row.name)), "i": row.id})
        op.alter_column(table, "chart", nullable=False)
        op.alter_column(table, "layout", nullable=True)
    for column in (
        sa.Column("pos_x", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("pos_y", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("rotation", sa.Float(), nullable=True),
        sa.Column("level", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("section", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("seat_label", sa.Text(), nullable=True),
        sa.Column("restricted_view", sa.Boolean(), server_default=sa.text("false"),
                  nullable=False),
        sa.Column("blocked_reason", sa.Text(), nullable=True),
        sa.Column("standing_area", sa.Text(), nullable=True),
    ):
        op.add_column("show_seats", column)
    op.execute("""
        UPDATE show_seats ss
        SET pos_x = ss.column_index, pos_y = ss.row_index,
            seat_label = substr(ss.seat_number, char_length(ss.row_label) + 1),
            blocked_reason = CASE WHEN ss.sellable THEN NULL
                                  ELSE coalesce(s.layout -> 'blocked_reasons' ->> ss.seat_number,
                                                'Blocked') END
        FROM shows s WHERE s.id = ss.show_id
    """)
    op.create_check_constraint("blocked_has_reason", "show_seats",
                               "sellable = (blocked_reason IS NULL)")
    op.create_check_constraint(
        "standing_place_named", "show_seats",
        "standing_area IS NULL OR (seat_number LIKE standing_area || '#%' "
        "AND kind = 'standard')")
    upgrade_objects(__file__, revision)
    op.execute(f"REVOKE EXECUTE ON FUNCTION {BOOK_STANDING} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {BOOK_STANDING} TO boxoffice_clerk")


def downgrade() -> None:
    conn = op.get_bind()
    charted = conn.execute(sa.text(
        "SELECT (SELECT count(*) FROM halls WHERE layout IS NULL) + "
        "(SELECT count(*) FROM shows WHERE layout IS NULL)")).scalar_one()
    if charted:
        raise RuntimeError(f"{charted} halls or shows have an imported chart and no grid "
                           "layout; revision 0008 cannot hold them. Delete them first.")
    downgrade_objects(__file__, revision)
    op.drop_constraint("ck_show_seats_standing_place_named", "show_seats")
    op.drop_constraint("ck_show_seats_blocked_has_reason", "show_seats")
    for name in ("standing_area", "blocked_reason", "restricted_view", "seat_label",
                 "section", "level", "rotation", "pos_y", "pos_x"):
        op.drop_column("show_seats", name)
    for table in ("shows", "halls"):
        op.alter_column(table, "layout", nullable=False)
        op.drop_column(table, "chart")
