"""The scheduling problem the heuristic and the solver share: blocks, bounds, slots.

A *block* is what the scheduler places as one piece: a whole move group when it fits in a
wave, else one dependency-cycle component (atom) of a move group too large for a wave.
Blocks form a DAG by "provider before consumer"; latency-sensitive weight between blocks
is what a split costs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from waves.calendar import Calendar

__all__ = ["LAMBDA_WAVES", "Block", "Problem", "Score"]

LAMBDA_WAVES = 10  # one more wave costs as much as ten units of latency-sensitive weight cut


@dataclass(frozen=True)
class Block:
    """Cells that move together."""

    cells: tuple[int, ...]
    systems: tuple[str, ...]
    servers: int
    vcpu: int
    fixed: int | None  # pinned or migrated slot
    fixed_by: str | None  # the server whose pin or migration fixes it
    frozen: bool  # holds migrated servers
    foundation: bool  # foundation system, or moves with one
    pilot: bool  # may go into the pilot wave
    criticality: int  # highest CRITICALITY_RANK of its systems
    oversize: bool  # larger than a wave and cannot be split
    group: int  # the move group it belongs to
    name: str


@dataclass(frozen=True)
class Score:
    """Objective of a placement: lexicographic (primary, secondary)."""

    ls_cut: float  # latency-sensitive weight crossing waves
    waves: int  # slots used, wave 0 aside
    exposure: float  # weight x slots for every flow whose ends are in different slots
    last: int  # last slot used (the plan's length)

    @property
    def primary(self) -> float:
        """J = weighted latency-sensitive cut + 10 x waves."""
        return self.ls_cut + LAMBDA_WAVES * self.waves

    def key(self) -> tuple[float, int, float]:
        """Comparison key (smaller is better): J, then plan length, then hybrid exposure."""
        return (round(self.primary, 6), self.last, round(self.exposure, 6))


@dataclass(frozen=True)
class Problem:
    """Blocks, their order constraints, split costs, bounds and the calendar."""

    blocks: tuple[Block, ...]
    providers: tuple[tuple[int, ...], ...]
    consumers: tuple[tuple[int, ...], ...]
    ls: tuple[tuple[tuple[int, float], ...], ...]  # block -> (other block, weight)
    traffic: tuple[tuple[int, int, float], ...]  # (block, block, weight) for all flows
    lo: tuple[int, ...]  # earliest slot allowed by pins of providers
    hi: tuple[int | None, ...]  # latest slot allowed by pins of consumers
    calendar: Calendar
    max_servers: int
    max_vcpu: int
    pilot: bool
    frozen_slots: frozenset[int]
    lo_by: tuple[str | None, ...] = ()  # the pinned or migrated provider that sets ``lo``
    hi_by: tuple[str | None, ...] = ()  # the pinned or migrated consumer that sets ``hi``
    _slot_ok: dict[int, bool] = field(default_factory=dict, compare=False, repr=False)
    _system_ok: dict[tuple[str, int], bool] = field(default_factory=dict, compare=False, repr=False)

    def usable(self, block: int, slot: int) -> bool:
        """True when the block may be placed in the slot (blackouts, frozen waves)."""
        ok = self._slot_ok.get(slot)
        if ok is None:
            ok = (slot == 0 or slot not in self.frozen_slots) and (
                self.calendar.global_blocker(slot) is None
            )
            self._slot_ok[slot] = ok
        if not ok:
            return False
        for system in self.blocks[block].systems:
            if system in self.calendar.system_blackouts:
                key = (system, slot)
                fine = self._system_ok.get(key)
                if fine is None:
                    fine = self.calendar.system_blocker(slot, (system,)) is None
                    self._system_ok[key] = fine
                if not fine:
                    return False
        return True

    def score(self, slots: list[int]) -> Score:
        """Objective of a complete placement (block -> slot)."""
        cut = 0.0
        for a, pairs in enumerate(self.ls):
            for b, weight in pairs:
                if a < b and slots[a] != slots[b]:
                    cut += weight
        exposure = sum(w * abs(slots[a] - slots[b]) for a, b, w in self.traffic)
        used = {s for s in slots if s != 0}
        return Score(ls_cut=cut, waves=len(used), exposure=exposure, last=max(slots, default=0))
