"""Pausing the cyclic garbage collector around a pure computation that builds many objects.

The network stages of ``utflytt plan`` (the policy, the allocations, the limit counts) build
millions of small tuples, dicts and frozen dataclasses and no reference cycles; at 100k
servers the cyclic collector walks them again and again while they grow, a third of those
stages' time. Reference counting still frees everything as usual while it is paused; only
cycles wait until it runs again.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block (also a decorator); a caller that had
    disabled it already keeps it disabled."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
