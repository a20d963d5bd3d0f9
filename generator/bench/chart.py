"""Latency vs batch size as a small hand-written SVG: one line per input length, p50 points, p95 whiskers, both
axes logarithmic (latencies of one model span milliseconds to seconds).

Accessible: role="img" with a <title> and a <desc> that states every plotted number, and lines told apart by dash
pattern and marker shape as well as colour. No plotting library needed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 600, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 160, 40, 48
STYLES = {  # input length -> (colour, dash pattern, marker)
    "short": ("#1f6feb", "", "circle"),
    "long": ("#d1242f", "6 4", "square"),
}
FALLBACK_STYLES = [("#8250df", "2 3", "circle"), ("#1a7f37", "8 3 2 3", "square")]


def log_ticks(low: float, high: float) -> list[float]:
    """Tick values for a log axis covering [low, high]: 1-2-5 steps per decade, from the decade below ``low``."""
    low, high = max(low, 1e-6), max(high, low * 1.0001)
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    steps = (1, 2, 5) if last - first <= 3 else (1,)
    ticks = [m * 10.0 ** e for e in range(first, last + 1) for m in steps]
    below = [t for t in ticks if t <= low]
    above = [t for t in ticks if t >= high]
    start = below[-1] if below else ticks[0]
    end = above[0] if above else ticks[-1]
    return [round(t, 10) for t in ticks if start <= t <= end]


def _fmt(value: float) -> str:
    return f"{value:.0f}" if value >= 100 or value == int(value) else f"{value:.3g}"


def latency_chart(rows: Sequence[dict[str, Any]], *, title: str = "Latency by batch size", chart_id: str = "bench"
                  ) -> str:
    """The SVG text for latency rows ({input, batch_size, p50_ms, p95_ms, tokens?}) as measured by the probe."""
    chart_id = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id) or "bench"
    series: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        series.setdefault(str(row["input"]), []).append(row)
    batches = sorted({int(row["batch_size"]) for row in rows}) or [1]
    top = max((float(row.get("p95_ms") or row["p50_ms"]) for row in rows), default=1.0)
    bottom = min((float(row["p50_ms"]) for row in rows), default=1.0)
    ticks = log_ticks(bottom, top)
    y_low, y_high = math.log10(ticks[0]), math.log10(ticks[-1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    low, high = math.log2(batches[0]), math.log2(batches[-1])

    def x_of(batch: int) -> float:
        if high == low:
            return LEFT + plot_w / 2
        return LEFT + (math.log2(batch) - low) / (high - low) * plot_w

    def y_of(ms: float) -> float:
        share = (math.log10(max(ms, ticks[0])) - y_low) / ((y_high - y_low) or 1)
        return TOP + plot_h - share * plot_h

    sentences = []
    for name, points in series.items():
        tokens = points[0].get("tokens")
        told = ", ".join(f"batch {p['batch_size']}: {_fmt(float(p['p50_ms']))} ms median, "
                         f"{_fmt(float(p.get('p95_ms') or p['p50_ms']))} ms p95" for p in points)
        sentences.append(f"{name} input{f' ({tokens} tokens)' if tokens else ''}: {told}.")
    desc = ("Median (p50) latency in milliseconds against batch size, with p95 whiskers; both axes are "
            "logarithmic. " + " ".join(sentences))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="modelhub-bench-chart" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="{TOP - 16}" font-size="14" font-weight="600" fill="#1f2328">{escape(title)}</text>',
    ]
    for tick in ticks:  # horizontal grid and y labels
        y = y_of(tick)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#d0d7de" '
                   f'stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" fill="#57606a">{_fmt(tick)}</text>')
    for batch in batches:  # x labels
        x = x_of(batch)
        out.append(f'<line x1="{x:.1f}" y1="{TOP + plot_h}" x2="{x:.1f}" y2="{TOP + plot_h + 5}" stroke="#57606a"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" fill="#57606a">{batch}</text>')
    out.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#57606a"/>')
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#57606a"/>')
    out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" fill="#1f2328">'
               'batch size (log scale)</text>')
    out.append(f'<text transform="translate(16 {TOP + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
               'fill="#1f2328">latency, ms (log scale; p50, whisker to p95)</text>')
    for index, (name, points) in enumerate(series.items()):
        colour, dash, marker = STYLES.get(name, FALLBACK_STYLES[index % len(FALLBACK_STYLES)])
        points = sorted(points, key=lambda p: int(p["batch_size"]))
        coords = [(x_of(int(p["batch_size"])), y_of(float(p["p50_ms"])), p) for p in points]
        out.append(f'<g class="series" aria-label="{escape(name)} input">')
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coords)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        for x, y, point in coords:
            p95 = float(point.get("p95_ms") or point["p50_ms"])
            out.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x:.1f}" y2="{y_of(p95):.1f}" stroke="{colour}" '
                       'stroke-width="1.5"/>')
            label = f"{name}, batch {point['batch_size']}: {_fmt(float(point['p50_ms']))} ms p50, {_fmt(p95)} ms p95"
            shape = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">' if marker == "circle" else
                     f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}">')
            closing = "</circle>" if marker == "circle" else "</rect>"
            out.append(f"{shape}<title>{escape(label)}</title>{closing}")
        out.append("</g>")
        legend_y = TOP + 10 + index * 22
        legend_x = LEFT + plot_w + 16
        out.append(f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 24}" y2="{legend_y}" stroke="{colour}" '
                   f'stroke-width="2"{dash_attr}/>')
        tokens = points[0].get("tokens")
        legend = f"{name}{f' ({tokens} tok)' if tokens else ''}"
        out.append(f'<text x="{legend_x + 30}" y="{legend_y + 4}" fill="#1f2328">{escape(legend)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
