"""The till count under the cash-up's tills: which till, the cash counted, Record count.

What the clerk types is parsed with the venue currency's ``parse`` (a clear message for
"twelve" or "12.505"), then ``money.record_cash_count`` runs on the operation runner;
``counted`` tells the window to refresh, so the difference follows at once.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from boxoffice import money
from boxoffice.errors import BoxOfficeError
from boxoffice.money import Currency
from boxoffice.money.labels import till_name
from boxoffice.ui.common.runner import OperationRunner

Till = tuple[str | None, str]  # counter, clerk


class TillCount(QWidget):
    counted = Signal(int)  # minor units, after the count was recorded

    def __init__(self, runner: OperationRunner, day: Callable[[], date],
                 currency: Callable[[], Currency | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._day = day
        self._currency = currency
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 0)
        self.till_box = QComboBox()
        self.till_box.setObjectName("CashUpTill")
        self.till_box.setMinimumWidth(200)
        self.edit = QLineEdit()
        self.edit.setObjectName("CashUpCounted")
        self.edit.setPlaceholderText("e.g. 412.50")
        self.edit.setMaximumWidth(140)
        self.edit.returnPressed.connect(self.record)
        self.button = QPushButton("Record count")
        self.button.setObjectName("PrimaryButton")
        self.button.clicked.connect(self.record)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.blind = QCheckBox("Blind count")
        self.blind.setObjectName("CashUpBlind")
        self.blind.setToolTip("Hide the cash expected until the count is recorded")
        row.addWidget(self.blind)
        row.addWidget(QLabel("Cash counted in"))
        row.addWidget(self.till_box)
        row.addWidget(self.edit)
        row.addWidget(self.button)
        row.addWidget(self.message, 1)

    def set_allowed(self, allowed: bool) -> None:
        for w in (self.till_box, self.edit, self.button):
            w.setEnabled(allowed)
        if not allowed:
            self.message.setText("This login cannot record a cash count.")

    def set_tills(self, tills: list[Till]) -> None:
        """The first till is the login's own; keep the choice across refreshes."""
        chosen = self.till_box.currentData()
        self.till_box.clear()
        for till in tills:
            self.till_box.addItem(till_name(*till) + (" (you)" if till == tills[0] else ""),
                                  till)
        if chosen in tills:
            self.till_box.setCurrentIndex(tills.index(chosen))

    def record(self) -> None:
        currency = self._currency()
        till = self.till_box.currentData()
        if currency is None or till is None:
            return
        try:
            counted = currency.parse(self.edit.text(), "counted cash")
        except BoxOfficeError as exc:
            self._say(exc.message, "#b91c1c")
            return
        counter, clerk = till
        day = self._day()
        self.button.setEnabled(False)

        def done(_id: int) -> None:
            self.button.setEnabled(True)
            self.edit.clear()
            self._say(f"Recorded {currency.format(counted)} for {till_name(counter, clerk)}.",
                      "#15803d")
            self.counted.emit(counted)

        def failed(error: BaseException) -> None:
            self.button.setEnabled(True)
            if not isinstance(error, BoxOfficeError):
                self.runner.unexpected_error.emit(error)
                return
            self._say(error.message, "#b91c1c")

        self.runner.run(lambda db: money.record_cash_count(db, day, counted, clerk=clerk,
                                                           counter=counter),
                        success=done, failure=failed, label="cash count", owner=self)

    def _say(self, text: str, colour: str) -> None:
        self.message.setText(f"<span style='color:{colour}'>{html.escape(text)}</span>")
