"""Inline SVG charts for the HTML report, drawn in Python (no scripts, no external files).

Every text that reaches the SVG is escaped here; the result is marked safe for jinja2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

PALETTE = {"stay": "#6b7280", "ada": "#6b7280", "azure": "#0078d4", "aws": "#e07b00"}
FALLBACK = ("#2e7d32", "#8e24aa", "#c62828", "#00838f")
WIDTH, HEIGHT = 680, 320
LEFT, RIGHT, TOP, BOTTOM = 76, 16, 40, 44


@dataclass(frozen=True)
class Series:
    """One provider's values, one per year."""

    key: str
    label: str
    values: tuple[float, ...]


def colour(key: str, index: int) -> str:
    """The provider's colour (stable per key)."""
    return PALETTE.get(key, FALLBACK[index % len(FALLBACK)])


def _nice_max(value: float) -> float:
    """The smallest 4 x (1, 2, 5 or 10 x 10^n) that is at least ``value``: round ticks."""
    if value <= 0:
        return 4.0
    quarter = value / 4
    magnitude = float(10 ** math.floor(math.log10(quarter)))
    for step in (1, 2, 5, 10):
        if step * magnitude >= quarter:
            return 4 * step * magnitude
    return 40 * magnitude  # pragma: no cover


def _short(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f} M"
    if abs(value) >= 1_000:
        return f"{value / 1_000:g} k"
    return f"{value:.0f}"


def _frame(title: str, ymax: float, currency: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = ymax * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="#d1d5db" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{escape(_short(value))}</text>"
        )
    parts.append(f'<text x="12" y="{TOP - 14}" font-size="11">{escape(currency)}</text>')
    return parts


def _legend(series: list[Series]) -> list[str]:
    parts = []
    x = LEFT
    for index, one in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="10" width="12" height="12" fill="{colour(one.key, index)}"/>'
        )
        parts.append(f'<text x="{x + 16}" y="20" font-size="12">{escape(one.label)}</text>')
        x += 28 + 8 * len(one.label)
    return parts


def yearly_bars(title: str, years: list[str], series: list[Series], currency: str) -> Markup:
    """Grouped bars: one group per year, one bar per provider."""
    ymax = _nice_max(max((v for s in series for v in s.values), default=0.0))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    parts = _frame(title, ymax, currency) + _legend(series)
    group = plot_w / max(len(years), 1)
    bar = group * 0.8 / max(len(series), 1)
    for yi, year in enumerate(years):
        x0 = LEFT + yi * group + group * 0.1
        for si, one in enumerate(series):
            value = one.values[yi]
            h = plot_h * value / ymax
            parts.append(
                f'<rect x="{x0 + si * bar:.1f}" y="{TOP + plot_h - h:.1f}" '
                f'width="{bar * 0.92:.1f}" height="{h:.1f}" fill="{colour(one.key, si)}">'
                f"<title>{escape(one.label)} {escape(year)}: {escape(_short(value))}</title>"
                "</rect>"
            )
        parts.append(
            f'<text x="{LEFT + yi * group + group / 2:.1f}" y="{HEIGHT - BOTTOM + 18}" '
            f'text-anchor="middle" font-size="12">{escape(year)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _month_position(month: str, first_year: int, span: int) -> float | None:
    try:
        year_text, month_text = month.split("-", 1)
        t = int(year_text) + (int(month_text) - 0.5) / 12
    except ValueError:
        return None
    if not first_year <= t <= first_year + span:
        return None
    return (t - first_year) / span


def cumulative_lines(
    title: str,
    years: list[str],
    series: list[Series],
    currency: str,
    break_even: dict[str, str],
    break_even_label: str,
    none_text: str = "",
) -> Markup:
    """Cumulative cost per series at each year's end, with break-even months marked.

    ``break_even`` maps a series label to its month (YYYY-MM); with none to mark,
    ``none_text`` (e.g. "no break-even within 2027–2030") is written in the plot instead.
    """
    ymax = _nice_max(max((v for s in series for v in s.values), default=0.0))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    parts = _frame(title, ymax, currency) + _legend(series)
    first = int(years[0]) if years else 0
    span = max(len(years), 1)

    def x_of(fraction: float) -> float:
        return LEFT + plot_w * fraction

    for yi, year in enumerate(years):
        parts.append(
            f'<text x="{x_of((yi + 0.5) / span):.1f}" y="{HEIGHT - BOTTOM + 18}" '
            f'text-anchor="middle" font-size="12">{escape(year)}</text>'
        )
    for si, one in enumerate(series):
        points = [(x_of(0.0), TOP + plot_h)] + [
            (x_of((yi + 1) / span), TOP + plot_h - plot_h * v / ymax)
            for yi, v in enumerate(one.values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour(one.key, si)}" '
            f'stroke-width="2.5"/>'
        )
        for x, y in points[1:]:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour(one.key, si)}"/>')
    marked = 0
    for index, (key, month) in enumerate(sorted(break_even.items())):
        fraction = _month_position(month, first, span)
        if fraction is None:
            continue
        marked += 1
        x = x_of(fraction)
        label = f"{break_even_label}, {key}: {month}"
        anchor = "end" if fraction > 0.5 else "start"
        text_x = x - 4 if fraction > 0.5 else x + 4
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" stroke="#111827" '
            f'stroke-dasharray="4 3" stroke-width="1.5" class="break-even"/>'
        )
        parts.append(
            f'<text x="{text_x:.1f}" y="{TOP + 14 + 14 * index}" font-size="11" '
            f'text-anchor="{anchor}">'
            f"{escape(label)}</text>"
        )
    if not marked and none_text:
        parts.append(
            f'<text x="{LEFT + 8}" y="{TOP + 16}" font-size="12" font-style="italic" '
            f'class="no-break-even">{escape(none_text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
