"""The seats of one show in compact arrays, for a grid that stays fast at 100,000 seats.

One byte of state per seat over the chart's geometry (labels, rows, columns, kinds and a
(row, column) → seat index table, shared by every show of one hall version), and the
booking details per booking; ``SeatState`` records are made only for a tooltip or the
booking panel. The model knows the
selection too. It emits which seat indices changed so the grid repaints only those.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from boxoffice import changes, seatfetch
from boxoffice.changes import Resync, SeatsChanged, ShowChange, ShowChanged
from boxoffice.seatfetch import BookingDetails, ChartGeometry, ShowSeats
from boxoffice.seatmap import SeatMap, SeatState
from boxoffice.ui.common import style
from boxoffice.ui.common.live_bridge import LiveBridge

log = logging.getLogger(__name__)

_HELD, _SOLD = "held", "sold"
_EMPTY = seatfetch.geometry_of(())[0]


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
        self._set_geometry(_EMPTY)
        self.states = bytearray()
        self.selected = bytearray()
        self.booking_of: dict[int, int] = {}  # seat index → booking id (taken seats)
        self.bookings: dict[int, BookingDetails] = {}
        self._selection: set[int] = set()

    def _set_geometry(self, geo: ChartGeometry) -> None:
        # The chart is shared (cached per hall version): never written to from here.
        self.geometry = geo
        self.labels = geo.labels
        self.rows = geo.rows
        self.cols = geo.cols
        self.kinds = geo.kinds
        self.row_labels = geo.row_labels
        self.n_rows = geo.n_rows
        self.n_cols = geo.n_cols
        self.grid = geo.grid
        self._index = geo.index

    def load(self, seat_map: SeatMap | ShowSeats) -> None:
        """Replace everything with a fresh seat map; the selection survives where the
        same show is reloaded and the seats are still free.

        A ``ShowSeats`` (``seatfetch.fetch``) loads without a Python object per seat; a
        ``SeatMap`` (scripts, tests) is converted first.
        """
        if isinstance(seat_map, SeatMap):
            seat_map = seatfetch.from_seat_map(seat_map.show_id, seat_map.show_name,
                                               seat_map.start_time, seat_map.hall_name,
                                               seat_map.seats, self.counter)
        keep = self.selected_labels() if seat_map.show_id == self.show_id else []
        if seat_map.show_id != self.show_id:
            self.house = frozenset()  # another show's house seats are not this one's
        self.clear()
        self.show_id = seat_map.show_id
        self.show_name = seat_map.show_name
        self.hall_name = seat_map.hall_name
        self.start_time = seat_map.start_time
        self._set_geometry(seat_map.geometry)
        self.states = seat_map.states
        self.selected = bytearray(len(self.states))
        self.booking_of = seat_map.booking_of
        self.bookings = seat_map.bookings
        if self.house:
            self._mark_house()
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
        if self._mark_house():
            self.reset.emit()

    def _mark_house(self) -> bool:
        """Blocked seats drawn as house seats where ``house`` names them; True if any
        byte changed."""
        changed = False
        for i, state in enumerate(self.states):
            if state in (style.BLOCKED, style.HOUSE):
                code = style.HOUSE if self.labels[i] in self.house else style.BLOCKED
                changed |= code != state
                self.states[i] = code
        return changed

    # -- queries -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def numbers(self) -> list[str]:
        """Seat numbers without the row label, for drawing zoomed in (built once per chart)."""
        return self.geometry.numbers

    def index_of(self, label: str) -> int | None:
        return self._index.get(label)

    def at(self, row: int, col: int) -> int:
        if 0 <= row < self.n_rows and 0 <= col < self.n_cols:
            return self.grid[row * self.n_cols + col]
        return -1

    def detail(self, i: int) -> SeatState:
        """Seat ``i``'s full record, made on demand (tooltips, the booking panel)."""
        return seatfetch.seat_state(self.geometry, i, self.states[i],
                                    self.bookings.get(self.booking_of.get(i, -1)))

    def seat(self, label: str) -> SeatState | None:
        i = self._index.get(label)
        return None if i is None else self.detail(i)

    def counts(self) -> dict[int, int]:
        b = bytes(self.states)
        return {s: b.count(s) for s in style.STATE_NAMES}

    def seat_states(self) -> list[SeatState]:
        """Every seat's record (best-seat search): one object per seat, so only on demand."""
        return [self.detail(i) for i in range(len(self.labels))]

    # -- live changes --------------------------------------------------------------

    def apply_change(self, change: SeatsChanged) -> None:
        """Show a seat change at once (from the feed or our own write), before its
        details are fetched."""
        self.apply_changes([change])

    def apply_changes(self, batch: Iterable[SeatsChanged]) -> None:
        """Several seat changes as one update: one ``seats_changed`` for the lot, so the
        grid repaints once per batch however many sales a frame brought."""
        changed: list[int] = []
        lost: list[str] = []  # to say so: taken by someone else
        quiet: list[str] = []  # taken by this counter's own write
        for change in batch:
            if change.show_id != self.show_id or change.refetch:
                continue
            mine = bool(self.counter) and change.counter == self.counter
            kept = change.state != changes.SeatState.FREE
            if change.state == changes.SeatState.SOLD:
                code = style.SOLD
            elif kept:
                code = style.HELD_MINE if mine else style.HELD_OTHER
            else:
                code = style.FREE
            if kept and change.booking_id is not None:
                old = self.bookings.get(change.booking_id)
                if old is None or old.counter != change.counter:
                    self.bookings[change.booking_id] = BookingDetails(
                        change.booking_id, change.counter,
                        old.clerk if old else None, old.customer if old else None,
                        old.hold_deadline if old else None)
            self._set_codes(((i, code, change.booking_id if kept else None)
                             for i in map(self._index.get, change.seats) if i is not None),
                            changed, quiet if mine else lost)
        self._emit(changed, lost, quiet)

    def update_seats(self, seats: Iterable[SeatState], *, quiet: bool = False) -> None:
        """New states for some seats (a live change or a refetch of just those seats)."""
        changed: list[int] = []
        lost: list[str] = []
        updates = []
        for s in seats:
            i = self._index.get(s.label)
            if i is None:
                continue
            if s.booking_id is not None and s.state in (_HELD, _SOLD):
                self.bookings[s.booking_id] = BookingDetails(
                    s.booking_id, s.counter, s.clerk, s.customer, s.hold_deadline)
                updates.append((i, self._code(s), s.booking_id))
            else:
                updates.append((i, self._code(s), None))
        self._set_codes(updates, changed, lost)
        self._emit(changed, [] if quiet else lost, lost if quiet else [])

    def _set_codes(self, updates: Iterable[tuple[int, int, int | None]], changed: list[int],
                   lost: list[str]) -> None:
        states, selected, booking_of = self.states, self.selected, self.booking_of
        for i, code, booking_id in updates:
            if booking_id is None:
                booking_of.pop(i, None)
            else:
                booking_of[i] = booking_id
            if states[i] != code:
                states[i] = code
                changed.append(i)
                if selected[i] and code != style.FREE:
                    selected[i] = 0
                    self._selection.discard(i)
                    lost.append(self.labels[i])

    def _emit(self, changed: list[int], lost: list[str], quiet: list[str]) -> None:
        if changed:
            self.seats_changed.emit(changed)
        if lost or quiet:
            self.selection_changed.emit()
        if lost:
            self.selection_lost.emit(lost)

    def _code(self, s: SeatState) -> int:
        code = seatfetch.code_of(s.state, s.counter, self.counter)
        return style.HOUSE if code == style.BLOCKED and s.label in self.house else code

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
        if show_id is None:
            self._loading = None
            self.model.clear()
            self.model.reset.emit()
            self.model.selection_changed.emit()
            return
        self._loading = show_id
        self._again = False
        self._pending.clear()

        def done(sm: ShowSeats) -> None:
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

        counter = self.model.counter
        self.runner.run(lambda db: seatfetch.fetch(db, show_id, counter=counter),
                        success=done, failure=failed, label=f"seat map of show {show_id}")

    def reload(self) -> None:
        if self.show_id is not None:
            self.open(self.show_id)

    def follow(self, live: LiveBridge) -> None:
        """Keep up with the open show's seat and show changes, and refetch on a resync."""
        live.subscribe(SeatsChanged, self.on_seats_batch, show=lambda: self.show_id,
                       batch=True)
        live.subscribe(ShowChanged, self.on_show, show=lambda: self.show_id)
        live.subscribe(Resync, self.on_resync)

    def on_seats(self, change: SeatsChanged) -> None:
        self.on_seats_batch([change])

    def on_seats_batch(self, batch: list[SeatsChanged]) -> None:
        """A frame's seat changes: one model update (one repaint), one details fetch."""
        fresh = [c for c in batch if not self._stale(c.show_id)]
        if not fresh:
            return
        if any(c.refetch for c in fresh):
            self.reload()
            return
        self.model.apply_changes(fresh)
        self.refresh(label for c in fresh for label in c.seats)

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
        m = self.model
        return [(m.bookings[b].hold_deadline, m.labels[i]) for i, b in m.booking_of.items()
                if m.states[i] in (style.HELD_MINE, style.HELD_OTHER)
                and b in m.bookings and m.bookings[b].hold_deadline is not None]

    def _arm_expiry(self) -> None:
        if not shiboken6.isValid(self._expiry_timer):  # an answer after the window closed
            return
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
