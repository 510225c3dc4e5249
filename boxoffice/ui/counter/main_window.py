"""The counter window: shows on the left, the live seat grid in the middle, selling on the right.

The window owns its operation runner and its live bridge, so two windows on two
``Database`` objects behave like two counters (that is how the tests run them). Each
part subscribes on the bridge to the changes it shows; the window relays nothing.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from boxoffice.changes import Resync
from boxoffice.db import Database, describe_url
from boxoffice.staff import Rights, my_rights
from boxoffice.statuses import BookingStatus
from boxoffice.ui.common import dialogs, style
from boxoffice.ui.common.banner import ConnectionBanner
from boxoffice.ui.common.live_bridge import LiveBridge
from boxoffice.ui.common.runner import OperationRunner
from boxoffice.ui.counter.booking_panel import BookingPanel
from boxoffice.ui.counter.seat_grid import Legend, SeatGrid
from boxoffice.ui.counter.seat_grid_model import LiveSeatMap, SeatGridModel
from boxoffice.ui.counter.show_list import ShowListPanel

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1400, 900)


# QSettings key: whether a sale prints its tickets by itself (the sale card's box)
PRINT_ON_SALE = "counter/print_on_sale"


class MainWindow(QMainWindow):
    def __init__(self, db: Database, *, counter: str | None, clerk: str,
                 expiry_runner: object | None = None, live: bool = True,
                 settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.db = db
        self.counter = counter
        self.clerk = clerk
        self.expiry_runner = expiry_runner
        self.settings = settings if settings is not None else QSettings()
        self.confirm_close = True  # ask before releasing an open hold on close
        # The windows opened beside this one (door, cash-up, operations, wall views),
        # closed with it.
        self.side_windows: list[QWidget] = []
        self.setWindowTitle(counter or "")  # Qt adds "— BoxOffice", the display name
        self.setWindowIcon(style.icon("app"))

        self.runner = OperationRunner(db, self)
        self.runner.connection_lost.connect(self._connection_lost)
        self.runner.connection_restored.connect(self._connection_restored)
        self.runner.busy_changed.connect(self._busy_changed)
        self.runner.failing_over.connect(lambda _what: self.banner.show_failing_over())
        self.runner.unexpected_error.connect(self.show_bug)
        # Without the feed (live=False) views still follow this window's own writes.
        self.live = LiveBridge((db.settings.live_url or db.url) if live else None, self)

        self.model = SeatGridModel(counter, self)
        self.seats = LiveSeatMap(self.model, self.runner, self)
        self.seats.load_failed.connect(self._load_failed)
        self.seats.show_deleted.connect(lambda _id: self.panel.tell(
            "The show you had open was deleted by a manager; choose another show.", "error"))
        self._build()
        self.show_list.follow(self.live)
        self.seats.follow(self.live)
        self.panel.follow(self.live)
        self.live.state_changed.connect(self._feed_state)
        self.resize(*DEFAULT_SIZE)
        self._restore()
        self.show_list.reload(select=self._last_show())
        self.rights: Rights | None = None
        self.runner.run(my_rights, success=self.apply_rights, label="rights of this login")

    # -- construction --------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        central.setObjectName("Central")
        v = QVBoxLayout(central)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(0)
        self.banner = ConnectionBanner()
        v.addWidget(self.banner)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("MainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.show_list = ShowListPanel(self.runner)
        self.show_list.setMinimumWidth(380)
        self.show_list.show_selected.connect(self.open_show)
        self.show_list.show_chosen.connect(lambda _id: self.grid.setFocus())
        left = self._pane(self.show_list, "LeftPane")
        self.splitter.addWidget(left)

        centre = QWidget()
        centre.setObjectName("GridPane")
        cv = QVBoxLayout(centre)
        cv.setContentsMargins(12, 12, 12, 8)
        cv.setSpacing(6)
        self.grid = SeatGrid(self.model)
        cv.addWidget(self.grid, 1)
        self.legend = Legend(columns=4)
        cv.addWidget(self.legend)
        self.splitter.addWidget(centre)

        self.panel = BookingPanel(self.runner, self.model, counter=self.counter,
                                  clerk=self.clerk)
        self.panel.setMinimumWidth(320)
        self.panel.setMaximumWidth(420)
        self.panel.refresh_seats.connect(self.seats.refresh)
        self.seats.loaded.connect(self.show_list.refresh_show)  # list and header agree
        self.panel.print_wanted.connect(self.print_sale)
        # "Print tickets on sale" is this counter's choice, kept across sessions
        self.panel.print_on_sale.setChecked(
            self.settings.value(PRINT_ON_SALE, False, type=bool))  # type: ignore[call-overload]
        self.panel.print_on_sale.toggled.connect(
            lambda on: self.settings.setValue(PRINT_ON_SALE, on))
        self.grid.hold_requested.connect(self.panel.hold)
        self.grid.best_requested.connect(self.panel.pick_best)
        self.grid.seat_activated.connect(
            lambda i: self.panel.show_booking_of_seat(self.model.labels[i]))
        self.splitter.addWidget(self._pane(self.panel, "RightPane"))
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([440, 580, 380])  # show names whole; the sale panel lists seats
        v.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._build_actions()
        self._build_status()

    def _pane(self, widget: QWidget, name: str) -> QWidget:
        pane = QWidget()
        pane.setObjectName(name)
        h = QHBoxLayout(pane)
        h.setContentsMargins(14, 14, 14, 14)
        h.addWidget(widget)
        return pane

    def _action(self, text: str, slot, shortcut: str | QKeySequence.StandardKey | None = None,
                icon: str | None = None) -> QAction:
        action = QAction(text, self)
        if icon:
            action.setIcon(style.icon(icon))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text.rstrip('…')} "
                              f"({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        p, g = self.panel, self.grid
        sc = BookingPanel.SHORTCUTS
        self.act_settings = self._action("Settings…", self.open_settings, "Ctrl+,", "settings")
        self.act_quit = self._action("Quit", self.close, "Ctrl+Q")
        self.act_refresh = self._action("Refresh", self.refresh_all, "F5", "refresh")
        self.act_zoom_in = self._action("Zoom in", lambda: g.zoom_by(1.25), "Ctrl+=", "zoom-in")
        self.act_zoom_out = self._action("Zoom out", lambda: g.zoom_by(0.8), "Ctrl+-", "zoom-out")
        self.act_fit = self._action("Fit to window", g.fit_to_window, "Ctrl+0", "fit")
        self.act_wall = self._action("Wall view", self.open_wall_view, "F11", "wall")
        self.act_find_show = self._action("Find show", self._focus_search, "Ctrl+K")
        self.act_grid = self._action("Go to seats", lambda: g.setFocus(), "Ctrl+G")
        self.act_best = self._action("Best available", self._best, sc["best"], "best")
        self.act_hold = self._action("Hold", p.hold, sc["hold"], "hold")
        self.act_sell = self._action("Sell now", p.sell_now, sc["sell"], "sell")
        self.act_confirm = self._action("Confirm sale", p.confirm, sc["confirm"], "confirm")
        self.act_release = self._action("Release hold", p.release, sc["release"], "release")
        self.act_exchange = self._action("Move booking to selected seats", p.exchange,
                                         sc["exchange"], "exchange")
        self.act_bookings = self._action("Bookings…", self.open_bookings, "Ctrl+F", "bookings")
        self.act_print = self._action("Print tickets…", self.print_tickets, "Ctrl+P")
        self.act_pdf = self._action("Save tickets as PDF…", self.save_tickets, "Ctrl+Shift+P")
        self.act_door = self._action("Door check-in…", self.open_door, "Ctrl+D")
        self.act_manage = self._action("Shows and halls…", self.open_manager, "Ctrl+M", "manage")
        self.act_operations = self._action("Operations…", self.open_operations, "Ctrl+Shift+O")
        self.act_cashup = self._action("Cash-up…", self.open_cashup, "Ctrl+Shift+U")

        bar = self.menuBar()
        m = bar.addMenu("&File")
        m.addAction(self.act_settings)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = bar.addMenu("&Sell")
        for a in (self.act_best, self.act_hold, self.act_sell, self.act_confirm,
                  self.act_release, self.act_exchange):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_print)
        m.addAction(self.act_pdf)
        m.addSeparator()
        m.addAction(self.act_bookings)
        m.addAction(self.act_cashup)
        m = bar.addMenu("&View")
        for a in (self.act_find_show, self.act_grid, self.act_refresh):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_zoom_in, self.act_zoom_out, self.act_fit):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_wall)
        m.addAction(self.act_door)
        m = bar.addMenu("&Manage")
        self.manage_menu = m
        m.addAction(self.act_manage)
        m.addAction(self.act_operations)
        m = bar.addMenu("&Help")
        m.addAction(self._action("Keyboard shortcuts", self.show_shortcuts, "F1"))
        m.addAction(self._action("About BoxOffice", self.show_about))

        tb = QToolBar("Main")
        tb.setObjectName("MainToolBar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.act_refresh, None, self.act_zoom_in, self.act_zoom_out, self.act_fit,
                  None, self.act_bookings, self.act_wall, self.act_manage):
            if a is None:
                tb.addSeparator()
            else:
                tb.addAction(a)
        self.addToolBar(tb)

    def _build_status(self) -> None:
        sb = self.statusBar()
        self.status_connection = QLabel()
        self.status_connection.setObjectName("StatusConnection")
        # One identity in the bar: the database login (status_login), not the OS user.
        self.status_counter = QLabel(f"Counter: <b>{self.counter or '—'}</b>")
        self.status_expiry = QLabel(
            "Expiry runner: <b>on</b>" if self.expiry_runner is not None
            else "Expiry runner: off")
        self.status_expiry.setObjectName("StatusExpiry")
        self.busy = QProgressBar()
        self.busy.setObjectName("BusyBar")
        self.busy.setRange(0, 0)
        self.busy.setFixedWidth(90)
        self.busy.setFixedHeight(10)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(250)
        self._busy_timer.timeout.connect(lambda: self.busy.setVisible(self.runner.busy))
        sb.addWidget(self.status_connection)
        sb.addPermanentWidget(self.busy)
        self.status_login = QLabel("")
        self.status_login.setObjectName("StatusLogin")
        sb.addPermanentWidget(self.status_login)
        sb.addPermanentWidget(self.status_counter)
        sb.addPermanentWidget(self.status_expiry)
        self._set_connection(True)

    def apply_rights(self, rights: Rights) -> None:
        """Show only what PostgreSQL lets this login do (it refuses the rest anyway)."""
        self.rights = rights
        selling = (self.act_hold, self.act_sell, self.act_confirm, self.act_release,
                   self.act_exchange, self.act_print, self.act_pdf, self.act_cashup)
        for action in selling:
            action.setVisible(rights.can_sell)
            action.setEnabled(rights.can_sell)
        self.panel.set_can_sell(rights.can_sell)
        self.act_manage.setVisible(rights.can_manage_shows)
        self.act_manage.setEnabled(rights.can_manage_shows)
        self.manage_menu.menuAction().setVisible(rights.can_manage_shows)
        self.act_operations.setVisible(rights.can_manage_shows)
        self.act_operations.setEnabled(rights.can_manage_shows)
        self._watch_alerts(rights.can_manage_shows)
        self.status_login.setText(f"Logged in as <b>{rights.login}</b> ({rights.role})")
        if self.expiry_runner is not None and not rights.can_run_expiry:
            self.status_expiry.setText("Expiry runner: <b>not allowed for this login</b>")

    def _watch_alerts(self, on: bool) -> None:
        """Managers get the operations alerts under the connection banner."""
        from boxoffice.ui.common.alert_banner import AlertBanner, AlertWatcher

        watcher: AlertWatcher | None = getattr(self, "alert_watcher", None)
        if on and watcher is None:
            self.alert_banner = AlertBanner()
            self.centralWidget().layout().insertWidget(1, self.alert_banner)
            watcher = self.alert_watcher = AlertWatcher(
                self.runner, parent=self, runs_expiry=self.expiry_runner is not None)
            watcher.alerts_changed.connect(self.alert_banner.show_alerts)
        if on and watcher is not None:
            watcher.start()
        elif watcher is not None:
            watcher.stop()
            self.alert_banner.show_alerts([])

    def _set_connection(self, up: bool) -> None:
        where = describe_url(self.db.url)
        on = self.live.feed.server if self.live.feed is not None else None
        if on and on not in where:  # which host of a list it is on, when the URL names several
            where += f" · on {on}"
        if up:
            self.status_connection.setText(f"<span style='color:#15803d'>●</span> Connected · {where}")
        else:
            self.status_connection.setText(f"<span style='color:#b91c1c'>●</span> Offline · {where}")

    # -- settings ------------------------------------------------------------------

    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def _last_show(self) -> int | None:
        value = self.settings.value("counter/last_show")
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        if self.model.show_id is not None:
            self.settings.setValue("counter/last_show", self.model.show_id)
        self.settings.sync()

    # -- shows and seats -----------------------------------------------------------

    @Slot(int)
    def open_show(self, show_id: int) -> None:
        if show_id == self.seats.show_id:
            return
        self.seats.open(show_id)
        self.settings.setValue("counter/last_show", show_id)

    def refresh_all(self) -> None:
        """Every view of this window refetches what it shows (F5, the database back):
        the same ``Resync`` a gap in the feed sends, so none is forgotten."""
        self.live.publish(Resync("refresh"))

    def _load_failed(self, error: BaseException) -> None:
        msg = getattr(error, "message", None) or "The seats could not be loaded."
        self.panel.tell(msg, "error")

    def _best(self) -> None:
        self.panel.pick_best()
        self.grid.setFocus()

    def _focus_search(self) -> None:
        self.show_list.search.setFocus()
        self.show_list.search.selectAll()

    # -- connection ----------------------------------------------------------------

    def _connection_lost(self, reason: str) -> None:
        self.banner.show_lost(reason)
        self.panel.set_online(False)
        self._set_connection(False)

    def _feed_state(self, state: str) -> None:
        if state == "deaf":
            self.banner.show_deaf()
        elif state == "live" and self.runner.online:
            self.banner.show_restored()

    def _connection_restored(self) -> None:
        self.banner.show_restored()
        self.panel.set_online(True)
        self._set_connection(True)
        self.panel.tell("The database is back; seats and shows were refreshed.", "info")
        self.refresh_all()

    def _busy_changed(self, busy: bool) -> None:
        # Shown only for work that takes a noticeable time, so quick reads do not flicker.
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy.hide()
            if self.banner.failing_over and self.runner.online:
                self.banner.show_restored()  # the retried request got its answer

    # -- other windows -------------------------------------------------------------

    def open_bookings(self) -> None:
        from boxoffice.ui.bookings.dialog import BookingsDialog

        dialog = BookingsDialog(self.runner, parent=self, counter=self.counter, clerk=self.clerk,
                                can_cancel=self.rights is None or self.rights.can_cancel)
        dialog.exec()

    def _ticket_booking(self) -> int | None:
        """The booking the panel shows, if it is a sale (holds have no tickets yet)."""
        b = self.panel.focus_booking
        if b is not None and b.status == BookingStatus.CONFIRMED:
            return b.id
        self.panel.tell("Open a sold booking first: sell, confirm, or click a sold seat.",
                        "error")
        return None

    def print_tickets(self) -> None:
        booking_id = self._ticket_booking()
        if booking_id is not None:
            self.print_sale(booking_id, True)

    def print_sale(self, booking_id: int, ask: bool) -> None:
        """Print a booking's tickets: through the print dialog (``ask``), or at once to
        the default printer (a sale with "Print tickets on sale" on)."""
        from boxoffice.ui.printing.tickets import print_tickets, print_tickets_now

        if ask:
            job = print_tickets(self.runner, booking_id, self)
            job.finished.connect(lambda message: self.panel.tell(message, "info"))
            return
        # printed as part of the sale: the message keeps what was sold, and adds the print
        sold = self.panel.message
        job = print_tickets_now(self.runner, booking_id, self)
        job.finished.connect(lambda message: self.panel.tell(
            f"{sold} {message[:1].upper()}{message[1:]}." if self.panel.message == sold
            else message, "success"))

    def save_tickets(self) -> None:
        from boxoffice.ui.printing.tickets import save_tickets_pdf

        booking_id = self._ticket_booking()
        if booking_id is not None:
            job = save_tickets_pdf(self.runner, booking_id, self)
            job.finished.connect(lambda message: self.panel.tell(message, "info"))

    def open_door(self) -> QWidget:
        from boxoffice.ui.door.window import CheckInWindow

        window = CheckInWindow(self.runner, show_id=self.model.show_id, parent=None,
                               door=self.counter, live=self.live)
        # Kept (closing only hides it): answers from the runner may still arrive for it.
        self.side_windows.append(window)  # closed with the main window
        window.show()
        return window

    def open_manager(self) -> None:
        from boxoffice.ui.manager import ManagerWindow

        window = ManagerWindow(self.runner, parent=self, counter=self.counter)
        window.show()

    def open_operations(self) -> QWidget:
        from boxoffice.ui.operations.window import OperationsWindow

        window = next((w for w in self.side_windows if isinstance(w, OperationsWindow)), None)
        if window is None:
            window = OperationsWindow(self.runner, self.live)
            self.side_windows.append(window)  # closed with the main window
        window.show()
        window.activateWindow()
        return window

    def open_cashup(self) -> QWidget:
        from boxoffice.ui.cashup.window import CashUpWindow

        window = next((w for w in self.side_windows if isinstance(w, CashUpWindow)), None)
        if window is None:
            window = CashUpWindow(self.runner, self.live, counter=self.counter,
                                  clerk=self.clerk, rights=self.rights)
            self.side_windows.append(window)  # closed with the main window
        window.show()
        window.activateWindow()
        return window

    def open_wall_view(self, *, full_screen: bool = True) -> QWidget | None:
        from boxoffice.ui.wall.window import WallWindow

        show_id = self.model.show_id
        if show_id is None:
            self.panel.tell("Open a show first; the wall view shows the open show.", "info")
            return None
        wall = WallWindow(self.runner, self.live, show_id)
        wall.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wall.destroyed.connect(lambda _o=None, w=wall: self.side_windows.remove(w)
                               if w in self.side_windows else None)
        self.side_windows.append(wall)
        if full_screen:
            wall.showFullScreen()
        else:
            wall.show()
        return wall

    def open_settings(self) -> None:
        from boxoffice.ui.common.settings_dialog import SettingsDialog, connection_url

        # A URL from the flag or BOXOFFICE_DATABASE_URL that differs from the stored choice;
        # None on the embedded database (its socket URL was never configured).
        given = self.db.settings.database_url
        overridden = given if given not in (None, connection_url(self.settings)) else None
        dialog = SettingsDialog(self.settings, self, overridden_url=overridden)
        if dialog.exec():
            new_counter = dialog.counter_name()
            if new_counter and new_counter != self.counter:
                self.counter = new_counter
                self.panel.counter = new_counter
                self.model.counter = new_counter
                self.status_counter.setText(f"Counter: <b>{new_counter}</b>")
                self.setWindowTitle(new_counter)
                self.seats.reload()
            if dialog.needs_restart:
                QMessageBox.information(self, "Settings saved",
                                        "The new connection and expiry settings take effect "
                                        "when BoxOffice is started again.")

    def show_shortcuts(self) -> None:
        dialogs.show_shortcuts(self)

    def show_about(self) -> None:
        dialogs.show_about(self)

    @Slot(object)
    def show_bug(self, error: object) -> None:
        """The one place an unexpected error reaches the clerk (and the log)."""
        dialogs.show_bug(self, error)

    # -- closing -------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        hold = self.panel.hold_view
        if hold is not None:
            # Our choice: an open hold is released on close, so its seats go back on sale
            # at once rather than after the hold time; the clerk is told first.
            if self.confirm_close:
                answer = QMessageBox.question(
                    self, "Release the open hold?",
                    f"Booking {hold.id} holds seats {', '.join(hold.seats)} and is not paid. "
                    "Closing releases these seats for sale.",
                    QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
                if answer != QMessageBox.StandardButton.Ok:
                    event.ignore()
                    return
            self.panel.release_open_hold()
        self.save_settings()
        for window in list(self.side_windows):
            window.close()
        self.runner.wait_idle(5_000)
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        if getattr(self, "_shut", False):
            return
        self._shut = True
        self.live.stop()
        self.runner.shutdown()
