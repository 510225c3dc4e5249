"""The layout editor: rows, seats, row labels, aisles and marked seats, with a live preview.

The form is the source of truth for the hall's shape (rows, seats per row, labels,
aisles) and the marks (blocked with a reason, wheelchair, companion) are kept as sets
that clicks in the preview and the seat fields both edit. Every change rebuilds the
draft the preview paints and tries to build a ``Layout`` from it; what the layout
refuses is shown as it is, and Save writes only a layout that built.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from boxoffice import shows
from boxoffice.errors import BoxOfficeError, InvalidLayout
from boxoffice.layout import Layout, Row, row_labels
from boxoffice.ui.manager.layout_preview import (
    COMPANION,
    WHEELCHAIR,
    Draft,
    LayoutPreview,
    kind_of_blocked,
)

log = logging.getLogger(__name__)

ICONS = Path(__file__).resolve().parents[3] / "resources" / "icons" / "manager"

LETTERS, NUMBERS, CUSTOM = "letters", "numbers", "custom"
TOOL_BLOCK, TOOL_WHEELCHAIR, TOOL_COMPANION, TOOL_CLEAR = "block", "wheelchair", "companion", "clear"
REASONS = ("House seat", "Broken seat", "Restricted view", "Technician desk", "Camera position")
_SEAT = re.compile(r"^([A-Z0-9]*?[A-Z]|[0-9]+(?=-))?(\d+)$")


def parse_numbers(text: str, what: str) -> list[int]:
    """'6, 18' → [6, 18]; anything else is an ``InvalidLayout`` naming the field."""
    out = []
    for token in re.split(r"[\s,;]+", text.strip()):
        if not token:
            continue
        if not token.isdigit() or int(token) < 1:
            raise InvalidLayout(f"{what}: {token!r} is not a seat number.", field=what)
        out.append(int(token))
    return sorted(set(out))


def parse_row_map(text: str, what: str) -> dict[str, str]:
    """'A: 4, 10; C: 5' → {'A': '4, 10', 'C': '5'} (row label → its own value)."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        if ":" not in part:
            raise InvalidLayout(f"{what}: write each row as ROW: value, e.g. A: 4, 10; B: 5.",
                                field=what)
        row, value = part.split(":", 1)
        row = row.strip().upper()
        if not row:
            raise InvalidLayout(f"{what}: a row label is missing before ':'.", field=what)
        if row in out:
            raise InvalidLayout(f"{what}: row {row} is given twice.", field=what)
        out[row] = value.strip()
    return out


def split_label(label: str) -> tuple[str, int]:
    m = re.match(r"^(.*?)(\d+)$", label)
    if not m or not m.group(1):
        raise ValueError(label)
    return m.group(1), int(m.group(2))


def parse_seats(text: str, what: str, rows: Iterable[str] = ()) -> list[str]:
    """'A1, A3-A6, B2-4' → seat labels; ranges stay within one row."""
    known = sorted(rows, key=len, reverse=True)
    out: list[str] = []
    for token in re.split(r"[\s,;]+", text.strip().upper()):
        if not token:
            continue
        try:
            if "-" in token:
                a, b = token.split("-", 1)
                row, first = _split_known(a, known)
                if b.isdigit():
                    last = int(b)
                else:
                    row_b, last = _split_known(b, known)
                    if row_b != row:
                        raise ValueError(token)
                if last < first:
                    first, last = last, first
                out.extend(f"{row}{n}" for n in range(first, last + 1))
            else:
                row, n = _split_known(token, known)
                out.append(f"{row}{n}")
        except ValueError:
            raise InvalidLayout(
                f"{what}: {token!r} is not a seat; write seats like A1, A3-A6.", field=what
            ) from None
    return list(dict.fromkeys(out))


def _split_known(label: str, known: list[str]) -> tuple[str, int]:
    # Numeric row labels ("12") make "125" ambiguous; prefer a row that exists.
    for row in known:
        rest = label[len(row):]
        if label.startswith(row) and rest.isdigit():
            return row, int(rest)
    return split_label(label)


def seat_sort_key(label: str) -> tuple[str, int]:
    try:
        return split_label(label)
    except ValueError:
        return (label, 0)


