"""Assemble what the templates show, in one language: texts resolved, lists sorted.

Templates only format; every choice of order, grouping and which source backs which number
is made here. Values from the catalog stay raw strings: each renderer escapes them for its
own format (HTML autoescape, Markdown filter, spreadsheet prefix).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from exit_plan.checklist import Entry
from exit_plan.data import PHASES, Checklist, Lang
from exit_plan.view import (
    ChecklistGroup,
    CostRow,
    CostTable,
    EntryRow,
    ItemView,
    TrackingRow,
)
from migration.catalog import Catalog, Server, System
from migration.exitday import exit_day
from migration.flows import system_flows
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
row stays in the spreadsheet and exit-plan.json), unless server detail is asked for."""


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
    large per-server items folded per wave unless ``server_detail``. One pass."""
    by_phase: dict[str, dict[str, list[Entry]]] = {phase: {} for phase in PHASES}
    for entry in entries:
        by_phase[entry.item.phase].setdefault(entry.item.id, []).append(entry)
    groups = []
    for phase in PHASES:
        items = []
        for item_entries in by_phase[phase].values():
            item = item_entries[0].item
            if item.per == "server" and len(item_entries) > SERVER_ROWS and not server_detail:
                label = checklist.label("servers_in_wave", lang)
                rows = [
                    replace(
                        _entry_row(item_entries[n], checklist, lang, as_of),
                        subject=label.format(count=count, wave=place),
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
    """One flat row per entry (spreadsheet, exit-plan.json), in checklist order."""
    return [
        TrackingRow(
            id=e.item.id,
            phase=checklist.label(f"phase.{e.item.phase}", lang),
            kind=e.item.item_kind,
            title=e.item.title.get(lang),
            subject=_subject(e, checklist, lang),
            due=e.due,
            rule=_rule_text(e, checklist, lang),
            owner=_owner(e, checklist, lang),
            evidence=e.item.evidence.get(lang),
            sources=e.item.sources,
            gates=e.gates.name if e.gates is not None else "",
            overdue=as_of is not None and e.overdue(as_of),
        )
        for e in entries
    ]


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


PROVIDER_ORDER = ("ada", "azure", "aws")  # ÅDA, then the primary target, then the second


def _provider_order(providers: Mapping[str, Any]) -> list[str]:
    def rank(key: str) -> tuple[int, str]:
        return (PROVIDER_ORDER.index(key) if key in PROVIDER_ORDER else len(PROVIDER_ORDER), key)

    return sorted(providers, key=rank)


def _series(doc: Mapping[str, Any], years: list[str], key: str) -> list[float]:
    return [float((doc.get(key) or {}).get(y, 0.0)) for y in years]


def _price_source(cost: Mapping[str, Any], key: str, checklist: Checklist, lang: Lang) -> str:
    retrieved = checklist.label("retrieved", lang)
    parts = [
        f"{b.get('provider')} {b.get('region')}: “{b.get('source')}”, {retrieved} "
        f"{b.get('retrieved')}" + (f" (“{b['note']}”)" if b.get("note") else "")
        for b in cost.get("price_books", []) or []
        if b.get("provider") == key
    ]
    return "; ".join(parts) if parts else "—"


def _row(
    key: str,
    label: str,
    doc: Mapping[str, Any],
    years: list[str],
    source: str,
    **extra: Any,
) -> dict[str, Any]:
    row = {
        "key": key,
        "label": label,
        "yearly": _series(doc, years, "yearly"),
        "cumulative": _series(doc, years, "cumulative"),
        "one_time": float(doc.get("one_time", 0.0) or 0.0),
        "npv": doc.get("npv"),
        "total": float(doc.get("total", 0.0) or 0.0),
        "pricing_option": doc.get("pricing_option"),
        "break_even": None,
        "has_break_even": False,
        "sensitivity": None,
        "source": source,
    }
    row.update(extra)
    return row


def cost_view(cost: Mapping[str, Any] | None, checklist: Checklist, lang: Lang) -> CostTable | None:
    """The cost comparison: staying at ÅDA against moving to each cloud, and what each move is.

    cost.json's ``providers`` are parts, not alternatives: ``ada`` is what ÅDA still costs
    while moving, ``azure``/``aws`` the cloud's own costs. The alternatives a decision weighs
    are ``stay`` and the ``paths`` (ÅDA during the move + that cloud); those are the rows of
    the comparison and the charts, and break-even compares each path with staying. A
    document without ``stay``/``paths`` (an older cost model) compares the providers as is.
    """
    if cost is None:
        return None
    years = [str(y) for y in cost.get("years", [])]
    providers = cost.get("providers", {}) or {}
    paths = cost.get("paths") or {}
    stay = cost.get("stay")
    break_even = cost.get("break_even") or {}
    sensitivity = cost.get("sensitivity") or {}
    current = checklist.label("cost_source_current", lang)
    parts = []
    for key in _provider_order(providers):
        doc = providers[key]
        label = str(doc.get("label", key))
        if key == "ada":
            parts.append(_row(key, checklist.label("part_ada", lang), doc, years, current))
        else:
            sens = sensitivity.get(key)
            parts.append(
                _row(
                    key,
                    label,
                    doc,
                    years,
                    _price_source(cost, key, checklist, lang),
                    sensitivity=sens,
                )
            )
    if stay is None or not paths:
        rows = [
            dict(part, break_even=break_even.get(part["key"]), has_break_even=part["key"] != "ada")
            for part in parts
        ]
        parts = []
    else:
        ada_doc = providers.get("ada") or {}
        ada_total = float(ada_doc.get("total", 0.0) or 0.0)
        ada_one_time = float(ada_doc.get("one_time", 0.0) or 0.0)
        rows = [_row("stay", checklist.label("path_stay", lang), stay, years, current)]
        for key in _provider_order(paths):
            cloud = providers.get(key) or {}
            sens = sensitivity.get(key)
            label = checklist.label("path_to", lang).format(target=str(cloud.get("label", key)))
            rows.append(
                _row(
                    key,
                    label,
                    paths[key],
                    years,
                    f"{current}; {_price_source(cost, key, checklist, lang)}",
                    one_time=ada_one_time + float(cloud.get("one_time", 0.0) or 0.0),
                    pricing_option=cloud.get("pricing_option"),
                    break_even=break_even.get(key),
                    has_break_even=True,
                    sensitivity=(
                        {
                            "low": ada_total + float(sens["low"]),
                            "high": ada_total + float(sens["high"]),
                        }
                        if sens and sens.get("low") is not None and sens.get("high") is not None
                        else None
                    ),
                )
            )
    horizon = f"{years[0]}–{years[-1]}" if years else ""
    share = (cost.get("assumptions") or {}).get("sensitivity")
    notes = []
    for row in rows:
        if row["has_break_even"]:
            key = "break_even_month_note" if row["break_even"] else "break_even_none_note"
            notes.append(
                checklist.label(key, lang).format(
                    label=row["label"], month=row["break_even"], horizon=horizon
                )
            )
    return CostTable(
        currency=str(cost.get("currency", "EUR")),
        years=tuple(years),
        horizon=horizon,
        rows=tuple(CostRow.from_row(r) for r in rows),
        parts=tuple(CostRow.from_row(r) for r in parts),
        price_books=tuple(dict(b) for b in cost.get("price_books", []) or []),
        warnings=tuple(dict(w) for w in cost.get("warnings", []) or []),
        break_even={r["label"]: r["break_even"] for r in rows if r["break_even"]},
        break_even_notes=tuple(notes),
        sensitivity_pct=f"{float(share) * 100:g}" if share is not None else "—",
    )


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


def _dependency_edges(catalog: Catalog) -> list[tuple[str, str]]:
    """(consumer system, provider system) of every flow between two systems, sorted."""
    edges = {(g.from_system, g.to_system) for g in system_flows(catalog)}
    return sorted((a, b) for a, b in edges if a != b)
