"""Pins and migrated servers: which cells they fix, and the contradictions that are errors.

A pin (``pinned_wave`` or ``PlanOptions.pins``) or a migrated server fixes its whole cell
(system + environment). Bounds propagate pins along the dependency order: a block can move
no earlier than its pinned providers and no later than its pinned consumers. A pin that
contradicts the order, a frozen wave or a blackout is a :class:`PlanError` naming both ends.
"""

from __future__ import annotations

from collections.abc import Mapping

from migration.catalog import Catalog
from migration.errors import PlanError
from waves.graph import Estate
from waves.problem import Problem

__all__ = ["bounds", "check_fixed", "fixed_cells", "links", "pinned_consumer", "topological"]


def fixed_cells(
    catalog: Catalog, estate: Estate, pins: Mapping[str, int]
) -> tuple[dict[int, tuple[int, str]], set[int]]:
    index = {s: i for i, s in enumerate(estate.server_ids)}
    systems = catalog.systems_by_id
    for server_id in sorted(pins):
        if server_id not in index:
            raise PlanError(f"pin for unknown server {server_id!r}")
        if estate.server_cell[index[server_id]] < 0:
            system = systems[estate.server_system[index[server_id]]]
            raise PlanError(
                f"server {server_id!r} cannot be pinned: system {system.id!r} has disposition "
                f"{system.disposition!r} and does not move"
            )
        if pins[server_id] < 0:
            raise PlanError(f"server {server_id!r} is pinned to wave {pins[server_id]}")
    fixed: dict[int, tuple[int, str]] = {}
    frozen: set[int] = set()
    by_id = catalog.servers_by_id
    for i, server_id in enumerate(estate.server_ids):
        cell = estate.server_cell[i]
        if cell < 0:
            continue
        server = by_id[server_id]
        slot = pins.get(server_id, server.pinned_wave)
        if server.migrated:
            frozen.add(cell)
            slot = 0 if slot is None else slot
        if slot is None:
            continue
        known = fixed.get(cell)
        if known is not None and known[0] != slot:
            system_id, environment = estate.cells[cell]
            raise PlanError(
                f"servers {known[1]!r} and {server_id!r} of system {system_id!r} ({environment}) "
                f"are pinned to different waves ({known[0]} and {slot}); all servers of one "
                "system and environment move together"
            )
        if known is None:
            fixed[cell] = (slot, server_id)
    return fixed, frozen


def topological(providers: list[set[int]], consumers: list[set[int]]) -> list[int]:
    missing = [len(p) for p in providers]
    ready = [b for b, m in enumerate(missing) if m == 0]
    out: list[int] = []
    while ready:
        b = ready.pop()
        out.append(b)
        for c in consumers[b]:
            missing[c] -= 1
            if missing[c] == 0:
                ready.append(c)
    return out


def links(
    order: set[tuple[int, int]], node_of: list[int], count: int
) -> tuple[list[set[int]], list[set[int]]]:
    providers: list[set[int]] = [set() for _ in range(count)]
    consumers: list[set[int]] = [set() for _ in range(count)]
    for cu, cv in order:
        a, b = node_of[cu], node_of[cv]
        if a != b:
            providers[a].add(b)
            consumers[b].add(a)
    return providers, consumers


def bounds(
    fixed: list[int | None],
    fixed_by: list[str | None],
    frozen: list[bool],
    providers: list[set[int]],
    consumers: list[set[int]],
) -> tuple[tuple[int, ...], tuple[int | None, ...]]:
    """Earliest and latest slot of each node of a DAG given the pins of the others."""
    order = topological(providers, consumers)
    lo: list[tuple[int, str | None]] = [(0, None)] * len(fixed)
    for b in order:
        best = lo[b]
        for p in providers[b]:
            cand = lo[p]
            pinned = fixed[p]
            if pinned is not None and pinned >= cand[0]:
                cand = (pinned, fixed_by[p])
            if cand[0] > best[0]:
                best = cand
        lo[b] = best
        own = fixed[b]
        if own is not None and not frozen[b] and best[0] > own:
            raise PlanError(
                f"pins contradict a dependency: server {fixed_by[b]!r} is pinned to "
                f"wave {own}, before {best[1]!r} pinned to wave {best[0]}, which it depends "
                "on (directly or through others; a provider never moves after its consumer, "
                "test and dev never after prod)"
            )
    hi: list[int | None] = [None] * len(fixed)
    for b in reversed(order):
        bound: int | None = None
        for c in consumers[b]:
            for limit in (hi[c], fixed[c]):
                if limit is not None and (bound is None or limit < bound):
                    bound = limit
        hi[b] = bound
    return tuple(x[0] for x in lo), tuple(hi)


