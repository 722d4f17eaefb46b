"""Totals, NPV, break-even and sensitivity of the monthly series."""

from __future__ import annotations

from typing import Any

from migration.cost.cloud import PRICED_COMPONENTS
from migration.cost.series import cumulative, npv, r2, yearly

ONE_TIME_COMPONENTS = frozenset({"exit_fee", "migration_effort"})


def total_monthly(
    components: dict[str, list[float]], months: int, scale: float = 1.0
) -> list[float]:
    """Monthly totals over components; book-priced components scaled by ``scale``."""
    totals = [0.0] * months
    for component, values in components.items():
        factor = scale if component in PRICED_COMPONENTS else 1.0
        for i, v in enumerate(values):
            totals[i] += v * factor
    return totals


def break_even(
    path: list[float], stay: list[float], labels: tuple[str, ...], not_before: int
) -> str | None:
    """First month from which the path's cumulative cost stays <= staying's, or None."""
    cum_path = cum_stay = 0.0
    ok_from: int | None = None
    for i, (p, s) in enumerate(zip(path, stay, strict=True)):
        cum_path += p
        cum_stay += s
        if cum_path <= cum_stay + 1e-6:
            if ok_from is None:
                ok_from = i
        else:
            ok_from = None
    if ok_from is None:
        return None
    return labels[max(ok_from, min(not_before, len(labels) - 1))]


def series_doc(
    label: str, components: dict[str, list[float]], years: tuple[int, ...], rate: float
) -> dict[str, Any]:
    """One series in cost.json: yearly, cumulative, one-time, NPV, total, components."""
    months = len(years) * 12
    totals = total_monthly(components, months)
    by_year = yearly(totals, years)
    one_time = sum(sum(v) for c, v in components.items() if c in ONE_TIME_COMPONENTS)
    return {
        "label": label,
        "yearly": by_year,
        "cumulative": cumulative(by_year),
        "one_time": r2(one_time),
        "npv": npv(totals, rate),
        "total": r2(sum(totals)),
        "components": {c: yearly(v, years) for c, v in sorted(components.items())},
    }


def path_doc(
    label: str,
    ada: dict[str, list[float]],
    cloud: dict[str, list[float]],
    stay_total: list[float],
    years: tuple[int, ...],
    labels: tuple[str, ...],
    first_move: int,
    rate: float,
    sensitivity: float,
) -> tuple[dict[str, Any], str | None, dict[str, Any]]:
    """(path document, break-even month, sensitivity) of ÅDA on the move path + a cloud."""
    months = len(labels)
    ada_total = total_monthly(ada, months)
    path = [a + c for a, c in zip(ada_total, total_monthly(cloud, months), strict=True)]
    by_year = yearly(path, years)
    doc = {
        "label": label,
        "yearly": by_year,
        "cumulative": cumulative(by_year),
        "total": r2(sum(path)),
        "npv": npv(path, rate),
    }
    sens: dict[str, Any] = {}
    for name, factor in (("low", 1 - sensitivity), ("high", 1 + sensitivity)):
        scaled = total_monthly(cloud, months, factor)
        sens[name] = r2(sum(scaled))
        sens[f"break_even_{name}"] = break_even(
            [a + c for a, c in zip(ada_total, scaled, strict=True)], stay_total, labels, first_move
        )
    return doc, break_even(path, stay_total, labels, first_move), sens
