"""The cost comparison: ÅDA (stay and move path) vs Azure vs AWS, and its output files."""

from migration.cost.model import (
    METHOD,
    OPTIONS,
    CostOptions,
    CostReport,
    break_even,
    compare_costs,
    legal_flags,
)
from migration.cost.outputs import render_text, write_cost_outputs

__all__ = [
    "METHOD",
    "OPTIONS",
    "CostOptions",
    "CostReport",
    "break_even",
    "compare_costs",
    "legal_flags",
    "render_text",
    "write_cost_outputs",
]
