"""Exact placement with CP-SAT (OR-Tools) for instances with few blocks.

The model is docs/planning.md's ("How it plans") on blocks instead of servers: one slot
per block from the slots it may use (bounds, blackouts, frozen waves, wave 0 for the
foundation only, the pilot wave for pilot candidates only), capacity per slot, provider
never after consumer, and a cut literal per latency-sensitive pair. The objective is
lexicographic: first J = latency-sensitive weight cut + 10 x waves, then hybrid exposure
(weight x slots every flow stays split). The heuristic's placement is the hint, so the
answer is never worse than it.

Reproducible by construction: one worker, a fixed seed and a deterministic time limit
(``max_deterministic_time``), never a wall-clock limit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from waves.heuristic import Placement
from waves.problem import LAMBDA_WAVES, Problem

__all__ = ["ExactResult", "SolverLimits", "lower_bound_waves", "solve_exact"]


@dataclass(frozen=True)
class SolverLimits:
    """Deterministic work limits of the exact solver."""

    max_blocks: int = 150
    deterministic_time: float = 1.0
    seed: int = 7


@dataclass(frozen=True)
class ExactResult:
    """The solver's placement and whether it proved optimality."""

    slots: tuple[int, ...]
    optimal: bool


def _domain(placement: Placement, b: int, horizon: int) -> list[int]:
    problem = placement.problem
    block = problem.blocks[b]
    if block.fixed is not None:
        return [block.fixed]
    if block.oversize or block.foundation or b in placement.forced:
        return [placement.slots[b]]
    solo = {placement.slots[o] for o, bl in enumerate(problem.blocks) if bl.oversize}
    low = problem.lo[b]
    bound = problem.hi[b]
    top = bound if bound is not None else horizon - 1
    phased = low if block.foundation else max(low, 1)
    if placement.pilot_slot is not None and not block.pilot and not block.foundation:
        phased = max(phased, placement.pilot_slot + 1)
    if phased > top:
        phased = low
    slots = [
        k
        for k in range(phased, min(top, horizon - 1) + 1)
        if k not in solo and problem.usable(b, k)
    ]
    current = placement.slots[b]
    return slots if current in slots else sorted({*slots, current})


def lower_bound_waves(problem: Problem) -> int:
    """Waves (slot 0 aside) no plan can go below: capacity, oversize groups, fixed waves."""
    fixed = {b.fixed for b in problem.blocks if b.fixed is not None and b.fixed > 0}
    free = [b for b in problem.blocks if b.fixed is None and not b.foundation]
    solo = sum(1 for b in free if b.oversize)
    servers = sum(b.servers for b in free if not b.oversize)
    vcpu = sum(b.vcpu for b in free if not b.oversize)
    packed = max(-(-servers // problem.max_servers), -(-vcpu // problem.max_vcpu))
    return max(len(fixed), solo + packed)


def solve_exact(placement: Placement, limits: SolverLimits) -> ExactResult | None:
    """Optimise a heuristic placement exactly; None when the instance is too large.

    When the placement already cuts nothing and uses as few waves as the capacity lower
    bound, it is optimal and returned as such without a solver run.
    """
    problem = placement.problem
    n = len(problem.blocks)
    free = [b for b in range(n) if problem.blocks[b].fixed is None]
    if not free or len(free) > limits.max_blocks:
        return None
    score = problem.score(placement.slots)
    if score.ls_cut == 0 and score.waves <= lower_bound_waves(problem):
        return ExactResult(slots=tuple(placement.slots), optimal=True)
    horizon = max(placement.slots) + 1
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    w: list[cp_model.IntVar] = []
    by_slot: dict[int, list[int]] = defaultdict(list)
    fixed_servers: dict[int, int] = defaultdict(int)
    fixed_vcpu: dict[int, int] = defaultdict(int)
    for b in range(n):
        domain = _domain(placement, b, horizon)
        var = model.new_int_var_from_domain(cp_model.Domain.from_values(domain), f"w{b}")
        w.append(var)
        if len(domain) == 1:
            fixed_servers[domain[0]] += problem.blocks[b].servers
            fixed_vcpu[domain[0]] += problem.blocks[b].vcpu
            continue
        literals = []
        for k in domain:
            lit = model.new_bool_var(f"x{b}_{k}")
            x[(b, k)] = lit
            by_slot[k].append(b)
            literals.append(lit)
        model.add_exactly_one(literals)
        model.add(var == sum(k * x[(b, k)] for k in domain))
        model.add_hint(var, placement.slots[b])
        for k in domain:
            model.add_hint(x[(b, k)], int(placement.slots[b] == k))

    used_terms = []
    for k in range(horizon):
        members = by_slot.get(k, [])
        if not members:
            continue
        room_servers = max(0, problem.max_servers - fixed_servers[k])
        room_vcpu = max(0, problem.max_vcpu - fixed_vcpu[k])
        model.add(sum(problem.blocks[b].servers * x[(b, k)] for b in members) <= room_servers)
        model.add(sum(problem.blocks[b].vcpu * x[(b, k)] for b in members) <= room_vcpu)
        if k > 0 and fixed_servers[k] == 0:
            used = model.new_bool_var(f"y{k}")
            for b in members:
                model.add_implication(x[(b, k)], used)
            model.add_hint(used, int(placement.servers[k] > 0))
            used_terms.append(used)

    for b in range(n):
        for p in problem.providers[b]:
            model.add(w[p] <= w[b])
    pilot = [x[(b, k)] for b, k in x if k == placement.pilot_slot]
    if pilot:  # the pilot wave is part of the plan, not a wave to save
        model.add_bool_or(pilot)

    cut_terms = []
    for a in range(n):
        for b, weight in problem.ls[a]:
            if a < b:
                z = model.new_bool_var(f"z{a}_{b}")
                model.add(w[a] == w[b]).only_enforce_if(~z)
                model.add_hint(z, int(placement.slots[a] != placement.slots[b]))
                cut_terms.append((max(1, round(10 * weight)), z))
    primary = sum(c * z for c, z in cut_terms) + 10 * LAMBDA_WAVES * sum(used_terms)
    model.minimize(primary)
    solver = _solver(limits, limits.deterministic_time * 0.7)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    optimal = status == cp_model.OPTIMAL
    best = [int(solver.value(v)) for v in w]

    # second stage: same primary objective at most, then the shortest hybrid period
    model.add(primary <= int(solver.objective_value))
    model.clear_hints()  # type: ignore[no-untyped-call]
    for b, var in enumerate(w):
        model.add_hint(var, best[b])
    for (b, k), lit in x.items():
        model.add_hint(lit, int(best[b] == k))
    exposure = []
    bound = 0
    for a, b, weight in problem.traffic:
        gap = model.new_int_var(0, horizon, f"d{a}_{b}")
        model.add_abs_equality(gap, w[a] - w[b])
        coefficient = max(1, round(10 * weight))
        exposure.append(coefficient * gap)
        bound += coefficient * horizon
    last = model.new_int_var(0, horizon, "last")
    model.add_max_equality(last, w)
    model.minimize((bound + 1) * last + sum(exposure))
    solver = _solver(limits, limits.deterministic_time * 0.3)
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best = [int(solver.value(v)) for v in w]
    return ExactResult(slots=tuple(best), optimal=optimal)


def _solver(limits: SolverLimits, work: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = limits.seed
    solver.parameters.max_deterministic_time = work
    return solver
