"""``plan_waves``: catalog in, plan out (DESIGN.md, "Planning rules").

Pipeline: dependency graph (:mod:`waves.graph`) -> move groups and bounds
(:mod:`waves.groups`) -> greedy placement and local improvement (:mod:`waves.heuristic`) ->
exact CP-SAT when small (:mod:`waves.solver`) -> reasons and warnings (here) -> the plan
(:mod:`waves.assemble`) -> the quality panel (:mod:`waves.quality`).
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from migration.catalog import Catalog
from migration.errors import PlanError
from migration.plan import Plan, Warning_
from waves.assemble import DEFAULT_REGIONS, Decisions, assemble_plan
from waves.calendar import Calendar
from waves.graph import Estate, build_estate
from waves.groups import PILOT_MAX_DEPENDANTS, SPLIT_LEVELS, MoveGroups, build_problem
from waves.heuristic import Placement, compact, improve, late_blocks, place_greedy
from waves.pins import pinned_consumer
from waves.problem import Problem
from waves.quality import quality_panel
from waves.solver import SolverLimits, solve_exact

__all__ = ["PlanOptions", "plan_waves"]


@dataclass(frozen=True)
class PlanOptions:
    """Options of one planning run; the catalog's ``planning`` gives everything else."""

    target: str | None = None  # azure | aws; overrides planning.target
    region: str | None = None  # overrides planning.region
    pins: Mapping[str, int] = field(default_factory=dict)  # server id -> wave, like pinned_wave
    exact_max_blocks: int = 150  # CP-SAT when at most this many blocks move freely
    deterministic_time: float = 1.0  # CP-SAT work limit (deterministic seconds, not wall)
    seed: int = 7  # CP-SAT random seed


