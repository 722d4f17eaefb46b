"""The cost model's public names in one place (the model itself is split by concept).

- :mod:`migration.cost.options`: every assumption, settable from the catalog and ``--set``;
- :mod:`migration.cost.series`: monthly series, warnings, what is unpriced;
- :mod:`migration.cost.cloud`: the cloud side, every line priced or named as unpriced;
- :mod:`migration.cost.ada`: the ÅDA contract model;
- :mod:`migration.cost.licences`: Hybrid Benefit and License Mobility within entitlements;
- :mod:`migration.cost.finance`: totals, NPV, break-even, sensitivity;
- :mod:`migration.cost.optimise`: optimisation paths beside "as planned";
- :mod:`migration.cost.prices`: provenance of every price used;
- :mod:`migration.cost.legal`: legal-review flags;
- :mod:`migration.cost.comparison`: the cost.json document.
"""

from __future__ import annotations

from migration.cost.cloud import backup_monthly as _backup_monthly
from migration.cost.cloud import backup_prices as _backup_prices
from migration.cost.comparison import METHOD, CostReport, compare_costs, plan_years
from migration.cost.finance import break_even
from migration.cost.legal import legal_flags
from migration.cost.options import OPTION_ALIASES, OPTIONS, CostOptions

__all__ = [
    "_backup_monthly",  # for migration.overlap (per-system costs)
    "_backup_prices",
    "METHOD",
    "OPTIONS",
    "OPTION_ALIASES",
    "CostOptions",
    "CostReport",
    "break_even",
    "compare_costs",
    "legal_flags",
    "plan_years",
]
