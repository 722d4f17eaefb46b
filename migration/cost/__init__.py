"""The cost comparison: ÅDA (stay and move path) vs Azure vs AWS, and its output files."""

from migration.cost.comparison import METHOD, CostReport, compare_costs
from migration.cost.finance import break_even
from migration.cost.legal import legal_flags
from migration.cost.options import OPTIONS, CostOptions, parse_set, with_assumptions
from migration.cost.outputs import render_text, write_cost_outputs

__all__ = [
    "METHOD",
    "OPTIONS",
    "CostOptions",
    "CostReport",
    "break_even",
    "compare_costs",
    "legal_flags",
    "parse_set",
    "render_text",
    "with_assumptions",
    "write_cost_outputs",
]