def format_seats(labels: Iterable[str]) -> str:
    """Seat labels back to text, runs folded into ranges: A1-A4, B7."""
    by_row: dict[str, list[int]] = {}
    odd: list[str] = []
    for label in labels:
        try:
            row, n = split_label(label)
        except ValueError:
            odd.append(label)
            continue
        by_row.setdefault(row, []).append(n)
    parts: list[str] = []
    for row in sorted(by_row, key=lambda r: (len(r), r)):
        nums = sorted(set(by_row[row]))
        start = prev = nums[0]
        for n in nums[1:] + [None]:  # type: ignore[list-item]
            if n is not None and n == prev + 1:
                prev = n
                continue
            parts.append(f"{row}{start}" if start == prev else f"{row}{start}-{row}{prev}")
            if n is not None:
                start = prev = n
    return ", ".join(parts + sorted(odd))


class LayoutEditor(QWidget):
    """Edits one hall's layout (or one show's copy of it) and saves it through the runner."""

    saved = Signal(object)  # the HallView or ShowView written
    changed = Signal()

    def __init__(self, runner: object, parent: QWidget | None = None, *,
                 counter: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layoutEditor")
        self.runner = runner
        self.counter = counter
        self.hall_id: int | None = None
        self.show_id: int | None = None
        self._raw_rows: tuple[Row, ...] | None = None  # a layout the form cannot express
        self._blocked: dict[str, str | None] = {}
        self._wheelchair: set[str] = set()
        self._companion: set[str] = set()
        self._rows: tuple[Row, ...] = ()
        self._layout: Layout | None = None
        self._error: str | None = None
        self._drag_action: tuple[str, bool] | None = None
        self._field_errors: dict[str, str] = {}  # a seat field that does not read yet
        self._loading = False
        self._saving = False
        self._dirty = False
        self._build_ui()
        self.new_hall()

    # -- widgets --------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.name_edit = QLineEdit(objectName="hallName", placeholderText="e.g. Studio 2")
        self.rows_spin = QSpinBox(objectName="rowsSpin", minimum=1, maximum=2000, value=10)
        self.seats_spin = QSpinBox(objectName="seatsSpin", minimum=1, maximum=2000, value=12)
        self.labels_combo = QComboBox(objectName="rowLabelMode")
        self.labels_combo.addItem("A, B, C … from the stage", LETTERS)
        self.labels_combo.addItem("1, 2, 3 … from the stage", NUMBERS)
        self.labels_combo.addItem("Custom, one per row", CUSTOM)
        self.labels_edit = QLineEdit(objectName="rowLabels")
        self.labels_edit.setToolTip("Row labels from the stage back, separated by commas")
        self.aisles_edit = QLineEdit(objectName="aislesEdit", placeholderText="e.g. 6, 18")
        self.aisles_edit.setToolTip("An aisle after each of these seat numbers, in every row")
        self.row_aisles_edit = QLineEdit(objectName="rowAislesEdit",
                                         placeholderText="e.g. A: 4, 10; B: 5")
        self.row_aisles_edit.setToolTip("Rows whose aisles differ from the hall's: "
                                        "ROW: seat numbers; … (an empty list means no aisle)")
        self.row_seats_edit = QLineEdit(objectName="rowSeatsEdit",
                                        placeholderText="e.g. A: 10; B: 11")
        self.row_seats_edit.setToolTip("Rows with a different number of seats: ROW: count; …")

        shape = QGroupBox("Hall")
        form = QFormLayout(shape)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_row_label = QLabel("&Name")
        self.name_row_label.setBuddy(self.name_edit)
        form.addRow(self.name_row_label, self.name_edit)
        form.addRow("&Rows", self.rows_spin)
        form.addRow("&Seats per row", self.seats_spin)
        form.addRow("Row &labels", self.labels_combo)
        form.addRow("", self.labels_edit)
        form.addRow("&Aisles after seat", self.aisles_edit)
        form.addRow("Aisles per row", self.row_aisles_edit)
        form.addRow("Seats per row, by row", self.row_seats_edit)
        self.raw_note = QLabel("This layout has rows the form cannot describe (uneven gaps or "
                               "numbering). You can mark seats; the rows stay as they are.",
                               wordWrap=True, objectName="Muted")
        self.raw_note.setVisible(False)
        form.addRow(self.raw_note)

        marks = QGroupBox("Mark seats")
        mv = QVBoxLayout(marks)
        hint = QLabel("Pick a mark, then click or drag over seats in the preview.",
                      wordWrap=True, objectName="Muted")
        mv.addWidget(hint)
        tools = QHBoxLayout()
        self.tool_group = QButtonGroup(self)
        self.tool_buttons: dict[str, QToolButton] = {}
        for tool, text, tip in (
            (TOOL_BLOCK, "Block", "Block seats (house seats, broken, restricted view)"),
            (TOOL_WHEELCHAIR, "Wheelchair", "Wheelchair spaces"),
            (TOOL_COMPANION, "Companion", "Companion seats next to wheelchair spaces"),
            (TOOL_CLEAR, "Clear", "Make seats ordinary seats again"),
        ):
            b = QToolButton(text=text, checkable=True, objectName=f"tool_{tool}")
            b.setToolTip(tip)
            b.setIcon(QIcon(str(ICONS / f"{tool}.svg")))
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            self.tool_group.addButton(b)
            self.tool_buttons[tool] = b
            tools.addWidget(b)
        tools.addStretch(1)
        self.tool_buttons[TOOL_BLOCK].setChecked(True)
        mv.addLayout(tools)
        mf = QFormLayout()
        self.reason_combo = QComboBox(objectName="reasonCombo", editable=True)
        self.reason_combo.addItems(REASONS)
        self.reason_combo.setToolTip("The reason recorded for seats you block next")
        mf.addRow("Reason", self.reason_combo)
        self.blocked_edit = QLineEdit(objectName="blockedEdit", placeholderText="e.g. A1, M24-M27")
        self.wheelchair_edit = QLineEdit(objectName="wheelchairEdit", placeholderText="e.g. P1, P2")
        self.companion_edit = QLineEdit(objectName="companionEdit", placeholderText="e.g. P3")
        mf.addRow("&Blocked", self.blocked_edit)
        mf.addRow("&Wheelchair", self.wheelchair_edit)
        mf.addRow("&Companion", self.companion_edit)
        mv.addLayout(mf)
        self.reasons_table = QTableWidget(0, 2, objectName="reasonsTable")
        self.reasons_table.setHorizontalHeaderLabels(["Blocked seat", "Reason"])
        self.reasons_table.verticalHeader().setVisible(False)
        self.reasons_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        self.reasons_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.reasons_table.setMinimumHeight(110)
        self.reasons_table.verticalHeader().setDefaultSectionSize(26)
        mv.addWidget(self.reasons_table)

        self.summary_label = QLabel(objectName="summaryLabel", wordWrap=True)
        self.error_label = QLabel(objectName="Message", wordWrap=True)
        self.error_label.setProperty("level", "error")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton("&Save hall", objectName="PrimaryButton")
        self.save_button.setDefault(True)
        self.revert_button = QPushButton("Re&vert", objectName="revertButton")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        side = QWidget(objectName="layoutForm")
        sv = QVBoxLayout(side)
        sv.setContentsMargins(0, 0, 6, 0)
        sv.addWidget(shape)
        sv.addWidget(marks)
        sv.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, objectName="layoutFormScroll")
        scroll.setWidget(side)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumWidth(340)
        scroll.setMaximumWidth(420)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.preview = LayoutPreview()
        right = QVBoxLayout()
        right.addWidget(self.preview, 1)
        right.addWidget(self.summary_label)
        right.addWidget(self.error_label)
        right.addLayout(buttons)
        top = QHBoxLayout(self)
        top.addWidget(scroll)
        top.addLayout(right, 1)

        for w in (self.rows_spin, self.seats_spin):
            w.valueChanged.connect(self._form_changed)
            # room for the arrows under the app's padded QLineEdit/QSpinBox style
            w.setStyleSheet("QSpinBox { padding-right: 22px; }"
                            "QSpinBox::up-button, QSpinBox::down-button { width: 20px; }")
        self.labels_combo.currentIndexChanged.connect(self._label_mode_changed)
        for e in (self.labels_edit, self.aisles_edit, self.row_aisles_edit, self.row_seats_edit,
                  self.name_edit):
            e.textChanged.connect(self._form_changed)
        self.blocked_edit.textEdited.connect(lambda t: self._marks_typed(t, "blocked"))
        self.wheelchair_edit.textEdited.connect(lambda t: self._marks_typed(t, WHEELCHAIR))
        self.companion_edit.textEdited.connect(lambda t: self._marks_typed(t, COMPANION))
        for e in (self.blocked_edit, self.wheelchair_edit, self.companion_edit):
            e.editingFinished.connect(self._tidy_mark_fields)
        self.reasons_table.itemChanged.connect(self._reason_edited)
        self.preview.seat_clicked.connect(self._seat_clicked)
        self.preview.seat_dragged.connect(self._seat_dragged)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)

    # -- loading --------------------------------------------------------------------

    def new_hall(self) -> None:
        """An empty form for a new hall: 10 rows of 12 with a centre aisle."""
        self.hall_id = None
        self.show_id = None
        self._original: tuple[str, Layout | None] = ("", None)
        self._load("", Layout.grid(10, 12, aisles_after=[6]), dirty=False)
        self._original = ("", None)
        self.save_button.setText("&Create hall")

    def load_hall(self, hall: shows.HallView) -> None:
        if hall.layout is None:
            self._not_a_grid(hall.name)
            return
        self.hall_id = hall.id
        self.show_id = None
        self._original = (hall.name, hall.layout)
        self._load(hall.name, hall.layout)
        self.save_button.setText("&Save hall")

    def _not_a_grid(self, name: str) -> None:
        """An imported venue chart has no rows-and-aisles form to edit: say so, and offer
        a new hall rather than overwrite the chart with a grid."""
        self.new_hall()
        self._show_error(f"{name} is an imported venue chart, not a grid: change it in its "
                         "own file and import it again (boxoffice hall import).")

    def load_show(self, show: shows.ShowView) -> None:
        """Edit the layout of one show (its own copy; the hall is not touched)."""
        if show.layout is None:
            self._not_a_grid(show.name)
            return
        self.hall_id = None
        self.show_id = show.id
        self._original = (show.name, show.layout)
        self._load(show.name, show.layout)
        self.save_button.setText("&Save show layout")

    def revert(self) -> None:
        name, layout = self._original
        if layout is None:
            self.new_hall()
        else:
            self._load(name, layout)

    def _load(self, name: str, layout: Layout, *, dirty: bool = False) -> None:
        self._loading = True
        try:
            for_show = self.show_id is not None
            self.name_edit.setVisible(not for_show)
            self.name_row_label.setVisible(not for_show)
            self.name_edit.setText(name)
            self._blocked = {s: layout.blocked_reasons.get(s) for s in
                             sorted(layout.blocked, key=seat_sort_key)}
            self._wheelchair = set(layout.wheelchair)
            self._companion = set(layout.companion)
            self._field_errors.clear()
            form = describe_rows(layout.rows)
            self._raw_rows = None if form is not None else layout.rows
            if form is not None:
                labels, seats, aisles, row_aisles, row_seats = form
                mode = (LETTERS if labels == row_labels(len(labels))
                        else NUMBERS if labels == [str(i + 1) for i in range(len(labels))]
                        else CUSTOM)
                self.labels_combo.setCurrentIndex(self.labels_combo.findData(mode))
                self.rows_spin.setValue(len(labels))
                self.seats_spin.setValue(seats)
                self.labels_edit.setText(", ".join(labels))
                self.aisles_edit.setText(", ".join(map(str, aisles)))
                self.row_aisles_edit.setText("; ".join(
                    f"{r}: {', '.join(map(str, a))}" for r, a in row_aisles.items()))
                self.row_seats_edit.setText("; ".join(f"{r}: {n}" for r, n in row_seats.items()))
            for w in (self.rows_spin, self.seats_spin, self.labels_combo, self.labels_edit,
                      self.aisles_edit, self.row_aisles_edit, self.row_seats_edit):
                w.setEnabled(form is not None)
            self.raw_note.setVisible(form is None)
            self._update_label_edit_state()
        finally:
            self._loading = False
        self._sync_mark_fields()
        self._rebuild_reasons_table()
        self._refresh()
        self._set_dirty(dirty)
        self.error_label.clear() if self._layout is not None else None

    # -- building -------------------------------------------------------------------

    def _row_labels(self) -> list[str]:
        mode = self.labels_combo.currentData()
        n = self.rows_spin.value()
        if mode == LETTERS:
            return row_labels(n)
        if mode == NUMBERS:
            return [str(i + 1) for i in range(n)]
        return [t.upper() for t in re.split(r"[\s,;]+", self.labels_edit.text().strip()) if t]

    def build_rows(self) -> tuple[Row, ...]:
        """The rows the form describes; ``InvalidLayout`` names the field that is wrong."""
        if self._raw_rows is not None:
            return self._raw_rows
        labels = self._row_labels()
        if not labels:
            raise InvalidLayout("Give at least one row label.", field="row labels")
        seats = self.seats_spin.value()
        aisles = parse_numbers(self.aisles_edit.text(), "Aisles")
        too_far = [a for a in aisles if a >= seats]
        if too_far:
            raise InvalidLayout(f"Aisles: there is no aisle after seat {too_far[0]} in rows of "
                                f"{seats} seats.", field="aisles")
        row_aisles = {r: parse_numbers(v, f"Aisles of row {r}") for r, v in
                      parse_row_map(self.row_aisles_edit.text(), "Aisles per row").items()}
        row_seats: dict[str, int] = {}
        for r, v in parse_row_map(self.row_seats_edit.text(), "Seats by row").items():
            if not v.isdigit() or not 1 <= int(v) <= 9999:
                raise InvalidLayout(f"Seats by row: {r}: {v!r} is not a number of seats.",
                                    field="row seats")
            row_seats[r] = int(v)
        for what, mapping in (("Aisles per row", row_aisles), ("Seats by row", row_seats)):
            unknown = [r for r in mapping if r not in labels]
            if unknown:
                raise InvalidLayout(f"{what}: there is no row {unknown[0]}.", field=what)
        rows = []
        for label in labels:
            n = row_seats.get(label, seats)
            gaps = set(row_aisles.get(label, aisles))
            positions: list[int | None] = []
            for k in range(1, n + 1):
                positions.append(k)
                if k in gaps and k != n:
                    positions.append(None)
            rows.append(Row(label, tuple(positions)))
        return tuple(rows)

    def _marks(self) -> dict[str, str]:
        marks = {s: kind_of_blocked(r) for s, r in self._blocked.items()}
        marks.update({s: WHEELCHAIR for s in self._wheelchair})
        marks.update({s: COMPANION for s in self._companion})
        return marks

    def _refresh(self) -> None:
        """Rebuild what the preview shows and whether it is a valid layout."""
        error = None
        try:
            self._rows = self.build_rows()
        except InvalidLayout as e:
            error = e.message
        layout = None
        if error is None and self._field_errors:
            error = next(iter(self._field_errors.values()))
        if error is None:
            try:
                layout = Layout(
                    self._rows, frozenset(self._blocked), frozenset(self._wheelchair),
                    frozenset(self._companion),
                    {s: r for s, r in self._blocked.items() if r and r.strip()})
            except InvalidLayout as e:
                error = e.message
        self._layout = layout
        self._error = error
        reasons = {s: r for s, r in self._blocked.items() if r}
        self.preview.set_draft(Draft(tuple((r.label, r.positions) for r in self._rows),
                                     self._marks(), reasons))
        self.error_label.setText(error or "")
        self.error_label.setVisible(bool(error))
        self.summary_label.setText(summarize(self._rows, self._blocked, self._wheelchair,
                                             self._companion))

    def layout(self) -> Layout:  # type: ignore[override]
        """The layout as the form stands; ``InvalidLayout`` if it cannot be built."""
        self._refresh()
        if self._layout is None:
            raise InvalidLayout(self._error or "The layout is not valid.", field="layout")
        return self._layout

    def hall_name(self) -> str:
        return self.name_edit.text()

    # -- editing --------------------------------------------------------------------

    def _label_mode_changed(self) -> None:
        if self._loading:
            return
        if self.labels_combo.currentData() == CUSTOM:
            # start from what was shown, so a custom label is one edit away
            self.labels_edit.setText(", ".join(r.label for r in self._rows))
        self._update_label_edit_state()
        self._form_changed()

    def _update_label_edit_state(self) -> None:
        custom = self.labels_combo.currentData() == CUSTOM
        self.labels_edit.setReadOnly(not custom)
        self.rows_spin.setEnabled(not custom and self._raw_rows is None)
        if not custom:
            self._loading, was = True, self._loading
            self.labels_edit.setText(", ".join(self._row_labels()))
            self._loading = was

    def _form_changed(self) -> None:
        if self._loading:
            return
        if self.labels_combo.currentData() == CUSTOM:
            n = len(self._row_labels())
            if n and n != self.rows_spin.value():
                self.rows_spin.blockSignals(True)
                self.rows_spin.setValue(n)
                self.rows_spin.blockSignals(False)
        else:
            self._update_label_edit_state()
        self._refresh()
        self._set_dirty(True)

    def current_tool(self) -> str:
        for tool, b in self.tool_buttons.items():
            if b.isChecked():
                return tool
        return TOOL_BLOCK

    def set_tool(self, tool: str) -> None:
        self.tool_buttons[tool].setChecked(True)

    def _has_mark(self, label: str, tool: str) -> bool:
        return {TOOL_BLOCK: label in self._blocked, TOOL_WHEELCHAIR: label in self._wheelchair,
                TOOL_COMPANION: label in self._companion}.get(tool, False)

    def _seat_clicked(self, label: str) -> None:
        tool = self.current_tool()
        # A click on a seat that already has the mark takes it off; a drag keeps doing
        # what the first seat did, so a sweep never toggles seats back and forth.
        on = tool != TOOL_CLEAR and not self._has_mark(label, tool)
        self._drag_action = (tool, on)
        self._apply(label, tool, on)

    def _seat_dragged(self, label: str) -> None:
        if self._drag_action is not None:
            self._apply(label, *self._drag_action)

    def _apply(self, label: str, tool: str, on: bool) -> None:
        blocked_before = set(self._blocked)
        if on or tool == TOOL_CLEAR:
            self._blocked.pop(label, None)
            self._wheelchair.discard(label)
            self._companion.discard(label)
        else:
            {TOOL_BLOCK: lambda: self._blocked.pop(label, None),
             TOOL_WHEELCHAIR: lambda: self._wheelchair.discard(label),
             TOOL_COMPANION: lambda: self._companion.discard(label)}[tool]()
        if on:
            if tool == TOOL_BLOCK:
                self._blocked[label] = self.reason_combo.currentText().strip() or None
            elif tool == TOOL_WHEELCHAIR:
                self._wheelchair.add(label)
            elif tool == TOOL_COMPANION:
                self._companion.add(label)
        self._field_errors.clear()
        self._sync_mark_fields()
        if set(self._blocked) != blocked_before or (on and tool == TOOL_BLOCK):
            self._rebuild_reasons_table()
        self._refresh()
        self._set_dirty(True)

    def _marks_typed(self, text: str, kind: str) -> None:
        """Seats typed into a field replace that mark; the preview follows as you type."""
        try:
            labels = parse_seats(text, kind.capitalize(), (r.label for r in self._rows))
        except InvalidLayout as e:
            self._field_errors[kind] = e.message
            self._refresh()
            return
        self._field_errors.pop(kind, None)
        if kind == "blocked":
            default = self.reason_combo.currentText().strip() or None
            self._blocked = {s: self._blocked.get(s, default) for s in labels}
            self._rebuild_reasons_table()
        elif kind == WHEELCHAIR:
            self._wheelchair = set(labels)
        else:
            self._companion = set(labels)
        self._refresh()
        self._set_dirty(True)

    def _tidy_mark_fields(self) -> None:
        if not self._field_errors:  # fold what was typed into ranges, but keep a typo visible
            self._sync_mark_fields()

    def _sync_mark_fields(self) -> None:
        for edit, labels in ((self.blocked_edit, self._blocked), (self.wheelchair_edit,
                             self._wheelchair), (self.companion_edit, self._companion)):
            text = format_seats(labels)
            if edit.text() != text:
                edit.setText(text)

    def _rebuild_reasons_table(self) -> None:
        t = self.reasons_table
        t.blockSignals(True)
        t.setRowCount(len(self._blocked))
        for i, label in enumerate(sorted(self._blocked, key=seat_sort_key)):
            seat = QTableWidgetItem(label)
            seat.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            t.setItem(i, 0, seat)
            t.setItem(i, 1, QTableWidgetItem(self._blocked[label] or ""))
        t.blockSignals(False)

    def _reason_edited(self, item: QTableWidgetItem) -> None:
        if item.column() != 1:
            return
        label = self.reasons_table.item(item.row(), 0).text()
        if label in self._blocked:
            self._blocked[label] = item.text().strip() or None
            self._refresh()
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.revert_button.setEnabled(dirty)
        if dirty:
            self.changed.emit()

    def is_dirty(self) -> bool:
        return self._dirty

    # -- saving ---------------------------------------------------------------------

    def save(self) -> None:
        """Build the layout and write it; a layout that does not build writes nothing."""
        if self._saving:
            return
        try:
            layout = self.layout()
        except InvalidLayout as e:
            self._show_error(e.message)
            return
        counter = self.counter
        if self.show_id is not None:
            show_id = self.show_id
            fn = lambda db: shows.change_layout(db, show_id, layout, counter=counter)  # noqa: E731
        elif self.hall_id is not None:
            hall_id, name = self.hall_id, self.hall_name()
            fn = lambda db: shows.update_hall(db, hall_id, name=name, layout=layout,  # noqa: E731
                                              counter=counter)
        else:
            name = self.hall_name()
            fn = lambda db: shows.create_hall(db, name, layout, counter=counter)  # noqa: E731
        self._saving = True
        self.save_button.setEnabled(False)
        self.runner.run(fn, success=self._saved, failure=self._save_failed,  # type: ignore[attr-defined]
                        label="save layout")

    def _saved(self, view: object) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(view, shows.HallView):
            self.load_hall(view)
        elif isinstance(view, shows.ShowView):
            self.load_show(view)
        self.summary_label.setText(self.summary_label.text() + " · saved")
        self.saved.emit(view)

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self._show_error(explain(error, self.runner))

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(True)


