"""Pure computations derived from a plan, computed once per plan object in a process.

A ``Plan`` is frozen, so what the network policy, the address plan, the rule sets and the
AWS layout derive from it cannot change while the object lives. ``utflytt plan`` checks
them and ``utflytt preview --all`` builds every stack of an estate from one plan: without
a cache each stack would recompute them (about a second per stack at 1,000 systems).

:func:`per_plan` caches by the identity of the arguments (the plan, a policy, a mapping)
and by value for scalars, keeping each argument alive in the
entry so that an identity is never reused while its entry exists. Only a few recent
entries per function are kept. Callers must not mutate a cached result (every decorated
function returns a frozen dataclass, or a dict its callers only read).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

ENTRIES = 4  # per function: the plans (and policies) of the last few runs
_CACHES: list[OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], Any]]] = []
_LOCK = threading.Lock()
HITS: dict[str, int] = {}  # calls answered from the cache, per function (tests, bench)
MISSES: dict[str, int] = {}  # calls computed, per function


_VALUES = (str, int, float, bool, type(None), frozenset)


def _key(value: Any) -> Any:
    """Scalars and frozensets by value; anything else (a plan, a policy, a mapping) by
    identity: hashing a frozen model would walk all of it, only to fail at its first dict."""
    if type(value) in _VALUES:
        return ("value", value)
    return ("id", id(value))


def per_plan(fn: Callable[P, R]) -> Callable[P, R]:
    """Cache ``fn``'s result per argument identity (unhashable arguments) or value.

    Decorate functions of a whole plan (or of its policy), not of a plan and one of many
    systems: only the last :data:`ENTRIES` argument combinations are kept.
    """
    return _memo(
        fn, lambda *args, **kwargs: (*args, *(x for kv in sorted(kwargs.items()) for x in kv))
    )


def per_plan_fields(*fields: str) -> Callable[[Callable[[Any], R]], Callable[[Any], R]]:
    """Like :func:`per_plan`, for a function of one plan that reads only ``fields`` of it:
    plans sharing those objects share the result (a ``model_copy`` that changed another
    field, e.g. ``utflytt plan`` adding the allocations, computes nothing again)."""

    def wrap(fn: Callable[[Any], R]) -> Callable[[Any], R]:
        return _memo(fn, lambda plan: tuple(getattr(plan, f) for f in fields))

    return wrap


def _memo(fn: Callable[P, R], keep_of: Callable[..., tuple[Any, ...]]) -> Callable[P, R]:
    """``fn`` cached by the identity (or scalar value) of what ``keep_of`` picks from its
    arguments; the picked objects stay alive in the entry, so an identity is never reused
    while its entry exists."""
    cache: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = OrderedDict()
    _CACHES.append(cache)
    name = fn.__qualname__

    @functools.wraps(fn)
    def cached(*args: P.args, **kwargs: P.kwargs) -> R:
        keep = keep_of(*args, **kwargs)
        key = tuple(_key(v) for v in keep)
        with _LOCK:
            hit = cache.get(key)
            if hit is not None:
                cache.move_to_end(key)
                HITS[name] = HITS.get(name, 0) + 1
                return hit[1]  # type: ignore[no-any-return]
        result = fn(*args, **kwargs)
        with _LOCK:
            MISSES[name] = MISSES.get(name, 0) + 1
            cache[key] = (keep, result)
            while len(cache) > ENTRIES:
                cache.popitem(last=False)
        return result

    return cached


def register(cache: OrderedDict[Any, Any]) -> OrderedDict[Any, Any]:
    """Have :func:`clear` empty ``cache`` too (a cache keyed by value, kept elsewhere)."""
    _CACHES.append(cache)
    return cache


def clear() -> None:
    """Forget every cached result and the counts (tests; a process done with its plans)."""
    with _LOCK:
        for cache in _CACHES:
            cache.clear()
        HITS.clear()
        MISSES.clear()
