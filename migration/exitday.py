"""The one exit day shared by the cost model and the exit plan.

The exit day is when the hosting contract stops costing anything: the contract's end date
(``contract.ends``) when the catalog gives one, because the fee runs to the end of the
contract whatever the waves do; otherwise the end of the last migrating wave plus the
decommissioning lag (the days servers keep running at the provider after their cutover,
in case a rollback is needed).
"""

from __future__ import annotations

from datetime import date, timedelta

from migration.catalog.models import Catalog
from migration.plan import Plan

DECOMMISSION_LAG_DAYS = 30
"""Days a moved server keeps running at the provider after its wave, for rollback."""


def last_cutover(plan: Plan) -> date | None:
    """The end of the last wave that moves a server (None for a plan that moves nothing)."""
    moving = [w.end for w in plan.waves if w.servers]
    return max(moving) if moving else None


def exit_day(catalog: Catalog, plan: Plan, lag_days: int = DECOMMISSION_LAG_DAYS) -> date:
    """The day the provider's contract stops: ``contract.ends``, else last cutover + lag."""
    if catalog.contract.ends is not None:
        return catalog.contract.ends
    cutover = last_cutover(plan)
    if cutover is None:
        return catalog.planning.start
    return cutover + timedelta(days=lag_days)
