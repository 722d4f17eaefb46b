"""The estate as a graph of cells (system + environment) for the wave planner.

:class:`CellGraph` holds what grouping needs of every cell: the servers it fixes (a pin or a
migrated server, rule 5), its size, and two graphs: ``order`` (consumer -> provider for every
flow between migrating cells, and prod -> test/dev of one system: rules 2 and 4) and
``glue`` (``order`` plus both directions of every latency-sensitive flow between cells that
may move: rule 3). :class:`Atoms` are the dependency-cycle components of ``order`` (cycles
make one move group) with the earliest and latest slot the pins allow each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx

from migration.catalog import Catalog
from migration.errors import PlanError
from waves.graph import Estate
from waves.pins import bounds, fixed_cells, links

__all__ = ["Atoms", "CellGraph", "find_atoms", "group_name", "reachable", "strongly_connected"]


@dataclass(frozen=True)
class CellGraph:
    """Cells with their pins, sizes and order and glue graphs (module docstring)."""

    estate: Estate
    fixed: Mapping[int, tuple[int, str]]  # cell -> (slot, the server that fixes it)
    frozen: set[int]  # cells with migrated servers
    order: set[tuple[int, int]]  # (consumer cell, provider cell)
    ls: Mapping[tuple[int, int], float]  # latency-sensitive weight per unordered cell pair
    traffic: Mapping[tuple[int, int], float]  # all weight per unordered cell pair
    size: list[int]  # servers per cell
    vcpu: list[int]  # vCPU per cell
    caps: tuple[int, int]  # wave capacity: servers, vCPU
    order_graph: list[list[int]]
    glue_graph: list[list[int]]

    @classmethod
    def build(cls, catalog: Catalog, estate: Estate, pins: Mapping[str, int]) -> CellGraph:
        """The cell graph of ``estate`` with ``pins`` on top of the catalog's."""
        planning = catalog.planning
        fixed, frozen = fixed_cells(catalog, estate, pins)
        order, ls, traffic = _cell_edges(estate)
        n = len(estate.cells)
        order_graph: list[list[int]] = [[] for _ in range(n)]
        for a, b in sorted(order):
            order_graph[a].append(b)
        glue_graph = [list(edges) for edges in order_graph]
        for a, b in sorted(ls):
            if a not in frozen and b not in frozen:
                glue_graph[a].append(b)
                glue_graph[b].append(a)
        return cls(
            estate=estate,
            fixed=fixed,
            frozen=frozen,
            order=order,
            ls=ls,
            traffic=traffic,
            size=[len(s) for s in estate.cell_servers],
            vcpu=[sum(estate.server_vcpu[i] for i in s) for s in estate.cell_servers],
            caps=(planning.max_servers_per_wave, planning.max_vcpu_per_wave),
            order_graph=order_graph,
            glue_graph=glue_graph,
        )

    def servers(self, cells: list[int]) -> int:
        """Servers in these cells."""
        return sum(self.size[c] for c in cells)

    def cpus(self, cells: list[int]) -> int:
        """vCPU of these cells."""
        return sum(self.vcpu[c] for c in cells)

    def fits(self, cells: list[int]) -> bool:
        """True when these cells fit in one wave."""
        return self.servers(cells) <= self.caps[0] and self.cpus(cells) <= self.caps[1]

    def slots_of(self, cells: list[int]) -> set[int]:
        """The slots these cells are fixed to."""
        return {self.fixed[c][0] for c in cells if c in self.fixed}

    def cycle_text(self, cells: list[int]) -> str:
        """``dependency cycle a/prod -> b/prod -> a/prod`` through these cells."""
        return cycle_text(self.order_graph, cells, self.estate)


@dataclass(frozen=True)
class Atoms:
    """Dependency-cycle components of the order graph and their bounds from pins."""

    atoms: list[list[int]]
    atom_of: list[int]
    lo: tuple[int, ...]
    hi: tuple[int | None, ...]
    slot: list[int | None]  # the slot an atom is fixed to, if any

    def interval_ok(self, cells: list[int]) -> bool:
        """True when one slot satisfies every atom of these cells (pins and bounds)."""
        members = sorted({self.atom_of[c] for c in cells})
        lows = [self.lo[a] for a in members] + [
            s for a in members if (s := self.slot[a]) is not None
        ]
        highs = [h for a in members if (h := self.hi[a]) is not None]
        highs += [s for a in members if (s := self.slot[a]) is not None]
        return not highs or max(lows) <= min(highs)


