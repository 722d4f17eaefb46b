"""The risk register and the stressed-exit table, derived from the plan."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from exit_plan.checklist import build_entries
from exit_plan.control import CostFacts, Risk, risk_register, stressed_exit
from exit_plan.data import load_checklist
from exit_plan.testing import sample_catalog, sample_cost, sample_plan
from exit_plan.timeline import legal_timeline
from migration.catalog import Catalog
from migration.plan import Plan
from tests import golden_exit_plan as golden


def _risks(
    catalog: Catalog, plan: Plan, cost: dict[str, Any] | None, as_of: date = date(2026, 12, 5)
) -> dict[str, Risk]:
    checklist = load_checklist()
    timeline = legal_timeline(catalog, plan)
    entries = build_entries(checklist, catalog, plan, timeline)
    facts = CostFacts.from_json(cost)
    return {
        r.id: r
        for r in risk_register(catalog, plan, facts, timeline, entries, as_of, checklist, "en")
    }


def test_the_examples_risks_come_from_its_plan() -> None:
    """Single VPN, blackout squeeze, legal flags and overdue items are all derived."""
    catalog, plan, cost = golden.example_inputs()
    risks = _risks(catalog, plan, cost)
    assert {"single-vpn", "blackout-squeeze", "overdue"} <= set(risks)
    assert {f"legal.{f['code']}" for f in cost["legal_flags"]} <= set(risks)
    assert str(len(plan.hybrid_flows)) in risks["single-vpn"].detail
    assert "wave-09" in risks["blackout-squeeze"].detail
    levels = [r.level for r in risks.values()]
    assert levels == sorted(levels, key=["high", "medium", "low"].index)


def test_risks_go_away_with_their_cause() -> None:
    """Negative: no hybrid flows, no cost flags and an early as-of give none of those risks;
    unpriced lines and a different exit day in cost.json each add one."""
    catalog, plan = sample_catalog(), sample_plan().model_copy(update={"hybrid_flows": ()})
    quiet = _risks(catalog, plan, None, as_of=date(2020, 1, 1))
    assert not {"single-vpn", "overdue", "unpriced", "exit-day-mismatch"} & set(quiet)
    assert not [k for k in quiet if k.startswith("legal.")]
    cost = sample_cost() | {"warnings": [{"code": "price-unknown", "message": "x"}]}
    noisy = _risks(catalog, plan, cost, as_of=date(2020, 1, 1))
    assert "unpriced" in noisy and "exit-day-mismatch" in noisy  # sample facts: 2027-10-14


def test_stressed_exit_counts_what_is_still_at_the_provider() -> None:
    """At each wave start: the servers not yet moved, and the days to move them at the
    plan's capacity."""
    catalog, plan, _ = golden.example_inputs()
    rows = stressed_exit(catalog, plan)
    moving = sum(len(w.servers) for w in plan.waves)
    assert rows[0].servers_left == moving
    assert [r.servers_left for r in rows] == sorted((r.servers_left for r in rows), reverse=True)
    capacity = catalog.planning.max_servers_per_wave
    for row in rows:
        assert (
            row.days_needed == math.ceil(row.servers_left / capacity) * catalog.planning.wave_days
        )
    assert "Trygghetslarm (larmmottagning)" in rows[-1].critical_left
