"""Greedy placement with latency-sensitive affinity, then local improvement.

The order is a topological order of the blocks (providers first) that grows one region of
latency-sensitive neighbours at a time: among the ready blocks, the one with the most
latency-sensitive weight to blocks already placed goes next; ties go to the foundation,
then the pilot candidates, then lower criticality (higher criticality later). Each block
goes to the wave of its heaviest placed latency-sensitive neighbour when that wave has room,
else to the earliest wave with room (first fit), never before its providers.

Improvement moves one block at a time to the wave of its latency-sensitive neighbours when
that cuts less weight and breaks no rule, then tries to empty the least loaded waves.
Everything is deterministic: ties break on block index.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field

from waves.calendar import MAX_SLOTS
from waves.problem import LAMBDA_WAVES, Problem

__all__ = ["Placement", "improve", "place_greedy"]


@dataclass
class Placement:
    """A (partial) assignment of blocks to slots with the load of each slot."""

    problem: Problem
    slots: list[int]
    servers: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    vcpu: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    pilot_slot: int | None = None
    forced: set[int] = field(default_factory=set)  # blocks placed over capacity by pins
    solo: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # oversize blocks
    relaxed: bool = False  # pilot wave open to every block (only to keep a pin's deadline)
    pilot_for_deadlines: bool = False  # pilot wave open to blocks a pinned consumer waits for

    def pilot_only(self, block: int) -> bool:
        """True when the pilot wave is closed to this block."""
        bl = self.problem.blocks[block]
        if bl.pilot or bl.foundation or self.relaxed:
            return False
        return not (self.pilot_for_deadlines and self.problem.hi[block] is not None)

    def put(self, block: int, slot: int) -> None:
        """Place (or move, or with slot -1 take out) a block."""
        old = self.slots[block]
        bl = self.problem.blocks[block]
        if old >= 0:
            self.servers[old] -= bl.servers
            self.vcpu[old] -= bl.vcpu
            if bl.oversize:
                self.solo[old] -= 1
        self.slots[block] = slot
        if slot >= 0:
            self.servers[slot] += bl.servers
            self.vcpu[slot] += bl.vcpu
            if bl.oversize:
                self.solo[slot] += 1

    def fits(self, block: int, slot: int) -> bool:
        """True when the slot has room for the block (a block of its own always fits)."""
        bl = self.problem.blocks[block]
        if self.servers[slot] == 0 and bl.oversize:
            return True
        return (
            self.servers[slot] + bl.servers <= self.problem.max_servers
            and self.vcpu[slot] + bl.vcpu <= self.problem.max_vcpu
        )

    def floor(self, block: int) -> int:
        """Earliest slot the block may take given its providers, its kind and the pilot."""
        p = self.problem
        bl = p.blocks[block]
        provided = max((self.slots[q] for q in p.providers[block] if self.slots[q] >= 0), default=0)
        low = max(p.lo[block], provided)
        hi = p.hi[block]
        if bl.foundation:
            return low
        phased = max(low, 1)
        if self.pilot_slot is not None and self.pilot_only(block):
            phased = max(phased, self.pilot_slot + 1)
        if hi is not None and phased > hi:
            return low
        return phased

    def ceiling(self, block: int) -> int | None:
        """Latest slot the block may take given its placed consumers and pins."""
        p = self.problem
        bound = p.hi[block]
        for c in p.consumers[block]:
            s = self.slots[c]
            if s >= 0 and (bound is None or s < bound):
                bound = s
        return bound

    def allowed(self, block: int, slot: int) -> bool:
        """True when the slot is usable for the block, within its bounds and has room."""
        if slot < self.floor(block):
            return False
        top = self.ceiling(block)
        if top is not None and slot > top:
            return False
        return self.open_for(block, slot)

    def open_for(self, block: int, slot: int) -> bool:
        """The slot's own conditions: pilot, oversize groups alone, blackouts, room."""
        if slot == self.pilot_slot and self.pilot_only(block):
            return False
        if self.problem.blocks[block].oversize and self.servers[slot] > 0:
            return False
        if self.solo[slot] > 0:
            return False
        return self.problem.usable(block, slot) and self.fits(block, slot)


def _pilot_slot(problem: Problem) -> int | None:
    if not problem.pilot or not any(b.pilot for b in problem.blocks):
        return None
    for slot in range(1, MAX_SLOTS):
        if slot not in problem.frozen_slots and problem.calendar.global_blocker(slot) is None:
            return slot
    return None


