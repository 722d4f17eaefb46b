"""The cyclic garbage collector paused around work that builds millions of acyclic objects.

CPython frees almost every object by reference counting; the cyclic collector exists for
objects that refer to each other in a ring. Loading, planning and writing a 100k-server
estate allocate tens of millions of small dicts, tuples and models that never form such
rings, yet every few thousand allocations the collector walks the young ones, and now and
then every object alive: at 100k servers that was a third of ``utflytt plan``'s CPU time
(20 s of 70 s), for a few hundred thousand cyclic leftovers (jinja2 and openpyxl objects).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused(*, collect_after: bool = False) -> Iterator[None]:
    """No cyclic collection inside the block; the collector's state is restored after it.

    ``collect_after``: one full collection on the way out (when the collector was on), so
    the block's cyclic leftovers are freed there and then, and their cost is the block's.
    Nested blocks are fine: only the outermost one that found the collector on turns it
    back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            if collect_after:
                gc.collect()
