"""Assemble everything the renderers show, in one language (one call per language).

The catalog, plan and cost report are read once; the checklist entries, runbooks, legal
timeline, risk register and stressed-exit table are computed once and handed to the
templates as typed views or plain rows. Templates only format.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from exit_plan.checklist import Entry, build_entries
from exit_plan.control import (
    CostFacts,
    DocumentInfo,
    Risk,
    StressRow,
    document_info,
    risk_register,
    stressed_exit,
)
from exit_plan.data import Checklist, Lang
from exit_plan.facts import subjects_by_scope
from exit_plan.report import (
    TARGET_NAMES,
    _cutover_wave,
    _dependency_edges,
    _flag_values,
    checklist_groups,
    checklist_rows,
    cost_view,
    legal_flags,
    tracking_rows,
    wave_system_names,
)
from exit_plan.runbook import build_runbooks, system_providers
from exit_plan.runbook_view import RunbookView, runbook_views
from exit_plan.timeline import LegalTimeline, Option, legal_timeline
from exit_plan.view import ExitPlanView, GateRow, OptionView, WaveRow
from migration.catalog import Catalog
from migration.plan import Plan
from migration.warning_groups import group_by_code

SUMMARY_WAVES = 30
"""Waves listed in the decision summary; the rest are in appendix B."""
GRAPH_SYSTEMS = 80
"""Above this many systems the dependency graph is left to the per-wave views."""
MOVES_SHEET_SERVERS = 5000
"""Up to this many servers the spreadsheet lists every server in move order (beyond it the
appendix and exit-plan.json do, or --server-detail)."""


def _option_views(
    timeline: LegalTimeline, catalog: Catalog, checklist: Checklist, lang: Lang
) -> list[OptionView]:
    from exit_plan.render import money

    label = checklist.label
    fee = catalog.contract.monthly_base_fee or 0.0
    views = []
    for option in timeline.options:
        if option.key == "A":
            backstop = "" if option.within_backstop else label("option.A.backstop_over", lang)
            cost = label("option.A.cost", lang).format(
                end=option.transition_end.isoformat(),
                months=option.months_saved,
                saving=money(fee * option.months_saved, lang),
                currency=catalog.currency,
            )
            risk = label("option.A.risk", lang).format(
                backstop=backstop, notice=catalog.contract.notice_months
            )
        else:
            early = (
                label("option.B.early", lang).format(notice=option.request.isoformat())
                if option.notice_before_last_wave
                else ""
            )
            cost = label("option.B.cost", lang).format(exit_day=timeline.exit_day.isoformat())
            risk = label("option.B.risk", lang).format(early=early)
        views.append(_option_view(option, label(f"option.{option.key}", lang), cost, risk))
    return views


def _option_view(option: Option, name: str, cost: str, risk: str) -> OptionView:
    return OptionView(
        key=option.key,
        label=name,
        request=option.request,
        transition_start=option.transition_start,
        transition_end=option.transition_end,
        retrieval_end=option.retrieval_end,
        erasure=option.erasure,
        cost=cost,
        risk=risk,
    )


def _gate_rows(
    entries: list[Entry], checklist: Checklist, lang: Lang, as_of: date
) -> list[GateRow]:
    """The items that gate wave 0, in due order (the legal sequence at a glance)."""
    first = min((e.gates.number for e in entries if e.gates is not None), default=None)
    rows = [
        GateRow(
            id=e.item.id,
            title=e.item.title.get(lang),
            kind=e.item.item_kind,
            due=e.due,
            owner=checklist.label(f"role.{e.item.owner}", lang),
            gates=e.gates.name,
            overdue=e.overdue(as_of),
        )
        for e in entries
        if e.gates is not None and e.gates.number == first and e.subject.scope == "once"
    ]
    return sorted(rows, key=lambda r: (r.due or date.max, r.id))


def _warnings(
    warnings: list[tuple[str, str, tuple[str, ...]]], checklist: Checklist, lang: Lang
) -> list[dict[str, Any]]:
    """Plan or cost warnings grouped by code (most frequent first): the text per code, how
    many, and the first examples (in Swedish the ids concerned; in English also the planner's
    and cost model's own messages, which are English). Every warning stays in plan.json and
    cost.json."""
    rows = []
    known = checklist.labels
    if lang != "en":  # the messages are English: the Swedish report names the ids only
        warnings = [(code, "", subjects) for code, _, subjects in warnings]
    for group in group_by_code(warnings, lambda w: w[0]):
        key = f"warning.{group.code}" if f"warning.{group.code}" in known else "warning.other"
        texts = (
            ". ".join(part for part in (", ".join(subjects), message) if part)
            for _, message, subjects in group.examples
        )
        examples = [text for text in texts if text]
        rows.append(
            {
                "code": group.code,
                "title": checklist.label(key, lang),
                "count": group.count,
                "examples": examples,
                "more": group.more,
            }
        )
    return rows


def build_report(
    catalog: Catalog,
    plan: Plan,
    cost: Mapping[str, Any] | None,
    checklist: Checklist,
    lang: Lang,
    as_of: date | None = None,
    version: str = "1",
    server_detail: bool = False,
) -> ExitPlanView:
    """Everything the Markdown, HTML and spreadsheet renderers show, in ``lang``.

    ``server_detail``: list every server of large per-server checklist items in the
    appendix and give every wave's runbook steps per server (by default a wave over
    ``SERVER_STEPS_MAX`` servers has them per system and role); exit-plan.json always holds
    every checklist row and every server of every runbook."""
    today = as_of or date.today()
    timeline = legal_timeline(catalog, plan)
    servers = catalog.servers_by_id
    links = system_providers(catalog, plan, servers)  # one pass over the flows
    subjects = subjects_by_scope(catalog, plan, links[0])
    entries = build_entries(checklist, catalog, plan, timeline, subjects)
    books = build_runbooks(checklist, catalog, plan, server_detail, known=(subjects["wave"], links))
    facts = CostFacts.from_json(cost)
    flags = legal_flags(cost, checklist, lang, _flag_values(catalog, plan, cost, lang))
    document: DocumentInfo = document_info(catalog, plan, entries, today, version)
    risks: list[Risk] = risk_register(
        catalog, plan, facts, timeline, entries, today, checklist, lang
    )
    emergency: list[StressRow] = stressed_exit(catalog, plan)
    systems = catalog.systems_by_id
    ordered = sorted(plan.waves, key=lambda w: w.number)
    names = {w.number: tuple(wave_system_names(w, catalog, servers, systems)) for w in ordered}
    runbooks: list[RunbookView] = runbook_views(books, plan, catalog, checklist, lang, names)
    cited = sorted(
        {key for e in entries for key in e.item.sources}
        | {key for b in books for t in b.tasks for key in t.task.sources}
        | (set(checklist.runbook.rollback_sources) if books else set())
        | {key for flag in flags for key in flag["cite"]}
    )
    cutover = _cutover_wave(plan)
    modes = {b.number: (b.mode, b.mode_label) for b in runbooks}
    waves = [
        WaveRow(
            number=w.number,
            name=w.name,
            start=w.start,
            end=w.end,
            systems=names[w.number],
            graph_ids=tuple(s for s in w.systems if cutover.get(s) == w.number),
            servers=len(w.servers),
            mode=modes.get(w.number, ("", ""))[1],
            mode_key=modes.get(w.number, ("", ""))[0],
        )
        for w in ordered
    ]
    in_wave = {s for w in plan.waves for s in w.systems}
    not_moving = [s for s in sorted(catalog.systems, key=lambda s: s.id) if s.id not in in_wave]
    not_moving_groups = [
        {
            "disposition": checklist.label(f"disposition.{d}", lang),
            "systems": [s.name for s in not_moving if s.disposition == d],
        }
        for d in ("retain", "repurchase", "retire", "rehost", "replatform", "rebuild")
        if any(s.disposition == d for s in not_moving)
    ]
    procurement = next((e.due for e in entries if e.item.id == "con-procurement"), None)
    rows = checklist_rows(entries, checklist, lang, today)
    show_graph = len(catalog.systems) <= GRAPH_SYSTEMS
    return ExitPlanView(
        lang=lang,
        organisation=plan.organisation or catalog.organisation,
        provider=plan.provider_name or catalog.contract.provider,
        target=f"{TARGET_NAMES.get(plan.target.provider, plan.target.provider)}"
        f" ({plan.target.region})",
        notice_date=plan.notice_date,
        deadline=plan.deadline,
        catalog_sha256=plan.catalog_sha256,
        document=document,
        timeline=timeline,
        options=tuple(_option_views(timeline, catalog, checklist, lang)),
        key_dates=(
            ("procurement_due", procurement),
            ("decision_due", timeline.decision_due),
            ("first_wave", timeline.first_wave_start),
            ("last_wave", timeline.last_wave_end),
            ("exit_day", timeline.exit_day),
        ),
        gates=tuple(_gate_rows(entries, checklist, lang, today)),
        risks=tuple(risks),
        emergency=tuple(emergency),
        capacity=catalog.planning.max_servers_per_wave,
        wave_days=catalog.planning.wave_days,
        legal_flags=tuple(flags),
        has_cost=cost is not None,
        plan_warnings=tuple(
            _warnings([(w.code, w.message, w.subjects) for w in plan.warnings], checklist, lang)
        ),
        cost_warnings=tuple(_warnings([(c, m, ()) for c, m in facts.warnings], checklist, lang)),
        waves=tuple(waves),
        summary_waves=tuple(waves[:SUMMARY_WAVES]),
        more_waves=max(0, len(waves) - SUMMARY_WAVES),
        blackouts=tuple((b.from_, b.to, b.reason) for b in catalog.planning.blackouts),
        not_moving_groups=tuple(not_moving_groups),
        show_graph=show_graph,
        graph_nodes=tuple(
            {"id": s.id, "name": s.name}
            for s in sorted(catalog.systems, key=lambda s: s.id)
            if show_graph
        ),
        graph_edges=tuple(_dependency_edges(catalog, plan) if show_graph else ()),
        system_names={s.id: s.name for s in catalog.systems},
        providers=links[0],
        checklist=tuple(checklist_groups(entries, checklist, lang, today, server_detail)),
        checklist_rows=tuple(rows),
        tracking_rows=tuple(tracking_rows(rows, entries, checklist, lang, server_detail)),
        server_detail=server_detail or len(catalog.servers) <= MOVES_SHEET_SERVERS,
        entry_count=len(entries),
        runbooks=tuple(runbooks),
        cost=cost_view(cost, checklist, lang),
        sources=tuple(
            {
                "key": key,
                "kind": checklist.label(f"source_kind.{checklist.sources[key].kind}", lang),
                "title": checklist.sources[key].title_in(lang),
                "section": checklist.sources[key].section.get(lang),
                "url": checklist.sources[key].url,
            }
            for key in cited
        ),
    )
