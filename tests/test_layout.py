from __future__ import annotations

import pytest

from boxoffice.errors import InvalidLayout
from boxoffice.layout import Layout, Row, row_labels


def test_grid_labels_seats_by_row_and_number() -> None:
    lay = Layout.grid(2, 20)
    labels = [s.label for s in lay.seats()]
    assert labels[:3] == ["A1", "A2", "A3"]
    assert labels[19] == "A20" and labels[20] == "B1"
    assert lay.seat_count == 40 == lay.sellable_count


def test_aisles_are_gaps_in_the_columns() -> None:
    lay = Layout.grid(1, 6, aisles_after=[3])
    assert lay.rows[0].positions == (1, 2, 3, None, 4, 5, 6)
    cols = {s.label: s.column for s in lay.seats()}
    assert cols["A3"] == 2 and cols["A4"] == 4


def test_blocked_seats_are_not_sellable_and_not_counted() -> None:
    lay = Layout.grid(2, 5, blocked=["A1", "B5"], wheelchair=["B1"], companion=["B2"])
    assert lay.sellable_count == 8
    kinds = {s.label: (s.kind, s.sellable) for s in lay.seats()}
    assert kinds["A1"] == ("standard", False)
    assert kinds["B1"] == ("wheelchair", True)
    assert kinds["B2"] == ("companion", True)


def test_json_round_trip() -> None:
    lay = Layout.grid(3, 4, aisles_after=[2], blocked=["C4"], wheelchair=["A1"])
    assert Layout.from_json(lay.to_json()) == lay


def test_row_labels_continue_after_z() -> None:
    labels = row_labels(28)
    assert labels[0] == "A" and labels[25] == "Z" and labels[26] == "AA" and labels[27] == "AB"


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: Layout(rows=()), "at least one row"),
        (lambda: Layout(rows=(Row("A", (1, 2)), Row("A", (1,)))), "appears twice"),
        (lambda: Layout(rows=(Row("A", (1, 1)),)), "A1 appears twice"),
        (lambda: Layout(rows=(Row("A1", (1,)), Row("A", (11,)))), "A11 appears twice"),
        (lambda: Layout(rows=(Row("A", (None, None)),)), "no seats"),
        (lambda: Layout(rows=(Row("a", (1,)),)), "capital letters"),
        (lambda: Layout(rows=(Row("A", (0,)),)), "outside"),
        (lambda: Layout.grid(1, 2, blocked=["Z9"]), "not in the layout"),
        (lambda: Layout.grid(1, 2, blocked=["A1", "A2"]), "sellable seat"),
        (lambda: Layout.grid(1, 2, wheelchair=["A1"], companion=["A1"]), "both"),
        (lambda: Layout.from_json({"rows": "nope"}), "list of rows"),
        (lambda: Layout.from_json({"rows": [{"label": "A", "seats": ["x"]}]}), "numbers"),
        (lambda: Layout.from_json({"rows": [{"label": "A", "seats": [1]}], "blocked": "A1"}),
         "list of seat labels"),
    ],
)
def test_invalid_layouts_are_refused_with_the_reason(make, fragment: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidLayout) as err:
        make()
    assert fragment in err.value.message
