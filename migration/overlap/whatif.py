"""What-if: the catalog with some systems retired, and what that changes in plan and cost.

:func:`retire_systems` gives the catalog ``utflytt plan --retire`` (and ``--what-if overlap``)
plans: the named systems get disposition ``retire`` (their servers leave the waves, their
pins are dropped), nothing else changes. :func:`compare_plans` sets the plan and cost of the
catalog as written beside the what-if's: servers and waves, dual running, run cost.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from migration.catalog import Catalog
from migration.errors import PlanError
from migration.plan import Plan


def retire_systems(catalog: Catalog, system_ids: Iterable[str]) -> Catalog:
    """``catalog`` with these systems retired; PlanError for an unknown or migrated system."""
    wanted = sorted(set(system_ids))
    systems = catalog.systems_by_id
    for system_id in wanted:
        if system_id not in systems:
            close = difflib.get_close_matches(system_id, list(systems), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise PlanError(f"--retire {system_id}: no such system in the catalog{hint}")
    moved = sorted(s.id for s in catalog.servers if s.system in wanted and s.migrated)
    if moved:
        raise PlanError(
            f"--retire: servers already migrated cannot be retired in a what-if: {', '.join(moved)}"
        )
    chosen = set(wanted)
    return catalog.model_copy(
        update={
            "systems": tuple(
                s.model_copy(update={"disposition": "retire"}) if s.id in chosen else s
                for s in catalog.systems
            ),
            "servers": tuple(
                s.model_copy(update={"pinned_wave": None}) if s.system in chosen else s
                for s in catalog.servers
            ),
        }
    )


class Row(BaseModel):
    """One compared figure: before, after, the difference and its unit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    unit: str
    before: float
    after: float

    @property
    def difference(self) -> float:
        """after - before (negative: the what-if is smaller)."""
        return round(self.after - self.before, 2)


class WhatIf(BaseModel):
    """The plan and cost of the catalog as written against the what-if."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    retired: tuple[str, ...]
    rows: tuple[Row, ...]
    year: str  # the budget year the run cost is compared in (the horizon's last)
    provider: str
    complete: bool  # both cost documents complete for the provider

    def to_json_dict(self) -> dict[str, Any]:
        """JSON form: rows with their difference."""
        return {
            "retired": list(self.retired),
            "year": self.year,
            "provider": self.provider,
            "complete": self.complete,
            "rows": [{**r.model_dump(), "difference": r.difference} for r in self.rows],
        }


def plan_figures(plan: Plan) -> dict[str, float]:
    """Servers moving, their vCPU, waves holding servers, flows to re-point, last day."""
    moving = [s for s in plan.servers.values() if s.wave is not None]
    used = [w for w in plan.waves if w.servers]
    return {
        "servers": len(moving),
        "vcpu": sum(s.vcpu for s in moving),
        "waves": len(used),
        "repoint_flows": sum(1 for f in plan.hybrid_flows if f.kind == "repoint"),
    }


def compare_plans(
    retired: Iterable[str],
    before: tuple[Plan, dict[str, Any]],
    after: tuple[Plan, dict[str, Any]],
) -> WhatIf:
    """Compare (plan, cost.json) of the catalog as written with the what-if's.

    Both cost documents must cover the same budget years (cost the what-if with the first
    one's ``years``); the run cost compared is the target's move path in the last year.
    """
    (plan_a, cost_a), (plan_b, cost_b) = before, after
    provider = plan_a.target.provider
    year = str(cost_a["years"][-1])
    fig_a, fig_b = plan_figures(plan_a), plan_figures(plan_b)
    rows = [Row(metric=k, unit="count", before=fig_a[k], after=fig_b[k]) for k in fig_a]
    money: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("dual_running_eur", ("facts", "parallel_running")),
        ("migration_one_time_eur", ("providers", provider, "one_time")),
        ("run_cost_last_year_eur", ("paths", provider, "yearly", year)),
        ("total_over_horizon_eur", ("paths", provider, "total")),
    )
    rows += [
        Row(metric=k, unit="EUR", before=_dig(cost_a, path), after=_dig(cost_b, path))
        for k, path in money
    ]
    complete = all(c["providers"][provider].get("complete", True) for c in (cost_a, cost_b))
    return WhatIf(
        retired=tuple(sorted(set(retired))),
        rows=tuple(rows),
        year=year,
        provider=provider,
        complete=complete,
    )


def _dig(document: dict[str, Any], path: tuple[str, ...]) -> float:
    value: Any = document
    for key in path:
        value = value[key]
    return float(value)