def place_greedy(
    problem: Problem,
    urgent: frozenset[int] = frozenset(),
    pilot_for_deadlines: bool = False,
    deadlines_first: bool = False,
) -> Placement:
    """A complete, rule-abiding placement (pins may force capacity overflow, recorded).

    ``urgent`` blocks go before the others of their phase (used to pull a late block and
    its providers forward when a rerun can save a wave). ``deadlines_first`` places what
    pinned consumers wait for before the pilot, so that the pilot's systems cannot take
    the room those blocks need in the waves before the pins.
    """
    n = len(problem.blocks)
    placement = Placement(
        problem, [-1] * n, pilot_slot=_pilot_slot(problem), pilot_for_deadlines=pilot_for_deadlines
    )
    for b, block in enumerate(problem.blocks):
        if block.fixed is not None:
            placement.put(b, block.fixed)
    missing = [len(p) for p in problem.providers]
    affinity = [0.0] * n
    heap: list[tuple[int, int, int, float, int, int]] = []

    def key(b: int) -> tuple[int, int, int, float, int, int]:
        block = problem.blocks[b]
        deadline = problem.hi[b]  # earliest deadline first: what pinned consumers need
        if block.foundation:
            phase = 0
        elif deadline is not None and deadlines_first:
            phase = 1
        else:
            phase = 2 if (block.pilot and placement.pilot_slot) else 3
        return (
            phase,
            0 if b in urgent else 1,
            MAX_SLOTS if deadline is None else deadline,
            -round(affinity[b], 6),
            block.criticality,
            b,
        )

    for b in range(n):
        if missing[b] == 0:
            heapq.heappush(heap, key(b))
    done = [False] * n
    while heap:
        entry = heapq.heappop(heap)
        b = entry[5]
        if done[b] or entry != key(b):
            continue
        done[b] = True
        if placement.slots[b] < 0:
            _place_one(placement, b)
        for other, weight in problem.ls[b]:
            if not done[other]:
                affinity[other] += weight
                if missing[other] == 0:
                    heapq.heappush(heap, key(other))
        for c in problem.consumers[b]:
            missing[c] -= 1
            if missing[c] == 0:
                heapq.heappush(heap, key(c))
    return placement


def _place_one(placement: Placement, b: int) -> None:
    problem = placement.problem
    block = problem.blocks[b]
    low = placement.floor(b)
    top = placement.ceiling(b)
    if not block.oversize:
        weights: dict[int, float] = defaultdict(float)
        for other, weight in problem.ls[b]:
            if placement.slots[other] >= 0:
                weights[placement.slots[other]] += weight
        for slot, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
            if low <= slot and (top is None or slot <= top) and placement.open_for(b, slot):
                placement.put(b, slot)
                return
    slot = low
    while top is None or slot <= top:
        if slot >= MAX_SLOTS:
            break
        if placement.open_for(b, slot):
            placement.put(b, slot)
            return
        slot += 1
    if top is not None and _make_room(placement, b, low, top):
        return
    if top is not None and placement.pilot_slot is not None:
        # a pin's deadline outranks the pilot: let the block into the pilot wave if it helps
        placement.relaxed = True
        try:
            for slot in range(placement.floor(b), top + 1):
                if placement.open_for(b, slot):
                    placement.put(b, slot)
                    return
        finally:
            placement.relaxed = False
    # pins leave no room: the least loaded usable slot in the allowed window, over capacity
    window = range(low, (top if top is not None else low) + 1)
    usable = [s for s in window if problem.usable(b, s)]
    if not usable and top is not None:
        # Every slot from the phase floor (wave 1, after the pilot) to the pinned consumer's
        # wave is blacked out for this block: reach down to what its providers and pins
        # allow, wave 0 included, rather than break a blackout (rule 6). A slot with room
        # first. (When no slot is usable at all, check_fixed has already refused the pins.)
        earliest = max(
            [
                problem.lo[b],
                *(placement.slots[q] for q in problem.providers[b] if placement.slots[q] >= 0),
            ]
        )
        usable = [s for s in range(min(earliest, low), low) if problem.usable(b, s)]
        for slot in usable:
            if placement.open_for(b, slot):
                placement.put(b, slot)
                return
    best = min(usable or list(window) or [low], key=lambda s: (placement.servers[s], s))
    placement.forced.add(b)
    placement.put(b, best)


def _deadline(problem: Problem, block: int) -> int:
    bound = problem.hi[block]
    return MAX_SLOTS if bound is None else bound


def _make_room(placement: Placement, b: int, low: int, top: int) -> bool:
    """Move other blocks out of the window [low, top], latest deadline first, until ``b`` fits.

    A block only moves to a later slot its own consumers and pins allow.
    """
    problem = placement.problem
    for slot in range(low, top + 1):
        if not problem.usable(b, slot) or placement.solo[slot] or slot == placement.pilot_slot:
            continue
        movable = sorted(
            (
                c
                for c, s in enumerate(placement.slots)
                if s == slot
                and problem.blocks[c].fixed is None
                and not problem.blocks[c].foundation
                and c != b
            ),
            key=lambda c: (-_deadline(problem, c), -problem.blocks[c].servers, c),
        )
        moves: list[tuple[int, int]] = []
        for c in movable:
            if placement.fits(b, slot):
                break
            for later in range(slot + 1, MAX_SLOTS):
                if _may_move(placement, c, later):
                    moves.append((c, slot))
                    placement.put(c, later)
                    break
                if placement.ceiling(c) is not None and later > (placement.ceiling(c) or 0):
                    break
        if placement.fits(b, slot) and placement.open_for(b, slot):
            placement.put(b, slot)
            return True
        for c, s in reversed(moves):
            placement.put(c, s)
    return False


