"""Document control, the risk register and the stressed-exit scenario of the exit plan.

All three are derived from the catalog, the plan, the cost report and the checklist, so the
document a city signs says what it was made from (version, dates, catalog digest), who signs
it, what could go wrong, and what happens if the provider fails before the plan ends.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from exit_plan.checklist import Entry
from exit_plan.data import Checklist, Lang
from exit_plan.timeline import LegalTimeline
from migration.catalog import Catalog
from migration.plan import Plan

DEFAULT_APPROVERS: tuple[str, ...] = ("stadsdirektör", "IT-chef", "upphandlare")
"""The roles that sign when the catalog names no ``approvals``."""
CRITICALITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
BLACKOUT_SQUEEZE_DAYS = 14
"""A wave ending this close to a blackout leaves no room to slip: a risk."""


@dataclass(frozen=True)
class Approver:
    role: str
    name: str  # "" when not yet named (an empty signature line)


@dataclass(frozen=True)
class DocumentInfo:
    """What the document is: version, dates, the catalog it was made from, who signs it."""

    version: str
    generated: date
    as_of: date
    catalog_sha256: str
    approvals: tuple[Approver, ...]
    overdue: int


@dataclass(frozen=True)
class CostFacts:
    """The parts of cost.json the exit plan reads besides the tables: a typed view."""

    legal_flags: tuple[tuple[str, str], ...]  # (code, message)
    unpriced: tuple[str, ...]  # what is not priced, per provider
    warnings: tuple[tuple[str, str], ...]  # (code, message)
    exit_date: date | None = None  # the exit day the cost model counted with

    @classmethod
    def from_json(cls, cost: Mapping[str, Any] | None) -> CostFacts:
        """Read a cost.json document (None: no cost model, nothing to read)."""
        doc = cost or {}
        unpriced = []
        for key, provider in sorted((doc.get("providers") or {}).items()):
            for line in provider.get("unpriced") or ():
                unpriced.append(
                    f"{key}: {line.get('what', line) if isinstance(line, dict) else line}"
                )
        warnings = tuple(
            (str(w.get("code", "")), str(w.get("message", ""))) for w in doc.get("warnings") or ()
        )
        unpriced += [f"{code}: {message}" for code, message in warnings if code.endswith("unknown")]
        exit_date = (doc.get("facts") or {}).get("exit_date")
        return cls(
            exit_date=date.fromisoformat(exit_date) if exit_date else None,
            legal_flags=tuple(
                (str(f.get("code", "")), str(f.get("message", "")))
                for f in doc.get("legal_flags") or ()
            ),
            unpriced=tuple(unpriced),
            warnings=warnings,
        )


@dataclass(frozen=True)
class Risk:
    """One line of the risk register: what, how likely/severe, why (derived), what to do."""

    id: str
    level: str  # high | medium | low
    title: str
    detail: str
    mitigation: str


@dataclass(frozen=True)
class StressRow:
    """If the provider failed when this wave starts: what is still there, and how long a
    stressed exit of the rest would take at the plan's capacity."""

    wave: str
    start: date
    servers_left: int
    systems_left: int
    critical_left: tuple[str, ...]  # names of critical/high systems still at the provider
    days_needed: int


def document_info(
    catalog: Catalog, plan: Plan, entries: Sequence[Entry], as_of: date, version: str
) -> DocumentInfo:
    """Version, dates, digest and approvers; overdue counts the entries due before as_of."""
    approvers = tuple(Approver(a.role, a.name or "") for a in catalog.approvals) or tuple(
        Approver(role, "") for role in DEFAULT_APPROVERS
    )
    return DocumentInfo(
        version=version,
        generated=as_of,
        as_of=as_of,
        catalog_sha256=plan.catalog_sha256,
        approvals=approvers,
        overdue=sum(1 for e in entries if e.overdue(as_of)),
    )


def _blackout_squeeze(catalog: Catalog, plan: Plan) -> list[str]:
    found = []
    for wave in plan.waves:
        for blackout in catalog.planning.blackouts:
            gap = (blackout.from_ - wave.end).days
            if 0 <= gap <= BLACKOUT_SQUEEZE_DAYS:
                found.append(f"{wave.name} → {blackout.from_} ({blackout.reason})")
    return found


