"""Plain-text tables for the command line (tabulate, so columns line up in any terminal),
and the one Markdown escape every Markdown report uses for text from a catalog."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

_SPECIALS = "\\`*_[]<>|#"  # backslash-escaped; "&" becomes "&amp;"
_ESCAPES = str.maketrans({"&": "&amp;", **{c: "\\" + c for c in _SPECIALS}})
_TO_ESCAPE = re.compile(f"[&{re.escape(_SPECIALS)}]")


def escape_markdown(value: object) -> str:
    """Text safe in Markdown, tables included: one line, no HTML, no emphasis, no links,
    no column breaks (``&`` as an entity, specials backslash-escaped, whitespace runs one
    space)."""
    text = " ".join(str(value).split())
    # most texts of a catalog (ids, names, addresses, lists of them) have nothing to
    # escape: one regex scan, not translate's per-character lookup (slow on long texts)
    if _TO_ESCAPE.search(text) is None:
        return text
    return text.translate(_ESCAPES)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A simple table with a header rule; numbers right-aligned."""
    return tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=False)
