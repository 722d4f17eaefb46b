"""The timeline (Gantt) and the per-wave dependency views as inline SVG, computed in Python.

No scripts, no fonts or files from the network: every text is escaped here and the result is
marked safe for jinja2. Dates map linearly to x; one row per wave, plus rows for the legal
gates and the Data Act dates; blackouts are shaded bands across every row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

ROW, LABEL, WIDTH, AXIS = 18, 150, 900, 28
MAX_WAVE_ROWS = 60


@dataclass(frozen=True)
class Bar:
    """A dated bar (a wave) or, with ``start == end``, a milestone."""

    row: str
    label: str
    start: date
    end: date
    kind: str  # wave | critical | pilot | gate | legal | exit


COLOURS = {
    "wave": "#0b4f8a",
    "critical": "#b91c1c",
    "pilot": "#2e7d32",
    "gate": "#7c3aed",
    "legal": "#e07b00",
    "exit": "#111827",
}


def gantt_svg(
    bars: Sequence[Bar],
    blackouts: Sequence[tuple[date, date, str]],
    title: str,
    blackout_label: str,
    as_of: tuple[date, str] | None = None,
) -> Markup:
    """One SVG: rows in first-seen order, a month axis, shaded blackouts, and a line at the
    document's as-of date (items left of it are due already)."""
    if not bars:
        return Markup("")
    rows: list[str] = []
    for bar in bars:
        if bar.row not in rows:
            rows.append(bar.row)
    rows = rows[: MAX_WAVE_ROWS + 4]
    first = min(b.start for b in bars)
    last = max(b.end for b in bars)
    span = max(1, (last - first).days)
    plot = WIDTH - LABEL - 10
    height = AXIS + ROW * len(rows) + 10

    def x(day: date) -> float:
        return LABEL + plot * (day - first).days / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart gantt" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">',
        f"<title>{escape(title)}</title>",
    ]
    for start, end, reason in blackouts:
        if end < first or start > last:
            continue
        x0, x1 = x(max(start, first)), x(min(end, last))
        parts.append(
            f'<rect class="blackout" x="{x0:.1f}" y="{AXIS}" width="{max(1.0, x1 - x0):.1f}" '
            f'height="{ROW * len(rows)}" fill="#fde68a" opacity="0.6">'
            f"<title>{escape(blackout_label)}: {escape(reason)} {start}–{end}</title></rect>"
        )
    month = date(first.year, first.month, 1)
    every = max(1, ((last.year - first.year) * 12 + last.month - first.month) // 12)
    count = 0
    while month <= last:
        if month >= first:
            parts.append(
                f'<line x1="{x(month):.1f}" y1="{AXIS - 4}" x2="{x(month):.1f}" '
                f'y2="{height - 10}" stroke="#e5e7eb"/>'
            )
            if count % every == 0:  # at most about twelve labels
                parts.append(
                    f'<text x="{x(month) + 2:.1f}" y="{AXIS - 8}" font-size="9" '
                    f'fill="#4b5563">{month.year}-{month.month:02d}</text>'
                )
            count += 1
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    if as_of is not None and first <= as_of[0] <= last:
        ax = x(as_of[0])
        parts.append(
            f'<line class="as-of" x1="{ax:.1f}" y1="{AXIS - 4}" x2="{ax:.1f}" '
            f'y2="{height - 10}" stroke="#b91c1c" stroke-dasharray="4 3">'
            f"<title>{escape(as_of[1])}: {as_of[0]}</title></line>"
        )
    index = {row: n for n, row in enumerate(rows)}
    for row, n in index.items():
        y = AXIS + ROW * n
        parts.append(
            f'<text x="4" y="{y + 13}" font-size="11" fill="#111827">{escape(row[:24])}</text>'
        )
    for bar in bars:
        if bar.row not in index:
            continue
        y = AXIS + ROW * index[bar.row]
        colour = COLOURS.get(bar.kind, "#0b4f8a")
        tip = f"<title>{escape(bar.label)}: {bar.start}" + (
            f" – {bar.end}</title>" if bar.end != bar.start else "</title>"
        )
        if bar.end == bar.start:
            cx = x(bar.start)
            parts.append(
                f'<path class="milestone {bar.kind}" d="M{cx:.1f},{y + 3} l6,6 l-6,6 l-6,-6 z" '
                f'fill="{colour}">{tip}</path>'
            )
        else:
            x0 = x(bar.start)
            parts.append(
                f'<rect class="bar {bar.kind}" x="{x0:.1f}" y="{y + 3}" '
                f'width="{max(2.0, x(bar.end) - x0):.1f}" height="{ROW - 6}" rx="2" '
                f'fill="{colour}">{tip}</rect>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def dependency_svg(
    systems: Sequence[str],
    names: Mapping[str, str],
    providers: Mapping[str, set[str]],
    title: str,
    limit: int = 30,
) -> Markup:
    """A wave's systems in layers (providers left, their consumers to the right), with an
    arrow from each consumer to each in-wave provider."""
    shown = list(systems)[:limit]
    members = set(shown)
    layer: dict[str, int] = {}

    def depth(system: str, seen: frozenset[str]) -> int:
        if system in layer:
            return layer[system]
        inner = [p for p in providers.get(system, ()) if p in members and p not in seen]
        value = 1 + max((depth(p, seen | {system}) for p in inner), default=-1)
        layer[system] = value
        return value

    for system in shown:
        depth(system, frozenset())
    columns: dict[int, list[str]] = {}
    for system in shown:
        columns.setdefault(layer[system], []).append(system)
    box_w, box_h, gap_x, gap_y = 170, 22, 40, 8
    rows = max((len(c) for c in columns.values()), default=1)
    width = max(1, len(columns)) * (box_w + gap_x) + 10
    height = rows * (box_h + gap_y) + 10
    at: dict[str, tuple[float, float]] = {}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart deps" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#4b5563"/>'
        "</marker></defs>",
    ]
    for column, members_here in sorted(columns.items()):
        for n, system in enumerate(members_here):
            at[system] = (5 + column * (box_w + gap_x), 5 + n * (box_h + gap_y))
    for system in shown:
        for provider in sorted(providers.get(system, ())):
            if provider in at and provider != system:
                (x1, y1), (x2, y2) = at[system], at[provider]
                parts.append(
                    f'<line x1="{x1:.0f}" y1="{y1 + box_h / 2:.0f}" x2="{x2 + box_w:.0f}" '
                    f'y2="{y2 + box_h / 2:.0f}" stroke="#4b5563" marker-end="url(#arrow)"/>'
                )
    for system, (bx, by) in at.items():
        label = names.get(system, system)
        parts.append(
            f'<rect x="{bx:.0f}" y="{by:.0f}" width="{box_w}" height="{box_h}" rx="3" '
            f'fill="#eef2f7" stroke="#0b4f8a"><title>{escape(label)}</title></rect>'
            f'<text x="{bx + 4:.0f}" y="{by + 15:.0f}" font-size="10">{escape(label[:28])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
