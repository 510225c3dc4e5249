"""The cash-up window's four tables: takings by method, tills, tickets, occupancy.

Read-only ``QTableWidget``s refilled from one ``CashUp`` at a time; numbers right-aligned,
a bold total row, the cash difference red when short and green when it balances.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from boxoffice.money.cashup import CashUp
from boxoffice.money.labels import method_name
from boxoffice.ui.cashup.charts import till_methods

GOOD, BAD, NEUTRAL = "#15803d", "#b91c1c", "#111827"

Cell = str | tuple[str, str]  # text, or (text, colour)


def diff_colour(diff: int | None) -> str:
    return NEUTRAL if diff is None else BAD if diff < 0 else GOOD


def _table(name: str) -> QTableWidget:
    t = QTableWidget(0, 0)
    t.setObjectName(name)
    t.verticalHeader().hide()
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setAlternatingRowColors(True)
    t.setShowGrid(False)
    t.setWordWrap(False)
    t.verticalHeader().setDefaultSectionSize(26)
    return t


def fill(table: QTableWidget, headers: Sequence[str], rows: Sequence[Sequence[Cell]],
         total: Sequence[Cell] | None = None) -> None:
    """Replace the table's contents: the first column left-aligned, numbers right."""
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    every = [*rows, *([total] if total is not None else [])]
    table.setRowCount(len(every))
    bold = QFont(table.font())
    bold.setBold(True)
    for r, row in enumerate(every):
        for c, cell in enumerate(row):
            text, colour = (cell, None) if isinstance(cell, str) else cell
            item = QTableWidgetItem(text)
            align = Qt.AlignmentFlag.AlignLeft if c == 0 else Qt.AlignmentFlag.AlignRight
            item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
            if colour:
                item.setForeground(QBrush(QColor(colour)))
            if total is not None and r == len(every) - 1:
                item.setFont(bold)
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)


class CashUpTables:
    def __init__(self) -> None:
        self.methods = _table("CashUpMethods")
        self.tills = _table("CashUpTills")

        self.tickets = _table("CashUpTickets")
        self.occupancy = _table("CashUpOccupancy")

    def show(self, cu: CashUp) -> None:
        money = cu.currency.format

        def m(amount: int) -> str:
            return money(amount, code=False)

        def d(diff: int | None) -> Cell:
            if diff is None:
                return "—"
            return (("+" if diff > 0 else "") + m(diff), diff_colour(diff))

        fill(self.methods, ["Method", "Payments", "Taken", "Refunds", "Refunded", "Net"],
             [[method_name(x.method), str(x.payments), m(x.taken), str(x.refunds),
               m(x.refunded), m(x.net)] for x in cu.methods],
             ["Total", str(sum(x.payments for x in cu.methods)), m(cu.taken), str(cu.refunds),
              m(cu.refunded), m(cu.net)])

        used = till_methods(cu)
        fill(self.tills, ["Counter · clerk", "Tickets", *[method_name(x) for x in used],
                          "Expired", "Cash expected", "Counted", "Difference"],
             [[f"{t.counter or '—'} · {t.clerk}", str(t.tickets),
               *[m(t.taken.get(x, 0) - t.refunded.get(x, 0)) for x in used],
               str(t.expired_holds), m(t.cash_expected),
               "—" if t.counted is None else m(t.counted), d(t.difference)] for t in cu.tills],
             ["Total", str(sum(t.tickets for t in cu.tills)),
              *[m(sum(t.taken.get(x, 0) - t.refunded.get(x, 0) for t in cu.tills)) for x in used],
              str(sum(t.expired_holds for t in cu.tills)), m(cu.cash_expected),
              "—" if cu.cash_counted is None else m(cu.cash_counted), d(cu.cash_difference)])
        # As tall as its rows (up to eight tills): the tickets below get the rest.
        rows = min(self.tills.rowCount(), 9)
        self.tills.setFixedHeight(self.tills.horizontalHeader().sizeHint().height()
                                  + 26 * max(rows, 2) + 4)
        self.tills.setToolTip("Method columns are net of refunds; Difference is the cash "
                              "counted minus the cash expected (negative: short).")

        fill(self.tickets, ["Show", "Starts", "Type", "Sold", "Amount", "Refunded", "Refund",
                            "Net"],
             [[t.show_name, _when(t.start_time), t.ticket_type, str(t.sold), m(t.sold_amount),
               str(t.refunded), m(t.refunded_amount), m(t.sold_amount - t.refunded_amount)]
              for t in cu.tickets],
             ["Total", "", "", str(cu.tickets_sold), m(sum(t.sold_amount for t in cu.tickets)),
              str(cu.tickets_refunded), m(sum(t.refunded_amount for t in cu.tickets)),
              m(sum(t.sold_amount - t.refunded_amount for t in cu.tickets))])

        fill(self.occupancy, ["Show", "Starts", "Seats", "Sold", "Held", "Full"],
             [[o.name, _when(o.start_time), str(o.capacity), str(o.sold), str(o.held),
               f"{100 * o.sold_share:.0f}%"] for o in cu.occupancy])


def _when(start: datetime | None) -> str:
    return "" if start is None else f"{start.astimezone():%a %d %b %H:%M}"
