"""Wave slots and their dates: slot k runs ``wave_days`` days from ``start + k * wave_days``.

A wave's number is its slot, so a wave's dates never depend on which other waves are used;
a slot that overlaps a global blackout holds no wave, and a slot that overlaps a system's
blackout holds none of that system's servers (rule 6).
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from migration.catalog import Blackout, Catalog

__all__ = ["Calendar", "months_before"]


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

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Calendar:
        """The calendar of ``catalog.planning`` and its systems' blackouts."""
        planning = catalog.planning
        return cls(
            start=planning.start,
            wave_days=planning.wave_days,
            blackouts=planning.blackouts,
            system_blackouts={s.id: s.blackouts for s in catalog.systems if s.blackouts},
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
