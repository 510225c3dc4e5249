"""Every real chart in ../shared/data/charts imports with the README's counts, or is refused
naming each duplicate and imports with rename_duplicates; CSV, refusals and round trips."""

from __future__ import annotations

import collections
import json
import math
from pathlib import Path

import pytest
from sqlalchemy import text

from boxoffice import booking, shows
from boxoffice.charts import Chart, csvchart, load_chart, pretix
from boxoffice.charts.importing import guess_format
from boxoffice.db import Database
from boxoffice.errors import ChartRefused, InvalidLayout, SeatsTaken
from boxoffice.layout import Layout
from tests import dbutil
from tests.charts.files import COUNTS, chart
from tests.conftest import table_snapshot


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_each_real_chart_imports_with_its_counts_or_is_refused_naming_each_duplicate(
        name: str) -> None:
    seats, standing, duplicates = COUNTS[name]
    path = chart(name)
    if duplicates:
        with pytest.raises(ChartRefused) as err:
            load_chart(path)
        problems = err.value.problems
        assert [p.kind for p in problems] == ["duplicate id"] * duplicates
        for p in problems:  # file, zone, row and number of every offending seat
            assert p.where.startswith("zone ") and ", row " in p.where and ", seat " in p.where
            assert name in err.value.message and p.where in err.value.message
        assert "--rename-duplicates" in err.value.message
        assert "Nothing was written" in err.value.message
    imported = load_chart(path, rename_duplicates=True)
    c = imported.chart
    assert (c.seat_count, c.standing_capacity) == (seats, standing)
    assert len(imported.renamed) == duplicates
    ids = [s.id for s in c.seats()]
    assert len(set(ids)) == len(ids)
    assert c.problems() == []


def test_the_formats_are_told_from_the_content() -> None:
    assert guess_format(chart("pretix_riethsporthalle-erfurt.json").read_text()) == "pretix"
    assert guess_format(chart("seatsio_sample-tables.json").read_text()) == "seatsio"
    assert guess_format("level,section,row,seat,x,y,category,accessibility,"
                        "restricted_view,blocked\n") == "csv"
    with pytest.raises(InvalidLayout, match="--format"):
        guess_format(chart("ticketland_demo-hall-scheme.json").read_text())


def test_seatsio_structure_survives_the_import() -> None:
    ga = load_chart(chart("seatsio_sample-rows-ga.json")).chart
    areas = {a.name: a for _, _, a in ga.standing_areas()}
    assert {n: (a.capacity, a.category) for n, a in areas.items()} == {
        "GA1": (100, "Cat1"), "GA2": (100, "Cat2")}
    assert [s.access for s in ga.seats()].count("wheelchair") == 1
    assert ga.focal_point is not None
    assert any(s.kind == "rectangle" for s in ga.shapes)  # the stage
    tables = load_chart(chart("seatsio_sample-tables.json")).chart
    rows = tables.levels[0].sections[0].rows
    assert [(r.label, len(r.seats), r.book_whole) for r in rows] == [
        ("T1", 6, False), ("T2", 6, True)]
    floors = load_chart(chart("seatsio_sample-floors.json")).chart
    assert [lv.name for lv in floors.levels] == ["Floor 1", "Floor 2"]
    # The sections say category label "Foo", a stale label; their keys name CatA and CatB,
    # and seats.io goes by the key.
    assert {s.category for s in floors.seats()} == {"CatA", "CatB"}
    zones = load_chart(chart("seatsio_race-track-zones.json")).chart
    assert sorted(lv.name for lv in zones.levels) == ["Finish Line", "Mid Track"]
    assert collections.Counter(s.category for s in zones.seats()) == {
        "Goal Stands": 2865, "Mid Track Stand": 6032}


def test_pretix_rows_in_segments_share_their_label() -> None:
    c = load_chart(chart("pretix_teater-besar-tim-jakarta.json"), rename_duplicates=True).chart
    segments = collections.Counter(r.label for r in c.levels[0].sections[0].rows)
    assert max(segments.values()) == 3
    assert collections.Counter(s.category for s in c.seats())["NOT AVAILABLE"] == 112
    assert {s.kind for s in c.shapes} >= {"polygon", "ellipse", "rectangle", "text"}