def plan_waves(
    catalog: Catalog,
    catalog_sha256: str,
    options: PlanOptions = PlanOptions(),  # noqa: B008 - frozen, safe as a default
    sizing: Mapping[str, Any] | None = None,
) -> Plan:
    """Plan dated waves for ``catalog``; raise :class:`PlanError` when pins contradict rules.

    The garbage collector is paused while planning: the planner allocates millions of
    small, acyclic objects at 100k servers, and generational collection would scan the
    whole catalog again and again for nothing (a third of the run time).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _plan(catalog, catalog_sha256, options, sizing)
    finally:
        if paused:
            gc.enable()


def _plan(
    catalog: Catalog,
    catalog_sha256: str,
    options: PlanOptions,
    sizing: Mapping[str, Any] | None,
) -> Plan:
    if options.target is not None and options.target not in DEFAULT_REGIONS:
        raise PlanError(f"unknown target {options.target!r} (expected azure or aws)")
    estate = build_estate(catalog)
    calendar = Calendar.from_catalog(catalog)
    groups, placement = _place(catalog, estate, calendar, options.pins)
    problem = groups.problem
    method = "heuristic"
    exact = solve_exact(
        placement,
        SolverLimits(options.exact_max_blocks, options.deterministic_time, options.seed),
    )
    if exact is not None:
        if problem.score(list(exact.slots)).key() < problem.score(placement.slots).key():
            for b, slot in enumerate(exact.slots):
                placement.put(b, slot)
            compact(placement)
            method = "exact"
        elif exact.optimal:
            method = "proven"
    decisions = _decide(catalog, estate, groups, placement, method)
    plan = assemble_plan(
        catalog, catalog_sha256, estate, calendar, decisions, options.target, options.region, sizing
    )
    return plan.model_copy(update={"quality": quality_panel(catalog, plan)})


def _place(
    catalog: Catalog, estate: Estate, calendar: Calendar, pins: Mapping[str, int]
) -> tuple[MoveGroups, Placement]:
    """Move groups and a heuristic placement that keeps capacity wherever pins allow.

    Latency-sensitive groups are kept whole where they can be (rule 3). When pins make a
    whole group contradict the dependency order, or leave no room for a placement within
    capacity, the groups around the pins are split step by step (``SPLIT_LEVELS``) and
    the first placement without overflow is kept (else the one with the least). Only a
    contradiction that survives the last level, where no group adds an order of its own,
    is an error.
    """
    best: tuple[tuple[int, tuple[int, int, int]], MoveGroups, Placement] | None = None
    for level in SPLIT_LEVELS:
        try:
            groups = build_problem(catalog, estate, calendar, pins, level)
        except PlanError:
            if level == SPLIT_LEVELS[-1] and best is None:
                raise
            continue
        placement = _heuristic(groups.problem)
        rank = (len(blackout_breaches(placement)), overflow(placement))
        if best is None or rank < best[0]:
            best = (rank, groups, placement)
        pinned = any(b.fixed is not None and not b.frozen for b in groups.problem.blocks)
        if rank == (0, (0, 0, 0)) or not pinned:
            break
    assert best is not None
    _refuse_breaches(best[2])
    return best[1], best[2]


def blackout_breaches(placement: Placement) -> list[int]:
    """Free blocks in a slot they may not use (a blackout or a frozen wave): rule 6."""
    problem = placement.problem
    return [
        b
        for b, block in enumerate(problem.blocks)
        if block.fixed is None and not problem.usable(b, placement.slots[b])
    ]


def _refuse_breaches(placement: Placement) -> None:
    """Pins that leave a block no usable wave in time are an error, never a silent breach."""
    breaches = blackout_breaches(placement)
    if not breaches:
        return
    problem = placement.problem
    calendar = problem.calendar
    b = breaches[0]
    block = problem.blocks[b]
    slot = placement.slots[b]
    found = calendar.global_blocker(slot)
    if found is None:
        system_blocker = calendar.system_blocker(slot, block.systems)
        found = system_blocker[1] if system_blocker is not None else None
    why = (
        f"the blackout {found.from_} to {found.to}" + (f" ({found.reason})" if found.reason else "")
        if found is not None
        else "a frozen wave"
    )
    top = problem.hi[b]
    pinned = pinned_consumer(problem, b, top) if top is not None else None
    raise PlanError(
        f"pins leave {block.name} no usable wave: server {pinned!r} is pinned to wave {top} "
        f"and needs it (directly or through others), and the only wave left, {slot} "
        f"({calendar.slot_start(slot)} to {calendar.slot_end(slot)}), overlaps {why}"
    )


def overflow(placement: Placement) -> tuple[int, int, int]:
    """Waves over capacity, servers and vCPU over (waves of an oversize group and frozen
    waves aside, as in the over-capacity warning)."""
    problem = placement.problem
    waves = servers = vcpu = 0
    for slot, load in sorted(placement.servers.items()):
        if placement.solo[slot] > 0 or slot in problem.frozen_slots:
            continue
        extra = max(0, load - problem.max_servers), max(0, placement.vcpu[slot] - problem.max_vcpu)
        if extra != (0, 0):
            waves += 1
            servers += extra[0]
            vcpu += extra[1]
    return waves, servers, vcpu


def _heuristic(problem: Problem) -> Placement:
    """The better of two greedy orders when pins set deadlines: pilot first, or deadlines.

    Better is: less capacity overflow, then the smaller score key.
    """
    best = _heuristic_run(problem, deadlines_first=False)
    if any(h is not None for h in problem.hi):
        other = _heuristic_run(problem, deadlines_first=True)
        if _rank(other) < _rank(best):
            best = other
    return best


def _rank(placement: Placement) -> tuple[tuple[int, int, int], tuple[float, int, float]]:
    """Comparison key of placements (smaller is better): overflow, then the score key."""
    return overflow(placement), placement.problem.score(placement.slots).key()


def _heuristic_run(problem: Problem, deadlines_first: bool, reruns: int = 3) -> Placement:
    """Greedy + improvement; rerun with a late wave's blocks first while that helps."""
    best = place_greedy(problem, deadlines_first=deadlines_first)
    improve(best)
    compact(best)
    if best.forced and best.pilot_slot is not None:
        # pins could not be kept within capacity: let their providers use the pilot wave
        retry = place_greedy(problem, pilot_for_deadlines=True, deadlines_first=deadlines_first)
        improve(retry)
        compact(retry)
        if len(retry.forced) < len(best.forced):
            best = retry
    urgent: frozenset[int] = frozenset()
    for _ in range(reruns):
        late = late_blocks(best)
        if not late or late <= urgent:
            break
        urgent = urgent | late
        candidate = place_greedy(problem, urgent, deadlines_first=deadlines_first)
        improve(candidate)
        compact(candidate)
        if _rank(candidate) < _rank(best):
            best = candidate
    return best


