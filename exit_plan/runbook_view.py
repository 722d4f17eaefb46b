"""The runbooks as the templates show them, in one language (texts resolved, nothing left
to decide in a template)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from exit_plan.data import Checklist, Lang
from exit_plan.runbook import FlowChange, WaveRunbook, move_groups, step_lines
from migration.catalog import Catalog
from migration.plan import Plan


@dataclass(frozen=True, slots=True)
class TaskRow:
    date: date
    day: str
    title: str
    owner: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MoveRow:
    order: int
    server: str
    system: str
    role: str
    environment: str
    ip: str
    contact: str


@dataclass(frozen=True, slots=True)
class FlowRow:
    from_system: str
    from_env: str
    to_system: str
    to_env: str
    ports: tuple[str, ...]
    pairs: int
    kind: str
    closes: str | None


@dataclass(frozen=True)
class RunbookView:
    """One wave's runbook, ready to print."""

    number: int
    name: str
    start: date
    end: date
    mode: str
    mode_label: str
    systems: tuple[str, ...]
    tasks: tuple[TaskRow, ...]
    moves: tuple[MoveRow, ...]
    cutover: tuple[str, ...]
    dns: tuple[str, ...]
    missing_dns: tuple[str, ...]
    smoke: tuple[str, ...]
    go_no_go: tuple[str, ...]
    rollback_steps: tuple[str, ...]
    rollback_criteria: tuple[str, ...]
    rollback_sources: tuple[str, ...]
    decision: str
    system_owners: tuple[str, ...]
    shortest_rto: float | None
    flows_open: tuple[FlowRow, ...]
    flows_close: tuple[FlowRow, ...]
    server_count: int
    servers: tuple[str, ...]  # every server of the wave, in move order
    contacts: dict[str, str]  # server -> its contact
    per_server: bool  # moves and steps per server; False: per system, environment and role


def _flow_row(
    change: FlowChange, names: dict[int, str], kind_label: Callable[[str], str]
) -> FlowRow:
    group = change.group
    closes = names.get(change.closes, str(change.closes)) if change.closes is not None else None
    return FlowRow(
        from_system=group.from_system,
        from_env=group.from_env,
        to_system=group.to_system,
        to_env=group.to_env,
        ports=group.ports,
        pairs=group.pairs,
        kind=kind_label(change.kind),
        closes=closes,
    )


def runbook_views(
    books: list[WaveRunbook],
    plan: Plan,
    catalog: Catalog,
    checklist: Checklist,
    lang: Lang,
    system_names: Mapping[int, tuple[str, ...]] | None = None,
) -> list[RunbookView]:
    """The runbooks, texts resolved (``system_names``: each wave's
    :func:`exit_plan.report.wave_system_names` when the caller has them already)."""
    from exit_plan.report import wave_system_names  # one naming rule for waves

    label = checklist.label
    names = {w.number: w.name for w in plan.waves}
    servers_index = catalog.servers_by_id if system_names is None else None
    kind_label = cache(lambda kind: label(f"kind.{kind}", lang))  # per kind, not per flow
    systems = catalog.systems_by_id
    views = []
    for book in books:
        rto = book.shortest_rto_hours
        critical = systems[book.critical_system].name if book.critical_system in systems else ""
        rto_text = (
            label("rto_text", lang).format(rto=f"{rto:g}", system=critical)
            if rto is not None
            else label("rto_missing", lang)
        )
        values = {
            "rto": f"{rto:g}" if rto is not None else "?",
            "system": critical,
            "deadline_hours": f"{rto / 2:g}" if rto is not None else "?",
            "rto_text": rto_text,
        }
        go = [t.get(lang).format(**values) for t in checklist.runbook.go_no_go.for_mode(book.mode)]
        dns = [
            label(f"dns_change.{d.kind}", lang).format(
                name=d.name, system=d.system, ip=d.old_ip or "?"
            )
            for d in book.dns
        ]
        groups = move_groups(book)  # the moves, the cutover and the rollback steps share it
        smoke = [
            label("smoke_derived", lang).format(target=t.run)
            if t.derived
            else f"{t.name}: {t.run}" + (f" → {t.expect}" if t.expect else "")
            for t in book.smoke
        ]
        views.append(
            RunbookView(
                number=book.wave.number,
                name=book.wave.name,
                start=book.wave.start,
                end=book.wave.end,
                mode=book.mode,
                mode_label=label(f"mode.{book.mode}", lang),
                systems=system_names[book.wave.number]
                if system_names is not None
                else tuple(wave_system_names(book.wave, catalog, servers_index, systems)),
                tasks=tuple(
                    TaskRow(
                        t.date,
                        t.day,
                        t.task.title.get(lang),
                        label(f"role.{t.task.owner}", lang),
                        t.task.sources,
                    )
                    for t in book.tasks
                ),
                moves=tuple(
                    MoveRow(
                        order,
                        ", ".join(m.server.id for m in group),
                        group[0].server.system,
                        group[0].server.role,
                        group[0].server.environment,
                        ", ".join(m.server.ip for m in group if m.server.ip),
                        group[0].contact,
                    )
                    for order, group in enumerate(groups, start=1)
                ),
                cutover=tuple(step_lines(book, checklist, lang, groups=groups)),
                dns=tuple(dns),
                missing_dns=book.missing_dns,
                smoke=tuple(smoke),
                go_no_go=tuple(go),
                rollback_steps=tuple(
                    step_lines(book, checklist, lang, rollback=True, groups=groups)
                ),
                rollback_criteria=tuple(c.get(lang) for c in checklist.runbook.rollback_criteria),
                rollback_sources=checklist.runbook.rollback_sources,
                decision=checklist.runbook.decision.get(lang),
                system_owners=book.system_owners,
                shortest_rto=rto,
                flows_open=tuple(_flow_row(f, names, kind_label) for f in book.flows_open),
                flows_close=tuple(_flow_row(f, names, kind_label) for f in book.flows_close),
                server_count=len(book.moves),
                servers=tuple(m.server.id for m in book.moves),
                contacts={m.server.id: m.contact for m in book.moves},
                per_server=book.per_server,
            )
        )
    return views
