"""Wave slots and their dates: slot k runs ``wave_days`` days from ``start + k * wave_days``.

A wave's number is its slot, so a wave's dates never depend on which other waves are used;
a slot that overlaps a global blackout holds no wave, and a slot that overlaps a system's
blackout holds none of that system's servers (rule 6).

Wave 0 (the landing zone) is a wave too: when ``planning.start`` would put it in a global
blackout, the calendar starts the day after that blackout instead (``moved_from`` keeps the
asked-for date, and the plan warns). Blackouts that leave no start within the planner's
horizon (:data:`MAX_SLOTS` waves) are a :class:`PlanError` naming them.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from migration.catalog import Blackout, Catalog
from migration.catalog.models import LATEST, MAX_SLOTS  # the horizon, also plan.json's bound
from migration.errors import PlanError

__all__ = ["MAX_SLOTS", "Calendar", "months_before"]


def months_before(day: date, months: int) -> date:
    """``day`` minus ``months`` calendar months (the day clamped to the month's length)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Calendar:
    """Slot dates and the blackouts that make a slot unusable."""

    start: date
    wave_days: int
    blackouts: tuple[Blackout, ...] = ()
    system_blackouts: Mapping[str, tuple[Blackout, ...]] = field(default_factory=dict)
    moved_from: date | None = None  # planning.start, when a blackout moved wave 0 later
    moved_by: tuple[Blackout, ...] = ()  # the global blackouts that moved it, in order

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Calendar:
        """The calendar of ``catalog.planning`` and its systems' blackouts.

        Wave 0 starts at ``planning.start``, or the day after the global blackouts that
        slot would overlap.
        """
        planning = catalog.planning
        start, moved_by = first_free_start(planning.start, planning.wave_days, planning.blackouts)
        return cls(
            start=start,
            wave_days=planning.wave_days,
            blackouts=planning.blackouts,
            system_blackouts={s.id: s.blackouts for s in catalog.systems if s.blackouts},
            moved_from=planning.start if moved_by else None,
            moved_by=moved_by,
        )

    def slot_start(self, slot: int) -> date:
        """First day of the slot."""
        return self.start + timedelta(days=slot * self.wave_days)

    def slot_end(self, slot: int) -> date:
        """Last day of the slot (inclusive)."""
        return self.slot_start(slot) + timedelta(days=self.wave_days - 1)

    def days_between(self, first: int, second: int) -> int:
        """Days between the starts of two slots (never negative)."""
        return abs(second - first) * self.wave_days

    def global_blocker(self, slot: int) -> Blackout | None:
        """The first global blackout overlapping the slot, if any."""
        start, end = self.slot_start(slot), self.slot_end(slot)
        for blackout in self.blackouts:
            if blackout.overlaps(start, end):
                return blackout
        return None

    def system_blocker(self, slot: int, systems: Iterable[str]) -> tuple[str, Blackout] | None:
        """The first (system, blackout) of ``systems`` overlapping the slot, if any."""
        start, end = self.slot_start(slot), self.slot_end(slot)
        for system in sorted(systems):
            for blackout in self.system_blackouts.get(system, ()):
                if blackout.overlaps(start, end):
                    return system, blackout
        return None

    def usable(self, slot: int, systems: Iterable[str]) -> bool:
        """True when the slot may hold these systems' servers."""
        return self.global_blocker(slot) is None and self.system_blocker(slot, systems) is None


def first_free_start(
    start: date, wave_days: int, blackouts: tuple[Blackout, ...]
) -> tuple[date, tuple[Blackout, ...]]:
    """The first day from ``start`` on whose ``wave_days`` overlap no global blackout.

    Returns that day and the blackouts stepped over. Raises :class:`PlanError` naming the
    blackouts when no such day lets wave 0 end by :data:`LATEST`, the last day a plan may
    use (or within the planner's horizon of :data:`MAX_SLOTS` waves).
    """
    asked = start
    try:
        last = min(LATEST, start + timedelta(days=MAX_SLOTS * wave_days - 1))
    except OverflowError:
        last = LATEST
    moved: list[Blackout] = []
    while True:
        try:
            end = start + timedelta(days=wave_days - 1)
        except OverflowError:
            end = date.max
        blocker = (
            None if end > last else next((b for b in blackouts if b.overlaps(start, end)), None)
        )
        if blocker is None and end <= last:
            return start, tuple(moved)
        if blocker is None:
            subjects = [("planning", "blackouts", blackouts.index(b)) for b in moved]
            names = "; ".join(
                f"{b.from_} to {b.to}" + (f" ({b.reason})" if b.reason else "") for b in moved
            )
            raise PlanError(
                f"the global blackouts leave no date for wave 0: from planning.start {asked} "
                f"to {last}, the last day a plan may use, every {wave_days}-day wave overlaps "
                f"one of them ({names}); shorten them",
                subjects=[("planning", "start"), *dict.fromkeys(subjects)],
            )
        moved.append(blocker)
        try:
            start = blocker.to + timedelta(days=1)
        except OverflowError:
            start = date.max
