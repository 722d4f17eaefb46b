"""Monthly series, their yearly sums and NPV, and the collectors of warnings and of what
could not be priced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


class Series:
    """Monthly amounts per component, accumulated with difference arrays."""

    def __init__(self, months: int, components: tuple[str, ...]) -> None:
        self.months = months
        self.diff = {c: [0.0] * (months + 1) for c in components}

    def run(self, component: str, start: int, end: int, amount: float) -> None:
        """Add ``amount`` every month from index ``start`` through ``end`` (inclusive)."""
        start = max(start, 0)
        end = min(end, self.months - 1)
        if end < start or amount == 0:
            return
        diff = self.diff[component]
        diff[start] += amount
        diff[end + 1] -= amount

    def once(self, component: str, month: int, amount: float) -> None:
        """Add a one-time amount in one month (dropped outside the horizon)."""
        if 0 <= month < self.months:
            self.run(component, month, month, amount)

    def add_monthly(self, component: str, values: list[float]) -> None:
        """Add a whole monthly vector."""
        diff = self.diff[component]
        previous = 0.0
        for index, value in enumerate(values):
            diff[index] += value - previous
            previous = value
        diff[len(values)] -= previous

    def monthly(self) -> dict[str, list[float]]:
        """Component -> monthly amounts."""
        result: dict[str, list[float]] = {}
        for component, diff in self.diff.items():
            values: list[float] = []
            running = 0.0
            for delta in diff[:-1]:
                running += delta
                values.append(running)
            result[component] = values
        return result


def _shown(subjects: list[str]) -> str:
    return ", ".join(subjects[:5]) + (" ..." if len(subjects) > 5 else "")


@dataclass
class Warnings:
    """Warnings grouped by (code, key), each with the subjects it applies to."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, code: str, key: str, message: str, subject: str | None = None) -> None:
        """Record a warning (once per code and key), optionally about one subject."""
        entry = self.items.setdefault(
            f"{code}|{key}", {"code": code, "message": message, "subjects": []}
        )
        if subject is not None:
            entry["subjects"].append(subject)

    def render(self) -> list[dict[str, Any]]:
        """Sorted warnings; the message counts and names the first subjects."""
        out = []
        for _key, entry in sorted(self.items.items()):
            subjects = sorted(entry["subjects"])
            message = entry["message"]
            if subjects:
                message = f"{message} ({len(subjects)}: {_shown(subjects)})"
            out.append({"code": entry["code"], "message": message, "subjects": subjects})
        return out


@dataclass
class Unpriced:
    """What a provider's total leaves out, and why: the total is then a lower bound."""

    items: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)

    def add(self, provider: str, what: str, why: str, subject: str | None = None) -> None:
        """Record an unpriced item (once per provider, what and why)."""
        subjects = self.items.setdefault((provider, what, why), [])
        if subject is not None:
            subjects.append(subject)

    def for_provider(self, provider: str) -> list[dict[str, Any]]:
        """cost.json ``unpriced`` of one provider: [{what, why, count, subjects}]."""
        out = []
        for (prov, what, why), subjects in sorted(self.items.items()):
            if prov != provider:
                continue
            ordered = sorted(subjects)
            out.append({"what": what, "why": why, "count": len(ordered), "subjects": ordered})
        return out


def month_index(day: date, first_year: int) -> int:
    """Index of the month holding ``day`` in a series starting January of ``first_year``."""
    return (day.year - first_year) * 12 + day.month - 1


def r2(value: float) -> float:
    """Rounded to cents (negative zero made positive)."""
    return round(value + 0.0, 2)


def yearly(values: list[float], years: tuple[int, ...]) -> dict[str, float]:
    """Monthly values summed per budget year."""
    return {str(y): r2(sum(values[i * 12 : (i + 1) * 12])) for i, y in enumerate(years)}


def cumulative(by_year: dict[str, float]) -> dict[str, float]:
    """Running totals of yearly values."""
    running = 0.0
    out = {}
    for year, value in by_year.items():
        running += value
        out[year] = r2(running)
    return out


def npv(values: list[float], rate: float) -> float:
    """Net present value of monthly amounts at a yearly discount rate."""
    return r2(sum(v / (1 + rate) ** (i / 12) for i, v in enumerate(values)))
