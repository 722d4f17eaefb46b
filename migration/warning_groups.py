"""Warnings grouped by code, for human outputs (plan.md, the exit plan, the command line).

At 100k servers a plan has over ten thousand warnings, mostly of a few codes; a reader
needs each code once, with how many and the first few examples. Machine outputs
(plan.json, exit-plan.json) keep every warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

EXAMPLES = 5
"""Examples shown per code; the rest are counted ("... and 120 more")."""


@dataclass(frozen=True)
class CodeGroup(Generic[T]):
    """The warnings of one code: how many, and the first of them in their original order."""

    code: str
    count: int
    examples: tuple[T, ...]

    @property
    def more(self) -> int:
        """Warnings of this code not among the examples."""
        return self.count - len(self.examples)


def group_by_code(
    items: Iterable[T], code: Callable[[T], str], examples: int = EXAMPLES
) -> list[CodeGroup[T]]:
    """``items`` grouped by ``code(item)``, most frequent code first (ties by code), each
    with its first ``examples`` items. One pass; nothing is lost: the counts add up."""
    counts: dict[str, int] = {}
    firsts: dict[str, list[T]] = {}
    for item in items:
        key = code(item)
        counts[key] = counts.get(key, 0) + 1
        kept = firsts.setdefault(key, [])
        if len(kept) < examples:
            kept.append(item)
    ordered = sorted(counts, key=lambda k: (-counts[k], k))
    return [CodeGroup(k, counts[k], tuple(firsts[k])) for k in ordered]
