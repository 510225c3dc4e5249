"""``boxoffice cashup`` as an operator runs it: the summary, the CSV, the PDF, bad days."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from boxoffice import money, shows
from boxoffice.db import Database
from boxoffice.money import Payment, PriceCategory
from tests.test_cli import clean_env, cli


@pytest.fixture
def sold(db: Database, show: shows.ShowView) -> shows.ShowView:
    money.set_price_plan(db, show.id, [PriceCategory("Stalls", {"Adult": 2500, "Child": 1250})])
    money.sell(db, show.id, {"C1": "Adult", "C2": "Child"}, Payment("cash", tendered=4000),
               clerk="ann", counter="Counter 1")
    card = money.sell(db, show.id, {"D1": "Adult", "D2": "Adult"}, Payment("card"),
                      clerk="ben", counter="Counter 2")
    money.cancel_seats(db, card.booking.id, ["D2"], clerk="ben", counter="Counter 2")
    money.record_cash_count(db, date.today(), 3700, clerk="ann", counter="Counter 1")
    return show


def test_prints_the_totals_and_writes_csv_and_pdf(db_url: str, sold: shows.ShowView,
                                                  tmp_path: Path) -> None:
    out_csv, out_pdf = tmp_path / "day.csv", tmp_path / "day.pdf"
    done = cli("cashup", "--database-url", db_url, "--csv", str(out_csv), "--pdf", str(out_pdf),
               env=clean_env(QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stderr
    lines = {line.split("  ")[1]: line.split()[-1] for line in done.stdout.splitlines()[2:11]}
    assert lines["Tickets sold"] == "4" and lines["Tickets refunded"] == "1"
    assert lines["Takings"] == "87.50" and lines["Net takings"] == "62.50"
    assert lines["Cash expected"] == "37.50" and lines["Cash counted"] == "37.00"
    assert lines["Difference"] == "-0.50"
    assert "Counter 1 · ann" in done.stdout and "Counter 2 · ben" in done.stdout
    assert f"CSV written to {out_csv}" in done.stdout and "PDF written to" in done.stdout

    rows = list(csv.reader(out_csv.read_text(encoding="utf-8").splitlines()))
    total = next(r for r in rows if r[:2] == ["", "total"] and len(r) == 7)
    assert total == ["", "total", "2", "87.50", "1", "25.00", "62.50"]
    data = out_pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000


def test_filters_by_clerk(db_url: str, sold: shows.ShowView) -> None:
    done = cli("cashup", "--database-url", db_url, "--clerk", "ben")
    assert done.returncode == 0, done.stderr
    assert "clerk: ben" in done.stdout
    assert "Counter 1 · ann" not in done.stdout
    assert any(line.split()[:2] == ["Net", "takings"] and line.split()[-1] == "25.00"
               for line in done.stdout.splitlines())


@pytest.mark.parametrize("day", ["2026-13-01", "yesterday", "01.12.2026"])
def test_a_bad_day_is_refused_with_exit_2(db_url: str, day: str) -> None:
    done = cli("cashup", "--database-url", db_url, "--day", day)
    assert done.returncode == 2
    assert f"boxoffice: {day!r} is not a day; write it as YYYY-MM-DD" in done.stderr
    assert done.stdout == ""
