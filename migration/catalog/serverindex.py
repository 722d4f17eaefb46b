"""A catalog's servers keyed by id, built once per ``servers`` tuple, read-only.

:attr:`migration.catalog.models.Catalog.servers_by_id` is asked for several times a run
(at 100k servers each a 100,000-entry dict). A few indexes are kept, keyed by the identity
of the ``servers`` tuple they index; each entry holds that tuple, so its id cannot be
reused while the entry lives, and a ``model_copy`` that replaces the servers brings a new
tuple and so a new index. The index is a ``MappingProxyType``: no caller can change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migration.catalog.models import Server

_INDEXES: dict[int, tuple[tuple[Server, ...], Mapping[str, Server]]] = {}
_KEPT = 4


def servers_index(servers: tuple[Server, ...]) -> Mapping[str, Server]:
    """The servers keyed by id (see the module docstring)."""
    entry = _INDEXES.get(id(servers))
    if entry is not None and entry[0] is servers:
        return entry[1]
    index = MappingProxyType({s.id: s for s in servers})
    if len(_INDEXES) >= _KEPT:
        del _INDEXES[next(iter(_INDEXES))]
    _INDEXES[id(servers)] = (servers, index)
    return index
