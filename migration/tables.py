"""Plain-text tables for the command line (tabulate, so columns line up in any terminal),
and the one Markdown escape every Markdown report uses for text from a catalog."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_MD_TO_ESCAPE = re.compile(r"[\\`*_\[\]<>|#&]")


def escape_markdown(value: object) -> str:
    """Text safe in Markdown, tables included: one line, no HTML, no emphasis, no links,
    no column breaks (``&`` as an entity, specials backslash-escaped)."""
    text = " ".join(str(value).split())
    if _MD_TO_ESCAPE.search(text) is None:  # most cells (ids, names, dates): one scan
        return text
    return _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A simple table with a header rule; numbers right-aligned."""
    return tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=False)
