"""The wall view: one show's hall, read-only and full screen, with big occupancy figures.

It reuses the seat grid in read-only mode and keeps its own copy of the seats live from
the same bridge as the counter window, so staff watch the hall fill as counters sell.
The "checked in" figure is recounted when a door lets someone in or seats of the show
go free (a refunded ticket's guest no longer counts).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from boxoffice.changes import CheckedIn, Resync, SeatsChanged, SeatState
from boxoffice.ui.common import style
from boxoffice.ui.common.live_bridge import LiveBridge
from boxoffice.ui.common.runner import OperationRunner
from boxoffice.ui.counter.seat_grid import Legend, SeatGrid
from boxoffice.ui.counter.seat_grid_model import LiveSeatMap, SeatGridModel


class _Figure(QWidget):
    def __init__(self, caption: str, name: str) -> None:
        super().__init__()
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(0)
        self.value = QLabel("—")
        self.value.setObjectName(name)
        self.value.setProperty("wall", "figure")
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        cap = QLabel(caption.upper())
        cap.setProperty("wall", "caption")
        cap.setAlignment(Qt.AlignmentFlag.AlignCenter)
        v.addWidget(self.value)
        v.addWidget(cap)


class WallWindow(QWidget):
    def __init__(self, runner: OperationRunner, live: LiveBridge | None, show_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WallWindow")
        self.setWindowTitle("Wall view")  # Qt adds "— BoxOffice"
        self.setWindowIcon(style.icon("app"))
        self.model = SeatGridModel(None, self)
        self.seats = LiveSeatMap(self.model, runner, self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 20, 28, 16)
        outer.setSpacing(12)
        top = QHBoxLayout()
        titles = QVBoxLayout()
        self.title = QLabel("")
        self.title.setObjectName("WallTitle")
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("WallSubtitle")
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        top.addLayout(titles, 1)
        self.fig_occupancy = _Figure("occupancy", "WallOccupancy")
        self.fig_sold = _Figure("sold", "WallSold")
        self.fig_held = _Figure("held", "WallHeld")
        self.fig_free = _Figure("seats left", "WallFree")
        self.fig_in = _Figure("checked in", "WallCheckedIn")
        for f in (self.fig_sold, self.fig_held, self.fig_free, self.fig_in, self.fig_occupancy):
            f.setMinimumWidth(150)
            top.addWidget(f)
        outer.addLayout(top)
        self.grid = SeatGrid(self.model, read_only=True)
        outer.addWidget(self.grid, 1)
        legend = Legend(entries=Legend.WALL_ENTRIES)
        outer.addWidget(legend)
        hint = QLabel("Esc or F11 leaves the wall view")
        hint.setObjectName("Muted")
        hint.setAlignment(Qt.AlignmentFlag.AlignRight)
        outer.addWidget(hint)
        self.model.reset.connect(self._update)
        self.model.seats_changed.connect(lambda _i: self._update())
        self.runner = runner
        self.show_id = show_id
        self.checked_in: int | None = None
        self._counting = False
        self._count_again = False
        if live is not None:
            self.seats.follow(live)
            live.subscribe((CheckedIn, SeatsChanged, Resync), self._maybe_recount,
                           show=show_id)
        self._recount()
        for key in ("Esc", "F11"):
            QShortcut(QKeySequence(key), self, activated=self.close)
        self.resize(1280, 800)
        self.seats.open(show_id)
        self._read_house_seats()  # after the seats: the runner answers in order

    def _read_house_seats(self) -> None:
        """The show's house seats (blocked, with a house reason), drawn apart on the wall."""
        from boxoffice import shows

        show_id = self.show_id
        self.runner.run(lambda db: shows.get_show(db, show_id).layout.house_seats,
                        success=self.model.set_house_seats, failure=lambda _e: None,
                        label="house seats of the wall view's show", owner=self)

    def _maybe_recount(self, change: CheckedIn | SeatsChanged | Resync) -> None:
        if not isinstance(change, SeatsChanged) or change.state == SeatState.FREE:
            self._recount()

    def _recount(self) -> None:
        """Guests let in at the doors (from PostgreSQL, coalesced while a count runs)."""
        if self._counting:
            self._count_again = True
            return
        from boxoffice.checkin import checkin_counts

        self._counting = True
        show_id = self.show_id

        def done(counts: object) -> None:
            self._counting = False
            self.checked_in = getattr(counts, "checked_in", None)
            self._update()
            if self._count_again:
                self._count_again = False
                self._recount()

        def failed(_error: BaseException) -> None:
            self._counting = False

        self.runner.run(lambda db: checkin_counts(db, show_id), success=done, failure=failed,
                        label="check-ins of the wall view's show", owner=self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)

    def figures(self) -> dict[str, int]:
        c = self.model.counts()
        total = len(self.model)
        held = c[style.HELD_MINE] + c[style.HELD_OTHER]
        sellable = total - c[style.BLOCKED] - c[style.HOUSE]
        return {"sold": c[style.SOLD], "held": held, "free": c[style.FREE],
                "total": total, "occupancy": round(100 * (c[style.SOLD] + held) / sellable)
                if sellable else 0}

    def _update(self) -> None:
        m = self.model
        self.title.setText(m.show_name)
        if m.start_time is not None:
            self.subtitle.setText(f"{m.start_time.astimezone():%A %d %B · %H:%M} · {m.hall_name}")
        f = self.figures()
        self.fig_occupancy.value.setText(f"{f['occupancy']}%")
        # green with room, orange filling up, red nearly sold out: as the show list's bars
        self.fig_occupancy.value.setStyleSheet(
            f"color: {style.occupancy_colour(f['occupancy'] / 100)};")
        self.fig_sold.value.setText(f"{f['sold']:,}")
        self.fig_held.value.setText(f"{f['held']:,}")
        self.fig_free.value.setText(f"{f['free']:,}")
        self.fig_in.value.setText("—" if self.checked_in is None else f"{self.checked_in:,}")
