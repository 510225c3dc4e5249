"""Chart of benchmarks/results/matrix.json: throughput and p99 against clients, both modes.

Drawn with PySide6's QPainter into a PNG, offscreen, so no plotting library is needed;
the same figures are printed as a Markdown table:

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/plot.py \
        benchmarks/results/matrix.json benchmarks/results/booking_matrix.png
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

W, H = 1200, 860
OURS = QColor("#1f77b4")
THEIRS = QColor("#d62728")


def series(runs: list[dict[str, Any]], mode: str) -> dict[str, list[tuple[int, float]]]:
    pts: dict[str, list[tuple[int, float]]] = {"ours_rate": [], "pg_rate": [],
                                               "ours_p99": [], "pg_p99": []}
    for r in sorted((r for r in runs if r["mode"] == mode), key=lambda r: r["clients"]):
        c = r["clients"]
        pts["ours_rate"].append((c, r["bookings_per_s"]))
        pts["ours_p99"].append((c, r["latency_ms"]["p99"]))
        if r.get("pgbench"):
            pts["pg_rate"].append((c, r["pgbench"]["bookings_per_s"]))
            pts["pg_p99"].append((c, r["pgbench"]["latency_ms"]["p99"]))
    return pts


def nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def panel(p: QPainter, rect: QRectF, title: str, ylabel: str,
          lines: list[tuple[str, QColor, Qt.PenStyle, list[tuple[int, float]]]],
          clients: list[int]) -> None:
    left, top = rect.left() + 70, rect.top() + 40
    width, height = rect.width() - 100, rect.height() - 100
    ymax = nice_max(max((v for *_, pts in lines for _, v in pts), default=1.0) * 1.05)
    p.setPen(QPen(Qt.GlobalColor.black, 1))
    p.setFont(QFont("Sans", 12, QFont.Weight.Bold))
    p.drawText(QRectF(rect.left(), rect.top() + 5, rect.width(), 25),
               Qt.AlignmentFlag.AlignHCenter, title)
    p.setFont(QFont("Sans", 9))
    xs = {c: left + width * i / max(1, len(clients) - 1) for i, c in enumerate(clients)}
    for k in range(6):
        y = top + height - height * k / 5
        p.setPen(QPen(QColor("#dddddd"), 1))
        p.drawLine(QPointF(left, y), QPointF(left + width, y))
        p.setPen(QPen(Qt.GlobalColor.black, 1))
        p.drawText(QRectF(rect.left(), y - 8, 65, 16), Qt.AlignmentFlag.AlignRight,
                   f"{ymax * k / 5:,.0f}")
    for c, x in xs.items():
        p.drawText(QRectF(x - 20, top + height + 5, 40, 16), Qt.AlignmentFlag.AlignHCenter,
                   str(c))
    p.drawText(QRectF(left, top + height + 22, width, 16), Qt.AlignmentFlag.AlignHCenter,
               "clients (log scale)")
    p.save()
    p.translate(rect.left() + 12, top + height / 2)
    p.rotate(-90)
    p.drawText(QRectF(-100, -10, 200, 20), Qt.AlignmentFlag.AlignHCenter, ylabel)
    p.restore()
    p.drawRect(QRectF(left, top, width, height))
    for i, (label, color, style, pts) in enumerate(lines):
        pen = QPen(color, 2.5)
        pen.setStyle(style)
        p.setPen(pen)
        prev = None
        for c, v in pts:
            pt = QPointF(xs[c], top + height - height * v / ymax)
            if prev is not None:
                p.drawLine(prev, pt)
            p.drawEllipse(pt, 3, 3)
            prev = pt
        ly = top + 10 + 18 * i
        p.drawLine(QPointF(left + 10, ly), QPointF(left + 40, ly))
        p.setPen(QPen(Qt.GlobalColor.black, 1))
        p.drawText(QPointF(left + 46, ly + 4), label)


def main(src: str, dst: str) -> int:
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - fonts need it
    data = json.loads(Path(src).read_text())
    runs = data["runs"]
    clients = sorted({r["clients"] for r in runs})
    img = QImage(W, H, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.white)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    for col, mode in enumerate(("hot", "spread")):
        s = series(runs, mode)
        x0 = col * W / 2
        panel(p, QRectF(x0, 0, W / 2, H / 2), f"{mode}: bookings/s ({data['seconds']} s runs)",
              "bookings/s",
              [("boxoffice", OURS, Qt.PenStyle.SolidLine, s["ours_rate"]),
               ("pgbench (same SQL)", THEIRS, Qt.PenStyle.DashLine, s["pg_rate"])], clients)
        panel(p, QRectF(x0, H / 2, W / 2, H / 2), f"{mode}: p99 latency", "p99 (ms)",
              [("boxoffice", OURS, Qt.PenStyle.SolidLine, s["ours_p99"]),
               ("pgbench (same SQL)", THEIRS, Qt.PenStyle.DashLine, s["pg_p99"])], clients)
    p.end()
    if not img.save(dst):
        print(f"could not write {dst}", file=sys.stderr)
        return 1
    print(markdown_table(runs))
    return 0


def markdown_table(runs: list[dict[str, Any]]) -> str:
    """The same figures as a table for docs/performance.md."""
    lines = ["| mode | clients | boxoffice bookings/s | pgbench bookings/s | ratio "
             "| boxoffice p99 ms | pgbench p99 ms | invariants |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in sorted(runs, key=lambda r: (r["mode"], r["clients"])):
        pg = r.get("pgbench") or {}
        lines.append(
            f"| {r['mode']} | {r['clients']} | {r['bookings_per_s']:,.0f} "
            f"| {pg.get('bookings_per_s', 0):,.0f} | {r['rate_ratio']} "
            f"| {r['latency_ms']['p99']:,.1f} | {(pg.get('latency_ms') or {}).get('p99', 0):,.1f} "
            f"| {'ok' if r['invariants_ok'] else 'VIOLATED'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
