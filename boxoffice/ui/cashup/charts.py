"""The cash-up's two charts, for the window and the PDF alike.

Takings by payment method (taken and refunded side by side) and net takings by hour.
Amounts stay integer minor units everywhere else; only the bars' heights are floats.
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QLegend,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from boxoffice.money import PAYMENT_METHODS
from boxoffice.money.cashup import CashUp
from boxoffice.money.labels import method_name

TAKEN_COLOUR = "#2563eb"
REFUNDED_COLOUR = "#dc2626"
NET_COLOUR = "#0f766e"
FIRST_HOUR, LAST_HOUR = 9, 22  # the hour chart always spans at least the opening hours


def till_methods(cu: CashUp) -> list[str]:
    """The payment methods worth a column: cash, card and voucher, and any other used."""
    used = {m for t in cu.tills for m in (*t.taken, *t.refunded)}
    return [m for m in PAYMENT_METHODS if m in PAYMENT_METHODS[:3] or m in used]


class CashUpCharts:
    """Two QCharts kept for the life of a window; ``update`` replaces their data.

    ``small`` charts (for paper) have no titles (the report's headings say it) and
    smaller labels."""

    def __init__(self, *, small: bool = False) -> None:
        self.method_chart, self.method_series, self.method_x, self.method_y = _bar_chart(
            "" if small else "Takings by payment method", small)
        self.hour_chart, self.hour_series, self.hour_x, self.hour_y = _bar_chart(
            "" if small else "Net takings by hour", small)
        self.hour_chart.legend().setVisible(small)  # on paper, the legend names the chart
        if small:
            self.method_chart.legend().setMarkerShape(QLegend.MarkerShape.MarkerShapeRectangle)

    def update(self, cu: CashUp) -> None:
        scale = 10 ** cu.currency.minor_units
        shown = [m for m in cu.methods if m.method in PAYMENT_METHODS
                 and (m.method in PAYMENT_METHODS[:3] or m.payments or m.refunds)]
        taken = QBarSet("Taken")
        taken.setColor(QColor(TAKEN_COLOUR))
        taken.append([m.taken / scale for m in shown])
        refunded = QBarSet("Refunded")
        refunded.setColor(QColor(REFUNDED_COLOUR))
        refunded.append([m.refunded / scale for m in shown])
        self.method_series.clear()
        self.method_series.append([taken, refunded])
        _label(self.method_x, [method_name(m.method) for m in shown])
        top = max([0.0] + [m.taken / scale for m in shown])
        _y_range(self.method_y, top, cu.currency.code)

        hours = dict(cu.by_hour)
        first = min([FIRST_HOUR, *hours])
        last = max([LAST_HOUR, *hours])
        net = QBarSet("Net takings by hour")
        net.setColor(QColor(NET_COLOUR))
        net.append([hours.get(h, 0) / scale for h in range(first, last + 1)])
        self.hour_series.clear()
        self.hour_series.append(net)
        every = 1 if last - first < 12 else 3
        _label(self.hour_x, [str(h) if h % every == 0 else "" for h in range(first, last + 1)])
        low = min([0.0] + [v / scale for v in hours.values()])
        top = max([0.0] + [v / scale for v in hours.values()])
        _y_range(self.hour_y, top, cu.currency.code, low=low)


def _label(axis: QCategoryAxis, labels: list[str]) -> None:
    """Bars stand at 0, 1, 2, …; each non-empty label goes under its bar.

    A value axis with labels, not a QBarCategoryAxis: that one cuts any label wider than
    its slot to "…", and a day of hours leaves slots too narrow for "21"."""
    for old in axis.categoriesLabels():
        axis.remove(old)
    axis.setRange(-0.5, max(len(labels), 1) - 0.5)
    for i, text in enumerate(labels):
        if text:
            axis.append(text, i)


def _bar_chart(title: str, small: bool) -> tuple[QChart, QBarSeries, QCategoryAxis,
                                                   QValueAxis]:
    chart = QChart()
    if title:
        chart.setTitle(title)
        font = QFont(chart.titleFont())
        font.setBold(True)
        font.setPointSizeF(10.5)
        chart.setTitleFont(font)
    chart.setMargins(QMargins(4, 4, 4, 0))
    chart.layout().setContentsMargins(0, 0, 0, 0)
    chart.setBackgroundRoundness(0)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    series = QBarSeries()
    series.setBarWidth(0.7)
    chart.addSeries(series)
    x = QCategoryAxis()
    x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    x.setStartValue(-0.5)
    y = QValueAxis()
    y.setLabelFormat("%.0f")
    y.setGridLineColor(QColor("#e5e7eb"))
    x.setGridLineVisible(False)
    if small:
        labels = QFont(x.labelsFont())
        labels.setPixelSize(9)
        x.setLabelsFont(labels)
        y.setLabelsFont(labels)
        y.setTitleFont(labels)
        chart.legend().setFont(labels)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    return chart, series, x, y


def _y_range(axis: QValueAxis, top: float, code: str, *, low: float = 0.0) -> None:
    axis.setRange(low, max(10.0, top * 1.1))
    axis.applyNiceNumbers()
    axis.setTitleText(code)


def chart_image(chart: QChart, width: int, height: int, *, scale: float = 3.0) -> QImage:
    """A chart drawn into an image ``scale`` times its logical size (sharp in a PDF)."""
    scene = QGraphicsScene()
    scene.addItem(chart)
    chart.resize(width, height)
    image = QImage(round(width * scale), round(height * scale), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(scale)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, width, height), QRectF(0, 0, width, height))
    finally:
        painter.end()
    scene.removeItem(chart)
    return image
