from __future__ import annotations

import pytest

from boxoffice.errors import InvalidRequest
from boxoffice.layout import Layout
from boxoffice.seatmap import FREE, SOLD, SeatState, best_available


def hall(layout: Layout, sold: set[str] = frozenset()) -> list[SeatState]:  # type: ignore[assignment]
    return [SeatState(s.label, s.row_label, s.row_index, s.column, s.kind,
                      "blocked" if s.blocked else SOLD if s.label in sold else FREE)
            for s in layout.seats()]


def test_same_row_adjacent_near_centre_of_a_good_row() -> None:
    seats = hall(Layout.grid(9, 10))
    assert best_available(seats, 2) == ["D5", "D6"]


def test_aisles_break_a_block() -> None:
    seats = hall(Layout.grid(1, 4, aisles_after=[2]))
    assert best_available(seats, 3) == []
    assert best_available(seats, 2) in (["A1", "A2"], ["A3", "A4"])


def test_never_strands_a_single_seat_when_a_block_can_avoid_it() -> None:
    # Row A: seats 1..5, seat 1 sold: free 2..5. Two seats at 3-4 would strand 2 and 5.
    seats = hall(Layout.grid(1, 5), sold={"A1"})
    assert best_available(seats, 2) in (["A2", "A3"], ["A4", "A5"])


def test_wheelchair_spaces_only_when_asked() -> None:
    lay = Layout.grid(2, 4, wheelchair=["B1"], companion=["B2"])
    seats = hall(lay)
    assert not {"B1", "B2"} & set(best_available(seats, 2))
    assert best_available(seats, 2, wheelchair=True) == ["B1", "B2"]
    assert best_available(hall(lay, sold={"B1"}), 1, wheelchair=True) == []


def test_sold_out_and_bad_n() -> None:
    lay = Layout.grid(1, 3)
    assert best_available(hall(lay, sold={"A1", "A2", "A3"}), 1) == []
    with pytest.raises(InvalidRequest):
        best_available(hall(lay), 0)


def test_avoid_skips_seats() -> None:
    seats = hall(Layout.grid(1, 3))
    assert "A2" not in best_available(seats, 1, avoid=["A2"])


def test_wheelchair_and_two_seats_is_one_space_and_its_companion_seat() -> None:
    """Issue 13 item 21: it picked two wheelchair spaces side by side."""
    lay = Layout.grid(10, 8, wheelchair=["J3", "J4", "J5", "J6"], companion=["J2", "J7"])
    pair = best_available(hall(lay), 2, wheelchair=True)
    assert pair in (["J2", "J3"], ["J6", "J7"]), pair
    # one wheelchair space alone is fine; two companions need two companion seats beside it
    assert best_available(hall(lay), 1, wheelchair=True) in (["J4"], ["J5"])
    assert best_available(hall(lay), 3, wheelchair=True) == []
    # with the companion seats sold, there is no space with a companion seat left
    assert best_available(hall(lay, sold={"J2", "J7"}), 2, wheelchair=True) == []
    spaced = Layout.grid(10, 8, wheelchair=["J1", "J4"], companion=["J2", "J3", "J5"])
    assert best_available(hall(spaced), 3, wheelchair=True) in (
        ["J1", "J2", "J3"], ["J3", "J4", "J5"])