def improve(placement: Placement, passes: int = 6) -> None:
    """Local search: move blocks to cut less latency-sensitive weight; empty light waves."""
    problem = placement.problem
    movable = [
        b
        for b, block in enumerate(problem.blocks)
        if block.fixed is None and not block.oversize and problem.ls[b]
    ]
    for _ in range(passes):
        moved = False
        for b in movable:
            current = placement.slots[b]
            weights: dict[int, float] = defaultdict(float)
            for other, weight in problem.ls[b]:
                weights[placement.slots[other]] += weight
            here = weights.get(current, 0.0)
            for slot, weight in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
                if weight <= here:
                    break
                if _may_move(placement, b, slot):
                    placement.put(b, slot)
                    moved = True
                    break
        if not moved:
            break
    _empty_light_slots(placement)


def _may_move(placement: Placement, b: int, slot: int) -> bool:
    old = placement.slots[b]
    placement.put(b, -1)  # take it out so that its own load does not count
    ok = placement.allowed(b, slot)
    placement.put(b, old)
    return ok


def _empty_light_slots(placement: Placement, tries: int = 4) -> None:
    """Move every block out of a lightly loaded wave when that saves more than it cuts."""
    problem = placement.problem
    members: dict[int, list[int]] = defaultdict(list)
    for b, s in enumerate(placement.slots):
        members[s].append(b)
    light = sorted(
        (
            s
            for s in members
            if s > 0
            and s != placement.pilot_slot
            and 2 * placement.servers[s] <= problem.max_servers
        ),
        key=lambda s: (placement.servers[s], -s),
    )
    for slot in light[:tries]:
        group = members[slot]
        if any(problem.blocks[b].fixed is not None or problem.blocks[b].oversize for b in group):
            continue
        saved = {b: slot for b in group}
        before = _cut_around(placement, group)
        ok = True
        for b in sorted(group, key=lambda m: (len(problem.providers[m]), m)):
            target = _best_other_slot(placement, b, slot)
            if target is None:
                ok = False
                break
            placement.put(b, target)
        if ok and _cut_around(placement, group) - before < LAMBDA_WAVES:
            for b in group:
                members[placement.slots[b]].append(b)
            members[slot] = []
            continue
        for b, s in saved.items():
            placement.put(b, s)


def _cut_around(placement: Placement, group: list[int]) -> float:
    seen: set[tuple[int, int]] = set()
    cut = 0.0
    slots = placement.slots
    for b in group:
        for other, weight in placement.problem.ls[b]:
            pair = (min(b, other), max(b, other))
            if pair not in seen:
                seen.add(pair)
                if slots[b] != slots[other]:
                    cut += weight
    return cut


def _best_other_slot(placement: Placement, b: int, avoid: int) -> int | None:
    problem = placement.problem
    weights: dict[int, float] = defaultdict(float)
    for other, weight in problem.ls[b]:
        weights[placement.slots[other]] += weight
    candidates = sorted(
        {s for s, load in placement.servers.items() if load > 0 and s >= 0 and s != avoid},
        key=lambda s: (-weights.get(s, 0.0), s),
    )
    for slot in candidates:
        if _may_move(placement, b, slot):
            return slot
    return None


def compact(placement: Placement) -> None:
    """Move each wave's blocks to an earlier empty usable slot when every rule allows it."""
    problem = placement.problem
    members: dict[int, list[int]] = defaultdict(list)
    for b, s in enumerate(placement.slots):
        members[s].append(b)
    for slot in sorted(s for s in members if s > 1):
        group = members[slot]
        if any(problem.blocks[b].fixed is not None for b in group):
            continue
        for target in range(1, slot):
            if placement.servers[target] or target == placement.pilot_slot:
                continue
            for b in group:
                placement.put(b, -1)
            ok = True
            for b in sorted(group, key=lambda m: (len(problem.providers[m]), m)):
                if not placement.allowed(b, target):
                    ok = False
                    break
                placement.put(b, target)
            if ok and all(placement.slots[b] == target for b in group):
                members[target] = group
                members[slot] = []
                break
            for b in group:
                placement.put(b, slot)


def late_blocks(placement: Placement) -> frozenset[int]:
    """Blocks of the last used wave and every block they need (to pull them forward)."""
    problem = placement.problem
    last = max(placement.slots, default=0)
    if last <= 1 or placement.servers[last] * 2 > problem.max_servers:
        return frozenset()
    todo = [b for b, s in enumerate(placement.slots) if s == last]
    seen = set(todo)
    while todo:
        b = todo.pop()
        for p in problem.providers[b]:
            if p not in seen:
                seen.add(p)
                todo.append(p)
    return frozenset(seen)
