"""Date and time boxes a clerk can type into.

Qt's date boxes put a text cursor where the mouse clicks; typing into a section that is
already full ("2026") is then refused key by key, so typing a year did nothing. These
select the clicked section, so what is typed replaces it, as Tab into it already does.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit


class _SectionSelector(QObject):
    """Watches a date box's text field: a click there selects the section it hit."""

    def __init__(self, edit: QDateTimeEdit) -> None:
        super().__init__(edit)
        self.edit = edit
        edit.lineEdit().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease:
            line = self.edit.lineEdit()
            if not line.hasSelectedText():  # a drag keeps what it selected
                section = self.edit.currentSection()
                if section != QDateTimeEdit.Section.NoSection:
                    self.edit.setSelectedSection(section)
                    return True
        return False


class DateTimeBox(QDateTimeEdit):
    """A ``QDateTimeEdit`` whose clicked section takes what is typed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._selector = _SectionSelector(self)


class DateBox(QDateEdit):
    """A ``QDateEdit`` whose clicked section takes what is typed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._selector = _SectionSelector(self)


__all__ = ["DateBox", "DateTimeBox"]
