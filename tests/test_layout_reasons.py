"""Blocked seats can carry a reason (house seat, broken, sight line); old layouts are unchanged."""

from __future__ import annotations

import pytest

from boxoffice.errors import InvalidLayout
from boxoffice.layout import Layout


def test_reasons_round_trip_through_json() -> None:
    lay = Layout.grid(3, 4, blocked=["A1", "B2"], blocked_reasons={"A1": "House seat"})
    data = lay.to_json()
    assert data["blocked_reasons"] == {"A1": "House seat"}
    back = Layout.from_json(data)
    assert back == lay
    assert dict(back.blocked_reasons) == {"A1": "House seat"}


def test_layout_without_reasons_keeps_its_old_json() -> None:
    lay = Layout.grid(2, 3, blocked=["A1"])
    assert "blocked_reasons" not in lay.to_json()
    assert dict(Layout.from_json(lay.to_json()).blocked_reasons) == {}
    assert hash(lay) == hash(Layout.grid(2, 3, blocked=["A1"]))


def test_reasons_cannot_be_changed_after_construction() -> None:
    reasons = {"A1": "Broken"}
    lay = Layout.grid(2, 3, blocked=["A1"], blocked_reasons=reasons)
    reasons["A1"] = "changed"
    assert lay.blocked_reasons["A1"] == "Broken"
    with pytest.raises(TypeError):
        lay.blocked_reasons["A1"] = "x"  # type: ignore[index]


@pytest.mark.parametrize("reasons, words", [
    ({"A2": "House seat"}, "not blocked: A2"),
    ({"A1": "   "}, "cannot be empty"),
    ({"A1": "x" * 201}, "longer than 200"),
])
def test_bad_reasons_are_refused(reasons: dict[str, str], words: str) -> None:
    with pytest.raises(InvalidLayout) as info:
        Layout.grid(2, 3, blocked=["A1"], blocked_reasons=reasons)
    assert words in info.value.message


@pytest.mark.parametrize("value", [["A1"], {"A1": 3}, "House seat"])
def test_malformed_stored_reasons_are_refused(value: object) -> None:
    data = Layout.grid(2, 3, blocked=["A1"]).to_json()
    data["blocked_reasons"] = value
    with pytest.raises(InvalidLayout):
        Layout.from_json(data)
