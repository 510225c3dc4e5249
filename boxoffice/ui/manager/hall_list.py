"""The halls page: a list of halls beside the layout editor of the one selected."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from boxoffice import shows
from boxoffice.ui.manager.layout_editor import LayoutEditor, explain

log = logging.getLogger(__name__)

HallRole = Qt.ItemDataRole.UserRole + 1
HallIdRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


class HallListModel(QAbstractListModel):
    """Halls by name; ``HallRole`` gives the ``HallView``."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._halls: list[shows.HallView] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._halls)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._halls):
            return None
        hall = self._halls[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{hall.name}\n{hall.total_seats:,} seats on sale"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hall.name}: {hall.chart.row_count} rows, {hall.total_seats:,} seats on sale"
        if role == HallRole:
            return hall
        if role == HallIdRole:
            return hall.id
        return None

    def set_halls(self, halls: list[shows.HallView]) -> None:
        self.beginResetModel()
        self._halls = sorted(halls, key=lambda h: h.name.lower())
        self.endResetModel()

    def put(self, hall: shows.HallView) -> int:
        """Insert or replace one hall (after a save) without resetting the list."""
        for i, h in enumerate(self._halls):
            if h.id == hall.id:
                self._halls[i] = hall
                idx = self.index(i)
                self.dataChanged.emit(idx, idx)
                return i
        i = sum(1 for h in self._halls if h.name.lower() < hall.name.lower())
        self.beginInsertRows(QModelIndex(), i, i)
        self._halls.insert(i, hall)
        self.endInsertRows()
        return i

    def row_of(self, hall_id: int) -> int:
        return next((i for i, h in enumerate(self._halls) if h.id == hall_id), -1)

    def halls(self) -> list[shows.HallView]:
        return list(self._halls)


class HallsPage(QWidget):
    halls_changed = Signal()

    def __init__(self, runner: Any, parent: QWidget | None = None, *,
                 counter: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hallsPage")
        self.runner = runner
        self.model = HallListModel(self)
        self.view = QListView(objectName="hallList")
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)
        self.view.setSpacing(2)
        self.new_button = QPushButton("&New hall", objectName="newHallButton")
        self.status = QLabel(objectName="Muted", wordWrap=True)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Halls", objectName="PanelTitle")
        lv.addWidget(title)
        lv.addWidget(self.view, 1)
        lv.addWidget(self.new_button)
        lv.addWidget(self.status)
        self.editor = LayoutEditor(runner, counter=counter)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.editor)
        split.setStretchFactor(1, 1)
        split.setSizes([200, 1000])
        lay = QHBoxLayout(self)
        lay.addWidget(split)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.new_button.clicked.connect(self._new_hall)
        self.editor.saved.connect(self._saved)
        self._select_after_load: int | None = None
        self.discard_box: QMessageBox | None = None

    def refresh(self) -> None:
        self.status.setText("Loading halls…")
        self.runner.run(shows.list_halls, success=self._loaded, failure=self._failed,
                        label="list halls")

    def _loaded(self, halls: list[shows.HallView]) -> None:
        current = self._select_after_load or (self.editor.hall_id if self.editor.hall_id else None)
        self.model.set_halls(halls)
        self.status.setText("" if halls else "No halls yet: create the first one.")
        row = self.model.row_of(current) if current else (0 if halls and not
                                                          self.editor.is_dirty() else -1)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))
        self._select_after_load = None

    def _failed(self, error: BaseException) -> None:
        self.status.setText(explain(error, self.runner))

    def select_hall(self, hall_id: int) -> None:
        row = self.model.row_of(hall_id)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        hall = current.data(HallRole) if current.isValid() else None
        if hall is None or hall.id == self.editor.hall_id and not self.editor.is_dirty():
            return
        back = previous.row() if previous.isValid() else -1
        self.when_discarded(lambda: self.editor.load_hall(hall), undo=lambda: self._reselect(back))

    def _reselect(self, row: int) -> None:
        sm = self.view.selectionModel()
        sm.blockSignals(True)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))
        else:
            sm.clearCurrentIndex()
            self.view.clearSelection()
        sm.blockSignals(False)
        self.view.viewport().update()

    def when_discarded(self, then: Callable[[], None],
                       undo: Callable[[], None] | None = None) -> None:
        """Run ``then`` now, or after the manager agrees to drop unsaved layout changes."""
        if not self.editor.is_dirty():
            then()
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          "The layout you are editing has changes that are not saved.",
                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                          self)
        box.setInformativeText("Discard them?")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.discard_box = box

        def answered(button: Any) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Discard:
                then()
            elif undo is not None:
                undo()

        box.buttonClicked.connect(answered)
        box.open()

    def _new_hall(self) -> None:
        def start() -> None:
            self._reselect(-1)
            self.editor.new_hall()
            self.editor.name_edit.setFocus()

        row = self.view.currentIndex().row()
        self.when_discarded(start, undo=lambda: self._reselect(row))

    def _saved(self, view: object) -> None:
        if isinstance(view, shows.HallView):
            row = self.model.put(view)
            self.view.selectionModel().blockSignals(True)
            self.view.setCurrentIndex(self.model.index(row))
            self.view.selectionModel().blockSignals(False)
            self.status.setText(f"Saved {view.name}.")
            self.halls_changed.emit()
