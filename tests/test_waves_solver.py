"""The optimiser: exact CP-SAT on small instances, the heuristic's guarantees, reproducibility."""

from __future__ import annotations

from typing import Any

from migration.catalog import Catalog
from migration.fileio import dumps_json
from tests.builders import catalog, server, system
from waves import PlanOptions, plan_waves
from waves.calendar import Calendar
from waves.graph import build_estate
from waves.groups import build_problem
from waves.heuristic import place_greedy
from waves.planner import _heuristic
from waves.solver import SolverLimits, lower_bound_waves, solve_exact


def _solver_catalog(
    systems: list[dict[str, Any]], servers: list[dict[str, Any]], **planning: Any
) -> Catalog:
    """A catalog without a contract end (the solver tests look at waves only)."""
    return catalog(systems, servers, ends=None, **planning)


def _trap() -> Catalog:
    """Greedy first fit fills wave 1 with the small system and must split the 3-server pair.

    Systems: a (1 server), b (2 servers) and c (1 server) where b and c talk latency-
    sensitively; capacity 3 per wave. Optimal: {b, c} together, a alone: no cut, 2 waves.
    """
    return _solver_catalog(
        [system("a", criticality="low"), system("b"), system("c")],
        [
            server("a1", "a"),
            server("b1", "b"),
            server("b2", "b"),
            server("c1", "c", depends_on=[{"to": "b1", "latency_sensitive": True, "weight": 9}]),
        ],
        max_servers_per_wave=3,
    )


class TestExact:
    def test_exact_solution_is_never_worse_than_the_heuristic(self) -> None:
        """CP-SAT starts from the heuristic's placement and keeps it unless it finds better."""
        catalog = _trap()
        estate = build_estate(catalog)
        problem = build_problem(catalog, estate, Calendar.from_catalog(catalog), {}).problem
        heuristic = _heuristic(problem)
        exact = solve_exact(heuristic, SolverLimits(deterministic_time=1.0))
        assert exact is not None and exact.optimal
        assert problem.score(list(exact.slots)).key() <= problem.score(heuristic.slots).key()
        assert problem.score(list(exact.slots)).ls_cut == 0

    def test_plan_keeps_latency_sensitive_pair_together_with_two_waves(self) -> None:
        """The optimum: the latency-sensitive pair shares a wave and only two waves are used."""
        result = plan_waves(_trap(), "0" * 64, PlanOptions(deterministic_time=1.0))
        waves = {s: p.wave for s, p in result.servers.items()}
        assert waves["b1"] == waves["b2"] == waves["c1"]
        assert len({w for w in waves.values()}) == 2
        assert not [w for w in result.warnings if w.code == "latency-split"]

    def test_exact_beats_first_fit_on_bin_packing(self) -> None:
        """Sizes 2,3,2,3,2 with room for 6: first fit needs 3 waves, CP-SAT proves 2."""
        sizes = {"a": 2, "b": 3, "c": 2, "d": 3, "e": 2}
        catalog = _solver_catalog(
            [system(s) for s in sizes],
            [server(f"{s}{i}", s, vcpu=1) for s, n in sizes.items() for i in range(n)],
            max_servers_per_wave=6,
        )
        problem = build_problem(
            catalog, build_estate(catalog), Calendar.from_catalog(catalog), {}
        ).problem
        first_fit = place_greedy(problem)
        assert first_fit.slots == [1, 1, 2, 2, 3]
        exact = solve_exact(first_fit, SolverLimits(deterministic_time=1.0))
        assert exact is not None and exact.optimal
        assert problem.score(list(exact.slots)).waves == 2
        result = plan_waves(catalog, "0" * 64, PlanOptions(deterministic_time=1.0))
        assert len([w for w in result.waves if w.servers]) == 2

    def test_lower_bound_counts_capacity_and_oversize_groups(self) -> None:
        """Ten 1-server systems with room for 3 need at least 4 waves."""
        catalog = _solver_catalog(
            [system(f"s{i}") for i in range(10)],
            [server(f"v{i}", f"s{i}") for i in range(10)],
            max_servers_per_wave=3,
        )
        problem = build_problem(
            catalog, build_estate(catalog), Calendar.from_catalog(catalog), {}
        ).problem
        assert lower_bound_waves(problem) == 4
        result = plan_waves(catalog, "0" * 64, PlanOptions(deterministic_time=1.0))
        assert len([w for w in result.waves if w.servers]) == 4

    def test_too_many_blocks_skip_the_solver(self) -> None:
        """Above the block threshold the heuristic's placement stands (solver returns None)."""
        catalog = _trap()
        problem = build_problem(
            catalog, build_estate(catalog), Calendar.from_catalog(catalog), {}
        ).problem
        assert solve_exact(_heuristic(problem), SolverLimits(max_blocks=1)) is None


class TestReproducible:
    def test_same_catalog_same_bytes(self) -> None:
        """Two runs give byte-identical plan.json (deterministic limits, fixed seed)."""
        systems = [
            system(f"s{i}", depends_on=[{"to": f"s{(i * 7) % 12}"}] if i % 3 else [])
            for i in range(12)
        ]
        servers = [
            server(
                f"v{i}",
                f"s{i % 12}",
                depends_on=[{"to": f"v{(i * 5 + 1) % 30}", "latency_sensitive": i % 2 == 0}]
                if (i * 5 + 1) % 30 != i
                else [],
            )
            for i in range(30)
        ]
        catalog = _solver_catalog(systems, servers, max_servers_per_wave=5)
        options = PlanOptions(deterministic_time=0.5)
        first = dumps_json(plan_waves(catalog, "0" * 64, options).to_json_dict())
        second = dumps_json(plan_waves(catalog, "0" * 64, options).to_json_dict())
        assert first == second