def check_fixed(problem: Problem, estate: Estate, catalog: Catalog, frozen: set[int]) -> None:
    calendar = problem.calendar
    migrated_in: dict[int, str] = {}
    for block in problem.blocks:
        if block.frozen and block.fixed is not None and block.fixed_by is not None:
            known = migrated_in.get(block.fixed)
            if known is None or block.fixed_by < known:
                migrated_in[block.fixed] = block.fixed_by
    for block in problem.blocks:
        if block.fixed is None or block.frozen:
            continue
        slot = block.fixed
        if slot in migrated_in and slot != 0:
            raise PlanError(
                f"server {block.fixed_by!r} is pinned to wave {slot}, which is frozen "
                f"(it holds migrated server {migrated_in[slot]!r})"
            )
        blocker = calendar.global_blocker(slot)
        system_blocker = calendar.system_blocker(slot, block.systems)
        if blocker is None and system_blocker is not None:
            blocker = system_blocker[1]
        if blocker is not None:
            raise PlanError(
                f"server {block.fixed_by!r} is pinned to wave {slot} "
                f"({calendar.slot_start(slot)} to {calendar.slot_end(slot)}), which overlaps "
                f"the blackout {blocker.from_} to {blocker.to}"
                + (f" ({blocker.reason})" if blocker.reason else "")
            )
    _check_windows(problem)
    # a pinned provider after an already-migrated consumer contradicts a frozen wave
    cell_fixed = {
        c: problem.blocks[b].fixed for b, bl in enumerate(problem.blocks) for c in bl.cells
    }
    pinned_by = {
        c: problem.blocks[b].fixed_by for b, bl in enumerate(problem.blocks) for c in bl.cells
    }
    cell = estate.server_cell
    if not frozen:
        return
    for u, v in zip(estate.flow_from, estate.flow_to, strict=True):
        cu = cell[u]
        if cu not in frozen:
            continue
        cv = cell[v]
        if cv < 0 or cv in frozen:
            continue
        consumer_slot, provider_slot = cell_fixed.get(cu), cell_fixed.get(cv)
        if (
            consumer_slot is not None
            and provider_slot is not None
            and provider_slot > consumer_slot
        ):
            raise PlanError(
                f"server {pinned_by[cv]!r} is pinned to wave {provider_slot}, after migrated "
                f"server {estate.server_ids[u]!r} (frozen in wave {consumer_slot}), which "
                f"depends on {estate.server_ids[v]!r}"
            )


def _check_windows(problem: Problem) -> None:
    """A block that pins bound on both sides needs a usable slot between its bounds.

    Its pinned consumers set the latest slot and its pinned providers the earliest; when
    every slot in between is frozen or overlaps a blackout (global or of one of its
    systems), the pins contradict rule 6: an error naming the pinned consumer and the
    block, never a plan that silently moves a system in its blackout.
    """
    calendar = problem.calendar
    for b, block in enumerate(problem.blocks):
        top = problem.hi[b]
        if block.fixed is not None or top is None:
            continue
        low = problem.lo[b]
        if any(problem.usable(b, slot) for slot in range(low, top + 1)):
            continue
        pinned = pinned_consumer(problem, b, top)
        blockers = []
        for slot in range(low, top + 1):
            found = calendar.global_blocker(slot)
            if found is None:
                system_blocker = calendar.system_blocker(slot, block.systems)
                found = system_blocker[1] if system_blocker is not None else None
            if found is None:
                blockers.append(f"wave {slot} is frozen")
                continue
            blockers.append(
                f"wave {slot} ({calendar.slot_start(slot)} to {calendar.slot_end(slot)}) "
                f"overlaps the blackout {found.from_} to {found.to}"
                + (f" ({found.reason})" if found.reason else "")
            )
        raise PlanError(
            f"server {pinned!r} is pinned to wave {top}, but {block.name} (systems "
            f"{', '.join(block.systems)}), which it depends on (directly or through others), "
            f"has no usable wave from {low} to {top}: " + "; ".join(blockers)
        )


def pinned_consumer(problem: Problem, block: int, slot: int) -> str | None:
    """The pinned (or migrated) server of a consumer of ``block`` fixed to ``slot``."""
    seen = {block}
    todo = [block]
    while todo:
        for c in sorted(problem.consumers[todo.pop()]):
            if c in seen:
                continue
            seen.add(c)
            if problem.blocks[c].fixed == slot:
                return problem.blocks[c].fixed_by
            todo.append(c)
    return None
