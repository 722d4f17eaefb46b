"""The typed view model every renderer reads (Markdown, HTML, XLSX, exit-plan.json).

Built once per language by :func:`exit_plan.assemble.build_report`; renderers only format
it. Nested rows that are pure presentation (wave rows, checklist groups, the cost tables,
the source list) stay plain mappings of strings, numbers and dates.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from exit_plan.checklist import Entry
from exit_plan.control import DocumentInfo, Risk, StressRow
from exit_plan.data import Lang
from exit_plan.runbook_view import RunbookView
from exit_plan.timeline import LegalTimeline

Row = dict[str, Any]


@dataclass(frozen=True)
class OptionView:
    """One way of timing the switching request, with its dates, cost and risk in words."""

    key: str
    label: str
    request: date
    transition_start: date
    transition_end: date
    retrieval_end: date
    erasure: date
    cost: str
    risk: str


@dataclass(frozen=True)
class GateRow:
    """An item that gates wave 0 (the legal sequence at a glance)."""

    id: str
    title: str
    kind: str
    due: date | None
    owner: str
    gates: str
    overdue: bool


@dataclass(frozen=True)
class ExitPlanView:
    """Everything the exit plan shows, in one language."""

    lang: Lang
    organisation: str
    provider: str
    target: str
    notice_date: date | None
    deadline: date | None
    catalog_sha256: str
    document: DocumentInfo
    timeline: LegalTimeline
    options: tuple[OptionView, ...]
    key_dates: tuple[tuple[str, date | None], ...]
    gates: tuple[GateRow, ...]
    risks: tuple[Risk, ...]
    emergency: tuple[StressRow, ...]
    capacity: int
    wave_days: int
    legal_flags: tuple[Row, ...]
    has_cost: bool
    plan_warnings: tuple[Row, ...]
    cost_warnings: tuple[Row, ...]
    waves: tuple[Row, ...]
    summary_waves: tuple[Row, ...]
    more_waves: int
    blackouts: tuple[tuple[date, date, str], ...]
    not_moving_groups: tuple[Row, ...]
    show_graph: bool
    graph_nodes: tuple[Row, ...]
    graph_edges: tuple[tuple[str, str], ...]
    system_names: dict[str, str]
    providers: dict[str, set[str]]
    checklist: tuple[Row, ...]
    checklist_rows: tuple[Row, ...]  # every entry (exit-plan.json)
    tracking_rows: tuple[Row, ...]  # the spreadsheet's rows (large per-server items folded)
    server_detail: bool  # per-server rows and the move-order sheet in full
    entries: tuple[Entry, ...]
    entry_count: int
    runbooks: tuple[RunbookView, ...]
    cost: Row | None
    sources: tuple[Row, ...]

    def context(self) -> dict[str, Any]:
        """The view as a template context (shallow: nested views stay objects)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}
