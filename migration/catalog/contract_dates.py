"""The warning ``validate`` gives for a contract that ends before the migration starts.

Such a catalog is valid: a contract that has already run out (or runs out before wave 0)
happens, and the city keeps running at the provider without one, usually on the provider's
goodwill or a month-to-month arrangement. Procurement must know that before anything else,
so ``validate`` says so with both dates and the line of ``contract.ends``; ``plan`` then
warns that its waves run past the contract end (``past-deadline``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from migration.catalog.models import Catalog
from migration.catalog.source import read_source
from migration.errors import Issue

CONTRACT_ENDS = ("contract", "ends")


def contract_ended_message(catalog: Catalog) -> str | None:
    """What a contract ending before ``planning.start`` means, or None when it does not."""
    ends, start = catalog.contract.ends, catalog.planning.start
    if ends is None or ends >= start:
        return None
    return (
        f"the contract ends {ends}, before the migration starts {start} (planning.start): "
        f"the city runs without a contract from {ends + timedelta(days=1)} until its last "
        "server has left; extend the contract, or correct contract.ends"
    )


def contract_date_issues(catalog: Catalog, path: str | Path) -> list[Issue]:
    """The warning as an :class:`Issue` at the line of ``contract.ends`` (none: [])."""
    message = contract_ended_message(catalog)
    if message is None:
        return []
    source = read_source(Path(path))
    source.prefetch([CONTRACT_ENDS])
    return [source.issue(CONTRACT_ENDS, message)]
