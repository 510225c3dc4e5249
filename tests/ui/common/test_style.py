"""The app's style sheet and icons are found, and what it styles still works."""

from __future__ import annotations

import pytest

from boxoffice.ui.common import style

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (raise|grabbing)")


def test_the_style_sheet_and_icons_are_found(qapp) -> None:  # type: ignore[no-untyped-def]
    sheet = style.style_sheet()
    assert "QPushButton" in sheet and "@ICONS@" not in sheet
    assert not style.icon("search").isNull()


@pytest.mark.parametrize("items", [2, 4, 9])
def test_a_drop_down_shows_its_last_item_whole(qtbot, qapp, items: int) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QVBoxLayout, QWidget

    before = qapp.styleSheet()
    qapp.setStyleSheet(style.style_sheet())
    try:
        window = QWidget()  # a box in a window's layout, as every one of ours is
        qtbot.addWidget(window)
        box = QComboBox()
        QVBoxLayout(window).addWidget(box)
        box.addItems([f"item {n}" for n in range(items)])
        window.show()
        qtbot.waitExposed(window)
        # The menu-like popup took its row height from QMenu::item's padding but sized
        # itself without it, so near the top of a screen the last row was cut off (seen in
        # the cash-up's Counter box); the list popup counts its rows.
        opt = QStyleOptionComboBox()
        box.initStyleOption(opt)
        assert not box.style().styleHint(QStyle.StyleHint.SH_ComboBox_Popup, opt, box)
        box.showPopup()
        view = box.view()
        # the popup lays itself out (scroll arrows and all) once it is on screen
        qtbot.waitUntil(lambda: view.isVisible() and view.width() <= view.window().width())
        last = view.visualRect(box.model().index(items - 1, 0))
        assert last.height() > 0 and last.bottom() < view.viewport().height()
        box.hidePopup()
    finally:
        qapp.setStyleSheet(before)
