"""The app's style sheet and icons are found where the package was moved to."""

from __future__ import annotations

from boxoffice.ui.common import style


def test_the_style_sheet_and_icons_are_found(qapp) -> None:  # type: ignore[no-untyped-def]
    sheet = style.style_sheet()
    assert "QPushButton" in sheet and "@ICONS@" not in sheet
    assert not style.icon("search").isNull()
