"""Assemble what the templates show, in one language: texts resolved, lists sorted.

Templates only format; every choice of order, grouping and which source backs which number
is made here. Values from the catalog stay raw strings: each renderer escapes them for its
own format (HTML autoescape, Markdown filter, spreadsheet prefix).

This module holds the checklist's groups and rows, the legal flags and the wave naming; the
cost comparison is :mod:`exit_plan.cost_table`, whose names are importable from here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from exit_plan.checklist import Entry
from exit_plan.cost_table import PROVIDER_ORDER as PROVIDER_ORDER
from exit_plan.cost_table import cost_view as cost_view
from exit_plan.data import PHASES, Checklist, Lang
from exit_plan.facts import system_edges
from exit_plan.view import (
    ChecklistGroup,
    EntryRow,
    ItemView,
    TrackingRow,
)
from migration.catalog import Catalog, Server, System
from migration.exitday import exit_day
from migration.plan import Plan, Wave


def _label(checklist: Checklist, lang: Lang) -> Any:
    def label(key: str) -> str:
        return checklist.label(key, lang)

    return label


def _owner(entry: Entry, checklist: Checklist, lang: Lang) -> str:
    role = checklist.label(f"role.{entry.item.owner}", lang)
    if entry.item.owner == "system_owner" and entry.subject.owner:
        return f"{role}: {entry.subject.owner}"
    return role


def _subject(entry: Entry, checklist: Checklist, lang: Lang) -> str:
    subject = entry.subject
    if subject.scope == "once":
        return checklist.label("whole_exit", lang)
    if subject.scope == "system":
        return f"{subject.label} ({subject.id})"
    return subject.label


def _rule_text(entry: Entry, checklist: Checklist, lang: Lang) -> str:
    rule = entry.rule
    anchor = checklist.label(f"anchor.{rule.from_}", lang)
    days = checklist.label("days_short", lang)
    return f"{anchor} {rule.days:+d} {days}".replace("-", "−")


SERVER_ROWS = 200
"""A per-server item with more rows than this is shown per wave in the appendix (every
row stays in the spreadsheet and exit-plan.json), unless server detail is asked for; so is
a per-system item with more rows than this in the appendix (20,000 systems would make a
50 MB appendix no one reads; the spreadsheet and exit-plan.json keep every row)."""
FOLDED_LABELS = {"server": "servers_in_wave", "system": "systems_in_wave"}


def _entry_row(e: Entry, checklist: Checklist, lang: Lang, as_of: date | None) -> EntryRow:
    return EntryRow(
        subject=_subject(e, checklist, lang),
        due=e.due,
        rule=_rule_text(e, checklist, lang),
        owner=_owner(e, checklist, lang),
        overdue=as_of is not None and e.overdue(as_of),
        gates=e.gates.name if e.gates is not None else "",
    )


def fold_per_wave(entries: list[Entry]) -> list[tuple[int, int, str]]:
    """Per (wave, due date) of a per-server item's entries, in first-seen order: (index of
    the first entry, how many, the wave's name) -- "N servers in wave-03"."""
    first: dict[tuple[int, date | None], int] = {}
    count: dict[tuple[int, date | None], int] = {}
    for n, entry in enumerate(entries):
        key = (entry.subject.wave if entry.subject.wave is not None else -1, entry.due)
        first.setdefault(key, n)
        count[key] = count.get(key, 0) + 1
    result = []
    for key, n in first.items():
        gated = entries[n].gates
        wave = key[0]
        place = gated.name if gated is not None else (f"wave-{wave:02d}" if wave >= 0 else "—")
        result.append((n, count[key], place))
    return result


