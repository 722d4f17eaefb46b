"""The typed view model every renderer reads (Markdown, HTML, XLSX, exit-plan.json).

Built once per language by :func:`exit_plan.assemble.build_report`; renderers only format
it. Nested rows that are pure presentation (wave rows, checklist groups, the cost tables,
the source list) stay plain mappings of strings, numbers and dates.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

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


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One subject of a checklist item in the appendix (or N servers of one wave)."""

    subject: str
    due: date | None
    rule: str
    owner: str
    overdue: bool
    gates: str


@dataclass(frozen=True)
class ItemView:
    """A checklist item with its text, evidence, sources and dated rows."""

    id: str
    per: str
    title: str
    text: str
    evidence: str
    sources: tuple[str, ...]
    rows: tuple[EntryRow, ...]
    first_due: date | None


@dataclass(frozen=True)
class ChecklistGroup:
    """The items of one phase."""

    phase: str
    label: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True, slots=True)
class TrackingRow:
    """One checklist line as the spreadsheet and exit-plan.json carry it."""

    id: str
    phase: str
    kind: str
    title: str
    subject: str
    due: date | None
    rule: str
    owner: str
    evidence: str
    sources: tuple[str, ...]
    gates: str  # the wave it gates, "" if none
    overdue: bool


@dataclass(frozen=True)
class WaveRow:
    """One wave in the summary, the Gantt and the dependency views."""

    number: int
    name: str
    start: date
    end: date
    systems: tuple[str, ...]
    graph_ids: tuple[str, ...]  # systems whose production moves in this wave
    servers: int
    mode: str  # the label: critical, pilot or standard wave
    mode_key: str


@dataclass(frozen=True)
class Range:
    """A low–high pair (the price sensitivity of a total)."""

    low: float
    high: float


@dataclass(frozen=True)
class CostRow:
    """One alternative (stay, move to a cloud) or one part of a move, per year."""

    key: str
    label: str
    yearly: tuple[float, ...]
    cumulative: tuple[float, ...]
    one_time: float
    npv: float | None
    total: float
    pricing_option: str | None
    break_even: str | None
    has_break_even: bool
    sensitivity: Range | None
    source: str

    @classmethod
    def from_row(cls, row: Row) -> CostRow:
        """From the mapping :func:`exit_plan.report.cost_view` assembles."""
        sens = row["sensitivity"]
        return cls(
            key=row["key"],
            label=row["label"],
            yearly=tuple(row["yearly"]),
            cumulative=tuple(row["cumulative"]),
            one_time=row["one_time"],
            npv=row["npv"],
            total=row["total"],
            pricing_option=row["pricing_option"],
            break_even=row["break_even"],
            has_break_even=row["has_break_even"],
            sensitivity=Range(float(sens["low"]), float(sens["high"])) if sens else None,
            source=row["source"],
        )


@dataclass(frozen=True)
class CostTable:
    """The cost comparison as the reports show it (from cost.json or the CostReport)."""

    currency: str
    years: tuple[str, ...]
    horizon: str
    rows: tuple[CostRow, ...]
    parts: tuple[CostRow, ...]
    price_books: tuple[Row, ...]
    warnings: tuple[Row, ...]
    break_even: dict[str, str]
    break_even_notes: tuple[str, ...]
    sensitivity_pct: str


@dataclass(frozen=True)
class OverlapRow:
    """One overlap finding for the decision summary: a capability, what to keep and retire."""

    capability: str  # the capability's name in the report's language
    keep: str
    retire: str
    saving: str  # first-year saving, formatted; "≥ …" when not every part is priced


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
    waves: tuple[WaveRow, ...]
    summary_waves: tuple[WaveRow, ...]
    more_waves: int
    blackouts: tuple[tuple[date, date, str], ...]
    not_moving_groups: tuple[Row, ...]
    show_graph: bool
    graph_nodes: tuple[Row, ...]
    graph_edges: tuple[tuple[str, str], ...]
    system_names: dict[str, str]
    providers: dict[str, set[str]]
    checklist: tuple[ChecklistGroup, ...]
    checklist_rows: tuple[TrackingRow, ...]  # every entry (exit-plan.json)
    tracking_rows: tuple[TrackingRow, ...]  # the spreadsheet's (large server items folded)
    server_detail: bool  # per-server rows and the move-order sheet in full
    entry_count: int
    runbooks: tuple[RunbookView, ...]
    cost: CostTable | None
    sources: tuple[Row, ...]
    overlap: tuple[OverlapRow, ...] = ()  # top findings of `utflytt overlap`, if any

    def context(self) -> dict[str, Any]:
        """The view as a template context (shallow: nested views stay objects)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}
