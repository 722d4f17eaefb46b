"""Why each block is where it is, and what the plan warns about (docs/planning.md).

Every placement carries its reason (the rule or objective that put it there); every rule the
planner had to bend within the rules (a split group, a split latency-sensitive dependency,
a wave over capacity because of pins, a late foundation system) is a warning naming what
it concerns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from migration.catalog import Catalog
from migration.plan import Warning_
from waves.assemble import Decisions
from waves.graph import Estate
from waves.groups import PILOT_MAX_DEPENDANTS, MoveGroups
from waves.heuristic import Placement
from waves.pins import describe

__all__ = ["decide", "pin_moves", "slots_equal"]


def decide(
    catalog: Catalog,
    estate: Estate,
    groups: MoveGroups,
    placement: Placement,
    method: str,
    edits: Mapping[str, str] | None = None,
) -> Decisions:
    """Reasons and warnings of a placement.

    ``edits`` are the pins given to the planner (server id -> where from, e.g. a wave sheet
    row): every block a pin holds back or pulls forward is reported (``pin-moves``).
    """
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
        warnings=tuple(
            [
                *_warnings(catalog, estate, groups, placement, cell_slot),
                *pin_moves(placement, edits or {}),
            ]
        ),
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
        by = problem.hi_by[b] if problem.hi_by else None
        migrated = any(o.frozen and o.fixed_by == by for o in problem.blocks) if by else False
        if migrated:
            return (
                f"needed by migrated server {by!r} (frozen in wave {problem.hi[b]}): a provider "
                "never moves after its consumer; wave 0, with the landing zone, is the usable "
                "wave in time"
            )
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
    if calendar.moved_from is not None:
        steps = "; ".join(describe(b) for b in calendar.moved_by)
        out.append(
            Warning_(
                code="start-moved",
                message=f"planning.start {calendar.moved_from} puts wave 0 (the landing zone) "
                f"in {steps}: wave 0 starts {calendar.start} instead, and every wave after it",
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


def pin_moves(placement: Placement, edits: Mapping[str, str]) -> list[Warning_]:
    """What the planner does to honour edited pins: blocks held at a pin's bound.

    A block that lands on the earliest wave a pinned provider allows, or the latest a
    pinned consumer allows, is where it is because of that pin; when the pin is an edit
    (``edits``: server id -> where it was made), the move is reported, never silent.
    """
    problem = placement.problem
    out: list[Warning_] = []
    for b, block in enumerate(problem.blocks):
        if block.fixed is not None:
            continue
        slot = placement.slots[b]
        lo_by = problem.lo_by[b] if problem.lo_by else None
        hi_by = problem.hi_by[b] if problem.hi_by else None
        pin: str
        if lo_by is not None and lo_by in edits and slot == problem.lo[b] and slot > 0:
            how = f"no earlier than wave {slot}: it depends on {lo_by!r}"
            pin = lo_by
        elif hi_by is not None and hi_by in edits and slot == problem.hi[b]:
            how = f"no later than wave {slot}: {hi_by!r} depends on it"
            pin = hi_by
        else:
            continue
        out.append(
            Warning_(
                code="pin-moves",
                message=f"{block.name} moves in wave {slot} to honour the pin of {pin!r} "
                f"({edits[pin]}), {how}",
                subjects=block.systems,
            )
        )
    return out
