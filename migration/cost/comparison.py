"""The comparison: ÅDA (stay and move path) against Azure and AWS, as one cost.json document.

Series (all EUR, monthly, summed per budget year; :data:`METHOD` is the text in cost.json):
``stay`` (ÅDA for the whole horizon), ``ada`` (ÅDA on the move path), ``azure`` / ``aws``
(the cloud's own costs) and ``paths`` (ÅDA on the move path + one cloud). Each provider is
``complete`` only when every line is priced; otherwise its totals are lower bounds and
``unpriced`` names each missing item and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from migration.catalog import MIGRATING_DISPOSITIONS, Catalog
from migration.cost.ada import ada_series
from migration.cost.cloud import LABELS, PRICED_COMPONENTS, CloudResult, cloud_series
from migration.cost.finance import path_doc, series_doc, total_monthly
from migration.cost.legal import legal_flags
from migration.cost.licences import allocate
from migration.cost.optimise import optimisations
from migration.cost.options import CostOptions, assumptions_doc, with_assumptions
from migration.cost.prices import book_doc, prices_doc, with_fx
from migration.cost.series import Unpriced, Warnings, month_index, r2
from migration.plan import Plan
from migration.pricing.book import PriceBook
from migration.sizing.limits import check_size_limits
from migration.sizing.result import ServerSizing
from migration.sizing.shapes import size_servers
from migration.sizing.sizing import make_sizer

SCHEMA_VERSION = 1
PROVIDERS = ("azure", "aws")
INFRASTRUCTURE = PRICED_COMPONENTS - {"egress", "support"}
METHOD = {
    "stay": "Staying at ÅDA for the whole horizon: every server's monthly_cost and the base "
    "fee (after the contract ends at the renewal price, indexed yearly), and licences of "
    "systems that would be retired or repurchased.",
    "ada": "ÅDA on the move path: each moved server's monthly_cost until it is "
    "decommissioned (wave end + lag) or until the contract ends (ada_fee_until); servers "
    "that stay (retained, without a wave, or without a cloud price) for the whole horizon, "
    "renewed after the contract ends; the base fee until the exit day on a full exit, else "
    "for the whole horizon; licences of retired and repurchased systems until the exit day; "
    "the exit fee on the exit day, only on a full exit.",
    "cloud": "Azure and AWS: from each server's wave start, compute by pricing option, OS "
    "licences (Windows, RHEL, SLES; Hybrid Benefit within the declared entitlements), SQL "
    "Server licence-included or brought along, disks, backup; per active server egress, "
    "log ingestion and operations (what ÅDA's fee includes, ada_scope); VPN gateway while "
    "needed, remote access, key vault, public entrances of citizen-facing systems, the "
    "support plan, SaaS replacing repurchased systems, and one-time migration effort.",
    "paths": "ÅDA on the move path + the cloud series: the whole cost of moving to that cloud.",
    "break_even": "First month from which the path's cumulative cost stays at or below "
    "staying at ÅDA until the end of the horizon (null: never within it).",
    "sensitivity": "Cloud totals with every price-book-derived component at -/+ the "
    "sensitivity share; effort, operations and SaaS unchanged.",
    "unchanged": "Application licences of kept systems: the same on every path, left out.",
    "complete": "true only when every line of the provider is priced; otherwise its totals "
    "are lower bounds and 'unpriced' names what is missing.",
}


@dataclass(frozen=True)
class CostReport:
    """The computed comparison; :meth:`to_json_dict` is the cost.json document."""

    document: dict[str, Any]
    monthly: dict[str, dict[str, list[float]]]  # series -> component -> monthly amounts
    months: tuple[str, ...]  # "YYYY-MM"
    sizing: dict[str, dict[str, ServerSizing]]  # provider -> server id -> sizing

    def to_json_dict(self) -> dict[str, Any]:
        """The cost.json document (schema_version 1)."""
        return self.document


def plan_years(plan: Plan, catalog: Catalog, extra: int) -> tuple[int, ...]:
    """The plan's years (first wave start to last wave end) plus ``extra`` years."""
    if plan.waves:
        first = min(w.start for w in plan.waves).year
        last = max(w.end for w in plan.waves).year
    else:
        first = last = catalog.planning.start.year
    return tuple(range(first, last + extra + 1))


def effective_options(catalog: Catalog, options: CostOptions | None) -> CostOptions:
    """The options with the catalog's ``cost.assumptions`` under any set explicitly."""
    opts = options or CostOptions()
    values = {
        k: v
        for k, v in catalog.cost.assumptions.items()
        if opts.origins.get(k.replace("-", "_")) != "--set"
    }
    if not values:
        return opts
    explicit = {k: v for k, v in opts.origins.items() if v == "--set"}
    merged = with_assumptions(opts, values, "catalog", "catalog cost.assumptions")
    return replace(merged, origins={**merged.origins, **explicit})


