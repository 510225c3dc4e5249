"""The venue's ticket types (add, retire, bring back) and its currency, for managers.

Every change goes through the runner; a refusal (a name taken, a currency that cannot
change once prices or sales exist) is shown in the core's words and writes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from boxoffice import money
from boxoffice.ui.common import style
from boxoffice.ui.manager.layout_editor import explain

log = logging.getLogger(__name__)

TypeRole = Qt.ItemDataRole.UserRole + 1


def _load(db: Any) -> tuple[list[money.TicketType], money.Currency]:
    return money.list_ticket_types(db, include_retired=True), money.get_currency(db)


class TicketTypesDialog(QDialog):
    """Ticket types and the venue currency; ``changed`` after each saved change."""

    changed = Signal()

    def __init__(self, runner: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketTypesDialog")
        self.setWindowTitle("Ticket types and currency")
        self.runner = runner
        self.types: list[money.TicketType] = []

        self.list = QListWidget(objectName="ticketTypeList")
        self.list.setAlternatingRowColors(True)
        self.list.setStyleSheet(
            "QListWidget { background: #ffffff; border: 1px solid #e5e7eb; border-radius: 8px;"
            " alternate-background-color: #f9fafb; }"
            "QListWidget::item { padding: 5px 6px; }"
            "QListWidget::item:selected { background: #2563eb; color: #ffffff; }")
        self.name_edit = QLineEdit(objectName="newTicketType",
                                   placeholderText="New ticket type, e.g. Student")
        self.add_button = QPushButton("&Add type", objectName="addTicketType")
        self.toggle_button = QPushButton("&Retire", objectName="retireTicketType")
        self.toggle_button.setToolTip("A retired type is no longer sold; tickets already sold "
                                      "keep its name and price.")
        add_row = QHBoxLayout()
        add_row.addWidget(self.name_edit, 1)
        add_row.addWidget(self.add_button)
        types_box = QGroupBox("Ticket types")
        tv = QVBoxLayout(types_box)
        tv.addWidget(self.list, 1)
        tv.addLayout(add_row)
        tv.addWidget(self.toggle_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.code_edit = QLineEdit(objectName="currencyCode", maxLength=3)
        self.code_edit.setPlaceholderText("EUR")
        self.code_edit.setFixedWidth(80)
        self.decimals = QSpinBox(objectName="currencyDecimals", minimum=0, maximum=3, value=2)
        self.decimals.setFixedWidth(80)
        self.currency_button = QPushButton("Set &currency", objectName="setCurrency")
        currency_box = QGroupBox("Currency of the venue")
        form = QFormLayout(currency_box)
        form.addRow("ISO code", self.code_edit)
        form.addRow("Decimal places", self.decimals)
        form.addRow(QLabel("It can change only while no show has prices or sales.",
                           objectName="Muted", wordWrap=True))
        form.addRow("", self.currency_button)

        self.message = QLabel(objectName="Message", wordWrap=True)
        self.message.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        v = QVBoxLayout(self)
        v.addWidget(types_box, 1)
        v.addWidget(currency_box)
        v.addWidget(self.message)
        v.addWidget(buttons)

        # Enter in a field acts on that field alone: in a QDialog an auto-default button
        # would also be pressed, adding the type twice ("already exists").
        for button in (self.add_button, self.toggle_button, self.currency_button):
            button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_type)
        self.name_edit.returnPressed.connect(self.add_type)
        self.code_edit.returnPressed.connect(self.set_currency)
        self.toggle_button.clicked.connect(self.toggle_selected)
        self.currency_button.clicked.connect(self.set_currency)
        self.list.currentItemChanged.connect(lambda *_: self._update_toggle())
        self.resize(420, 520)
        self.refresh()

    # -- data -----------------------------------------------------------------------

    def refresh(self) -> None:
        self.runner.run(_load, success=self._loaded, failure=self._failed,
                        label="list ticket types")

    def _loaded(self, result: tuple[list[money.TicketType], money.Currency]) -> None:
        current = self.selected()
        self.types, currency = result
        self.list.clear()
        for t in self.types:
            item = QListWidgetItem(t.name if t.active else f"{t.name} — retired")
            item.setData(TypeRole, t)
            if not t.active:
                item.setForeground(QColor("#9ca3af"))
            self.list.addItem(item)
            if current is not None and t.name == current.name:
                self.list.setCurrentItem(item)
        self.code_edit.setText(currency.code)
        self.decimals.setValue(currency.minor_units)
        self._update_toggle()

    def selected(self) -> money.TicketType | None:
        item = self.list.currentItem()
        return item.data(TypeRole) if item is not None else None

    def _update_toggle(self) -> None:
        t = self.selected()
        self.toggle_button.setEnabled(t is not None)
        self.toggle_button.setText("&Reactivate" if t is not None and not t.active else "&Retire")

    # -- changes --------------------------------------------------------------------

    def add_type(self) -> None:
        name = self.name_edit.text()
        self._write(lambda db: money.add_ticket_type(db, name), "add ticket type",
                    lambda t: f"Added {t.name}.", clear=True)

    def toggle_selected(self) -> None:
        t = self.selected()
        if t is None:
            return
        self._write(lambda db: money.retire_ticket_type(db, t.name, active=not t.active),
                    "retire ticket type",
                    lambda r: f"{r.name} is {'on sale again' if r.active else 'retired'}.")

    def set_currency(self) -> None:
        code, minor = self.code_edit.text(), self.decimals.value()
        self._write(lambda db: money.set_currency(db, code, minor), "set currency",
                    lambda c: f"Prices are now in {c.code} with {c.minor_units} decimal places.")

    def _write(self, fn: Any, label: str, words: Any, *, clear: bool = False) -> None:
        def done(result: Any) -> None:
            if clear:
                self.name_edit.clear()
            self._say(words(result), "success")
            self.changed.emit()
            self.refresh()

        self.runner.run(fn, success=done, failure=self._failed, label=label)

    def _failed(self, error: BaseException) -> None:
        self._say(explain(error, self.runner), "error")
        self.refresh()  # show what is stored (the currency field goes back)

    def _say(self, text: str, level: str) -> None:
        style.show_message(self.message, text, level)
