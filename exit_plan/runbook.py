"""One cutover runbook per wave: dated tasks, hybrid flows to open and close, rollback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from exit_plan.checklist import matches
from exit_plan.data import Checklist, RunbookTask
from exit_plan.facts import Subject, flow_waves, wave_subjects
from migration.catalog import Catalog
from migration.plan import HybridFlow, Plan, Wave


@dataclass(frozen=True)
class DatedTask:
    """A runbook task on its date; ``day`` is ``T-14`` (from the start) or ``E+3`` (end)."""

    date: date
    day: str
    task: RunbookTask


@dataclass(frozen=True)
class WaveRunbook:
    """Everything the wave's cutover team needs, in date order."""

    wave: Wave
    subject: Subject
    tasks: tuple[DatedTask, ...]
    flows_open: tuple[HybridFlow, ...]
    flows_close: tuple[HybridFlow, ...]
    shortest_rto_hours: float | None
    system_owners: tuple[str, ...]


def _day(task: RunbookTask) -> str:
    letter = "T" if task.from_ == "wave_start" else "E"
    return f"{letter}{task.days:+d}" if task.days else letter


def _flow_key(flow: HybridFlow) -> tuple[str, str]:
    return (flow.from_, flow.to)


def build_runbooks(checklist: Checklist, catalog: Catalog, plan: Plan) -> list[WaveRunbook]:
    """A runbook for every wave of the plan, in wave order."""
    systems = catalog.systems_by_id
    subjects = {s.wave: s for s in wave_subjects(catalog, plan)}
    books = []
    for wave in sorted(plan.waves, key=lambda w: w.number):
        subject = subjects[wave.number]
        tasks = []
        for task in checklist.runbook.tasks:
            if not matches(task.when, subject.facts):
                continue
            anchor = wave.start if task.from_ == "wave_start" else wave.end
            tasks.append(DatedTask(anchor + timedelta(days=task.days), _day(task), task))
        tasks.sort(key=lambda t: (t.date, t.task.id))
        opening = [f for f in plan.hybrid_flows if flow_waves(f)[0] == wave.number]
        closing = [f for f in plan.hybrid_flows if flow_waves(f)[1] == wave.number]
        members = [systems[s] for s in wave.systems if s in systems]
        rtos = [s.rto_hours for s in members if s.rto_hours is not None]
        books.append(
            WaveRunbook(
                wave=wave,
                subject=subject,
                tasks=tuple(tasks),
                flows_open=tuple(sorted(opening, key=_flow_key)),
                flows_close=tuple(sorted(closing, key=_flow_key)),
                shortest_rto_hours=min(rtos) if rtos else None,
                system_owners=tuple(sorted({s.owner for s in members})),
            )
        )
    return books