def risk_register(
    catalog: Catalog,
    plan: Plan,
    cost: CostFacts,
    timeline: LegalTimeline,
    entries: Sequence[Entry],
    as_of: date,
    checklist: Checklist,
    lang: Lang,
) -> list[Risk]:
    """The risks the plan itself shows, most severe first."""
    label = checklist.label
    risks: list[Risk] = []

    def add(key: str, level: str, **values: object) -> None:
        risks.append(
            Risk(
                id=key,
                level=level,
                title=label(f"risk.{key}", lang),
                detail=label(f"risk.{key}.detail", lang).format(**values),
                mitigation=label(f"risk.{key}.mitigation", lang).format(**values),
            )
        )

    splits = [w for w in plan.warnings if w.code in ("latency-split", "group-split")]
    if splits:
        subjects = sorted({s for w in splits for s in w.subjects})
        add("latency-split", "high", count=len(splits), subjects=", ".join(subjects[:12]))
    readiness: dict[str, int] = {}
    for server in plan.servers.values():
        if server.wave is not None and server.readiness in ("not ready", "conditionally ready"):
            readiness[server.readiness] = readiness.get(server.readiness, 0) + 1
    if readiness:
        add(
            "readiness",
            "high" if readiness.get("not ready") else "medium",
            not_ready=readiness.get("not ready", 0),
            conditional=readiness.get("conditionally ready", 0),
        )
    temporary = [f for f in plan.hybrid_flows if f.kind == "temporary"]
    if plan.hybrid_flows:
        days = max((f.days or 0 for f in temporary), default=0)
        add("single-vpn", "medium", flows=len(plan.hybrid_flows), days=days)
    squeeze = _blackout_squeeze(catalog, plan)
    if squeeze:
        add("blackout-squeeze", "medium", waves="; ".join(squeeze[:6]))
    for code, _message in cost.legal_flags:
        add(f"legal.{code}", "high")
    if cost.unpriced:
        # the cost model's own lines are English: the Swedish report says what kind they are
        codes = sorted({u.split(":")[0] for u in cost.unpriced})
        known = checklist.labels
        kinds = [
            label(f"warning.{c}" if f"warning.{c}" in known else "warning.other", lang)
            for c in codes
        ]
        lines = list(cost.unpriced[:5]) if lang == "en" else kinds
        add("unpriced", "medium", count=len(cost.unpriced), lines="; ".join(lines))
    if cost.exit_date is not None and cost.exit_date != timeline.exit_day:
        add(
            "exit-day-mismatch",
            "medium",
            cost_day=cost.exit_date.isoformat(),
            exit_day=timeline.exit_day.isoformat(),
        )
    overdue = sorted({e.item.id for e in entries if e.overdue(as_of)})
    if overdue:
        add(
            "overdue",
            "high",
            count=len(overdue),
            as_of=as_of.isoformat(),
            items=", ".join(overdue[:8]),
        )
    if timeline.a.extended and not timeline.a.within_backstop:
        add("transition-long", "medium", end=timeline.a.transition_end.isoformat())
    if timeline.b.notice_before_last_wave:
        add("notice-early", "medium", notice=timeline.b.request.isoformat())
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(risks, key=lambda r: (order[r.level], r.id))


def stressed_exit(catalog: Catalog, plan: Plan, limit: int = 12) -> list[StressRow]:
    """Per wave start (at most ``limit`` rows, evenly spread): what would still be at the
    provider if it failed then, and the days a stressed exit of the rest would need at the
    plan's capacity (``max_servers_per_wave`` servers per ``wave_days``)."""
    systems = catalog.systems_by_id
    waves = sorted(plan.waves, key=lambda w: w.start)
    if not waves:
        return []
    moved_at: dict[str, date] = {}
    for wave in waves:
        for server_id in wave.servers:
            moved_at[server_id] = wave.end
    server_system = {s.id: s.system for s in catalog.servers}
    step = max(1, math.ceil(len(waves) / limit))
    capacity = max(1, catalog.planning.max_servers_per_wave)
    # the servers and systems moved at each wave end, so each row reads a few dozen ends
    by_end: dict[date, tuple[list[int], set[str]]] = {}
    for server_id, end in moved_at.items():
        count, at_end = by_end.setdefault(end, ([0], set()))
        count[0] += 1
        if server_id in server_system:
            at_end.add(server_system[server_id])
    rows = []
    for wave in waves[::step]:
        ends = [v for end, v in by_end.items() if end >= wave.start]
        left = sum(count[0] for count, _ in ends)
        left_systems: set[str] = set().union(*(names for _, names in ends))
        critical = heapq.nsmallest(  # the same as sorting them all and taking the first
            6,
            (
                systems[s]
                for s in left_systems
                if s in systems and systems[s].criticality in ("critical", "high")
            ),
            key=lambda s: (CRITICALITY_RANK[s.criticality], s.rto_hours or math.inf, s.id),
        )
        rows.append(
            StressRow(
                wave=wave.name,
                start=wave.start,
                servers_left=left,
                systems_left=len(left_systems),
                critical_left=tuple(s.name for s in critical),
                days_needed=math.ceil(left / capacity) * catalog.planning.wave_days,
            )
        )
    return rows
