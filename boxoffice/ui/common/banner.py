"""Strips across the top of the window: red when the database cannot be reached (and
the amber alert strip of ``alert_banner`` built on the same ``Banner``)."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from boxoffice.ui.common import style


class Banner(QWidget):
    """A warning icon and a wrapping line of text, hidden until there is something to say."""

    def __init__(self, name: str, text_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 14, 8)
        icon = QLabel()
        icon.setPixmap(style.icon("warning").pixmap(20, 20))
        row.addWidget(icon)
        self.label = QLabel()
        self.label.setObjectName(text_name)
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.hide()


class ConnectionBanner(Banner):
    """Hidden while connected; says what is wrong and that BoxOffice reconnects itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("ConnectionBanner", "BannerText", parent)
        self.failing_over = False

    def show_lost(self, reason: str = "") -> None:
        """``reason`` is the driver's text: the strip says what it means in one sentence
        (``connection_check.plain_reason``); the driver's words go to the tooltip for IT."""
        from boxoffice.connection_check import plain_reason

        self.label.setText(
            "<b>No connection to the database.</b> Selling is paused; BoxOffice is "
            "reconnecting by itself and will refresh the seats when it is back."
            + (f"<br><span style='color:#7f1d1d'>{html.escape(plain_reason(reason))}</span>"
               if reason else ""))
        self.setToolTip(reason)
        self.failing_over = False
        self.show()

    def show_deaf(self) -> None:
        self.label.setText(
            "<b>Live seat changes are not arriving.</b> Other counters' sales will not "
            "show until you refresh; the database accepted the live channel but delivers "
            "nothing on it (a connection pooler?). Ask for BOXOFFICE_LIVE_URL to be set "
            "to a direct database address.")
        self.show()

    def show_failing_over(self) -> None:
        self.label.setText(
            "<b>Connection lost: database failing over, retrying.</b> Your request is kept "
            "and will be done once, as soon as the standby takes over.")
        self.failing_over = True
        self.show()

    def show_restored(self) -> None:
        self.failing_over = False
        self.hide()
