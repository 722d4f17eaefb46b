"""Assemble what the templates show, in one language: texts resolved, lists sorted.

Templates only format; every choice of order, grouping and which source backs which number
is made here. Values from the catalog stay raw strings: each renderer escapes them for its
own format (HTML autoescape, Markdown filter, spreadsheet prefix).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from exit_plan.checklist import Entry, build_entries
from exit_plan.data import PHASES, Checklist, Lang
from exit_plan.facts import flow_waves
from exit_plan.runbook import WaveRunbook, build_runbooks
from migration.catalog import Catalog
from migration.plan import HybridFlow, Plan


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


def checklist_groups(
    entries: list[Entry], checklist: Checklist, lang: Lang
) -> list[dict[str, Any]]:
    """Entries grouped by phase, then by item (earliest due first), subjects by due date."""
    groups = []
    for phase in PHASES:
        by_item: dict[str, list[Entry]] = {}
        for entry in entries:
            if entry.item.phase == phase:
                by_item.setdefault(entry.item.id, []).append(entry)
        items = []
        for item_entries in by_item.values():
            item = item_entries[0].item
            rows = [
                {
                    "subject": _subject(e, checklist, lang),
                    "due": e.due,
                    "rule": _rule_text(e, checklist, lang),
                    "owner": _owner(e, checklist, lang),
                }
                for e in item_entries
            ]
            first_due = min((e.due for e in item_entries if e.due), default=None)
            items.append(
                {
                    "id": item.id,
                    "per": item.per,
                    "title": item.title.get(lang),
                    "text": item.text.get(lang),
                    "evidence": item.evidence.get(lang),
                    "sources": list(item.sources),
                    "rows": rows,
                    "first_due": first_due,
                }
            )
        items.sort(key=lambda i: (i["first_due"] or date.max, i["id"]))
        if items:
            label = checklist.label(f"phase.{phase}", lang)
            groups.append({"phase": phase, "label": label, "items": items})
    return groups


def checklist_rows(entries: list[Entry], checklist: Checklist, lang: Lang) -> list[dict[str, Any]]:
    """One flat row per entry (for the spreadsheet), in checklist order."""
    return [
        {
            "id": e.item.id,
            "phase": checklist.label(f"phase.{e.item.phase}", lang),
            "title": e.item.title.get(lang),
            "subject": _subject(e, checklist, lang),
            "due": e.due,
            "rule": _rule_text(e, checklist, lang),
            "owner": _owner(e, checklist, lang),
            "evidence": e.item.evidence.get(lang),
            "sources": ", ".join(e.item.sources),
        }
        for e in entries
    ]


def _flow_row(flow: HybridFlow, plan: Plan, checklist: Checklist, lang: Lang) -> dict[str, Any]:
    closes = flow_waves(flow)[1]
    names = {w.number: w.name for w in plan.waves}
    return {
        "from": flow.from_,
        "to": flow.to,
        "ports": ", ".join(flow.ports),
        "kind": checklist.label(f"kind.{flow.kind}", lang),
        "closes": names.get(closes, str(closes)) if closes is not None else None,
    }


def runbook_views(
    books: list[WaveRunbook], plan: Plan, catalog: Catalog, checklist: Checklist, lang: Lang
) -> list[dict[str, Any]]:
    """The runbooks, texts resolved."""
    systems = catalog.systems_by_id
    views = []
    for book in books:
        wave = book.wave
        views.append(
            {
                "number": wave.number,
                "name": wave.name,
                "start": wave.start,
                "end": wave.end,
                "systems": [
                    f"{systems[s].name} ({s})" if s in systems else s for s in wave.systems
                ],
                "tasks": [
                    {
                        "date": t.date,
                        "day": t.day,
                        "title": t.task.title.get(lang),
                        "owner": checklist.label(f"role.{t.task.owner}", lang),
                        "sources": list(t.task.sources),
                    }
                    for t in book.tasks
                ],
                "flows_open": [_flow_row(f, plan, checklist, lang) for f in book.flows_open],
                "flows_close": [_flow_row(f, plan, checklist, lang) for f in book.flows_close],
                "rollback": [c.get(lang) for c in checklist.runbook.rollback_criteria],
                "rollback_sources": list(checklist.runbook.rollback_sources),
                "decision": checklist.runbook.decision.get(lang),
                "system_owners": list(book.system_owners),
                "shortest_rto": book.shortest_rto_hours,
            }
        )
    return views


# cost.json legal-flag codes -> the checklist source that backs them.
LEGAL_FLAG_SOURCES: dict[str, tuple[str, ...]] = {
    "notice-over-2-months": ("dataact-25-2-d", "dataact-2-8"),
    "exit-fee-data-act": ("dataact-29", "dataact-2-8"),
}


def legal_flags(cost: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The cost model's legal-review flags, each with the source keys that back it."""
    flags = []
    for flag in (cost or {}).get("legal_flags", []) or []:
        code = str(flag.get("code", ""))
        flags.append(
            {
                "code": code,
                "message": str(flag.get("message", "")),
                "source": str(flag.get("source", "")),
                "cite": list(LEGAL_FLAG_SOURCES.get(code, ())),
            }
        )
    return sorted(flags, key=lambda f: f["code"])