def _edit(tmp_path: Path, name: str, change: object) -> Path:
    data = json.loads(chart(name).read_text())
    change(data)  # type: ignore[operator]
    out = tmp_path / name
    out.write_text(json.dumps(data))
    return out


def test_unknown_categories_and_broken_geometry_are_refused_seat_by_seat(
        tmp_path: Path) -> None:
    def spoil(data: dict[str, object]) -> None:
        rows = data["zones"][0]["rows"]  # type: ignore[index]
        rows[0]["seats"][0]["category"] = "Balcony"
        rows[0]["seats"][1]["position"]["x"] = "left"
        rows[1]["seats"][0]["position"]["y"] = None

    path = _edit(tmp_path, "pretix_riethsporthalle-erfurt.json", spoil)
    with pytest.raises(ChartRefused) as err:
        load_chart(path, rename_duplicates=True)
    kinds = [p.kind for p in err.value.problems]
    assert kinds == ["unknown category", "broken geometry", "broken geometry"]
    assert "'Balcony'" in err.value.message and "zone Block" in err.value.message
    assert "category list" in err.value.advice and "positions" in err.value.advice


def test_a_refused_chart_writes_nothing(db: Database) -> None:
    before = table_snapshot(db)
    with pytest.raises(ChartRefused):
        shows.create_hall(db, "Jakarta", _raw("pretix_teater-besar-tim-jakarta.json"))
    assert table_snapshot(db) == before


def _raw(name: str) -> Chart:
    """A file read without the check, as a buggy caller might hand it to create_hall."""
    from boxoffice.charts.importing import read_chart

    return read_chart(chart(name).read_text())


# -- CSV ------------------------------------------------------------------------------


HEADER = "level, section, row, seat, x, y, category, accessibility, restricted_view, blocked"


def calais_csv() -> str:
    """The Théâtre de Calais as a venue would type it: its levels, rows lettered, French
    odd/even numbering as the cells give it, "bis" seats, restricted view, security."""
    data = json.loads(chart("lecoindujazz_theatre-de-calais.json").read_text())
    names = {"ORCHESTRA": "Orchestre", "FIRST_GALLERY": "Première galerie",
             "SECOND_GALLERY": "Deuxième galerie", "THIRD_GALLERY": "Troisième galerie"}
    lines = [HEADER]
    y = 0
    for section in data["sections"]:
        for row in section["rows"]:
            y += 1
            for x, cell in enumerate(row["cells"]):
                if "id" not in cell:
                    continue
                number = f"{cell['num']} bis" if cell.get("isBis") else str(cell["num"])
                lines.append(", ".join([
                    names[section["type"]], "", row["letter"], number, str(x * 20), str(y * 30),
                    "Restricted" if cell.get("hasRestrictedView") else "Standard",
                    "wheelchair" if cell.get("isWheelchairAccessible") else "",
                    "yes" if cell.get("hasRestrictedView") else "no",
                    "Security staff" if cell.get("isSecurity") else ""]))
    return "\n".join(lines) + "\n"


