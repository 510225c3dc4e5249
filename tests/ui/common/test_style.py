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


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_urgent_hold_countdown_is_readable_on_its_bar() -> None:
    import re

    sheet = style.style_sheet()
    chunk = re.search(r'#Countdown\[urgent="true"\]::chunk \{[^}]*background: (#[0-9a-f]{6})',
                      sheet)
    text = re.search(r'#Countdown\[urgent="true"\] \{[^}]*color: (#[0-9a-f]{6})', sheet)
    groove = re.search(r'QProgressBar#Countdown \{[^}]*background: (#[0-9a-f]{6})', sheet)
    assert chunk and text and groove
    # the time left is drawn over both the bar and the empty groove: readable on each
    assert contrast(text.group(1), chunk.group(1)) >= 4.5
    assert contrast(text.group(1), groove.group(1)) >= 4.5
