"""Quality panel: gates and metrics of docs/planning.md on hand-built plans."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from migration.catalog import Catalog
from migration.plan import Flow, Plan, PlannedServer
from tests.builders import catalog, hand_plan, server, system
from waves.quality import Calendar, Instance, evaluate
from waves.quality import quality_panel as _quality_panel


def quality_panel(
    catalog: Catalog, plan: Plan, pins: dict[str, int] | None = None
) -> dict[str, Any]:
    """The panel as JSON-like data, indexed freely below."""
    return _quality_panel(catalog, plan, pins)


def _catalog(**planning: Any) -> Catalog:
    systems = [
        system(s, level="shared", criticality="low", **extra)
        for s, extra in (
            ("ad", {"foundation": True}),
            ("eco", {"blackouts": [{"from": "2027-03-01", "to": "2027-03-05"}]}),
            ("web", {}),
            ("old", {"disposition": "retain"}),
        )
    ]
    servers = [
        server(sid, system_id, vcpu=vcpu, **extra)
        for sid, system_id, vcpu, extra in (
            ("dc1", "ad", 2, {}),
            ("eco-app", "eco", 4, {}),
            ("eco-db", "eco", 8, {}),
            ("web1", "web", 2, {"pinned_wave": 1}),
            ("old1", "old", 2, {}),
        )
    ]
    limits: dict[str, Any] = {"max_servers_per_wave": 2, "max_vcpu_per_wave": 12, **planning}
    return catalog(systems, servers, ends=None, **limits)


def _plan(waves: dict[str, int | None], flows: list[Flow], numbers: list[int]) -> Plan:
    system = {"dc1": "ad", "eco-app": "eco", "eco-db": "eco", "web1": "web", "old1": "old"}
    servers = {s: PlannedServer(wave=w, system=system[s]) for s, w in waves.items()}
    return hand_plan(servers, numbers, flows, retain=("old1",))


FLOWS = [
    Flow.model_validate(
        {"from": "eco-app", "to": "eco-db", "latency_sensitive": True, "weight": 5}
    ),
    Flow.model_validate({"from": "web1", "to": "eco-app", "latency_sensitive": True, "weight": 3}),
    Flow.model_validate({"from": "eco-app", "to": "dc1", "weight": 1}),
    Flow.model_validate({"from": "web1", "to": "old1", "weight": 7}),
]


class TestQualityPanel:
    def test_good_plan_passes_every_gate_and_scores_the_cut(self):
        """A plan keeping rules has all gates 0; W_LS, H, J and LB follow the definitions."""
        plan = _plan({"dc1": 0, "eco-app": 1, "eco-db": 1, "web1": 1, "old1": None}, FLOWS, [0, 1])
        panel = quality_panel(_catalog(max_servers_per_wave=3, max_vcpu_per_wave=16), plan)
        assert panel["gates"] == dict.fromkeys(panel["gates"], 0)
        assert panel["gates_ok"] is True
        assert panel["ls_edges"] == 2 and panel["ls_cut"] == 0
        assert panel["J"] == 20.0  # no LS cut + 10 x 2 waves
        assert panel["waves_lower_bound"] == 2  # max(ceil(4 / 3) servers, ceil(16 / 16) vCPU)
        assert panel["traffic_cut_fraction"] == pytest.approx(1 / 9, abs=1e-4)

    def test_each_gate_counts_its_violation(self):
        """Overflow, provider after consumer, blackout, pin and group split are each counted."""
        # eco-db (wave 2) after its consumer eco-app (1) and eco-app after web1 (0): two
        # order violations; eco split; web1 off its pin 1; wave 2 in eco's blackout.
        plan = _plan(
            {"dc1": 1, "eco-app": 1, "eco-db": 2, "web1": 1, "old1": None}, FLOWS, [0, 1, 2]
        )
        plan = plan.model_copy(
            update={"servers": {**plan.servers, "web1": PlannedServer(wave=0, system="web")}}
        )
        panel = quality_panel(_catalog(), plan)
        gates = panel["gates"]
        assert gates["g2_order_violations"] == 2
        assert gates["g3_blackout_violations"] == 1
        assert gates["g4_pin_violations"] == 1
        assert gates["g5_group_splits"] == 1
        assert gates["g1_capacity_overflow"] == 0  # dc1 + eco-app = 2 servers, 6 vCPU
        assert panel["ls_cut"] == 2 and panel["ls_cut_weight"] == 8.0
        assert panel["hybrid_exposure"] == 5 * 14 + 3 * 14
        assert panel["gates_ok"] is False

    def test_capacity_overflow_by_an_unsplittable_group_is_excused(self):
        """A wave over capacity holding one system+environment is excused; two are not."""
        one = _plan({"dc1": 0, "eco-app": 2, "eco-db": 2, "web1": 1, "old1": None}, [], [0, 1, 2])
        panel = quality_panel(_catalog(max_servers_per_wave=1), one)
        assert panel["gates"]["g1_capacity_overflow"] == 0
        assert panel["capacity"]["excused_waves"] == [2]
        two = _plan({"dc1": 0, "eco-app": 1, "eco-db": 1, "web1": 1, "old1": None}, [], [0, 1])
        panel = quality_panel(_catalog(max_servers_per_wave=2), two)
        assert panel["gates"]["g1_capacity_overflow"] == 1
        assert panel["capacity"]["overflow_servers"] == 1

    def test_extra_pins_count_in_the_pin_gate(self):
        """Pins given to the planner on top of the catalog's are checked too."""
        plan = _plan({"dc1": 0, "eco-app": 2, "eco-db": 2, "web1": 1, "old1": None}, [], [0, 1, 2])
        assert quality_panel(_catalog(), plan)["gates"]["g4_pin_violations"] == 0
        panel = quality_panel(_catalog(), plan, pins={"eco-app": 3})
        assert panel["gates"]["g4_pin_violations"] == 1

    def test_wave_outside_the_plan_is_a_blackout_violation(self):
        """A server in a wave the plan does not list is beyond the horizon (G3)."""
        plan = _plan({"dc1": 0, "eco-app": 5, "eco-db": 5, "web1": 1, "old1": None}, [], [0, 1])
        assert quality_panel(_catalog(), plan)["gates"]["g3_blackout_violations"] == 2