def _provider_order(providers: Mapping[str, Any]) -> list[str]:
    return sorted(providers, key=lambda key: (key != "ada", key))


def cost_view(
    cost: Mapping[str, Any] | None, checklist: Checklist, lang: Lang
) -> dict[str, Any] | None:
    """The cost tables, each provider's row with the source of its numbers."""
    if cost is None:
        return None
    years = [str(y) for y in cost.get("years", [])]
    books = cost.get("price_books", []) or []
    retrieved = checklist.label("retrieved", lang)
    rows = []
    for key in _provider_order(cost.get("providers", {})):
        provider = cost["providers"][key]
        if key == "ada":
            source = checklist.label("cost_source_current", lang)
        else:
            parts = [
                f"{b.get('provider')} {b.get('region')}: {b.get('source')}, {retrieved} "
                f"{b.get('retrieved')}" + (f" ({b['note']})" if b.get("note") else "")
                for b in books
                if b.get("provider") == key
            ]
            source = "; ".join(parts) if parts else "—"
        sensitivity = (cost.get("sensitivity") or {}).get(key)
        rows.append(
            {
                "key": key,
                "label": str(provider.get("label", key)),
                "yearly": [float(provider.get("yearly", {}).get(y, 0.0)) for y in years],
                "cumulative": [float(provider.get("cumulative", {}).get(y, 0.0)) for y in years],
                "one_time": float(provider.get("one_time", 0.0)),
                "npv": provider.get("npv"),
                "total": float(provider.get("total", 0.0)),
                "pricing_option": provider.get("pricing_option"),
                "break_even": (cost.get("break_even") or {}).get(key),
                "has_break_even": key in (cost.get("break_even") or {}),
                "sensitivity": sensitivity,
                "source": source,
            }
        )
    return {
        "currency": str(cost.get("currency", "EUR")),
        "years": years,
        "rows": rows,
        "price_books": [dict(b) for b in books],
        "warnings": [dict(w) for w in cost.get("warnings", []) or []],
        "break_even": {
            k: v for k, v in sorted((cost.get("break_even") or {}).items()) if v is not None
        },
    }


def _dependency_edges(catalog: Catalog) -> list[tuple[str, str]]:
    ids = {s.id for s in catalog.systems}
    edges = {
        (system.id, dep.to)
        for system in catalog.systems
        for dep in system.depends_on
        if dep.to in ids and dep.to != system.id
    }
    return sorted(edges)


def build_report(
    catalog: Catalog,
    plan: Plan,
    cost: Mapping[str, Any] | None,
    checklist: Checklist,
    lang: Lang,
) -> dict[str, Any]:
    """Everything the Markdown, HTML and spreadsheet renderers show, in ``lang``."""
    entries = build_entries(checklist, catalog, plan)
    books = build_runbooks(checklist, catalog, plan)
    systems = catalog.systems_by_id
    groups = checklist_groups(entries, checklist, lang)
    flags = legal_flags(cost)
    cited = sorted(
        {key for e in entries for key in e.item.sources}
        | {key for b in books for t in b.tasks for key in t.task.sources}
        | (set(checklist.runbook.rollback_sources) if books else set())
        | {key for flag in flags for key in flag["cite"]}
    )
    waves = [
        {
            "number": w.number,
            "name": w.name,
            "start": w.start,
            "end": w.end,
            "systems": [systems[s].name if s in systems else s for s in w.systems],
            "system_ids": list(w.systems),
            "servers": len(w.servers),
        }
        for w in sorted(plan.waves, key=lambda w: w.number)
    ]
    in_wave = {s for w in plan.waves for s in w.systems}
    not_moving = [
        {"id": s.id, "name": s.name, "disposition": s.disposition}
        for s in sorted(catalog.systems, key=lambda s: s.id)
        if s.id not in in_wave
    ]
    return {
        "lang": lang,
        "organisation": plan.organisation or catalog.organisation,
        "provider": plan.provider_name or catalog.contract.provider,
        "target": f"{plan.target.provider} {plan.target.region}",
        "notice_date": plan.notice_date,
        "deadline": plan.deadline,
        "catalog_sha256": plan.catalog_sha256,
        "legal_flags": flags,
        "has_cost": cost is not None,
        "plan_warnings": [{"code": w.code, "message": w.message} for w in plan.warnings],
        "waves": waves,
        "not_moving": not_moving,
        "graph_nodes": [
            {"id": s.id, "name": s.name} for s in sorted(catalog.systems, key=lambda s: s.id)
        ],
        "graph_edges": _dependency_edges(catalog),
        "checklist": groups,
        "checklist_rows": checklist_rows(entries, checklist, lang),
        "entry_count": len(entries),
        "runbooks": runbook_views(books, plan, catalog, checklist, lang),
        "cost": cost_view(cost, checklist, lang),
        "sources": [
            {
                "key": key,
                "kind": checklist.label(f"source_kind.{checklist.sources[key].kind}", lang),
                "title": checklist.sources[key].title,
                "section": checklist.sources[key].section,
                "url": checklist.sources[key].url,
            }
            for key in cited
        ],
    }
