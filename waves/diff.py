"""What changed between two plans: servers that changed wave, waves added or removed, dates.

``diff_plans(old, new)`` returns a :class:`PlanDiff`; ``render_text`` is the human form
(``no changes`` when there are none), ``to_json`` the machine form. Both are sorted, so the
same two plans always give the same output.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from migration.plan import Plan, Wave

__all__ = ["DateMove", "PlanDiff", "WaveChange", "diff_plans"]


@dataclass(frozen=True, order=True)
class WaveChange:
    """A server present in both plans whose wave differs (None: not migrated)."""

    server: str
    old: int | None
    new: int | None
    system: str = ""


@dataclass(frozen=True, order=True)
class DateMove:
    """A wave present in both plans whose dates differ."""

    number: int
    old_start: date
    old_end: date
    new_start: date
    new_end: date

    @property
    def shift_days(self) -> int:
        """Days the start moved (positive: later)."""
        return (self.new_start - self.old_start).days


@dataclass(frozen=True)
class PlanDiff:
    """Differences between an old and a new plan."""

    moved: tuple[WaveChange, ...] = ()
    servers_added: tuple[str, ...] = ()
    servers_removed: tuple[str, ...] = ()
    waves_added: tuple[Wave, ...] = ()
    waves_removed: tuple[Wave, ...] = ()
    dates_moved: tuple[DateMove, ...] = ()
    catalog_changed: bool = False

    @property
    def empty(self) -> bool:
        """True when the plans agree on every server's wave and every wave's dates."""
        return not (
            self.moved
            or self.servers_added
            or self.servers_removed
            or self.waves_added
            or self.waves_removed
            or self.dates_moved
        )

    def to_json(self) -> dict[str, object]:
        """JSON-ready dict (sorted lists, ISO dates)."""
        return {
            "changed": not self.empty,
            "catalog_changed": self.catalog_changed,
            "servers_moved": [
                {"server": m.server, "system": m.system, "from_wave": m.old, "to_wave": m.new}
                for m in self.moved
            ],
            "servers_added": list(self.servers_added),
            "servers_removed": list(self.servers_removed),
            "waves_added": [_wave_json(w) for w in self.waves_added],
            "waves_removed": [_wave_json(w) for w in self.waves_removed],
            "dates_moved": [
                {
                    "wave": d.number,
                    "old": {"start": d.old_start.isoformat(), "end": d.old_end.isoformat()},
                    "new": {"start": d.new_start.isoformat(), "end": d.new_end.isoformat()},
                    "shift_days": d.shift_days,
                }
                for d in self.dates_moved
            ],
        }

    def render_text(self) -> str:
        """Human-readable summary, one section per kind of change."""
        if self.empty:
            tail = " (the catalog changed)" if self.catalog_changed else ""
            return f"no changes{tail}\n"
        lines: list[str] = []
        if self.moved:
            lines.append(f"servers that changed wave ({len(self.moved)}):")
            width = max(len(m.server) for m in self.moved)
            for m in self.moved:
                system = f"  ({m.system})" if m.system else ""
                lines.append(f"  {m.server:<{width}}  {_w(m.old)} -> {_w(m.new)}{system}")
        for title, ids in (
            ("servers added", self.servers_added),
            ("servers removed", self.servers_removed),
        ):
            if ids:
                lines.append(f"{title} ({len(ids)}): {', '.join(ids)}")
        for title, waves in (
            ("waves added", self.waves_added),
            ("waves removed", self.waves_removed),
        ):
            if waves:
                lines.append(f"{title} ({len(waves)}):")
                lines += [
                    f"  {w.name}  {w.start}..{w.end}  {len(w.servers)} servers" for w in waves
                ]
        if self.dates_moved:
            lines.append(f"wave dates moved ({len(self.dates_moved)}):")
            for d in self.dates_moved:
                lines.append(
                    f"  wave-{d.number:02d}  {d.old_start}..{d.old_end} -> "
                    f"{d.new_start}..{d.new_end}  ({d.shift_days:+d} days)"
                )
        if self.catalog_changed:
            lines.append("the catalog changed (catalog_sha256 differs)")
        return "\n".join(lines) + "\n"


def _w(wave: int | None) -> str:
    return "not migrated" if wave is None else str(wave)


def _wave_json(wave: Wave) -> dict[str, object]:
    return {
        "number": wave.number,
        "name": wave.name,
        "start": wave.start.isoformat(),
        "end": wave.end.isoformat(),
        "servers": len(wave.servers),
    }


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    """Compare two plans server by server and wave by wave."""
    both = sorted(set(old.servers) & set(new.servers))
    moved = tuple(
        WaveChange(sid, old.servers[sid].wave, new.servers[sid].wave, new.servers[sid].system)
        for sid in both
        if old.servers[sid].wave != new.servers[sid].wave
    )
    old_waves = {w.number: w for w in old.waves}
    new_waves = {w.number: w for w in new.waves}
    dates = tuple(
        DateMove(k, old_waves[k].start, old_waves[k].end, new_waves[k].start, new_waves[k].end)
        for k in sorted(set(old_waves) & set(new_waves))
        if (old_waves[k].start, old_waves[k].end) != (new_waves[k].start, new_waves[k].end)
    )
    return PlanDiff(
        moved=moved,
        servers_added=tuple(sorted(set(new.servers) - set(old.servers))),
        servers_removed=tuple(sorted(set(old.servers) - set(new.servers))),
        waves_added=tuple(new_waves[k] for k in sorted(set(new_waves) - set(old_waves))),
        waves_removed=tuple(old_waves[k] for k in sorted(set(old_waves) - set(new_waves))),
        dates_moved=dates,
        catalog_changed=old.catalog_sha256 != new.catalog_sha256,
    )