def compare_costs(
    catalog: Catalog,
    plan: Plan,
    options: CostOptions | None = None,
    *,
    books: Mapping[str, PriceBook] | None = None,
) -> CostReport:
    """Cost ÅDA (stay and move path), Azure and AWS for a plan; see the module docstring."""
    check_size_limits(catalog)
    opts = effective_options(catalog, options)
    years = tuple(sorted(opts.years or plan_years(plan, catalog, opts.extra_years)))
    first_year = years[0]
    months = len(years) * 12
    labels = tuple(f"{first_year + i // 12:04d}-{i % 12 + 1:02d}" for i in range(months))
    warnings = Warnings()
    unpriced = Unpriced()
    sizing_opts = (
        opts.sizing if opts.books_dir is None else replace(opts.sizing, books_dir=opts.books_dir)
    )
    systems = catalog.systems_by_id
    moving = [s for s in catalog.servers if systems[s.system].disposition in MIGRATING_DISPOSITIONS]
    sizing: dict[str, dict[str, ServerSizing]] = {}
    clouds: dict[str, CloudResult] = {}
    used_books: dict[str, PriceBook] = {}
    licences: dict[str, Any] = {}
    for provider in PROVIDERS:
        given = books.get(provider) if books else None
        region = opts.region(provider, plan)
        probe = make_sizer(catalog, provider, region, sizing_opts, given)
        book = with_fx(probe.book, opts)
        sizer = make_sizer(catalog, provider, region, sizing_opts, book)
        used_books[provider] = book
        sized = size_servers(sizer, moving)
        sizing[provider] = sized
        allocation = allocate(catalog, provider, sized, warnings)
        licences[provider] = allocation.to_json_dict()
        clouds[provider] = cloud_series(
            catalog,
            plan,
            opts,
            provider,
            book,
            sized,
            allocation,
            months,
            first_year,
            warnings,
            unpriced,
        )
    stay, _move, facts = ada_series(catalog, plan, opts, months, first_year, warnings)
    monthly: dict[str, dict[str, list[float]]] = {"stay": stay.monthly()}
    ada_by_provider: dict[str, dict[str, list[float]]] = {}
    moves: dict[frozenset[str], dict[str, list[float]]] = {frozenset(): _move.monthly()}
    for provider in PROVIDERS:
        kept = frozenset(clouds[provider].unpriced_servers)
        if kept not in moves:
            _s, move, _f = ada_series(catalog, plan, opts, months, first_year, Warnings(), kept)
            moves[kept] = move.monthly()
        ada_by_provider[provider] = moves[kept]
        monthly[provider] = clouds[provider].series.monthly()
    target = plan.target.provider if plan.target.provider in PROVIDERS else "azure"
    monthly["ada"] = ada_by_provider[target]
    rate = opts.discount_rate
    providers: dict[str, Any] = {"ada": series_doc(LABELS["ada"], monthly["ada"], years, rate)}
    stay_total = total_monthly(monthly["stay"], months)
    first_move = month_index(min(w.start for w in plan.waves), first_year) if plan.waves else 0
    paths: dict[str, Any] = {}
    breaks: dict[str, str | None] = {}
    sensitivity: dict[str, Any] = {}
    for provider in PROVIDERS:
        doc = series_doc(LABELS[provider], monthly[provider], years, rate)
        missing = unpriced.for_provider(provider)
        doc["pricing_option"] = opts.option
        doc["complete"] = not missing
        doc["lower_bound"] = bool(missing)
        doc["unpriced"] = missing
        doc["run_rate"] = _run_rate(monthly[provider], labels)
        doc["licences"] = licences[provider]
        providers[provider] = doc
        path, breaks[provider], sensitivity[provider] = path_doc(
            f"ÅDA + {LABELS[provider]}",
            ada_by_provider[provider],
            monthly[provider],
            stay_total,
            years,
            labels,
            first_move,
            rate,
            opts.sensitivity,
        )
        path["complete"] = not missing
        paths[provider] = path
    facts["exit_date_source"] = (
        "contract.ends" if catalog.contract.ends else "last cutover + decommission lag"
    )
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "currency": "EUR",
        "organisation": catalog.organisation,
        "target": {"provider": plan.target.provider, "region": plan.target.region},
        "catalog_sha256": plan.catalog_sha256,
        "years": list(years),
        "method": METHOD,
        "complete": {p: providers[p]["complete"] for p in PROVIDERS},
        "providers": providers,
        "stay": series_doc(LABELS["stay"], monthly["stay"], years, rate),
        "paths": paths,
        "break_even": breaks,
        "sensitivity": sensitivity,
        "optimisations": {
            p: optimisations(catalog, plan, opts, p, used_books[p], sizing[p]) for p in PROVIDERS
        },
        "price_books": [
            book_doc(p, used_books[p], opts.region(p, plan) or used_books[p].region)
            for p in PROVIDERS
        ],
        "prices": {p: prices_doc(used_books[p], clouds[p].used) for p in PROVIDERS},
        "warnings": [{"code": w["code"], "message": w["message"]} for w in warnings.render()],
        "legal_flags": legal_flags(
            catalog, _exit(facts["exit_date"]), exit_fee_due=bool(facts["exit_fee_due"])
        ),
        "facts": facts,
        "assumptions": assumptions_doc(opts),
        "reconciliation": {
            p: {"status": "not run: `utflytt cost --reconcile` prices the generated stacks"}
            for p in PROVIDERS
        },
    }
    return CostReport(document=document, monthly=monthly, months=labels, sizing=sizing)


def _exit(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


def _run_rate(components: dict[str, list[float]], labels: tuple[str, ...]) -> dict[str, Any]:
    """The steady-state monthly run-rate: the horizon's last month, infrastructure only."""
    last = len(labels) - 1
    parts = {c: r2(v[last]) for c, v in sorted(components.items()) if c in INFRASTRUCTURE}
    return {"month": labels[last], "monthly_eur": r2(sum(parts.values())), "components": parts}
