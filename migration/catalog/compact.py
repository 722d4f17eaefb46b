"""One copy of each repeated value in a validated catalog: memory, not meaning.

A catalog of 100,000 servers holds about half a million dependencies, and validation gives
every record its own copy of everything: the set of field names it was given
(``__pydantic_fields_set__``, 200-700 bytes each), the text of each ``system``, ``os`` and
``to`` as parsed, a tuple of ports per dependency, a float per weight. Most of them repeat:
a few OS names and port lists, a dependency to the same server over the same ports from
every server of a system. :func:`compact_catalog` makes equal values one object:

- equal dependencies of servers (same ``to``, ports, latency flag and weight) become one
  :class:`Dependency` object (frozen, so sharing it changes nothing a reader can see);
- the field-name sets of records given the same fields become one set (pydantic copies
  the set before changing it, in ``model_copy``);
- repeated texts, port lists, disk lists, licences and numbers become one object each.

Values are only ever replaced by equal values of the same type (a float by a float, never
by an int; ``0.0`` is left alone, as ``-0.0`` equals it), so every output is byte for byte
what it was. At 100k servers the live objects after loading go from 0.58 to 0.18 GB.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from migration.catalog.models import Catalog, Dependency, Server, System

__all__ = ["compact_catalog"]

_ITEMS = (str, float)


class _Shared:
    """Memo tables of one compaction: the first of each equal value is the one kept.

    One table per type, so that only values of one type are ever compared (``1 == 1.0``).
    """

    def __init__(self) -> None:
        self.fields: dict[frozenset[str], set[str]] = {}
        self.texts: dict[str, str] = {}
        self.floats: dict[float, float] = {}
        self.tuples: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.models: dict[BaseModel, BaseModel] = {}
        self.dependencies: dict[tuple[Any, ...], Dependency] = {}

    def field_set(self, record: BaseModel) -> None:
        """Share the record's set of given field names with records given the same."""
        own: set[str] = record.__pydantic_fields_set__
        shared = self.fields.setdefault(frozenset(own), own)
        if shared is not own:
            object.__setattr__(record, "__pydantic_fields_set__", shared)

    def value(self, value: Any) -> Any:
        """The first value equal to this one and of its type (texts, non-zero floats,
        tuples of those, frozen models); anything else unchanged."""
        kind = type(value)
        if kind is str:
            return self.texts.setdefault(value, value)
        if kind is float:
            # 0.0 == -0.0: a zero keeps its own sign
            return self.floats.setdefault(value, value) if value else value
        if kind is tuple:
            # texts and non-zero floats only: equal tuples of them have equal item types
            if all(type(item) in _ITEMS and item for item in value):
                return self.tuples.setdefault(value, value)
            return value
        if isinstance(value, BaseModel):
            return self.models.setdefault(value, value)
        return value


def compact_catalog(catalog: Catalog) -> Catalog:
    """The same catalog, its repeated values shared in place (see the module doc)."""
    shared = _Shared()
    for system in catalog.systems:
        _compact_system(system, shared)
    for server in catalog.servers:
        _compact_server(server, shared)
    return catalog


def _compact_system(system: System, shared: _Shared) -> None:
    shared.field_set(system)
    fields = system.__dict__
    for name in ("sector", "owner", "cost_centre", "vendor", "capabilities"):
        fields[name] = shared.value(fields[name])
    for dependency in system.depends_on:
        shared.field_set(dependency)


def _compact_server(server: Server, shared: _Shared) -> None:
    shared.field_set(server)
    fields = server.__dict__
    text, value = shared.texts.setdefault, shared.value
    fields["system"] = text(fields["system"], fields["system"])
    fields["os"] = text(fields["os"], fields["os"])
    fields["memory_gb"] = value(fields["memory_gb"])
    fields["disks_gb"] = value(fields["disks_gb"])
    fields["monthly_cost"] = value(fields["monthly_cost"])
    fields["licences"] = value(fields["licences"])
    dependencies = fields["depends_on"]
    if dependencies:
        seen = shared.dependencies.get
        kept = []
        for dependency in dependencies:
            of = dependency.__dict__
            weight = of["weight"]
            key = (of["to"], of["ports"], of["latency_sensitive"], weight, type(weight))
            kept.append(seen(key) or _dependency(dependency, key, shared))
        fields["depends_on"] = tuple(kept)


def _dependency(dependency: Dependency, key: tuple[Any, ...], shared: _Shared) -> Dependency:
    """A dependency no equal one (target, ports, latency, weight) was seen before: its
    values shared, and itself kept as the one to use for those equal to it."""
    shared.field_set(dependency)
    fields = dependency.__dict__
    fields["to"] = shared.texts.setdefault(fields["to"], fields["to"])
    fields["ports"] = shared.value(fields["ports"])
    fields["weight"] = shared.value(fields["weight"])
    shared.dependencies[key] = dependency
    return dependency
