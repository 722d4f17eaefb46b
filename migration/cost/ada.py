"""The ÅDA side: what the hosting contract costs when staying and on the move path.

Rules (each settable, see :mod:`migration.cost.options`):

- one exit day, shared with the exit plan (:func:`migration.exitday.exit_day`): the
  contract's end, else the last cutover plus the decommission lag; the notice date is the
  contract's end minus its notice period;
- a moved server's fee runs until it is decommissioned (its wave's end + the lag) or, with
  ``ada_fee_until=contract-end``, until the contract ends if that is later;
- servers that stay (retained systems, servers without a wave, servers the cloud side could
  not price: they never count a saving) pay for the whole horizon; after the contract ends
  at the renewal price (``ada_renewal_factor``) indexed yearly (``ada_indexation``), and so
  does the whole estate on the stay path;
- the base fee runs until the exit day on a full exit, for the whole horizon (renewed)
  while anything stays;
- the exit fee is due on the exit day only on a full exit (unless
  ``exit_fee_on_partial_exit``); licences of retired and repurchased systems run until the
  exit day.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from migration.catalog import MIGRATING_DISPOSITIONS, Catalog
from migration.cost.options import CostOptions
from migration.cost.series import Series, Warnings, month_index, r2
from migration.exitday import exit_day
from migration.plan import Plan

ADA_COMPONENTS = ("servers", "base_fee", "licences", "exit_fee")


def notice_date(catalog: Catalog) -> date | None:
    """The last day to give notice: the contract's end minus its notice period."""
    ends = catalog.contract.ends
    if ends is None:
        return None
    month = ends.month - catalog.contract.notice_months
    year = ends.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(ends.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    return date(year, month, day)


@dataclass
class _Renewal:
    """Amounts that continue after the contract ends, renewed and indexed."""

    end_month: int  # last month at today's prices (horizon end when no contract end)
    factor: float
    indexation: float
    months: int
    after: dict[str, float] = field(default_factory=dict)

    def multiplier(self, index: int) -> float:
        if index <= self.end_month:
            return 1.0
        return self.factor * (1 + self.indexation) ** ((index - self.end_month - 1) // 12)

    def run(self, series: Series, component: str, start: int, amount: float) -> None:
        """``amount`` a month from ``start`` to the horizon's end, renewed after the end."""
        if start > self.end_month:
            series.add_monthly(component, self.vector(amount, start))
            return
        series.run(component, start, min(self.end_month, self.months - 1), amount)
        if self.end_month < self.months - 1:
            self.after[component] = self.after.get(component, 0.0) + amount

    def vector(self, amount: float, start: int) -> list[float]:
        return [amount * self.multiplier(i) if i >= start else 0.0 for i in range(self.months)]

    def flush(self, series: Series) -> None:
        for component, amount in self.after.items():
            series.add_monthly(component, self.vector(amount, self.end_month + 1))
        self.after = {}


def ada_series(
    catalog: Catalog,
    plan: Plan,
    options: CostOptions,
    months: int,
    first_year: int,
    warnings: Warnings,
    kept: Collection[str] = (),
) -> tuple[Series, Series, dict[str, Any]]:
    """(stay, move path, facts); ``kept``: migrating servers the cloud could not price."""
    stay = Series(months, ADA_COMPONENTS)
    move = Series(months, ADA_COMPONENTS)
    end = months - 1
    contract = catalog.contract
    lag = timedelta(days=options.decommission_lag_days)
    day = exit_day(catalog, plan, options.decommission_lag_days)
    exit_month = month_index(day, first_year)
    contract_end = month_index(contract.ends, first_year) if contract.ends is not None else end
    renew_stay = _Renewal(contract_end, options.ada_renewal_factor, options.ada_indexation, months)
    renew_move = _Renewal(contract_end, options.ada_renewal_factor, options.ada_indexation, months)
    waves = {w.number: w for w in plan.waves}
    systems = catalog.systems_by_id
    until_contract = options.ada_fee_until == "contract-end" and contract.ends is not None
    if options.ada_fee_until == "contract-end" and contract.ends is None:
        warnings.add(
            "no-contract-end",
            "ada",
            "ÅDA: ada_fee_until=contract-end but the contract has no end date; "
            "fees run until decommissioning",
        )
    retained: list[str] = []
    parallel = 0.0
    for server in catalog.servers:
        system = systems[server.system]
        cost = server.monthly_cost
        if cost is None:
            warnings.add(
                "monthly-cost-missing",
                "ada",
                "ÅDA: server has no monthly_cost; its hosting is left out",
                server.id,
            )
            cost = 0.0
        renew_stay.run(stay, "servers", 0, cost)
        planned = plan.servers.get(server.id)
        if system.disposition in MIGRATING_DISPOSITIONS:
            if planned is None or planned.wave is None or planned.wave not in waves:
                warnings.add(
                    "not-in-plan",
                    "ada",
                    "server of a migrating system has no wave in the plan; costed as "
                    "staying at ÅDA",
                    server.id,
                )
                retained.append(server.id)
                renew_move.run(move, "servers", 0, cost)
                continue
            if server.id in kept:
                retained.append(server.id)
                renew_move.run(move, "servers", 0, cost)
                continue
            wave = waves[planned.wave]
            last = month_index(wave.end + lag, first_year)
            if until_contract:
                last = max(last, contract_end)
            move.run("servers", 0, min(last, contract_end), cost)
            if last > contract_end:
                move.add_monthly(
                    "servers",
                    [
                        cost * renew_move.multiplier(i) if contract_end < i <= last else 0.0
                        for i in range(months)
                    ],
                )
            first_cloud = month_index(wave.start, first_year)
            parallel += cost * max(0, min(last, end) - max(first_cloud, 0) + 1)
        elif system.disposition == "retain":
            retained.append(server.id)
            renew_move.run(move, "servers", 0, cost)
        else:  # retire, repurchase: switched off on the exit day
            move.run("servers", 0, exit_month, cost)
    full_exit = not retained
    base = contract.monthly_base_fee or 0.0
    renew_stay.run(stay, "base_fee", 0, base)
    if full_exit:
        move.run("base_fee", 0, exit_month, base)
    else:
        renew_move.run(move, "base_fee", 0, base)
    unchanged = 0.0
    for system in catalog.systems:
        licence = system.monthly_licence_cost or 0.0
        if system.disposition in ("retire", "repurchase"):
            stay.run("licences", 0, end, licence)
            move.run("licences", 0, exit_month, licence)
        else:
            unchanged += licence
    renew_stay.flush(stay)
    renew_move.flush(move)
    exit_fee_due = bool(contract.exit_fee) and (full_exit or options.exit_fee_on_partial_exit)
    if exit_fee_due and contract.exit_fee:
        move.once("exit_fee", exit_month, contract.exit_fee)
        if exit_month >= months:
            warnings.add(
                "exit-fee-outside-horizon",
                "ada",
                "the exit fee falls after the horizon and is left out",
            )
    elif contract.exit_fee:
        warnings.add(
            "exit-fee-not-due",
            "ada",
            f"ÅDA: no exit fee: {len(retained)} servers stay at ÅDA (a partial exit)",
        )
    notice = notice_date(catalog)
    facts = {
        "exit_date": day.isoformat(),
        "notice_date": notice.isoformat() if notice else None,
        "contract_end": contract.ends.isoformat() if contract.ends else None,
        "full_exit": full_exit,
        "exit_fee_due": exit_fee_due,
        "servers_staying_at_ada": len(retained),
        "parallel_running": r2(parallel),
        "unchanged_monthly_licences": r2(unchanged),
    }
    return stay, move, facts