def explain(error: BaseException, runner: object) -> str:
    """The clerk's words for a failure; a bug goes to the app's crash dialog as well."""
    if isinstance(error, BoxOfficeError):
        return error.message
    log.error("unexpected error", exc_info=error)
    signal = getattr(runner, "unexpected_error", None)
    if signal is not None:
        signal.emit(error)
    return "Something went wrong and nothing was saved; the error has been logged."


def summarize(rows: tuple[Row, ...], blocked: dict[str, str | None], wheelchair: set[str],
              companion: set[str]) -> str:
    seats = sum(1 for r in rows for p in r.positions if p is not None)
    parts = [f"{len(rows)} rows", f"{seats:,} seats", f"{max(seats - len(blocked), 0):,} on sale"]
    if blocked:
        parts.append(f"{len(blocked)} blocked")
    if wheelchair:
        parts.append(f"{len(wheelchair)} wheelchair")
    if companion:
        parts.append(f"{len(companion)} companion")
    return " · ".join(parts)


def describe_rows(rows: Iterable[Row]) -> tuple[list[str], int, list[int],
                                               dict[str, list[int]], dict[str, int]] | None:
    """The form fields that rebuild these rows exactly, or ``None`` if the form cannot."""
    rows = tuple(rows)
    labels = [r.label for r in rows]
    counts: dict[str, int] = {}
    gaps: dict[str, tuple[int, ...]] = {}
    for r in rows:
        numbers = [p for p in r.positions if p is not None]
        if numbers != list(range(1, len(numbers) + 1)):
            return None
        after: list[int] = []
        prev: int | None = None
        for p in r.positions:
            if p is None:
                if prev is None or (after and after[-1] == prev):
                    return None  # leading or double gap
                after.append(prev)
            prev = p
        if r.positions and r.positions[-1] is None:
            return None
        counts[r.label] = len(numbers)
        gaps[r.label] = tuple(after)
    if not rows:
        return None
    seats = Counter(counts.values()).most_common(1)[0][0]
    common = Counter(gaps[r] for r in labels if counts[r] == seats).most_common(1)[0][0]
    row_aisles = {}
    for r in labels:
        expected = tuple(a for a in common if a < counts[r])
        if gaps[r] != expected:
            row_aisles[r] = list(gaps[r])
    row_seats = {r: n for r, n in counts.items() if n != seats}
    return labels, seats, list(common), row_aisles, row_seats
