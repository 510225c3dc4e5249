"""The seats of one show in compact arrays, for a grid that stays fast at 100,000 seats.

One byte of state and one of kind per seat, a (row, column) → seat index table, and the
``SeatState`` records kept only for tooltips and the booking panel. The model knows the
selection too. It emits which seat indices changed so the grid repaints only those.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal

from boxoffice import changes
from boxoffice.changes import Resync, SeatsChanged, ShowChange, ShowChanged
from boxoffice.seatmap import SeatMap, SeatState
from boxoffice.ui.common import style
from boxoffice.ui.common.live_bridge import LiveBridge

log = logging.getLogger(__name__)

_FREE, _HELD, _SOLD, _BLOCKED = "free", "held", "sold", "blocked"


class SeatGridModel(QObject):
    """Seat states of the open show; ``seats_changed(indices)`` after every change."""

    reset = Signal()
    seats_changed = Signal(list)  # seat indices whose look changed
    selection_changed = Signal()
    selection_lost = Signal(list)  # labels taken away from the selection by someone else

    def __init__(self, counter: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.counter = counter
        self.house: frozenset[str] = frozenset()  # blocked seats kept for the house
        self.clear()

    # -- loading -------------------------------------------------------------------

    def clear(self) -> None:
        self.show_id: int | None = None
        self.show_name = ""
        self.hall_name = ""
        self.start_time = None
        self.labels: list[str] = []
        self.rows = array("i")
        self.cols = array("i")
        self.kinds = bytearray()
        self.states = bytearray()
        self.selected = bytearray()
        self.details: list[SeatState] = []
        self.row_labels: list[str] = []
        self.n_rows = 0
        self.n_cols = 0
        self.grid = array("i")
        self._index: dict[str, int] = {}
        self._selection: set[int] = set()

    def load(self, seat_map: SeatMap) -> None:
        """Replace everything with a fresh seat map; the selection survives where the
        same show is reloaded and the seats are still free."""
        keep = self.selected_labels() if seat_map.show_id == self.show_id else []
        if seat_map.show_id != self.show_id:
            self.house = frozenset()  # another show's house seats are not this one's
        self.clear()
        self.show_id = seat_map.show_id
        self.show_name = seat_map.show_name
        self.hall_name = seat_map.hall_name
        self.start_time = seat_map.start_time
        seats = seat_map.seats
        n = len(seats)
        self.labels = [s.label for s in seats]
        self.rows = array("i", [s.row_index for s in seats])
        self.cols = array("i", [s.column for s in seats])
        self.n_rows = (max(self.rows) + 1) if n else 0
        self.n_cols = (max(self.cols) + 1) if n else 0
        kind_codes = style.KIND_CODES
        self.kinds = bytearray(kind_codes.get(s.kind, style.STANDARD) for s in seats)
        code = self._code
        self.states = bytearray(code(s) for s in seats)
        self.selected = bytearray(n)
        self.details = list(seats)
        self._index = {label: i for i, label in enumerate(self.labels)}
        grid = array("i", [-1]) * (self.n_rows * self.n_cols)
        width = self.n_cols
        row_labels = [""] * self.n_rows
        for i, s in enumerate(seats):
            grid[s.row_index * width + s.column] = i
            row_labels[s.row_index] = s.row_label
        self.grid = grid
        self.row_labels = row_labels
        for label in keep:
            i = self._index.get(label)
            if i is not None and self.states[i] == style.FREE:
                self._selection.add(i)
                self.selected[i] = 1
        self.reset.emit()
        self.selection_changed.emit()

    def set_house_seats(self, labels: Iterable[str]) -> None:
        """Blocked seats kept for the house, drawn as such (the wall view's legend)."""
        self.house = frozenset(labels)
        changed = False
        for i, s in enumerate(self.details):
            if self.states[i] in (style.BLOCKED, style.HOUSE):
                code = self._code(s)
                changed |= code != self.states[i]
                self.states[i] = code
        if changed:
            self.reset.emit()

    def _code(self, s: SeatState) -> int:
        if s.state == _FREE:
            return style.FREE
        if s.state == _SOLD:
            return style.SOLD
        if s.state == _HELD:
            return style.HELD_MINE if self.counter and s.counter == self.counter \
                else style.HELD_OTHER
        return style.HOUSE if s.label in self.house else style.BLOCKED

    # -- queries -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.labels)

    def index_of(self, label: str) -> int | None:
        return self._index.get(label)

    def at(self, row: int, col: int) -> int:
        if 0 <= row < self.n_rows and 0 <= col < self.n_cols:
            return self.grid[row * self.n_cols + col]
        return -1

    def seat(self, label: str) -> SeatState | None:
        i = self._index.get(label)
        return None if i is None else self.details[i]

    def counts(self) -> dict[int, int]:
        b = bytes(self.states)
        return {s: b.count(s) for s in style.STATE_NAMES}

    def seat_states(self) -> list[SeatState]:
        return self.details

    # -- live changes --------------------------------------------------------------

    def apply_change(self, change: SeatsChanged) -> None:
        """Show a seat change at once (from the feed or our own write), before its
        details are fetched."""
        if change.show_id != self.show_id or change.refetch:
            return
        mine = bool(self.counter) and change.counter == self.counter
        state = change.state.value  # the seat map's own words: sold, held, free
        kept = change.state != changes.SeatState.FREE
        updated = []
        for label in change.seats:
            i = self._index.get(label)
            if i is None:
                continue
            old = self.details[i]
            same = old.booking_id == change.booking_id
            updated.append(SeatState(
                old.label, old.row_label, old.row_index, old.column, old.kind, state,
                change.booking_id if kept else None,
                change.counter if kept else None,
                old.clerk if kept else None,
                old.customer if kept and same else None,
                old.hold_deadline if change.state == changes.SeatState.HELD and same else None))
        self.update_seats(updated, quiet=mine)

    def update_seats(self, seats: Iterable[SeatState], *, quiet: bool = False) -> None:
        """New states for some seats (a live change or a refetch of just those seats)."""
        changed: list[int] = []
        lost: list[str] = []
        for s in seats:
            i = self._index.get(s.label)
            if i is None:
                continue
            code = self._code(s)
            self.details[i] = s
            if self.states[i] != code:
                self.states[i] = code
                changed.append(i)
                if self.selected[i] and code != style.FREE:
                    self.selected[i] = 0
                    self._selection.discard(i)
                    lost.append(s.label)
        if changed:
            self.seats_changed.emit(changed)
        if lost:
            self.selection_changed.emit()
            if not quiet:
                self.selection_lost.emit(lost)

    # -- selection -----------------------------------------------------------------

    def selected_labels(self) -> list[str]:
        return [self.labels[i] for i in sorted(self._selection,
                                               key=lambda i: (self.rows[i], self.cols[i]))]

    def selection_count(self) -> int:
        return len(self._selection)

    def is_selectable(self, i: int) -> bool:
        return 0 <= i < len(self.states) and self.states[i] == style.FREE

    def set_selection(self, indices: Iterable[int]) -> None:
        new = {i for i in indices if self.is_selectable(i)}
        if new == self._selection:
            return
        changed = list(new ^ self._selection)
        for i in changed:
            self.selected[i] = 1 if i in new else 0
        self._selection = new
        self.seats_changed.emit(changed)
        self.selection_changed.emit()

    def select_labels(self, labels: Sequence[str]) -> None:
        self.set_selection(i for i in (self._index.get(x) for x in labels) if i is not None)

    def toggle(self, i: int) -> None:
        if i in self._selection:
            self.set_selection(self._selection - {i})
        elif self.is_selectable(i):
            self.set_selection(self._selection | {i})

    def clear_selection(self) -> None:
        self.set_selection(())

    def selection_set(self) -> set[int]:
        return set(self._selection)

    def block(self, a: int, b: int) -> list[int]:
        """The seats of the rectangle between two seats (one row: the run between them)."""
        r0, r1 = sorted((self.rows[a], self.rows[b]))
        c0, c1 = sorted((self.cols[a], self.cols[b]))
        out = []
        width = self.n_cols
        for r in range(r0, r1 + 1):
            base = r * width
            for c in range(c0, c1 + 1):
                i = self.grid[base + c]
                if i >= 0:
                    out.append(i)
        return out


class LiveSeatMap(QObject):
    """Keeps a ``SeatGridModel`` equal to the database for one show, fed by the live feed.

    A change is shown at once from the notification itself, then the changed seats alone
    are refetched for their booking, customer and deadline (one fetch in flight; changes
    arriving meanwhile are gathered into the next one). A resync reloads the whole show.
    """

    loaded = Signal(int)  # show id
    load_failed = Signal(object)
    show_deleted = Signal(int)  # the open show was deleted (by a manager)

    def __init__(self, model: SeatGridModel, runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.runner = runner
        self._loading: int | None = None
        self._fetching = False
        self._again = False
        self._pending: set[str] = set()
        # A hold that runs out is free by the database's rule before anyone announces it
        # (there may be no expiry runner): refetch its seats at its deadline, as the show
        # list refetches its row, so grid, header and list agree.
        self._expiry_timer = QTimer(self, singleShot=True)
        self._expiry_timer.timeout.connect(self._holds_ran_out)
        model.reset.connect(self._arm_expiry)
        model.seats_changed.connect(lambda _i: self._arm_expiry())

    @property
    def show_id(self) -> int | None:
        return self._loading if self._loading is not None else self.model.show_id

    def open(self, show_id: int | None) -> None:
        from boxoffice.seatmap import seat_map

        if show_id is None:
            self._loading = None
            self.model.clear()
            self.model.reset.emit()
            self.model.selection_changed.emit()
            return
        self._loading = show_id
        self._again = False
        self._pending.clear()

        def done(sm: SeatMap) -> None:
            if self._loading != show_id:
                return  # another show was chosen meanwhile
            self._loading = None
            self.model.load(sm)
            self.loaded.emit(show_id)
            if self._again:
                self.open(show_id)

        def failed(error: BaseException) -> None:
            if self._loading == show_id:
                self._loading = None
            self.load_failed.emit(error)

        self.runner.run(lambda db: seat_map(db, show_id), success=done, failure=failed,
                        label=f"seat map of show {show_id}")

    def reload(self) -> None:
        if self.show_id is not None:
            self.open(self.show_id)

    def follow(self, live: LiveBridge) -> None:
        """Keep up with the open show's seat and show changes, and refetch on a resync."""
        live.subscribe(SeatsChanged, self.on_seats, show=lambda: self.show_id)
        live.subscribe(ShowChanged, self.on_show, show=lambda: self.show_id)
        live.subscribe(Resync, self.on_resync)

    def on_seats(self, change: SeatsChanged) -> None:
        if self._stale(change.show_id):
            return
        if change.refetch:
            self.reload()
            return
        self.model.apply_change(change)
        self.refresh(change.seats)

    def on_show(self, change: ShowChanged) -> None:
        if self._stale(change.show_id):
            return
        if change.kind == ShowChange.DELETED:
            self.open(None)
            self.show_deleted.emit(change.show_id)
        elif change.kind in (ShowChange.CHANGED, ShowChange.LAYOUT_CHANGED):
            self.reload()

    def on_resync(self, _change: Resync) -> None:
        self.reload()

    def _stale(self, show_id: int) -> bool:
        """True if the change is not for the map on screen; if it is for the one being
        fetched, that map may predate it, so it is fetched once more afterwards."""
        if self._loading is not None:
            if show_id == self._loading:
                self._again = True
            return True
        return show_id != self.model.show_id

    def _held_deadlines(self) -> list[tuple[datetime, str]]:
        return [(d.hold_deadline, d.label) for d in self.model.details
                if d.state == "held" and d.hold_deadline is not None]

    def _arm_expiry(self) -> None:
        deadlines = self._held_deadlines()
        if not deadlines:
            self._expiry_timer.stop()
            return
        wait = (min(deadlines)[0] - datetime.now(UTC)).total_seconds()
        ms = int(wait * 1000) + 250 if wait > 0 else 1000  # past the database's now()
        self._expiry_timer.start(min(ms, 3_600_000))

    def _holds_ran_out(self) -> None:
        now = datetime.now(UTC)
        due = [label for deadline, label in self._held_deadlines() if deadline <= now]
        if due:
            self.refresh(due)
        else:
            self._arm_expiry()

    def refresh(self, labels: Iterable[str]) -> None:
        """Refetch just these seats (details for tooltips and the booking panel)."""
        self._pending.update(labels)
        if not self._fetching and self._pending:
            self._fetch()

    def _fetch(self) -> None:
        from boxoffice.seatmap import seat_map

        show_id = self.model.show_id
        labels = sorted(self._pending)
        self._pending.clear()
        self._fetching = True

        def done(sm: SeatMap) -> None:
            self._fetching = False
            if sm.show_id == self.model.show_id:
                self.model.update_seats(sm.seats, quiet=True)
                self._arm_expiry()
            if self._pending:
                self._fetch()

        def failed(error: BaseException) -> None:
            self._fetching = False
            log.warning("show %s: seats %s not refreshed: %s", show_id, labels[:10], error)

        self.runner.run(lambda db: seat_map(db, show_id, labels=labels), success=done,
                        failure=failed, label=f"seats of show {show_id}")