def checklist_groups(
    entries: list[Entry],
    checklist: Checklist,
    lang: Lang,
    as_of: date | None = None,
    server_detail: bool = False,
) -> list[ChecklistGroup]:
    """Entries grouped by phase, then by item (earliest due first), subjects by due date;
    large per-server and per-system items folded per wave unless ``server_detail``. One
    pass."""
    by_phase: dict[str, dict[str, list[Entry]]] = {phase: {} for phase in PHASES}
    for entry in entries:
        by_phase[entry.item.phase].setdefault(entry.item.id, []).append(entry)
    groups = []
    for phase in PHASES:
        items = []
        for item_entries in by_phase[phase].values():
            item = item_entries[0].item
            if item.per in FOLDED_LABELS and len(item_entries) > SERVER_ROWS and not server_detail:
                label = checklist.label(FOLDED_LABELS[item.per], lang)
                role = checklist.label(f"role.{item.owner}", lang)  # not one system's owner
                rows = [
                    replace(
                        _entry_row(item_entries[n], checklist, lang, as_of),
                        subject=label.format(count=count, wave=place),
                        owner=role,
                    )
                    for n, count, place in fold_per_wave(item_entries)
                ]
            else:
                rows = [_entry_row(e, checklist, lang, as_of) for e in item_entries]
            items.append(
                ItemView(
                    id=item.id,
                    per=item.per,
                    title=item.title.get(lang),
                    text=item.text.get(lang),
                    evidence=item.evidence.get(lang),
                    sources=item.sources,
                    rows=tuple(rows),
                    first_due=min((e.due for e in item_entries if e.due), default=None),
                )
            )
        items.sort(key=lambda i: (i.first_due or date.max, i.id))
        if items:
            label = checklist.label(f"phase.{phase}", lang)
            groups.append(ChecklistGroup(phase=phase, label=label, items=tuple(items)))
    return groups


def checklist_rows(
    entries: list[Entry], checklist: Checklist, lang: Lang, as_of: date | None = None
) -> list[TrackingRow]:
    """One flat row per entry (spreadsheet, exit-plan.json), in checklist order. Texts an
    item's rows share (phase, title, rule, evidence, owner) are made once and shared: at
    100k servers there are 300,000 rows of a few dozen items."""
    shared: dict[tuple[str, int], tuple[str, str, str, str]] = {}
    owners: dict[tuple[str, str], str] = {}
    rows = []
    for e in entries:
        item = e.item
        texts = shared.get((item.id, id(e.rule)))
        if texts is None:
            texts = shared[(item.id, id(e.rule))] = (
                checklist.label(f"phase.{item.phase}", lang),
                item.title.get(lang),
                _rule_text(e, checklist, lang),
                item.evidence.get(lang),
            )
        who = (item.owner, (e.subject.owner or "") if item.owner == "system_owner" else "")
        owner = owners.get(who)
        if owner is None:
            owner = owners[who] = _owner(e, checklist, lang)
        rows.append(
            TrackingRow(
                id=item.id,
                phase=texts[0],
                kind=item.item_kind,
                title=texts[1],
                subject=_subject(e, checklist, lang),
                due=e.due,
                rule=texts[2],
                owner=owner,
                evidence=texts[3],
                sources=item.sources,
                gates=e.gates.name if e.gates is not None else "",
                overdue=as_of is not None and e.overdue(as_of),
            )
        )
    return rows


def tracking_rows(
    rows: list[TrackingRow],
    entries: list[Entry],
    checklist: Checklist,
    lang: Lang,
    server_detail: bool = False,
) -> list[TrackingRow]:
    """The spreadsheet's rows: every row, except that a per-server item with more than
    SERVER_ROWS servers becomes one row per (wave, due date), "N servers in wave-03", unless
    ``server_detail`` (exit-plan.json keeps every row)."""
    if server_detail:
        return rows
    counts: dict[str, int] = {}
    for entry in entries:
        if entry.item.per == "server":
            counts[entry.item.id] = counts.get(entry.item.id, 0) + 1
    big = {item for item, count in counts.items() if count > SERVER_ROWS}
    if not big:
        return rows
    by_item: dict[str, list[int]] = {}
    for n, entry in enumerate(entries):
        if entry.item.id in big:
            by_item.setdefault(entry.item.id, []).append(n)
    label = checklist.label("servers_in_wave", lang)
    folded: dict[int, TrackingRow] = {}
    for positions in by_item.values():
        for first, count, place in fold_per_wave([entries[n] for n in positions]):
            n = positions[first]
            folded[n] = replace(rows[n], subject=label.format(count=count, wave=place))
    result = [
        folded.get(n, row)
        for n, row in enumerate(rows)
        if entries[n].item.id not in big or n in folded
    ]
    return result


