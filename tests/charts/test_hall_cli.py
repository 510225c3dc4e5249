"""``boxoffice hall import|export|list`` as a venue manager runs them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from boxoffice.charts import load_chart
from boxoffice.db import make_engine
from tests.charts.files import chart
from tests.test_cli import cli


def _halls(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        names = list(conn.execute(text("SELECT name FROM halls ORDER BY name")).scalars())
    engine.dispose()
    return names


def test_import_refuses_duplicates_then_renames_exports_and_lists(db_url: str,
                                                                  tmp_path: Path) -> None:
    jakarta = str(chart("pretix_teater-besar-tim-jakarta.json"))
    refused = cli("hall", "import", jakarta, "--name", "Teater Besar", "--database-url", db_url)
    assert refused.returncode == 2
    assert refused.stderr.count("duplicate id") == 21
    assert "zone Ground floor, row AA, seat 18" in refused.stderr
    assert "--rename-duplicates" in refused.stderr
    assert _halls(db_url) == []

    done = cli("hall", "import", jakarta, "--name", "Teater Besar", "--rename-duplicates",
               "--database-url", db_url)
    assert done.returncode == 0, done.stderr
    assert "1,132 seats, 0 standing places" in done.stdout
    assert "21 duplicate seat ids made unique" in done.stdout
    assert "Groundfloor-AB-18 -> Groundfloor-AB-18~2" in done.stdout

    rieth = cli("hall", "import", str(chart("riethsporthalle-erfurt_extended.json")),
                "--name", "Riethsporthalle", "--format", "pretix", "--database-url", db_url)
    assert rieth.returncode == 0, rieth.stderr

    for fmt in ("pretix", "csv"):
        out = tmp_path / f"rieth.{fmt}"
        exp = cli("hall", "export", "Riethsporthalle", "--format", fmt, str(out),
                  "--database-url", db_url)
        assert exp.returncode == 0, exp.stderr
        again = cli("hall", "import", str(out), "--name", f"Rieth {fmt}", "--database-url",
                    db_url)
        assert again.returncode == 0, again.stderr
        original = load_chart(chart("riethsporthalle-erfurt_extended.json")).chart
        back = load_chart(out).chart
        assert [(s.id, s.number, s.category, s.x, s.y) for s in back.seats()] == \
            [(s.id, s.number, s.category, s.x, s.y) for s in original.seats()]

    listed = cli("hall", "list", "--database-url", db_url)
    assert listed.returncode == 0, listed.stderr
    lines = {line.split("  ")[0]: line for line in listed.stdout.splitlines()}
    assert "1,252 seats     248 standing   1,500 on sale" in lines["Riethsporthalle"]
    assert "1,132 seats       0 standing" in lines["Teater Besar"]
    assert "248 standing" in lines["Rieth csv"] and "248 standing" in lines["Rieth pretix"]
