"""Reading a venue's chart file: which format it is, and whether it can be sold as it is.

A file with duplicate seat ids, unknown categories or broken geometry is refused with
every offending seat named (``ChartRefused``), before anything is written; with
``rename_duplicates`` the duplicates are made unique instead and listed in the result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from boxoffice.charts import csvchart, pretix, seatsio
from boxoffice.charts.model import Chart, ChartProblem
from boxoffice.errors import ChartRefused, InvalidLayout

Format = Literal["pretix", "seatsio", "csv"]
FORMATS: tuple[Format, ...] = ("pretix", "seatsio", "csv")


@dataclass(frozen=True)
class ImportedChart:
    chart: Chart
    format: Format
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # (where, old, new)


def guess_format(text: str) -> Format:
    """pretix (``zones``), seats.io (``subChart``/``subChartFloors``) or a CSV header."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InvalidLayout(f"The file is not valid JSON: {exc}.", field="chart") from None
        if pretix.looks_like(data):
            return "pretix"
        if seatsio.looks_like(data):
            return "seatsio"
        raise InvalidLayout("This JSON is neither a pretix seating plan (zones) nor a seats.io "
                            "chart (subChart); give --format if it is one.", field="chart")
    if csvchart.looks_like(stripped):
        return "csv"
    raise InvalidLayout("The format of this file cannot be told from its content; give "
                        "--format pretix, seatsio or csv.", field="chart")


def read_chart(text: str, fmt: Format | None = None, *, source: str = "chart",
               name: str = "") -> Chart:
    """The chart a file's text describes, unchecked (``check`` says what is wrong)."""
    fmt = fmt or guess_format(text)
    if fmt == "csv":
        try:
            return csvchart.read(text, name)
        except csvchart.CsvRefused as exc:
            raise ChartRefused(source, exc.problems, "Correct these lines and import again; "
                               "nothing was written.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidLayout(f"{source} is not valid JSON: {exc}.", field="chart") from None
    if not isinstance(data, dict):
        raise InvalidLayout(f"{source}: a chart is a JSON object.", field="chart")
    if fmt == "pretix":
        if not pretix.looks_like(data):
            raise InvalidLayout(f"{source} is not a pretix seating plan (no zones).",
                                field="chart")
        return pretix.read(data)
    if not seatsio.looks_like(data):
        raise InvalidLayout(f"{source} is not a seats.io chart (no subChart).", field="chart")
    return seatsio.read(data)


_ADVICE = {
    "duplicate id": "import again with --rename-duplicates to make the repeated ids unique "
                    "(the first keeps its id, the next get ~2, ~3...)",
    "unknown category": "add the missing categories to the file's category list",
    "broken geometry": "give those seats finite x and y positions",
}


def advice(problems: list[ChartProblem]) -> str:
    kinds = sorted({p.kind for p in problems})
    steps = [_ADVICE.get(k, f"correct the {k} entries") for k in kinds]
    return "To proceed: " + "; ".join(steps) + ". Nothing was written."


def refuse_problems(chart: Chart, *, source: str, section_word: str = "section") -> None:
    problems = chart.problems(section_word)
    if problems:
        raise ChartRefused(source, problems, advice(problems))


def load_chart(path: Path, fmt: Format | None = None, *, rename_duplicates: bool = False,
               name: str = "") -> ImportedChart:
    """Read and check a chart file; refused (``ChartRefused``) unless it can be sold."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidLayout(f"Cannot read {path}: {exc}.", field="chart") from None
    fmt = fmt or guess_format(text)
    chart = read_chart(text, fmt, source=source, name=name)
    renamed: list[tuple[str, str, str]] = []
    if rename_duplicates:
        chart, renamed = chart.with_unique_ids()
    refuse_problems(chart, source=source, section_word="zone" if fmt == "pretix" else "section")
    return ImportedChart(chart, fmt, renamed)
