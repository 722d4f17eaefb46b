"""The top findings of the overlap analysis (``utflytt overlap``) for the decision summary.

The analysis itself lives in :mod:`migration.overlap`; here its groups with something to
retire become short rows in the report's language, the first-year saving formatted the way
the rest of the report formats money.
"""

from __future__ import annotations

from exit_plan.data import Lang
from exit_plan.view import OverlapRow
from migration.catalog.capabilities import capability_name
from migration.overlap import OverlapReport
from migration.overlap.render import money

TOP = 5
"""Findings shown in the decision summary; the whole list is in overlap.<lang>.md."""


def overlap_rows(
    report: OverlapReport | None, lang: Lang, top: int = TOP
) -> tuple[OverlapRow, ...]:
    """The ``top`` groups that retire a system, largest first-year saving first."""
    if report is None:
        return ()
    found = sorted(
        (g for g in report.groups if g.retire and g.keep),
        key=lambda g: (-g.savings_eur_per_year, g.capability),
    )[:top]
    return tuple(
        OverlapRow(
            capability=capability_name(g.capability, lang),
            keep=str(g.keep),
            retire=", ".join(g.retire),
            saving=("" if g.complete else "≥ ") + money(g.savings_eur_per_year, lang) + " EUR",
        )
        for g in found
    )
