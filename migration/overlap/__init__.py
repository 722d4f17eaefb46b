"""Overlap analysis: which systems do the same job, what to keep, what retiring the rest saves.

- :func:`analyse_overlap`: groups of systems sharing a declared capability, with a keep /
  retire recommendation and priced savings, plus name, vendor and role hints;
- :func:`retire_systems` and :func:`compare_plans`: the what-if catalog and what it changes;
- :func:`render_overlap_markdown`: overlap.<lang>.md.
"""

from migration.overlap.costs import OverlapOptions, SystemCost
from migration.overlap.render import render_overlap_markdown, render_plan_section
from migration.overlap.report import Group, OverlapReport, analyse_overlap
from migration.overlap.suggestions import Suggestion
from migration.overlap.whatif import WhatIf, compare_plans, retire_systems

__all__ = [
    "Group",
    "OverlapOptions",
    "OverlapReport",
    "Suggestion",
    "SystemCost",
    "WhatIf",
    "analyse_overlap",
    "compare_plans",
    "render_overlap_markdown",
    "render_plan_section",
    "retire_systems",
]