def find_atoms(graph: CellGraph) -> Atoms:
    """The atoms of ``graph``: pins inside one must agree, and pins across atoms must
    respect provider-before-consumer (else the plan is impossible: :class:`PlanError`)."""
    fixed = graph.fixed
    atoms = strongly_connected(graph.order_graph)
    atom_of = [0] * len(graph.estate.cells)
    for a, atom in enumerate(atoms):
        for c in atom:
            atom_of[c] = a
        if len(graph.slots_of(atom)) > 1:
            first, second = sorted({fixed[c] for c in atom if c in fixed})[:2]
            raise PlanError(
                f"servers {first[1]!r} and {second[1]!r} are pinned to different waves "
                f"({first[0]} and {second[0]}) but {graph.cycle_text(atom)} "
                "makes them one move group",
                [("servers", first[1]), ("servers", second[1])],
            )
    atom_fix = [min({fixed[c] for c in atom if c in fixed}, default=None) for atom in atoms]
    found = bounds(
        [f[0] if f else None for f in atom_fix],
        [f[1] if f else None for f in atom_fix],  # the pinned server of each atom
        [any(c in graph.frozen for c in atom) for atom in atoms],
        *links(graph.order, atom_of, len(atoms)),
    )
    return Atoms(atoms, atom_of, found.lo, found.hi, [f[0] if f else None for f in atom_fix])


def _cell_edges(
    estate: Estate,
) -> tuple[set[tuple[int, int]], dict[tuple[int, int], float], dict[tuple[int, int], float]]:
    order: set[tuple[int, int]] = set()
    ls: dict[tuple[int, int], float] = defaultdict(float)
    traffic: dict[tuple[int, int], float] = defaultdict(float)
    cell = estate.server_cell
    for u, v, is_ls, weight in zip(
        estate.flow_from, estate.flow_to, estate.flow_ls, estate.flow_weight, strict=True
    ):
        cu, cv = cell[u], cell[v]
        if cu < 0 or cv < 0 or cu == cv:
            continue
        pair = (cu, cv) if cu < cv else (cv, cu)
        traffic[pair] += weight
        if is_ls:
            ls[pair] += weight
        order.add((cu, cv))
    prod: dict[str, int] = {}
    for c, (system, environment) in enumerate(estate.cells):
        if environment == "prod":
            prod[system] = c
    for c, (system, environment) in enumerate(estate.cells):
        p = prod.get(system)
        if environment != "prod" and p is not None:
            order.add((p, c))
    return order, ls, traffic


def strongly_connected(adjacency: list[list[int]]) -> list[list[int]]:
    """Strongly connected components (iterative Tarjan), each sorted, sorted by first node."""
    n = len(adjacency)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            descended = False
            edges = adjacency[node]
            while i < len(edges):
                nxt = edges[i]
                i += 1
                if index[nxt] < 0:
                    work.append((node, i))
                    work.append((nxt, 0))
                    descended = True
                    break
                if on_stack[nxt] and index[nxt] < low[node]:
                    low[node] = index[nxt]
            if descended:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack[top] = False
                    component.append(top)
                    if top == node:
                        break
                out.append(sorted(component))
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
    return sorted(out)


def reachable(adjacency: list[list[int]], start: int) -> list[int]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in adjacency[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return sorted(seen)


def cycle_text(adjacency: list[list[int]], cells: list[int], estate: Estate) -> str:
    inside = set(cells)
    sub = nx.DiGraph()
    sub.add_edges_from((a, b) for a in cells for b in adjacency[a] if b in inside)
    try:
        cycle = nx.find_cycle(sub, source=min(cells))
    except nx.NetworkXNoCycle:
        return "one move group"
    names = [estate.cell_name(edge[0]) for edge in cycle] + [estate.cell_name(cycle[0][0])]
    return "dependency cycle " + " -> ".join(names)


def group_name(cells: list[int], estate: Estate) -> str:
    names = [estate.cell_name(c) for c in sorted(cells, key=lambda c: estate.cells[c])]
    if len(names) > 4:
        return "+".join(names[:4]) + f"+{len(names) - 4} more"
    return "+".join(names)
