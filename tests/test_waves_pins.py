"""Pins: kept within capacity when a feasible plan exists; split groups warn, never error.

A pin fixes its server's cell (system + environment). Only the hard rules (provider before
consumer, system + environment together, test/dev not after prod, frozen waves,
blackouts) can make a pin an error; latency-sensitive grouping (rule 3) and capacity
reservation are the planner's business and give way to pins with a warning.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from migration.catalog import Catalog
from migration.errors import PlanError
from migration.plan import Plan
from tests import builders
from tests.builders import ls, plan, server, system, waves_of
from waves.calendar import Calendar
from waves.graph import build_estate
from waves.groups import SPLIT_LEVELS, build_problem


def catalog(
    systems: list[dict[str, Any]], servers: list[dict[str, Any]], **planning: Any
) -> Catalog:
    """A valid catalog whose contract ends late enough for the pins' waves."""
    return builders.catalog(systems, servers, ends="2028-12-31", **planning)


def gates(result: Plan) -> dict[str, int]:
    """Feasibility gates of the plan's own quality panel that are not 0."""
    return {k: v for k, v in result.quality["gates"].items() if v}


def messages(result: Plan, code: str) -> list[str]:
    """Warning messages with one code."""
    return [w.message for w in result.warnings if w.code == code]


class TestPinnedGroupsAndCapacity:
    def test_pinned_group_that_overfills_its_wave_is_split_within_capacity(self) -> None:
        """p and q are pinned to wave 1 (2 servers, the limit); d is latency-sensitive to p.

        Keeping {p, d} whole puts 3 servers into wave 1. A feasible plan exists (d in
        wave 2): the group is split with a warning and capacity holds.
        """
        cat = catalog(
            [system("p"), system("q"), system("d")],
            [
                server("p1", "p", pinned_wave=1),
                server("q1", "q", pinned_wave=1),
                server("d1", "d", depends_on=[ls("p1")]),
            ],
            max_servers_per_wave=2,
        )
        result = plan(cat)
        assert waves_of(result) == {"d1": 2, "p1": 1, "q1": 1}
        assert gates(result) == {}
        assert messages(result, "over-capacity") == []
        assert messages(result, "group-split") == [
            "move group d/prod+p/prod (2 servers, 4 vCPU) is held together by "
            "latency-sensitive dependencies but split around pins ('p1' pinned to wave 1) to "
            "keep capacity and dependency order: over waves 1-2 (1 of 1 latency-sensitive "
            "weight crosses)"
        ]
        assert messages(result, "latency-split") == [
            "latency-sensitive dependency d1 -> p1 is split: wave 2 and wave 1, 14 days apart"
        ]

    def test_pinned_group_stays_whole_when_its_wave_has_room(self) -> None:
        """The same catalog with room for three keeps the latency-sensitive pair together."""
        cat = catalog(
            [system("p"), system("q"), system("d")],
            [
                server("p1", "p", pinned_wave=1),
                server("q1", "q", pinned_wave=1),
                server("d1", "d", depends_on=[ls("p1")]),
            ],
            max_servers_per_wave=3,
        )
        result = plan(cat)
        assert waves_of(result) == {"d1": 1, "p1": 1, "q1": 1}
        assert result.warnings == ()

    def test_group_partner_providers_are_not_pulled_before_the_pin(self) -> None:
        """c is pinned to wave 2; d (latency-sensitive consumer of c) needs e1..e3.

        Whole, {c, d} would force e1..e3 into waves 1-2 next to c and d: 5 servers for
        4 places. Split, d and its providers follow in waves 2-3 within capacity.
        """
        cat = catalog(
            [system(s) for s in ("c", "d", "e1", "e2", "e3", "f")],
            [
                server("c1", "c", pinned_wave=2),
                server("d1", "d", depends_on=[ls("c1"), {"to": "e1"}, {"to": "e2"}, {"to": "e3"}]),
                server("e1", "e1"),
                server("e2", "e2"),
                server("e3", "e3"),
                server("f1", "f", pinned_wave=1),
            ],
            max_servers_per_wave=2,
        )
        result = plan(cat)
        got = waves_of(result)
        assert got["c1"] == 2 and got["f1"] == 1
        assert gates(result) == {}
        assert messages(result, "over-capacity") == []
        assert all(got[e] is not None and got[e] <= got["d1"] for e in ("e1", "e2", "e3"))  # type: ignore[operator]
        assert len(messages(result, "group-split")) == 1

    def test_providers_of_a_pin_get_room_before_the_pilot(self) -> None:
        """Wave 1 is frozen, so the pilot is wave 2; c is pinned to wave 3 and needs p1, p2.

        The pilot's low-risk systems must not take the room the pinned consumer's providers
        need: every wave stays within capacity, the pins hold, and providers come first.
        """
        low = {"criticality": "low"}
        cat = catalog(
            [system("m"), system("c"), system("p1"), system("p2"), system("l1", **low)]
            + [system("l2", **low), system("l3", **low)],
            [
                server("m1", "m", migrated=True, pinned_wave=1),
                server("c1", "c", pinned_wave=3, depends_on=[{"to": "p1"}, {"to": "p2"}]),
                server("p1", "p1"),
                server("p2", "p2"),
                server("l1", "l1"),
                server("l2", "l2"),
                server("l3", "l3"),
            ],
            max_servers_per_wave=2,
            pilot=True,
        )
        result = plan(cat)
        got = waves_of(result)
        assert got["c1"] == 3 and got["m1"] == 1
        assert got["p1"] is not None and got["p1"] <= 3
        assert got["p2"] is not None and got["p2"] <= 3
        assert gates(result) == {}
        assert messages(result, "over-capacity") == []


