"""Optimisation paths beside "as planned", each with its yearly saving at the steady state.

- ``commitment``: 3-year reservations for the steady-state estate (every moved server runs
  all month), priced from the book's reserved rates (savings plan when no reservation);
- ``dev_test_schedules``: test and dev servers off nights and weekends
  (``devtest_hours_per_week`` of 168), saving compute and OS licence;
- ``rightsizing``: performance-based sizing from cpu_p95/memory_p95 against as-on-premises
  sizing (already in "as planned" when performance-based sizing is on);
- ``retire_repurchase``: what the retired and repurchased systems would cost rehosted,
  less the SaaS that replaces them.

A saving that needs a price the book lacks counts what it can and says how many servers it
left out (a lower bound).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from migration.catalog import MIGRATING_DISPOSITIONS, Catalog
from migration.cost.options import CostOptions
from migration.cost.series import r2
from migration.plan import Plan
from migration.pricing.book import PriceBook
from migration.sizing.result import ServerSizing
from migration.sizing.sizing import Sizer

HOURS_PER_WEEK = 168.0


def _path(saving: float, unpriced: int, note: str, **extra: Any) -> dict[str, Any]:
    return {
        "monthly_saving_eur": r2(saving),
        "yearly_saving_eur": r2(saving * 12),
        "complete": unpriced == 0,
        "unpriced_servers": unpriced,
        "note": note,
        **extra,
    }


def _commitment(book: PriceBook, sku: str, option: str) -> float | None:
    """Monthly reserved rate of a size (savings plan when no reservation is priced)."""
    for choice in (option, "linux-savings-plan-3y"):
        quote = book.quote(f"vm:{sku}", choice)
        if quote is not None and quote.monthly is not None:
            return quote.monthly
    return None


def optimisations(
    catalog: Catalog,
    plan: Plan,
    options: CostOptions,
    provider: str,
    book: PriceBook,
    sizing: dict[str, ServerSizing],
) -> dict[str, Any]:
    """The optimisation paths of one provider, per server at the steady state."""
    systems = catalog.systems_by_id
    planned = plan.servers
    moving_systems = {
        sid for sid, system in systems.items() if system.disposition in MIGRATING_DISPOSITIONS
    }
    gone_systems = {
        sid for sid, system in systems.items() if system.disposition in ("retire", "repurchase")
    }
    onprem_sizer = Sizer(
        provider,
        next(iter(sizing.values())).region if sizing else book.region,
        book,
        replace(options.sizing, performance_based=False),
        options.sizing.as_of or catalog.planning.start,
    )
    perf_sizer = Sizer(
        provider,
        onprem_sizer.region,
        book,
        replace(options.sizing, performance_based=True),
        onprem_sizer.as_of,
    )
    committed: dict[str, float | None] = {}
    share_off = 1 - options.devtest_hours_per_week / HOURS_PER_WEEK
    commit_saving = sched_saving = right_saving = retire_saving = 0.0
    commit_missing = sched_missing = right_missing = retire_missing = 0
    option = "linux-reserved-3y"
    for server in catalog.servers:
        if server.system in gone_systems:
            price = onprem_sizer.compute_price(server)
            if price is None:
                retire_missing += 1
            else:
                retire_saving += price
            continue
        if server.system not in moving_systems:
            continue
        plan_entry = planned.get(server.id)
        if plan_entry is None or plan_entry.wave is None:
            continue
        sized = sizing[server.id]
        compute = sized.compute_monthly
        if sized.sku is None or compute is None:
            commit_missing += 1
            sched_missing += server.environment != "prod"
            continue
        if sized.sku not in committed:
            committed[sized.sku] = _commitment(book, sized.sku, option)
        rate = committed[sized.sku]
        if rate is None:
            commit_missing += 1
        else:
            commit_saving += max(0.0, compute - rate)
        if server.environment != "prod":
            sched_saving += share_off * (compute + (sized.licence_monthly or 0.0))
        if server.cpu_p95 is not None or server.memory_p95 is not None:
            before = onprem_sizer.compute_price(server)
            after = perf_sizer.compute_price(server)
            if before is None or after is None:
                right_missing += 1
            else:
                right_saving += max(0.0, before - after)
    saas = sum(s.saas_monthly_cost or 0.0 for s in catalog.systems if s.disposition == "repurchase")
    return {
        "commitment": _path(
            commit_saving,
            commit_missing,
            "3-year reservation (savings plan where no reservation is priced) for every "
            "moved server at the steady state, against pay-as-you-go compute",
            option=option,
        ),
        "dev_test_schedules": _path(
            sched_saving,
            sched_missing,
            f"test and dev servers run {options.devtest_hours_per_week:g} of 168 hours a "
            "week; compute and OS licence saved",
        ),
        "rightsizing": _path(
            right_saving,
            right_missing,
            "performance-based sizing from cpu_p95/memory_p95 against as-on-premises sizing",
            included_in_as_planned=options.sizing.performance_based,
        ),
        "retire_repurchase": _path(
            retire_saving - saas,
            retire_missing,
            "retired and repurchased systems' servers not rehosted (pay-as-you-go "
            "compute and licences), less the SaaS that replaces them",
            included_in_as_planned=True,
        ),
    }
