"""The overlap report: groups with what to keep and retire, priced; suggestions; the basis.

:func:`analyse_overlap` is the one entry point; :meth:`OverlapReport.to_json_dict` is
overlap.json (DESIGN.md: ``groups`` [{capability, systems, sectors, monthly_cost_eur, keep,
retire, savings_eur_per_year, reasons}] from declared capabilities only, hints under
``suggestions``). Every other key is an optional extension.

Savings of a group (EUR), from the retired systems' :class:`~migration.overlap.costs.SystemCost`:

- ``run_savings_eur_per_year``: 12 x what they would cost each month after the move (cloud
  run cost and licences, SaaS, or ÅDA and licences if retained);
- ``migration_effort_avoided_eur``: the one-time migration effort the cost model would spend;
- ``one_time_effort_eur``: the one-time effort of retiring them (data into the kept system,
  each dependant re-pointed);
- ``savings_eur_per_year``: the first year, run savings + effort avoided - retirement effort;
  from the second year on the saving is ``run_savings_eur_per_year``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from migration.catalog import Catalog, System
from migration.catalog.capabilities import capability_name
from migration.cost.model import CostOptions, CostReport
from migration.overlap.costs import OverlapOptions, SystemCost, retirement_effort, system_costs
from migration.overlap.groups import Decision, decide, dependants_of
from migration.overlap.reasons import labels, reason_text
from migration.overlap.suggestions import Suggestion, suggest
from migration.plan import Plan

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Member(_Model):
    """A system of a group with its facts, costs and outcome."""

    id: str
    name: str
    sector: str
    level: str
    owner: str
    vendor: str | None
    criticality: str
    disposition: str
    users: int | None
    open_api: bool | None
    capabilities: tuple[str, ...]
    dependants: int
    waves: tuple[int, ...]  # waves its servers are in (the plan analysed)
    outcome: str  # keep | retire | stays | already-retired
    reason: tuple[str, dict[str, str]]  # reason code and its parameters (see reasons.py)
    cost: SystemCost


class Repoint(_Model):
    """A dependant that must be re-pointed from a retired system to the kept one."""

    consumer: str
    retired: str
    keep: str | None


class Group(_Model):
    """One capability shared by two or more systems."""

    capability: str
    systems: tuple[str, ...]
    sectors: tuple[str, ...]
    monthly_cost_eur: float
    keep: str | None
    retire: tuple[str, ...]
    savings_eur_per_year: float
    run_savings_eur_per_year: float
    migration_effort_avoided_eur: float
    one_time_effort_eur: float
    complete: bool
    servers_avoided: int
    vcpu_avoided: int
    waves_touched: tuple[int, ...]
    repoint: tuple[Repoint, ...]
    members: tuple[Member, ...]

    def reasons(self, lang: str = "en") -> dict[str, str]:
        """System id -> why it is kept, retired or stays, in ``lang``."""
        return {m.id: reason_text(m.reason[0], m.reason[1], lang) for m in self.members}


class OverlapReport(_Model):
    """Everything overlap.json and overlap.<lang>.md say."""

    organisation: str
    systems: int  # in the catalog
    catalog_sha256: str
    target: str
    groups: tuple[Group, ...]
    suggestions: tuple[Suggestion, ...]
    retire: tuple[str, ...]  # every system recommended for retirement, once
    totals: dict[str, float | int | bool]
    basis: dict[str, str]  # values of the basis texts; see :meth:`basis_text`
    unpriced: tuple[str, ...]

    def basis_text(self, lang: str = "en") -> dict[str, str]:
        """Where every figure comes from, in ``lang``: key -> sentence."""
        items: dict[str, str] = labels()[lang]["basis_items"]
        return {key: text.format(**self.basis) for key, text in items.items()}

    def to_json_dict(self) -> dict[str, Any]:
        """overlap.json (sorted keys on serialisation; no timestamps)."""
        groups = []
        for group in self.groups:
            data = group.model_dump(mode="json", exclude={"members"})
            data["reasons"] = group.reasons("en")
            data["name"] = {lang: capability_name(group.capability, lang) for lang in ("sv", "en")}
            data["members"] = [
                {**m.model_dump(mode="json", exclude={"reason", "cost"}), **_cost_json(m.cost)}
                for m in group.members
            ]
            groups.append(data)
        return {
            "schema_version": SCHEMA_VERSION,
            "organisation": self.organisation,
            "catalog_sha256": self.catalog_sha256,
            "target": self.target,
            "groups": groups,
            "suggestions": [s.model_dump(mode="json") for s in self.suggestions],
            "retire": list(self.retire),
            "totals": self.totals,
            "basis": self.basis_text("en"),
            "unpriced": list(self.unpriced),
        }


def _cost_json(cost: SystemCost) -> dict[str, Any]:
    data = cost.model_dump(mode="json")
    data["today_monthly_eur"] = cost.today_monthly_eur
    return data


def analyse_overlap(
    catalog: Catalog,
    plan: Plan,
    report: CostReport,
    cost_options: CostOptions | None = None,
    options: OverlapOptions | None = None,
) -> OverlapReport:
    """Find the groups, decide keep and retire, price the savings, list the hints."""
    copts = cost_options or CostOptions()
    opts = options or OverlapOptions()
    costs = system_costs(catalog, plan, report, copts)
    dependants = dependants_of(catalog)
    per_server = {i: round(c.today_monthly_eur / max(c.servers, 1), 2) for i, c in costs.items()}
    decisions = decide(catalog, dependants, per_server)
    retiring = sorted({i for d in decisions for i in d.retire})
    gone = set(retiring) | {s.id for s in catalog.systems if s.disposition == "retire"}
    waves_of = _waves_of(catalog, plan)
    rate = copts.migration_rate_per_hour
    keeper = {d.capability: d.keep for d in decisions}
    systems = catalog.systems_by_id
    effort = {i: retirement_effort(len(dependants[i] - gone), opts, rate) for i in retiring}
    groups = []
    for decision in decisions:
        members = tuple(
            _member(systems[i], decision, costs[i], len(dependants[i]), waves_of.get(i, ()))
            for i in decision.members
        )
        retired = [costs[i] for i in decision.retire]
        run = round(12 * sum(c.after_move_monthly_eur for c in retired), 2)
        avoided = round(sum(c.migration_effort_eur for c in retired), 2)
        once = round(sum(effort[i] for i in decision.retire), 2)
        groups.append(
            Group(
                capability=decision.capability,
                systems=decision.members,
                sectors=tuple(sorted({systems[i].sector for i in decision.members})),
                monthly_cost_eur=round(
                    sum(costs[i].today_monthly_eur for i in decision.members), 2
                ),
                keep=decision.keep,
                retire=decision.retire,
                savings_eur_per_year=round(run + avoided - once, 2),
                run_savings_eur_per_year=run,
                migration_effort_avoided_eur=avoided,
                one_time_effort_eur=once,
                complete=not any(c.unpriced for c in retired),
                servers_avoided=sum(c.migrating_servers for c in retired),
                vcpu_avoided=sum(c.vcpu for c in retired),
                waves_touched=tuple(
                    sorted({w for i in decision.retire for w in waves_of.get(i, ())})
                ),
                repoint=tuple(
                    Repoint(consumer=c, retired=r, keep=keeper[decision.capability])
                    for r in decision.retire
                    for c in sorted(dependants[r] - gone)
                    if c != keeper[decision.capability]  # the kept system absorbs its own link
                ),
                members=members,
            )
        )
    groups.sort(key=lambda g: (-g.savings_eur_per_year, -len(g.retire), g.capability))
    unique = [costs[i] for i in retiring]
    run_total = round(12 * sum(c.after_move_monthly_eur for c in unique), 2)
    avoided_total = round(sum(c.migration_effort_eur for c in unique), 2)
    once_total = round(sum(effort.values()), 2)
    unpriced = tuple(sorted({u for c in unique for u in c.unpriced}))
    totals: dict[str, float | int | bool] = {
        "groups": len(groups),
        "systems_with_capabilities": sum(1 for s in catalog.systems if s.capabilities),
        "groups_with_retirements": sum(1 for g in groups if g.retire),
        "systems_to_retire": len(retiring),
        "servers_avoided": sum(c.migrating_servers for c in unique),
        "vcpu_avoided": sum(c.vcpu for c in unique),
        "run_savings_eur_per_year": run_total,
        "migration_effort_avoided_eur": avoided_total,
        "one_time_effort_eur": once_total,
        "savings_first_year_eur": round(run_total + avoided_total - once_total, 2),
        "complete": not unpriced,
    }
    return OverlapReport(
        organisation=catalog.organisation,
        systems=len(catalog.systems),
        catalog_sha256=plan.catalog_sha256,
        target=f"{plan.target.provider} {plan.target.region}",
        groups=tuple(groups),
        suggestions=tuple(suggest(catalog, [g.systems for g in groups])),
        retire=tuple(retiring),
        totals=totals,
        basis=_basis(report, plan, copts, opts),
        unpriced=unpriced,
    )


def _member(
    system: System, decision: Decision, cost: SystemCost, dependants: int, waves: tuple[int, ...]
) -> Member:
    system_id = system.id
    if system_id == decision.keep:
        outcome = "keep"
        a, b = decision.keep_values
        reason = (
            f"keep-{decision.keep_criterion}",
            {"a": a, "b": b, "other": decision.runner_up or ""},
        )
    elif system_id in decision.retire:
        outcome, reason = "retire", ("retire", {"keep": decision.keep or ""})
    elif system_id in decision.already_retired:
        outcome, reason = "already-retired", ("already-retired", {})
    else:
        why, _, caps = decision.also_kept[system_id].partition(":")
        outcome, reason = "stays", (why, {"capabilities": caps.replace(",", ", ")})
    return Member(
        id=system.id,
        name=system.name,
        sector=system.sector,
        level=system.level,
        owner=system.owner,
        vendor=system.vendor,
        criticality=system.criticality,
        disposition=system.disposition,
        users=system.users,
        open_api=system.open_api,
        capabilities=system.capabilities,
        dependants=dependants,
        waves=waves,
        outcome=outcome,
        reason=reason,
        cost=cost,
    )


def _waves_of(catalog: Catalog, plan: Plan) -> dict[str, tuple[int, ...]]:
    found: dict[str, set[int]] = {}
    owner = {s.id: s.system for s in catalog.servers}
    for server_id, planned in plan.servers.items():
        if planned.wave is not None and server_id in owner:
            found.setdefault(owner[server_id], set()).add(planned.wave)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _basis(
    report: CostReport, plan: Plan, copts: CostOptions, opts: OverlapOptions
) -> dict[str, str]:
    """The values the basis texts (labels.yaml ``basis_items``) are filled with."""
    doc = report.to_json_dict()
    book = next(
        (b for b in doc.get("price_books", []) if b["provider"] == plan.target.provider), None
    )
    prices = f"{book['source']}, {book['region']}, {book['retrieved']}" if book else "no price book"
    return {
        "provider": plan.target.provider,
        "prices": prices,
        "rate": f"{copts.migration_rate_per_hour:g}",
        "retire_hours": f"{opts.retire_hours:g}",
        "repoint_hours": f"{opts.repoint_hours:g}",
        "sha": plan.catalog_sha256[:12],
    }