def _decide(
    catalog: Catalog, estate: Estate, groups: MoveGroups, placement: Placement, method: str
) -> Decisions:
    problem = groups.problem
    systems = catalog.systems_by_id
    slots = placement.slots
    cell_slot = tuple(slots[groups.block_of_cell[c]] for c in range(len(estate.cells)))
    prod_slot = {
        system: cell_slot[c] for c, (system, env) in enumerate(estate.cells) if env == "prod"
    }
    reasons: list[str] = []
    for c, (system_id, environment) in enumerate(estate.cells):
        b = groups.block_of_cell[c]
        block = problem.blocks[b]
        slot = slots[b]
        reason = _block_reason(groups, placement, b, method)
        if environment != "prod" and system_id in prod_slot and block.fixed is None:
            reason += f"; moves no later than prod (wave {prod_slot[system_id]})"
        if systems[system_id].foundation and slot == 0:
            reason = "foundation system: moves with the landing zone"
        reasons.append(reason)
    return Decisions(
        cell_slot=cell_slot,
        cell_reason=tuple(reasons),
        frozen_slots=problem.frozen_slots,
        warnings=tuple(_warnings(catalog, estate, groups, placement, cell_slot)),
    )


def _block_reason(groups: MoveGroups, placement: Placement, b: int, method: str) -> str:
    problem = groups.problem
    block = problem.blocks[b]
    slot = placement.slots[b]
    if block.frozen:
        return f"already migrated ({block.fixed_by}): wave frozen"
    if block.fixed is not None:
        return f"pinned to wave {slot} ({block.fixed_by})"
    if block.oversize:
        return "move group larger than a wave that cannot be split: a wave of its own"
    if b in placement.forced:
        return "pinned consumers leave no room in time: over capacity"
    if block.foundation:
        needs = ", ".join(groups.foundation_of.get(b, ()))
        where = (
            "moves with the landing zone" if slot == 0 else "as early as the landing zone allows"
        )
        return f"needed by foundation system {needs}: {where}"
    if slot == 0 and problem.hi[b] is not None:
        return (
            f"needed by a consumer pinned to wave {problem.hi[b]}: wave 0, with the landing "
            "zone, is the only usable wave in time (later ones are blocked or full)"
        )
    if slot == placement.pilot_slot and block.pilot:
        return (
            "pilot: low criticality, not citizen-facing, at most "
            f"{PILOT_MAX_DEPENDANTS} dependant systems"
        )
    own = set(block.systems)
    partners = sorted(
        {
            s
            for o, _ in problem.ls[b]
            if slots_equal(placement, o, b)
            for s in problem.blocks[o].systems
            if s not in own
        }
    )
    providers = sorted(
        {
            s
            for p in problem.providers[b]
            if slots_equal(placement, p, b)
            for s in problem.blocks[p].systems
            if s not in own
        }
    )
    if method == "exact":
        base = "chosen by the exact optimiser (CP-SAT): fewest waves, least latency-sensitive split"
    elif method == "proven":
        base = (
            "earliest wave with room after its providers "
            "(proven optimal: fewest waves, least latency-sensitive split)"
        )
    else:
        base = "earliest wave with room after its providers"
    details = []
    if len(block.cells) > 1:
        details.append("moves as one group (latency-sensitive dependencies or a cycle)")
    if partners:
        details.append("with latency-sensitive partners " + ", ".join(partners[:5]))
    if providers:
        details.append("with its providers " + ", ".join(providers[:5]))
    return "; ".join([base, *details])


