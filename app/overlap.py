"""The overlap analysis and the what-if, run end to end (``utflytt overlap``, ``plan --retire``).

Planning lives above the base layer, so this is where the catalog is planned and costed as
written, then (when systems are retired) planned and costed again, and the two compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from migration.catalog import Catalog, load_catalog_with_digest
from migration.cost import CostOptions, compare_costs
from migration.cost.model import CostReport
from migration.fileio import dumps_json, write_atomic
from migration.overlap import (
    OverlapOptions,
    OverlapReport,
    WhatIf,
    analyse_overlap,
    compare_plans,
    render_overlap_markdown,
    render_plan_section,
    retire_systems,
)
from migration.plan import Plan
from stacks.naming_check import check_catalog_names
from waves import PlanOptions

if TYPE_CHECKING:
    from app.pipeline import PipelineOptions

__all__ = ["OverlapResult", "OverlapRunOptions", "plan_extras", "plan_what_if", "run_overlap"]


@dataclass(frozen=True)
class OverlapRunOptions:
    """What ``utflytt overlap`` plans, costs and writes."""

    plan: PlanOptions = field(default_factory=PlanOptions)
    cost: CostOptions = field(default_factory=CostOptions)
    overlap: OverlapOptions = field(default_factory=OverlapOptions)
    langs: tuple[str, ...] = ("sv",)


@dataclass(frozen=True)
class OverlapResult:
    """The report, the what-if of following it (None: nothing to retire), files written."""

    report: OverlapReport
    what_if: WhatIf | None
    written: tuple[Path, ...]


@dataclass(frozen=True)
class WhatIfRun:
    """The what-if catalog, its plan and cost, and the comparison with the catalog as written."""

    catalog: Catalog
    plan: Plan
    cost: CostReport
    what_if: WhatIf


def plan_what_if(
    catalog: Catalog,
    digest: str,
    baseline: tuple[Plan, CostReport],
    retired: Iterable[str],
    plan_options: PlanOptions,
    cost_options: CostOptions,
) -> WhatIfRun:
    """Retire ``retired``, plan and cost again over the same years, compare with ``baseline``."""
    from app.pipeline import plan_catalog

    plan, report = baseline
    gone = sorted(set(retired))
    changed = retire_systems(catalog, gone)
    system_of = {s.id: s.system for s in catalog.servers}
    pins = {k: v for k, v in plan_options.pins.items() if system_of.get(k) not in gone}
    new_plan = plan_catalog(changed, digest, replace(plan_options, pins=pins))
    years = tuple(int(y) for y in report.to_json_dict()["years"])
    new_cost = compare_costs(changed, new_plan, replace(cost_options, years=years))
    comparison = compare_plans(
        gone, (plan, report.to_json_dict()), (new_plan, new_cost.to_json_dict())
    )
    return WhatIfRun(catalog=changed, plan=new_plan, cost=new_cost, what_if=comparison)


def run_overlap(
    catalog_path: str | Path, out_dir: str | Path, options: OverlapRunOptions | None = None
) -> OverlapResult:
    """Analyse overlaps, re-plan with every recommended retirement, write overlap.* files."""
    from app.pipeline import plan_catalog

    opts = options or OverlapRunOptions()
    catalog, digest = load_catalog_with_digest(catalog_path)
    # the names the target's stacks would derive, as `validate` and `plan` check them: a
    # catalog they refuse is not analysed (its savings would assume a move that cannot run)
    check_catalog_names(catalog, catalog_path, [opts.plan.target or catalog.planning.target])
    plan = plan_catalog(catalog, digest, opts.plan)
    report = compare_costs(catalog, plan, opts.cost)
    overlap = analyse_overlap(catalog, plan, report, opts.cost, opts.overlap)
    what_if = None
    if overlap.retire:
        what_if = plan_what_if(
            catalog, digest, (plan, report), overlap.retire, opts.plan, opts.cost
        ).what_if
    document = overlap.to_json_dict()
    document["what_if"] = what_if.to_json_dict() if what_if else None
    out = Path(out_dir)
    payloads: list[tuple[Path, str]] = [(out / "overlap.json", dumps_json(document))]
    for lang in opts.langs:
        payloads.append(
            (out / f"overlap.{lang}.md", render_overlap_markdown(overlap, lang, what_if))
        )
    written = tuple(write_atomic(path, data) for path, data in payloads)
    return OverlapResult(report=overlap, what_if=what_if, written=written)


@dataclass(frozen=True)
class PlanExtras:
    """What the overlap analysis adds to ``utflytt plan``, and the what-if it may plan."""

    catalog: Catalog  # the catalog planned (with the what-if's retirements, if any)
    plan: Plan
    cost: CostReport
    what_if: WhatIf | None
    plan_md: str  # a section appended to plan.md ("" without groups or what-if)
    sheets: tuple[tuple[str, list[str], list[list[object]]], ...]  # cost.xlsx "Overlap"
    files: tuple[tuple[str, str], ...]  # (name, text): what-if.json when there is one
    overlap: OverlapReport | None = None  # the analysis, for the exit plan's decision summary


def plan_extras(
    catalog: Catalog, digest: str, baseline: tuple[Plan, CostReport], options: PipelineOptions
) -> PlanExtras:
    """Analyse overlaps of the catalog as written; plan the what-if when one is asked for."""
    from migration.errors import UtflyttError

    if options.what_if not in (None, "overlap"):
        raise UtflyttError(f"unknown --what-if {options.what_if!r}; expected overlap")
    plan, report = baseline
    overlap = analyse_overlap(catalog, plan, report, options.cost)
    retired = set(options.retire) | (set(overlap.retire) if options.what_if else set())
    run = None
    if options.retire or options.what_if:
        run = plan_what_if(catalog, digest, baseline, retired, options.plan, options.cost)
    what_if = run.what_if if run else None
    sheets = (overlap_sheet(overlap),) if overlap.groups else ()
    return PlanExtras(
        catalog=run.catalog if run else catalog,
        plan=run.plan if run else plan,
        cost=run.cost if run else report,
        what_if=what_if,
        plan_md=render_plan_section(overlap, what_if),
        sheets=sheets,
        files=(("what-if.json", dumps_json(what_if.to_json_dict())),) if what_if else (),
        overlap=overlap,
    )


def overlap_sheet(report: OverlapReport) -> tuple[str, list[str], list[list[object]]]:
    """The cost workbook's "Overlap" sheet: one row per system of each group."""
    header = [
        "capability",
        "system",
        "sector",
        "disposition",
        "recommendation",
        "ÅDA EUR/month",
        "licences EUR/month",
        "SaaS EUR/month",
        "cloud EUR/month after the move",
        "group saving EUR, first year",
        "reason",
    ]
    rows: list[list[object]] = []
    for group in report.groups:
        reasons = group.reasons("en")
        for m in group.members:
            rows.append(
                [
                    group.capability,
                    m.id,
                    m.sector,
                    m.disposition,
                    m.outcome,
                    m.cost.ada_monthly_eur,
                    m.cost.licence_monthly_eur,
                    m.cost.saas_monthly_eur,
                    m.cost.cloud_monthly_eur,
                    group.savings_eur_per_year,
                    reasons[m.id],
                ]
            )
    return "Overlap", header, rows
