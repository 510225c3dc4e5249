"""The manager's window: shows (create, edit, delete, per-show layout) and halls with
their layout editor. Opened lazily from the main window's menu.

May import the core, Qt and `ui.common`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QTabWidget, QWidget

from boxoffice.staff import Rights, my_rights
from boxoffice.ui.manager.hall_list import HallsPage
from boxoffice.ui.manager.layout_editor import LayoutEditor
from boxoffice.ui.manager.layout_preview import LayoutPreview
from boxoffice.ui.manager.show_editor import ShowDialog, ShowsPage

__all__ = ["ManagerWindow", "LayoutEditor", "LayoutPreview", "ShowDialog"]


class ManagerWindow(QMainWindow):
    """Shows and halls for managers; every database call goes through ``runner``."""

    def __init__(self, runner: Any, parent: QWidget | None = None,
                 counter: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("managerWindow")
        self.setWindowTitle("Shows and halls")  # Qt adds "— BoxOffice"
        self.runner = runner
        self.dialog: QDialog | None = None
        self.shows_page = ShowsPage(runner, counter=counter)
        self.halls_page = HallsPage(runner, counter=counter)
        self.tabs = QTabWidget(objectName="managerTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setStyleSheet(
            "QTabBar::tab { padding: 8px 18px; border: none; color: #4b5563; }"
            "QTabBar::tab:selected { color: #1d4ed8; font-weight: 600;"
            " border-bottom: 2px solid #2563eb; }"
            "QTabWidget::pane { border: none; }")
        self.tabs.addTab(self.shows_page, "&Shows")
        self.tabs.addTab(self.halls_page, "&Halls")
        self.setCentralWidget(self.tabs)
        self.halls_page.halls_changed.connect(self.shows_page.refresh)

        menu = self.menuBar().addMenu("&Manage")
        for text, key, slot in (
            ("&New show…", "Ctrl+N", self._new_show),
            ("New &hall", "Ctrl+Shift+N", self._new_hall),
            ("&Prices of the selected show…", "Ctrl+Shift+P", self.shows_page.edit_prices),
            ("&Ticket types and currency…", "Ctrl+Shift+T", self._ticket_types),
            ("&Refresh", QKeySequence.StandardKey.Refresh, self.refresh),
            ("&Close", QKeySequence.StandardKey.Close, self.close),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            menu.addAction(action)
            self.addAction(action)
        self.status_label = QLabel(f"Counter: {counter}" if counter else "")
        self.statusBar().addPermanentWidget(self.status_label)
        self.resize(1280, 800)
        self.rights: Rights | None = None
        self.runner.run(my_rights, success=self.apply_rights, label="rights of this login")
        self.refresh()

    def apply_rights(self, rights: Rights) -> None:
        """Prices are for managers (PostgreSQL grants the price tables to them only)."""
        self.rights = rights
        self.shows_page.set_can_price(rights.can_manage_shows)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Unsaved layout edits are not lost by closing the window without a word."""
        if self.halls_page.editor.is_dirty():
            event.ignore()
            self.tabs.setCurrentWidget(self.halls_page)

            def close_anyway() -> None:
                self.halls_page.editor.revert()
                self.close()

            self.halls_page.when_discarded(close_anyway)
            return
        super().closeEvent(event)

    def refresh(self) -> None:
        self.shows_page.refresh()
        self.halls_page.refresh()

    def _new_show(self) -> None:
        self.tabs.setCurrentWidget(self.shows_page)
        self.shows_page.new_show()

    def _ticket_types(self) -> None:
        from boxoffice.ui.manager.ticket_types import TicketTypesDialog

        if self.rights is None or not self.rights.can_manage_shows:
            return
        self.dialog = TicketTypesDialog(self.runner, self)
        self.dialog.open()

    def _new_hall(self) -> None:
        self.tabs.setCurrentWidget(self.halls_page)
        self.halls_page._new_hall()