def _ranges(numbers: list[int]) -> str:
    """``1, 2, 3, 5`` -> ``1-3, 5`` (sorted input)."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def slots_equal(placement: Placement, a: int, b: int) -> bool:
    """True when two blocks are in the same slot."""
    return placement.slots[a] == placement.slots[b]


def _warnings(
    catalog: Catalog,
    estate: Estate,
    groups: MoveGroups,
    placement: Placement,
    cell_slot: tuple[int, ...],
) -> list[Warning_]:
    problem = groups.problem
    calendar = problem.calendar
    planning = catalog.planning
    limit = f"{planning.max_servers_per_wave} servers, {planning.max_vcpu_per_wave} vCPU"
    out: list[Warning_] = []
    glue_of: dict[int, int] = {}
    for g, glue in enumerate(groups.oversize):
        if glue.splittable:
            for c in glue.cells:
                glue_of[c] = g
    crossing: dict[int, float] = defaultdict(float)
    total: dict[int, float] = defaultdict(float)
    cell = estate.server_cell
    for u, v, ls, weight in zip(
        estate.flow_from, estate.flow_to, estate.flow_ls, estate.flow_weight, strict=True
    ):
        if not ls:
            continue
        cu, cv = cell[u], cell[v]
        g = glue_of.get(cu, -1)
        if g >= 0 and cu != cv and glue_of.get(cv, -2) == g:
            total[g] += weight
            if cell_slot[cu] != cell_slot[cv]:
                crossing[g] += weight
    for g, glue in enumerate(groups.oversize):
        waves = sorted({cell_slot[c] for c in glue.cells})
        size = f"{glue.servers} servers, {glue.vcpu} vCPU"
        if glue.splittable and glue.pinned:
            if len(waves) < 2:
                continue
            out.append(
                Warning_(
                    code="group-split",
                    message=f"move group {glue.name} ({size}) is held together by "
                    f"latency-sensitive dependencies but split around pins ({glue.what}) "
                    "to keep capacity and dependency order: over waves "
                    f"{_ranges(waves)} ({crossing[g]:g} of {total[g]:g} latency-sensitive "
                    "weight crosses)",
                    subjects=tuple(sorted({estate.cells[c][0] for c in glue.cells})),
                )
            )
        elif glue.splittable:
            if len(waves) < 2:
                continue
            out.append(
                Warning_(
                    code="group-split",
                    message=f"move group {glue.name} ({size}) is larger than a wave ({limit}) "
                    f"and is held together by {glue.what}: split over waves "
                    f"{_ranges(waves)} where the least latency-sensitive weight "
                    f"crosses ({crossing[g]:g} of {total[g]:g})",
                    subjects=tuple(sorted({estate.cells[c][0] for c in glue.cells})),
                )
            )
        else:
            out.append(
                Warning_(
                    code="oversize-group",
                    message=f"move group {glue.name} ({size}) is larger than a wave ({limit}) "
                    f"and cannot be split, glued by {glue.what}: it gets wave {waves[0]} "
                    "of its own",
                    subjects=tuple(sorted({estate.cells[c][0] for c in glue.cells})),
                )
            )
    ids = estate.server_ids
    for u, v, ls in zip(estate.flow_from, estate.flow_to, estate.flow_ls, strict=True):
        cu, cv = estate.server_cell[u], estate.server_cell[v]
        if ls and cu >= 0 and cv >= 0 and cell_slot[cu] != cell_slot[cv]:
            days = calendar.days_between(cell_slot[cu], cell_slot[cv])
            out.append(
                Warning_(
                    code="latency-split",
                    message=f"latency-sensitive dependency {ids[u]} -> {ids[v]} is split: "
                    f"wave {cell_slot[cu]} and wave {cell_slot[cv]}, {days} days apart",
                    subjects=(ids[u], ids[v]),
                )
            )
    overloaded: dict[int, list[str]] = defaultdict(list)
    for b in sorted(placement.forced):
        overloaded[placement.slots[b]].append(problem.blocks[b].name)
    for slot, load in sorted(placement.servers.items()):
        over = load > problem.max_servers or placement.vcpu[slot] > problem.max_vcpu
        solo = placement.solo[slot] > 0
        if over and not solo and slot not in problem.frozen_slots:
            names = sorted(
                problem.blocks[b].name for b, s in enumerate(placement.slots) if s == slot
            )
            out.append(
                Warning_(
                    code="over-capacity",
                    message=f"wave {slot} holds {load} servers, {placement.vcpu[slot]} vCPU, "
                    f"over the limit ({limit}), because pins leave no other choice: "
                    + ", ".join(names[:8]),
                    subjects=(f"wave-{slot:02d}",),
                )
            )
    for b, block in enumerate(problem.blocks):
        if block.foundation and placement.slots[b] > 0 and block.fixed is None:
            owners = ", ".join(groups.foundation_of.get(b, ()))
            out.append(
                Warning_(
                    code="foundation-late",
                    message=f"{block.name} (needed by foundation system {owners}) moves in "
                    f"wave {placement.slots[b]}, not wave 0: wave 0 has no room or is blocked",
                    subjects=block.systems,
                )
            )
    blocker = calendar.global_blocker(0)
    if blocker is not None:
        out.append(
            Warning_(
                code="landing-zone-blackout",
                message=f"wave 0 (the landing zone, {calendar.slot_start(0)} to "
                f"{calendar.slot_end(0)}) overlaps the blackout {blocker.from_} to {blocker.to}"
                + (f" ({blocker.reason})" if blocker.reason else "")
                + ": move planning.start, or build the landing zone outside the blackout",
                subjects=("wave-00",),
            )
        )
    if (
        problem.pilot
        and placement.pilot_slot is None
        and any(not bl.foundation and bl.fixed is None for bl in problem.blocks)
    ):
        out.append(
            Warning_(
                code="no-pilot",
                message="no system qualifies for a pilot wave (low criticality, not "
                f"citizen-facing, at most {PILOT_MAX_DEPENDANTS} dependant systems): "
                "wave 1 is an ordinary wave",
            )
        )
    return out
