"""The app's small message boxes: keyboard shortcuts (F1), About, the yes/no question
before a step that cannot be undone, and the one place an unexpected error reaches the
clerk (the crash dialog)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

log = logging.getLogger(__name__)

# Keys that are not menu actions: the grid's and the ticket lines'.
OTHER_KEYS = (
    ("Arrows", "Move between seats (Shift extends)"),
    ("Space", "Select or unselect the seat"),
    ("Enter", "Hold the selected seats"),
    ("1 … 9", "Best available for that many seats"),
    ("Alt+1 … 9", "Ticket type of the selected ticket lines (all lines if none), in the "
                  "order shown under the lines"),
    ("Ctrl+wheel", "Zoom; right or middle drag pans"),
)


def close_keys(window: QWidget) -> None:
    """Escape and Ctrl+W close ``window``, as they close every other window of ours."""
    keys = {QKeySequence(Qt.Key.Key_Escape).toString(), QKeySequence("Ctrl+W").toString()}
    # and the platform's own Close (Ctrl+F4 on some), whatever it is
    keys.update(k.toString() for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Close))
    for key in sorted(keys):
        QShortcut(QKeySequence(key), window, activated=window.close,
                  context=Qt.ShortcutContext.WindowShortcut)


def show_shortcuts(window: QWidget) -> None:
    """Every shortcut of ``window``'s actions, then the grid's own keys."""
    rows = []
    for a in window.actions():
        if not a.shortcut().isEmpty():
            rows.append(f"<tr><td><b>{a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}"
                        f"</b></td><td>{a.text().replace('&', '')}</td></tr>")
    rows += [f"<tr><td><b>{key}</b></td><td>{what}</td></tr>" for key, what in OTHER_KEYS]
    QMessageBox.information(window, "Keyboard shortcuts",
                            "<table cellspacing=6>" + "".join(rows) + "</table>")


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About BoxOffice",
                      "<b>BoxOffice</b><br>Live seat grids over one shared PostgreSQL.")


def confirm(parent: QWidget, title: str, text: str, yes_text: str, no_text: str,
            action: Callable[[], object]) -> tuple[QMessageBox, QPushButton]:
    """Ask before a step that cannot be undone; ``action`` runs only if the answer is yes.

    The box opens window-modal without blocking (``open()``, not ``exec()``), so the
    runner's replies keep arriving; "no" is the default and the Escape button, so a
    stray Enter changes nothing. Returns the box and its yes button (tests click it).
    """
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.DestructiveRole)
    no = box.addButton(no_text, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)

    def answered(button: object) -> None:
        if button is yes:
            action()

    box.buttonClicked.connect(answered)
    box.open()
    return box, yes


def show_bug(parent: QWidget, error: object) -> None:
    """The one place an unexpected error reaches the clerk (and the log)."""
    if isinstance(error, BaseException):
        detail = "".join(traceback.format_exception(error))
    else:
        detail = str(error)
    log.error("unexpected error shown to the clerk: %s", detail)
    box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error",
                      "BoxOffice hit an unexpected error. Nothing else was changed; "
                      "please tell the support team.", parent=parent)
    box.setDetailedText(detail)
    box.open()
