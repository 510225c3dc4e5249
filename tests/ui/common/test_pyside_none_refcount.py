"""Regression guard for PySide6 6.12.0: every None-returning Qt call dropped a reference
to None, and a long-running counter aborted with "none_dealloc". 6.11.3 is fine; this
fails loudly if a broken PySide6 is ever installed again."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QGraphicsRectItem, QWidget


def test_none_returning_qt_calls_keep_the_refcount_of_none(qtbot) -> None:  # type: ignore[no-untyped-def]
    item = QGraphicsRectItem()
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(100_000):
        item.setPos(0, 0)
        widget.setToolTip("")
    after = sys.getrefcount(None)
    assert after >= before - 100, (before, after)