class TestEvaluateArrays:
    def test_bridge_and_hybrid_days_on_a_chain(self):
        """Peak bridge load counts each edge on every wave boundary it crosses."""
        inst = Instance.build(
            edges=[(2, 1), (1, 0), (2, 0)],
            vcpu=[1, 1, 1],
            cap_servers=10,
            cap_vcpu=10,
            weight=[1, 2, 4],
            latency_sensitive=[True, True, False],
        )
        panel = evaluate(inst, [0, 1, 3], Calendar(wave_days=7))
        assert panel["peak_bridge_traffic"] == 6.0  # boundary 0|1: (1,0)=2 + (2,0)=4
        assert panel["peak_bridge_ls_traffic"] == 2.0
        assert panel["hybrid_days_max"] == 14 and panel["hybrid_exposure"] == 1 * 14 + 2 * 7
        assert panel["waves_used"] == 3 and panel["makespan_days"] == 28

    def test_test_env_after_prod_is_counted(self):
        """A system whose test servers move after its prod ones fails G6."""
        inst = Instance.build(
            edges=[],
            vcpu=[1, 1],
            cap_servers=5,
            cap_vcpu=5,
            unit=[0, 1],
            app=[0, 0],
            prod=[True, False],
        )
        assert evaluate(inst, [1, 2])["gates"]["g6_env_order_violations"] == 1
        assert evaluate(inst, [2, 1])["gates"]["g6_env_order_violations"] == 0

    def test_rejects_wrong_length(self):
        """One wave per server is required."""
        inst = Instance.build(edges=[], vcpu=[1, 1], cap_servers=5, cap_vcpu=5)
        with pytest.raises(ValueError, match="expected 2 waves"):
            evaluate(inst, [0])

    def test_large_random_instance_matches_a_plain_loop(self):
        """Vectorised cut weight and order violations equal a straightforward loop."""
        rng = np.random.default_rng(3)
        n, m = 2000, 9000
        edges = rng.integers(0, n, size=(m, 2))
        edges = edges[edges[:, 0] != edges[:, 1]]
        weight = rng.integers(1, 9, size=len(edges)).astype(float)
        ls = rng.random(len(edges)) < 0.3
        wave = rng.integers(0, 12, size=n)
        inst = Instance.build(
            edges=edges,
            vcpu=np.ones(n, int),
            cap_servers=n,
            cap_vcpu=n,
            weight=weight,
            latency_sensitive=ls,
        )
        panel = evaluate(inst, wave)
        cut = sum(
            w for (u, v), w, s in zip(edges, weight, ls, strict=True) if s and wave[u] != wave[v]
        )
        order = sum(1 for u, v in edges if wave[v] > wave[u])
        assert panel["ls_cut_weight"] == pytest.approx(cut)
        assert panel["gates"]["g2_order_violations"] == order
