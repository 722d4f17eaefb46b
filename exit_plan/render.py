"""The one jinja2 environment of the exit plan, its filters, and the text renderers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from exit_plan import runbook
from exit_plan.charts import Series, cumulative_lines, yearly_bars
from exit_plan.data import Checklist, Lang
from exit_plan.gantt import Bar, dependency_svg, gantt_svg
from exit_plan.view import ExitPlanView
from migration.tables import escape_markdown


def money(value: float | None, lang: str) -> str:
    """A whole amount with thousands separators: ``12 345`` (sv) or ``12,345`` (en)."""
    if value is None:
        return "—"
    text = f"{round(float(value)):,d}"
    return text.replace(",", "\u00a0") if lang == "sv" else text


md = escape_markdown  # the one Markdown escape (shared with plan.md)


def mermaid_label(value: object) -> str:
    """Text safe inside a quoted Mermaid label."""
    text = " ".join(str(value).split())
    for raw, entity in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(raw, entity)
    return text


def mermaid_id(value: object) -> str:
    """A Mermaid node id from a slug (hyphens would read as arrows)."""
    return "n_" + re.sub(r"[^a-z0-9]", "_", str(value))


def iso(value: date | None, missing: str = "—") -> str:
    """A date as YYYY-MM-DD, or ``missing``."""
    return value.isoformat() if value is not None else missing


@cache
def environment() -> Environment:
    """The exit plan's jinja2 environment (HTML templates autoescaped, the rest not)."""
    env = Environment(
        loader=PackageLoader("exit_plan", "templates"),
        undefined=StrictUndefined,
        autoescape=lambda name: name is not None and name.endswith(".html.jinja2"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = money
    env.filters["md"] = md
    env.filters["mmd"] = mermaid_label
    env.filters["mid"] = mermaid_id
    env.filters["iso"] = iso
    return env


def _context(report: ExitPlanView, checklist: Checklist, lang: Lang) -> dict[str, Any]:
    def label(key: str) -> str:
        return checklist.label(key, lang)

    return {
        **report.context(),
        "L": label,
        "source_index": {s["key"]: s for s in report.sources},
        "steps_limit": runbook.SERVER_STEPS_MAX,  # read when rendered
    }


def render_markdown(report: ExitPlanView, checklist: Checklist, lang: Lang) -> str:
    """The Markdown report (Mermaid for the Gantt chart and the dependency graph)."""
    return "".join(stream_markdown(report, checklist, lang))


def stream_markdown(report: ExitPlanView, checklist: Checklist, lang: Lang) -> Iterator[str]:
    """:func:`render_markdown` piece by piece (a file is written without its whole text)."""
    template = environment().get_template("exit-plan.md.jinja2")
    return template.generate(_context(report, checklist, lang))


def render_appendix_markdown(report: ExitPlanView, checklist: Checklist, lang: Lang) -> str:
    """Appendices A (full checklist) and B (runbooks) as one Markdown file."""
    return "".join(stream_appendix_markdown(report, checklist, lang))


def stream_appendix_markdown(
    report: ExitPlanView, checklist: Checklist, lang: Lang
) -> Iterator[str]:
    """:func:`render_appendix_markdown` piece by piece."""
    template = environment().get_template("exit-plan-appendix.md.jinja2")
    return template.generate(_context(report, checklist, lang))


def timeline_bars(report: ExitPlanView, checklist: Checklist, lang: Lang) -> list[Bar]:
    """The Gantt rows: the legal gates, the Data Act dates of both options, the waves."""
    label = checklist.label
    timeline = report.timeline
    gates_row = label("gates", lang)
    bars = [
        Bar(gates_row, f"{row.id}: {row.title}", row.due, row.due, "gate")
        for row in report.gates
        if row.due is not None
    ]
    for option in report.options:
        row = f"{label('option', lang)} {option.key}"
        bars.append(Bar(row, label("t_request", lang), option.request, option.request, "legal"))
        bars.append(
            Bar(
                row,
                label("t_transition", lang),
                option.transition_start,
                option.transition_end,
                "legal",
            )
        )
        bars.append(Bar(row, label("t_erasure", lang), option.erasure, option.erasure, "exit"))
    exit_row = label("exit_day", lang).split(" (")[0]
    bars.append(Bar(exit_row, exit_row, timeline.exit_day, timeline.exit_day, "exit"))
    for wave in report.waves:
        kind = {"critical": "critical", "pilot": "pilot"}.get(wave.mode_key, "wave")
        bars.append(Bar(wave.name, wave.name, wave.start, wave.end, kind))
    return bars


def charts(report: ExitPlanView, checklist: Checklist, lang: Lang) -> dict[str, Any]:
    """The Gantt timeline, the per-wave dependency views and the cost charts, as SVG."""
    result: dict[str, Any] = {
        "gantt": gantt_svg(
            timeline_bars(report, checklist, lang),
            report.blackouts,
            checklist.label("gantt", lang),
            checklist.label("blackout", lang),
            (report.document.as_of, checklist.label("doc_as_of", lang)),
        ),
        "deps": {
            wave.name: dependency_svg(
                wave.graph_ids,
                report.system_names,
                report.providers,
                f"{checklist.label('dependencies', lang)}: {wave.name}",
            )
            for wave in report.waves
            if wave.graph_ids
        },
    }
    cost = report.cost
    if cost is None:
        return result
    yearly = [Series(r.key, r.label, r.yearly) for r in cost.rows]
    cumulative = [Series(r.key, r.label, r.cumulative) for r in cost.rows]
    return result | {
        "yearly": yearly_bars(
            checklist.label("yearly", lang), list(cost.years), yearly, cost.currency
        ),
        "cumulative": cumulative_lines(
            checklist.label("cumulative", lang),
            list(cost.years),
            cumulative,
            cost.currency,
            cost.break_even,
            checklist.label("break_even_short", lang),
            checklist.label("no_break_even_in", lang).format(horizon=cost.horizon),
        ),
    }


def render_html(report: ExitPlanView, checklist: Checklist, lang: Lang) -> str:
    """One self-contained HTML file: inline CSS, inline SVG charts, no scripts."""
    return "".join(stream_html(report, checklist, lang))


def stream_html(report: ExitPlanView, checklist: Checklist, lang: Lang) -> Iterator[str]:
    """:func:`render_html` piece by piece."""
    template = environment().get_template("exit-plan.html.jinja2")
    return template.generate(
        {**_context(report, checklist, lang), "charts": charts(report, checklist, lang)}
    )
