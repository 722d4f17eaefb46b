"""``plan_waves``: catalog in, plan out (docs/planning.md).

Pipeline: dependency graph (:mod:`waves.graph`) -> move groups and bounds
(:mod:`waves.groups`) -> greedy placement and local improvement (:mod:`waves.heuristic`) ->
exact CP-SAT when small (:mod:`waves.solver`) -> reasons and warnings (:mod:`waves.explain`)
-> the plan (:mod:`waves.assemble`) -> the quality panel (:mod:`waves.quality`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from migration.catalog import Catalog
from migration.catalog.models import LATEST
from migration.collector import collector_paused
from migration.errors import Issue, PlanError, Subject
from migration.plan import Plan
from waves.assemble import DEFAULT_REGIONS, assemble_plan
from waves.calendar import MAX_SLOTS, Calendar
from waves.explain import decide
from waves.graph import Estate, build_estate
from waves.groups import SPLIT_LEVELS, MoveGroups, build_problem
from waves.heuristic import Placement, compact, improve, late_blocks, place_greedy
from waves.pins import blocker, describe, pinned_consumer
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
    # where each of ``pins`` comes from, e.g. "build/waves.csv:12" (a wave sheet's row):
    # errors and warnings about a pin name it
    pin_origin: Mapping[str, str] = field(default_factory=dict)
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
    try:
        with collector_paused():
            return _plan(catalog, catalog_sha256, options, sizing)
    except PlanError as exc:
        raise _with_pin_origin(exc, options) from None


def pin_origin(options: PlanOptions, server: str) -> str:
    """Where an option pin comes from: its wave sheet row, else ``--pins``."""
    return options.pin_origin.get(server, "--pins")


def _with_pin_origin(error: PlanError, options: PlanOptions) -> PlanError:
    """The error with the origin (wave sheet row) of every option pin it names."""
    named = [str(s[1]) for s in error.subjects if len(s) == 2 and s[0] == "servers"]
    pinned = [sid for sid in named if sid in options.pins]
    lines = [
        f"{pin_origin(options, sid)}: server {sid!r} pinned to wave {options.pins[sid]}"
        for sid in pinned
    ]
    return error.located(lines, [_origin_issue(options, sid) for sid in pinned]) if lines else error


def _origin_issue(options: PlanOptions, server: str) -> Issue:
    """An option pin's origin as an :class:`Issue`: a wave sheet's ``file:row`` becomes
    file and line; ``--pins`` or a pins file's field has no line (0)."""
    origin = pin_origin(options, server)
    file, _, row = origin.rpartition(":")
    message = f"server {server!r} pinned to wave {options.pins[server]}"
    if file and row.isdigit():
        return Issue(file, int(row), 0, "wave", message)
    file, _, field = origin.partition(": ")  # a pins file's "<file>: pins.<server>"
    return Issue(file, 0, 0, field or f"pins.{server}", message)


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
    edits = {sid: pin_origin(options, sid) for sid in options.pins}
    decisions = decide(catalog, estate, groups, placement, method, edits)
    plan = assemble_plan(
        catalog, catalog_sha256, estate, calendar, decisions, options.target, options.region, sizing
    )
    return plan.model_copy(update={"quality": quality_panel(catalog, plan, options.pins)})


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
    _refuse_late(best[2])
    return best[1], best[2]


def _refuse_late(placement: Placement) -> None:
    """A wave that would end after the last day a plan may use (2100-12-31) is an error
    naming why: the blackouts that leave a block no earlier wave, else capacity."""
    problem = placement.problem
    calendar = problem.calendar
    late = [b for b, slot in enumerate(placement.slots) if calendar.slot_end(slot) > LATEST]
    if not late:
        return
    b = late[0]
    block = problem.blocks[b]
    subjects: list[Subject] = [("systems", s) for s in block.systems]
    why = (
        "the capacity per wave is too small for the estate: raise planning.max_servers_per_wave "
        "or max_vcpu_per_wave"
    )
    for slot in range(problem.lo[b], placement.slots[b]):
        found = blocker(calendar, slot, block.systems)
        if found is not None:
            subjects.append(found[1])
            why = (
                f"blackouts or frozen waves cover every earlier wave (wave {slot}, "
                f"{calendar.slot_start(slot)} to {calendar.slot_end(slot)}, overlaps "
                f"{describe(found[0])}); shorten the blackout"
            )
            break
    raise PlanError(
        f"{block.name} (systems {', '.join(block.systems)}) has no usable wave that ends by "
        f"{LATEST}, the last day a plan may use: {why}",
        subjects,
    )


def blackout_breaches(placement: Placement) -> list[int]:
    """Free blocks in a slot they may not use (a blackout or a frozen wave): rule 6."""
    problem = placement.problem
    return [
        b
        for b, block in enumerate(problem.blocks)
        if block.fixed is None and not problem.usable(b, placement.slots[b])
    ]


def _refuse_breaches(placement: Placement) -> None:
    """Pins or blackouts that leave a block no usable wave in time are an error, never a
    silent breach."""
    breaches = blackout_breaches(placement)
    if not breaches:
        return
    problem = placement.problem
    calendar = problem.calendar
    b = breaches[0]
    block = problem.blocks[b]
    slot = placement.slots[b]
    found = blocker(calendar, slot, block.systems)
    why = describe(found[0]) if found is not None else "a frozen wave"
    subjects: list[Subject] = [("systems", s) for s in block.systems]
    subjects += [found[1]] if found is not None else []
    dates = f"{slot} ({calendar.slot_start(slot)} to {calendar.slot_end(slot)})"
    top = problem.hi[b]
    if top is None:
        raise PlanError(
            f"{block.name} (systems {', '.join(block.systems)}) has no usable wave from wave "
            f"{problem.lo[b]} to the planner's horizon ({MAX_SLOTS} waves): blackouts or "
            f"frozen waves cover them all: wave {dates} overlaps {why}, and so on; shorten "
            "the blackout",
            subjects,
        )
    pinned = pinned_consumer(problem, b, top)
    raise PlanError(
        f"pins leave {block.name} no usable wave: server {pinned!r} is pinned to wave {top} "
        f"and needs it (directly or through others), and the only wave left, {dates}, "
        f"overlaps {why}",
        [("servers", pinned or ""), *subjects],
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
