"""Pins and migrated servers: which cells they fix, and the contradictions that are errors.

A pin (``pinned_wave`` or ``PlanOptions.pins``) or a migrated server fixes its whole cell
(system + environment). Bounds propagate pins along the dependency order: a block can move
no earlier than its pinned providers and no later than its pinned consumers. A pin that
contradicts the order, a frozen wave or a blackout is a :class:`PlanError` naming both ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from migration.catalog import Blackout, Catalog
from migration.errors import PlanError, Subject
from waves.calendar import Calendar
from waves.graph import Estate
from waves.problem import Block, Problem

__all__ = [
    "Bounds",
    "blocker",
    "bounds",
    "describe",
    "check_fixed",
    "fixed_cells",
    "links",
    "pinned_consumer",
    "topological",
]


def fixed_cells(
    catalog: Catalog, estate: Estate, pins: Mapping[str, int]
) -> tuple[dict[int, tuple[int, str]], set[int]]:
    index = {s: i for i, s in enumerate(estate.server_ids)}
    systems = catalog.systems_by_id
    for server_id in sorted(pins):
        subject = [("servers", server_id)]
        if server_id not in index:
            raise PlanError(f"pin for unknown server {server_id!r}", subject)
        if estate.server_cell[index[server_id]] < 0:
            system = systems[estate.server_system[index[server_id]]]
            raise PlanError(
                f"server {server_id!r} cannot be pinned: system {system.id!r} has disposition "
                f"{system.disposition!r} and does not move",
                [*subject, ("systems", system.id, "disposition")],
            )
        if pins[server_id] < 0:
            raise PlanError(f"server {server_id!r} is pinned to wave {pins[server_id]}", subject)
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
                "system and environment move together",
                [("servers", known[1]), ("servers", server_id)],
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


@dataclass(frozen=True)
class Bounds:
    """Earliest and latest slot of each node, and the pinned server that sets each bound."""

    lo: tuple[int, ...]
    hi: tuple[int | None, ...]
    lo_by: tuple[str | None, ...]  # the pinned or migrated provider that sets ``lo``
    hi_by: tuple[str | None, ...]  # the pinned or migrated consumer that sets ``hi``


def bounds(
    fixed: list[int | None],
    fixed_by: list[str | None],
    frozen: list[bool],
    providers: list[set[int]],
    consumers: list[set[int]],
) -> Bounds:
    """Earliest and latest slot of each node of a DAG given the pins of the others.

    Migrated (frozen) nodes bound their neighbours like pins (rule 4 holds for them too);
    a node fixed before a provider fixed later is a :class:`PlanError` naming both.
    """
    order = topological(providers, consumers)
    lo: list[tuple[int, str | None, bool]] = [(0, None, False)] * len(fixed)
    for b in order:
        best = lo[b]
        for p in providers[b]:
            cand = lo[p]
            pinned = fixed[p]
            if pinned is not None and pinned >= cand[0]:
                cand = (pinned, fixed_by[p], frozen[p])
            if cand[0] > best[0]:
                best = cand
        lo[b] = best
        own = fixed[b]
        if own is not None and best[0] > own:
            raise _contradiction(fixed_by[b], own, frozen[b], best)
    hi: list[int | None] = [None] * len(fixed)
    hi_by: list[str | None] = [None] * len(fixed)
    for b in reversed(order):
        bound: int | None = None
        by: str | None = None
        for c in consumers[b]:
            for limit, who in ((hi[c], hi_by[c]), (fixed[c], fixed_by[c])):
                if limit is not None and (bound is None or limit < bound):
                    bound, by = limit, who
        hi[b], hi_by[b] = bound, by
    return Bounds(tuple(x[0] for x in lo), tuple(hi), tuple(x[1] for x in lo), tuple(hi_by))


def _contradiction(
    consumer: str | None, slot: int, migrated: bool, provider: tuple[int, str | None, bool]
) -> PlanError:
    """A consumer fixed before a provider it depends on: the error naming both."""
    later, by, by_migrated = provider
    subjects = [("servers", consumer or ""), ("servers", by or "")]
    if not migrated and not by_migrated:
        return PlanError(
            f"pins contradict a dependency: server {consumer!r} is pinned to "
            f"wave {slot}, before {by!r} pinned to wave {later}, which it depends "
            "on (directly or through others; a provider never moves after its consumer, "
            "test and dev never after prod)",
            subjects,
        )
    how = "migrated in" if by_migrated else "pinned to"
    who = "migrated server" if migrated else "server"
    verb = "frozen in" if migrated else "pinned to"
    return PlanError(
        f"server {by!r} is {how} wave {later}, after {who} {consumer!r} ({verb} wave {slot}), "
        "which depends on it (directly or through others; a provider never moves after its "
        "consumer, test and dev never after prod): "
        + (
            "correct the pinned_wave of the migrated servers"
            if by_migrated and migrated
            else f"pin {consumer!r} to wave {later} or later"
            if by_migrated
            else f"pin {by!r} to wave 0"
            if slot <= 1
            else f"pin {by!r} to wave {slot - 1} or earlier (wave {slot} is frozen)"
        ),
        subjects,
    )


def check_fixed(problem: Problem, estate: Estate, catalog: Catalog, frozen: set[int]) -> None:
    """Refuse pins into frozen waves or blackouts, and moves forced into a frozen wave."""
    calendar = problem.calendar
    migrated_in: dict[int, str] = {}
    for block in problem.blocks:
        if block.frozen and block.fixed is not None and block.fixed_by is not None:
            known = migrated_in.get(block.fixed)
            if known is None or block.fixed_by < known:
                migrated_in[block.fixed] = block.fixed_by
    for block in problem.blocks:
        if block.frozen and block.fixed:
            _check_frozen_cycle(block, estate, frozen)
        if block.fixed is None or block.frozen:
            continue
        slot = block.fixed
        subject = ("servers", block.fixed_by or "")
        if slot in migrated_in and slot != 0:
            raise PlanError(
                f"server {block.fixed_by!r} is pinned to wave {slot}, which is frozen "
                f"(it holds migrated server {migrated_in[slot]!r})",
                [subject, ("servers", migrated_in[slot])],
            )
        found = blocker(calendar, slot, block.systems)
        if found is not None:
            blackout, where = found
            raise PlanError(
                f"server {block.fixed_by!r} is pinned to wave {slot} "
                f"({calendar.slot_start(slot)} to {calendar.slot_end(slot)}), which overlaps "
                f"{describe(blackout)}",
                [subject, where],
            )
    _check_windows(problem)


def _check_frozen_cycle(block: Block, estate: Estate, frozen: set[int]) -> None:
    """A dependency cycle through a migrated server cannot add servers to its frozen wave."""
    moving = [c for c in block.cells if c not in frozen]
    if not moving:
        return
    names = ", ".join(estate.cell_name(c) for c in moving)
    raise PlanError(
        f"{names} and migrated server {block.fixed_by!r} (frozen in wave {block.fixed}) "
        "depend on each other (a dependency cycle): they would have to move in that frozen "
        "wave; mark them migrated too, or break the cycle",
        [("servers", block.fixed_by or ""), *(("systems", estate.cells[c][0]) for c in moving)],
    )


def blocker(
    calendar: Calendar, slot: int, systems: Iterable[str]
) -> tuple[Blackout, Subject] | None:
    """The blackout that makes ``slot`` unusable for ``systems`` (global first), and its
    catalog field path."""
    found = calendar.global_blocker(slot)
    if found is not None:
        return found, ("planning", "blackouts", calendar.blackouts.index(found))
    system_blocker = calendar.system_blocker(slot, systems)
    if system_blocker is None:
        return None
    system, blackout = system_blocker
    where = ("systems", system, "blackouts", calendar.system_blackouts[system].index(blackout))
    return blackout, where


def describe(blackout: Blackout) -> str:
    """``the blackout 2027-06-20 to 2027-08-10 (Semester)``."""
    reason = f" ({blackout.reason})" if blackout.reason else ""
    return f"the blackout {blackout.from_} to {blackout.to}{reason}"


def _check_windows(problem: Problem) -> None:
    """A block that pins bound on both sides needs a usable slot between its bounds.

    Its pinned (or migrated) consumers set the latest slot and its pinned providers the
    earliest; when every slot in between is frozen or overlaps a blackout (global or of one
    of its systems), the pins contradict rule 6: an error naming the pinned consumer and the
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
        subjects: list[Subject] = [("servers", pinned or "")]
        subjects += [("systems", s) for s in block.systems]
        for slot in range(low, top + 1):
            found = blocker(calendar, slot, block.systems)
            if found is None:
                blockers.append(f"wave {slot} is frozen")
                continue
            subjects.append(found[1])
            blockers.append(
                f"wave {slot} ({calendar.slot_start(slot)} to {calendar.slot_end(slot)}) "
                f"overlaps {describe(found[0])}"
            )
        raise PlanError(
            f"server {pinned!r} is {_fixed_how(problem, pinned)} wave {top}, but {block.name} "
            f"(systems {', '.join(block.systems)}), which it depends on (directly or through "
            f"others), has no usable wave from {low} to {top}: " + "; ".join(blockers),
            subjects,
        )


def _fixed_how(problem: Problem, server: str | None) -> str:
    """``pinned to`` or ``migrated in`` (for a message about a fixed server)."""
    migrated = any(bl.frozen and bl.fixed_by == server for bl in problem.blocks)
    return "migrated in" if migrated else "pinned to"


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
