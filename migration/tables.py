"""Plain-text tables for the command line (tabulate, so columns line up in any terminal)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tabulate import tabulate


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A simple table with a header rule; numbers right-aligned."""
    return tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=False)