def test_the_calais_theatre_as_csv(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "calais.csv"
    path.write_text(calais_csv(), encoding="utf-8")
    with pytest.raises(ChartRefused) as err:
        load_chart(path)
    # The source's one duplicate: two seats numbered 18 in row F of the third gallery.
    assert [(p.kind, p.where) for p in err.value.problems] == [
        ("duplicate id", "level Troisième galerie, row F, seat 18")]
    imported = load_chart(path, rename_duplicates=True)
    c = imported.chart
    seats = c.seats()
    assert c.seat_count == 702 and len(imported.renamed) == 1
    assert sum(s.number.endswith(" bis") for s in seats) == 39
    assert sum(s.restricted_view for s in seats) == 85
    assert sum(s.blocked == "Security staff" for s in seats) == 14
    assert sum(s.access == "wheelchair" for s in seats) == 4
    assert {lv.name for lv in c.levels} == {"Orchestre", "Première galerie",
                                            "Deuxième galerie", "Troisième galerie"}
    odd_even = [s.number for s in c.levels[0].sections[0].rows[0].seats]
    assert len({int(n.split()[0]) % 2 for n in odd_even[:3]}) == 1  # one side, one parity
    hall = shows.create_hall(db, "Théâtre de Calais", c)
    assert hall.total_seats == 702 - 14
    show = shows.create_show(db, "Carmen", dbutil.tomorrow(), hall=hall.id)
    bis = next(s for s in seats if s.number.endswith(" bis") and s.sellable)
    sold = booking.sell(db, show.id, [bis.id], clerk="ann")
    assert sold.seats == (bis.id,) or list(sold.seats) == [bis.id]
    with db.engine.connect() as conn:
        row = conn.execute(text(
            "SELECT ss.level, ss.row_label, ss.seat_label, ss.restricted_view, pc.name "
            "FROM show_seats ss JOIN price_categories pc ON pc.id = ss.price_category_id "
            "WHERE ss.show_id = :s AND ss.seat_number = :n"), {"s": show.id, "n": bis.id}).one()
    assert row.seat_label == bis.number and row.level in {lv.name for lv in c.levels}
    assert row.name == ("Restricted" if bis.restricted_view else "Standard")


def test_a_stadium_by_sectors_as_csv(tmp_path: Path) -> None:
    """The Metalist stadium's 58 sectors, rows such as "00" and seat ranges with holes."""
    data = json.loads(chart("metalist-kharkiv_stadiums.json").read_text())["StadiumMetalist"]
    lines = [HEADER]
    for tribune, sectors in data.items():
        if not tribune.startswith("tribune"):
            continue
        for sector, spec in sectors.items():
            if not (isinstance(spec, dict) and "rows" in spec):
                continue
            for ri, row in enumerate(spec["rows"]):
                nums: list[int] = []
                if row["seats"].isdigit():
                    nums = list(range(1, int(row["seats"]) + 1))
                else:
                    for part in row["seats"].split(","):
                        a, _, b = part.partition("-")
                        nums += range(int(a), int(b or a) + 1)
                for n in nums:
                    lines.append(f"{tribune},{sector},{row['name']},{n},{n},{ri},,,,")
    path = tmp_path / "metalist.csv"
    path.write_text("\n".join(lines) + "\n")
    c = load_chart(path).chart
    assert c.seat_count == 39_616
    assert sum(len(lv.sections) for lv in c.levels) == 58


def test_unknown_and_missing_csv_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER.replace("blocked", "price, colour") + "\n")
    with pytest.raises(ChartRefused) as err:
        load_chart(path, "csv")
    assert "unknown columns: price, colour" in err.value.message
    assert "missing columns: blocked" in err.value.message


def test_csv_standing_areas_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "club.csv"
    path.write_text(f"{HEADER}, capacity\n"
                    ",VIP,A,1,0,0,VIP,wheelchair,,,\n"
                    ",VIP,A,2,20,0,VIP,companion,,,\n"
                    ",Dance floor,,,100,100,Floor,,,,400\n")
    c = load_chart(path).chart
    assert (c.seat_count, c.standing_capacity, c.sellable_count) == (2, 400, 402)
    assert [s.id for s in c.seats()] == ["VIP-A1", "VIP-A2"]
    assert [a.id for _, _, a in c.standing_areas()] == ["Dance_floor"]
    path.write_text(f"{HEADER}\n,,A,1,left,0,,,,\n,,A,2,0,0,,wheelchairs,maybe,\n")
    with pytest.raises(ChartRefused) as err:
        load_chart(path)
    assert [p.kind for p in err.value.problems] == ["bad accessibility", "bad restricted_view"]
    assert "line 3" in err.value.message


# -- round trips ----------------------------------------------------------------------


def _seats(c: Chart) -> list[tuple[object, ...]]:
    return [(p.level, p.section, p.row, p.seat.id, p.seat.number, p.seat.category,
             p.seat.x, p.seat.y, p.seat.access) for p in c.placed()]


