"""Venue charts: the hall as drawn (levels, sections, rows, free positions, standing
areas), read from and written to pretix, seats.io and CSV files. Qt-free."""

from boxoffice.charts.importing import FORMATS, ImportedChart, guess_format, load_chart
from boxoffice.charts.model import (
    Category,
    Chart,
    ChartProblem,
    ChartSeat,
    Level,
    Row,
    Section,
    Shape,
    StandingArea,
    seat_label,
)

__all__ = ["FORMATS", "Category", "Chart", "ChartProblem", "ChartSeat", "ImportedChart",
           "Level", "Row", "Section", "Shape", "StandingArea", "guess_format", "load_chart",
           "seat_label"]