class TestPinsSplitGroupsWithWarnings:
    def _chain(self) -> Catalog:
        """b pinned to wave 3 and a pinned to wave 2, with no dependency path between them.

        Two latency-sensitive pairs link them: b <= y1 ~ x1 <= y2 ~ x2 <= a. Whole pairs
        would need 3 <= {x1, y1} <= {x2, y2} <= 2; split, every hard rule holds.
        """
        return catalog(
            [system(s) for s in ("a", "b", "x1", "y1", "x2", "y2")],
            [
                server("a1", "a", pinned_wave=2, depends_on=[{"to": "x21"}]),
                server("b1", "b", pinned_wave=3),
                server("x11", "x1"),
                server("y11", "y1", depends_on=[{"to": "b1"}, ls("x11")]),
                server("x21", "x2"),
                server("y21", "y2", depends_on=[{"to": "x11"}, ls("x21")]),
            ],
            max_servers_per_wave=10,
        )

    def test_latency_groups_split_by_pins_warn_instead_of_erroring(self) -> None:
        """The benchmark's 100k failure in small: pins split latency-sensitive groups."""
        result = plan(self._chain())
        got = waves_of(result)
        assert got["a1"] == 2 and got["b1"] == 3
        assert gates(result) == {}
        for u, v in (("y11", "b1"), ("y11", "x11"), ("y21", "x11"), ("y21", "x21"), ("a1", "x21")):
            assert got[v] <= got[u]  # type: ignore[operator]
        split = messages(result, "latency-split")
        assert split, "a split latency-sensitive dependency is a warning"
        assert any("split around pins" in m for m in messages(result, "group-split"))

    def test_whole_groups_contradict_the_pins_only_at_the_mildest_level(self) -> None:
        """The grouping, not the hard rules, makes the contradiction: the last level has none."""
        cat = self._chain()
        estate = build_estate(cat)
        calendar = Calendar.from_catalog(cat)
        with pytest.raises(PlanError, match="pins contradict a dependency"):
            build_problem(cat, estate, calendar, {}, SPLIT_LEVELS[0])
        problem = build_problem(cat, estate, calendar, {}, SPLIT_LEVELS[-1]).problem
        assert len(problem.blocks) == 6

    def test_a_real_contradiction_stays_an_error(self) -> None:
        """A consumer pinned before its provider is an error at every level."""
        cat = catalog(
            [system("a"), system("b")],
            [server("a1", "a", pinned_wave=1, depends_on=[{"to": "b1"}]), server("b1", "b")],
        )
        with pytest.raises(PlanError, match="^pins contradict a dependency: server 'a1'"):
            plan(cat, pins={"b1": 3})

    def test_pinned_plans_are_byte_identical(self) -> None:
        """Same input, same bytes (no wall clock decides anything)."""
        first = plan(self._chain()).model_dump_json()
        assert first == plan(self._chain()).model_dump_json()


def _estate_module() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "bench" / "estate.py"
    spec = importlib.util.spec_from_file_location("bench_estate_for_pins", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class TestGeneratedPins:
    @pytest.mark.parametrize("seed", [5, 7])
    def test_generated_pins_are_honoured_within_capacity(self, seed: int) -> None:
        """The benchmark's pins (1%, waves 2..11, from a feasible schedule) plan gate-free."""
        estate = _estate_module()
        cat = Catalog.model_validate(estate.generate(1000, seed))
        pins = {s.id: s.pinned_wave for s in cat.servers if s.pinned_wave and not s.migrated}
        assert len(pins) == 10
        assert all(2 <= w <= 11 for w in pins.values())
        result = plan(cat)
        assert gates(result) == {}
        assert messages(result, "over-capacity") == []
        assert all(result.servers[s].wave == w for s, w in pins.items())

    def test_generated_pins_keep_every_hard_rule(self) -> None:
        """Pins never contradict a hard rule: provider order (through any path), frozen
        waves, global and system blackouts; one pin per system (apps have one environment)."""
        import networkx as nx

        from waves.calendar import Calendar as WaveCalendar

        estate = _estate_module()
        cat = Catalog.model_validate(estate.generate(3000, 2))
        system_of = {s.id: s.system for s in cat.servers}
        pin = {s.system: s.pinned_wave for s in cat.servers if s.pinned_wave and not s.migrated}
        assert len(pin) == 30
        frozen = {s.pinned_wave for s in cat.servers if s.migrated}
        moving = {r.id for r in cat.systems if r.disposition == "rehost"}
        moving -= {s.system for s in cat.servers if s.migrated}  # frozen: no order
        graph: nx.DiGraph[str] = nx.DiGraph()  # consumer -> provider, moving systems only
        for s in cat.servers:
            graph.add_edges_from((s.system, system_of[d.to]) for d in s.depends_on)
        for record in cat.systems:
            graph.add_edges_from((record.id, d.to) for d in record.depends_on)
        graph = graph.subgraph(moving).copy()
        calendar = WaveCalendar.from_catalog(cat)
        for consumer, slot in pin.items():
            assert slot not in frozen
            assert calendar.global_blocker(slot) is None
            assert calendar.system_blocker(slot, (consumer,)) is None
            for provider in nx.descendants(graph, consumer):
                if provider in pin:
                    assert pin[provider] <= slot, (consumer, provider)
