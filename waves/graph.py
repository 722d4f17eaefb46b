"""The estate as a dependency graph: servers, server-level flows and move cells.

A *flow* is one server-to-server dependency (consumer -> provider), as
:func:`migration.flows.server_flows` derives them (the one rule: same environment, merged
per server pair).

A *cell* is one system and environment of a migrating system: the smallest thing that
moves (rule 2). Flows are kept as parallel lists, not one object per flow, so that 100k
servers and half a million flows stay small.
"""

from __future__ import annotations

from dataclasses import dataclass

from migration.catalog import MIGRATING_DISPOSITIONS, Catalog
from migration.flows import port_key, server_flows

__all__ = ["Estate", "build_estate", "port_key"]

ENV_ORDER = {"dev": 0, "test": 1, "prod": 2}


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
    """The servers of ``catalog`` and its flows (:func:`migration.flows.server_flows`)."""
    servers = sorted(catalog.servers, key=lambda s: s.id)
    index = {s.id: i for i, s in enumerate(servers)}
    systems = catalog.systems_by_id
    flows = server_flows(catalog)  # sorted by (consumer, provider): the index order too

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

    return Estate(
        server_ids=tuple(s.id for s in servers),
        server_system=tuple(s.system for s in servers),
        server_vcpu=tuple(s.vcpu for s in servers),
        server_cell=server_cell,
        flow_from=tuple([index[f.from_] for f in flows]),
        flow_to=tuple([index[f.to] for f in flows]),
        flow_ports=tuple([f.ports for f in flows]),
        flow_ls=tuple([f.latency_sensitive for f in flows]),
        flow_weight=tuple([f.weight for f in flows]),
        cells=tuple(cell_keys),
        cell_servers=tuple(tuple(c) for c in cell_servers),
    )