# cost.json legal-flag codes -> the checklist source that backs them.
LEGAL_FLAG_SOURCES: dict[str, tuple[str, ...]] = {
    "notice-over-2-months": ("dataact-25-2-d", "dataact-2-8"),
    "exit-fee-data-act": ("dataact-29", "dataact-31", "dataact-2-8"),
}


def _flag_values(
    catalog: Catalog, plan: Plan, cost: Mapping[str, Any] | None, lang: Lang
) -> dict[str, str]:
    """The numbers the legal-flag texts quote, from the catalog, the plan and cost.json."""
    from exit_plan.render import money  # the one number format of the reports

    exit_date = exit_day(catalog, plan).isoformat()  # the one exit day (migration.exitday)
    return {
        "notice_months": str(catalog.contract.notice_months),
        "exit_fee": money(catalog.contract.exit_fee or 0.0, lang),
        "currency": catalog.currency,
        "exit_date": exit_date,
        "provider": plan.provider_name or catalog.contract.provider,
    }


def legal_flags(
    cost: Mapping[str, Any] | None,
    checklist: Checklist | None = None,
    lang: Lang = "en",
    values: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The cost model's legal-review flags, each with the source keys that back it.

    A flag whose code has a text in labels.yaml (``legal.<code>``) is shown in the report's
    language with the catalog's numbers; any other flag keeps the cost model's message.
    """
    flags = []
    for flag in (cost or {}).get("legal_flags", []) or []:
        code = str(flag.get("code", ""))
        message = str(flag.get("message", ""))
        title = code
        if checklist is not None and values is not None and f"legal.{code}" in checklist.labels:
            message = checklist.label(f"legal.{code}", lang).format(**values)
            title = checklist.label(f"legal_title.{code}", lang)
        flags.append(
            {
                "code": code,
                "title": title,
                "message": message,
                "source": str(flag.get("source", "")),
                "cite": list(LEGAL_FLAG_SOURCES.get(code, ())),
            }
        )
    return sorted(flags, key=lambda f: f["code"])


TARGET_NAMES = {"azure": "Azure", "aws": "AWS"}


def _cutover_wave(plan: Plan) -> dict[str, int]:
    """System id -> the last wave holding its servers (the one that moves production)."""
    result: dict[str, int] = {}
    for wave in plan.waves:
        for system_id in wave.systems:
            result[system_id] = max(result.get(system_id, wave.number), wave.number)
    return result


def nonprod_only(
    wave: Wave, catalog: Catalog, servers: Mapping[str, Server] | None = None
) -> dict[str, str]:
    """Systems of which this wave moves only test/dev servers (their prod moves later), with
    the environments it moves: ``{"e-archive": "test"}``. One pass over the wave's servers."""
    index = servers if servers is not None else catalog.servers_by_id
    envs: dict[str, set[str]] = {}
    for server_id in wave.servers:
        server = index.get(server_id)
        if server is not None:
            envs.setdefault(server.system, set()).add(server.environment)
    return {
        system_id: ", ".join(sorted(here, key=("test", "dev").index))
        for system_id, here in envs.items()
        if here and "prod" not in here and system_id in wave.systems
    }


def wave_system_names(
    wave: Wave,
    catalog: Catalog,
    servers: Mapping[str, Server] | None = None,
    systems: Mapping[str, System] | None = None,
) -> list[str]:
    """The wave's systems by name, marked when only their test/dev servers move here."""
    by_id = systems if systems is not None else catalog.systems_by_id
    marks = nonprod_only(wave, catalog, servers)
    names = []
    for system_id in wave.systems:
        name = by_id[system_id].name if system_id in by_id else system_id
        names.append(f"{name} ({marks[system_id]})" if system_id in marks else name)
    return names


def _dependency_edges(catalog: Catalog, plan: Plan) -> list[tuple[str, str]]:
    """(consumer system, provider system) of every flow between two systems, sorted."""
    return sorted(system_edges(catalog, plan))