@pytest.mark.parametrize("name", ["pretix_riethsporthalle-erfurt.json",
                                  "pretix_teater-besar-tim-jakarta.json",
                                  "riethsporthalle-erfurt_extended.json"])
def test_pretix_export_then_import_gives_the_same_chart(name: str, tmp_path: Path) -> None:
    c = load_chart(chart(name), rename_duplicates=True).chart
    out = tmp_path / "out.json"
    out.write_text(json.dumps(pretix.write(c)))
    again = load_chart(out).chart
    assert _seats(again) == _seats(c)
    assert again.categories == c.categories
    assert again.standing_capacity == c.standing_capacity


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_csv_export_then_import_gives_the_same_chart(name: str, tmp_path: Path) -> None:
    c = load_chart(chart(name), rename_duplicates=True).chart
    out = tmp_path / "out.csv"
    out.write_text(csvchart.write(c))
    again = load_chart(out).chart
    assert _seats(again) == _seats(c)
    assert [(p.seat.restricted_view, p.seat.blocked, p.seat.rotation) for p in again.placed()] \
        == [(p.seat.restricted_view, p.seat.blocked, p.seat.rotation) for p in c.placed()]
    assert {cat.name for cat in again.categories} <= {cat.name for cat in c.categories}
    assert [(a.id, a.name, a.capacity, a.category) for _, _, a in again.standing_areas()] == \
        [(a.id, a.name, a.capacity, a.category) for _, _, a in c.standing_areas()]


def test_the_stored_form_reads_back_equal() -> None:
    c = load_chart(chart("seatsio_sample-rows-ga.json")).chart
    assert Chart.from_json(json.loads(json.dumps(c.to_json()))) == c


# -- the grid is one way to make a chart ------------------------------------------------


def test_a_grid_hall_is_a_chart_with_its_grid_labels(db: Database) -> None:
    lay = Layout.grid(3, 4, aisles_after=[2], blocked=["A1"], wheelchair=["C4"],
                      blocked_reasons={"A1": "House seat"})
    hall = shows.create_hall(db, "Grid", lay)
    c = hall.chart
    assert [s.id for s in c.seats()] == [s.label for s in lay.seats()]
    assert [(s.x, s.y) for s in c.seats()][:3] == [(0.0, 0.0), (1.0, 0.0), (3.0, 0.0)]
    assert c.seats()[0].blocked == "House seat" and c.seats()[-1].access == "wheelchair"
    assert hall.layout == lay and hall.total_seats == lay.sellable_count
    show = shows.create_show(db, "Play", dbutil.tomorrow(), hall=hall.id)
    assert shows.get_show(db, show.id).chart == c
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT seat_number, pos_x, pos_y, seat_label, blocked_reason "
                                 "FROM show_seats WHERE show_id = :s ORDER BY row_index, "
                                 "column_index LIMIT 2"), {"s": show.id}).all()
    assert [tuple(r) for r in rows] == [("A1", 0.0, 0.0, "1", "House seat"),
                                        ("A2", 1.0, 0.0, "2", None)]


def test_an_imported_show_sells_by_seat_id_and_guards_it(db: Database) -> None:
    c = load_chart(chart("riethsporthalle-erfurt_extended.json")).chart
    hall = shows.create_hall(db, "Riethsporthalle", c)
    assert hall.layout is None and hall.total_seats == 1252 + 248
    show = shows.create_show(db, "Löwen v Jena", dbutil.tomorrow(), hall=hall.id)
    first = c.seats()[0].id
    booking.sell(db, show.id, [first, "Stehplatz#1"], clerk="ann")
    with pytest.raises(SeatsTaken):
        booking.sell(db, show.id, [first], clerk="bob")
    with db.engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM show_seats WHERE show_id = :s "
                              "AND standing_area = 'Stehplatz'"), {"s": show.id}).scalar_one()
        cats = conn.execute(text("SELECT name FROM price_categories WHERE show_id = :s "
                                 "ORDER BY sort_order"), {"s": show.id}).scalars().all()
    assert n == 248
    assert cats == ["Kategorie I", "Kategorie II", "VIP"]
    assert not math.isnan(c.seats()[0].x)
