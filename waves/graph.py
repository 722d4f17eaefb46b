"""The estate as a dependency graph: servers, server-level flows and move cells.

A *flow* is one server-to-server dependency (consumer -> provider). System-level
dependencies apply to every server of both systems; when a server pair is declared more
than once (server-level and system-level), the ports are merged, it is latency-sensitive if
any declaration is, and its weight is the largest declared.

A *cell* is one system and environment of a migrating system: the smallest thing that
moves (rule 2). Flows are kept as parallel lists, not one object per flow, so that 100k
servers and half a million flows stay small.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from migration.catalog import MIGRATING_DISPOSITIONS, Catalog, Dependency, parse_port

__all__ = ["Estate", "build_estate", "port_key"]

ENV_ORDER = {"dev": 0, "test": 1, "prod": 2}


@lru_cache(maxsize=4096)
def port_key(port: str) -> tuple[str, int, int]:
    """Sort key of a port: protocol, then numerically."""
    return parse_port(port)


@lru_cache(maxsize=4096)
def _sorted_ports(ports: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(ports), key=port_key))


@dataclass(frozen=True)
class Estate:
    """Servers sorted by id, their flows and their cells (system, environment)."""

    server_ids: tuple[str, ...]
    server_system: tuple[str, ...]
    server_vcpu: tuple[int, ...]
    server_cell: tuple[int, ...]  # -1 when the server's system does not migrate
    flow_from: tuple[int, ...]  # consumer server index
    flow_to: tuple[int, ...]  # provider server index
    flow_ports: tuple[tuple[str, ...], ...]
    flow_ls: tuple[bool, ...]
    flow_weight: tuple[float, ...]
    cells: tuple[tuple[str, str], ...]  # (system id, environment), sorted
    cell_servers: tuple[tuple[int, ...], ...]

    @property
    def flow_count(self) -> int:
        """Number of server-level flows."""
        return len(self.flow_from)

    def cell_name(self, cell: int) -> str:
        """``system/environment``, for messages."""
        system, environment = self.cells[cell]
        return f"{system}/{environment}"


def build_estate(catalog: Catalog) -> Estate:
    """Expand and merge every dependency of ``catalog`` into server-level flows."""
    servers = sorted(catalog.servers, key=lambda s: s.id)
    index = {s.id: i for i, s in enumerate(servers)}
    systems = catalog.systems_by_id
    members: dict[str, list[int]] = defaultdict(list)
    for i, server in enumerate(servers):
        members[server.system].append(i)

    # (consumer, provider) -> [ports, latency-sensitive, weight]; ports stay the declared
    # tuple until a second declaration of the same pair merges them
    merged: dict[tuple[int, int], list[Any]] = {}

    def add(u: int, v: int, dep: Dependency) -> None:
        key = (u, v)
        known = merged.get(key)
        if known is None:
            merged[key] = [dep.ports, dep.latency_sensitive, dep.weight]
        else:
            known[0] = tuple(set(known[0]) | set(dep.ports))
            known[1] = known[1] or dep.latency_sensitive
            known[2] = max(known[2], dep.weight)

    get = index.get
    for u, server in enumerate(servers):
        for dep in server.depends_on:
            v = get(dep.to)
            if v is None or v == u:
                continue
            if (u, v) in merged:
                add(u, v, dep)
            else:
                merged[(u, v)] = [dep.ports, dep.latency_sensitive, dep.weight]
    for system in sorted(catalog.systems, key=lambda s: s.id):
        for dep in system.depends_on:
            if dep.to in systems and members.get(system.id) and members.get(dep.to):
                for u in members[system.id]:
                    for v in members[dep.to]:
                        if u != v:
                            add(u, v, dep)

    cell_keys = sorted(
        {
            (s.system, s.environment)
            for s in servers
            if s.system in systems and systems[s.system].disposition in MIGRATING_DISPOSITIONS
        }
    )
    cell_index = {key: i for i, key in enumerate(cell_keys)}
    server_cell = tuple(cell_index.get((s.system, s.environment), -1) for s in servers)
    cell_servers: list[list[int]] = [[] for _ in cell_keys]
    for i, cell in enumerate(server_cell):
        if cell >= 0:
            cell_servers[cell].append(i)

    items = sorted(merged.items())
    merged.clear()
    keys = [k for k, _ in items]
    values = [v for _, v in items]
    return Estate(
        server_ids=tuple(s.id for s in servers),
        server_system=tuple(s.system for s in servers),
        server_vcpu=tuple(s.vcpu for s in servers),
        server_cell=server_cell,
        flow_from=tuple([k[0] for k in keys]),
        flow_to=tuple([k[1] for k in keys]),
        flow_ports=tuple([_sorted_ports(v[0]) for v in values]),
        flow_ls=tuple([v[1] for v in values]),
        flow_weight=tuple([v[2] for v in values]),
        cells=tuple(cell_keys),
        cell_servers=tuple(tuple(c) for c in cell_servers),
    )
