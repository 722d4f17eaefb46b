"""Move groups: cells glued by latency-sensitive dependencies and dependency cycles.

Steps, all on cells (system + environment):

1. fixed cells: a pin or a migrated server fixes its whole cell (rule 5); frozen cells
   (with migrated servers) take no latency-sensitive partners into their frozen wave, but
   bound the order like pins: a migrated consumer's providers move no later (rule 4);
2. order edges: consumer -> provider for every flow between migrating cells, and
   prod -> test/dev of the same system (test and dev never after prod);
3. move groups: strongly connected components of the order edges plus both directions of
   every latency-sensitive flow. A group that fits a wave is one block. A group larger than
   a wave is split into its dependency-cycle components (atoms), which the scheduler keeps
   together where it can; an atom larger than a wave cannot be split (rule 7). Pins split
   groups too, never the other way round: a group whose pins disagree, whose pinned
   providers and consumers leave it no wave, or whose unpinned members would overfill its
   pinned wave is split into atoms (the split level of :func:`build_problem` widens this
   when the planner finds no placement within capacity).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx

from migration.catalog import CRITICALITY_RANK, Catalog
from migration.errors import PlanError
from waves.calendar import Calendar
from waves.graph import Estate
from waves.pins import bounds, check_fixed, fixed_cells, links
from waves.problem import Block, Problem

__all__ = ["Glue", "MoveGroups", "build_problem"]

PILOT_MAX_DEPENDANTS = 2


@dataclass(frozen=True)
class Glue:
    """Why an oversize group exists: its name, size and what holds it together."""

    name: str
    servers: int
    vcpu: int
    what: str
    splittable: bool
    cells: tuple[int, ...]
    pinned: bool = False  # fits a wave, but is split around its pins (not for its size)


@dataclass(frozen=True)
class MoveGroups:
    """The problem plus what the planner needs to explain it."""

    problem: Problem
    block_of_cell: tuple[int, ...]
    oversize: tuple[Glue, ...]  # groups larger than a wave (split or not)
    dependants: Mapping[str, int]  # system -> number of consumer systems
    foundation_of: Mapping[int, tuple[str, ...]]  # block -> foundation systems it serves


def _cell_edges(
    estate: Estate, frozen: set[int]
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


def _dependants(catalog: Catalog, estate: Estate) -> dict[str, int]:
    system = estate.server_system
    pairs = {(system[u], system[v]) for u, v in zip(estate.flow_from, estate.flow_to, strict=True)}
    count: dict[str, int] = defaultdict(int)
    for consumer, provider in pairs:
        if consumer != provider:
            count[provider] += 1
    return {s.id: count.get(s.id, 0) for s in catalog.systems}


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


def _reachable(adjacency: list[list[int]], start: int) -> list[int]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in adjacency[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return sorted(seen)


def _cycle_text(adjacency: list[list[int]], cells: list[int], estate: Estate) -> str:
    inside = set(cells)
    sub = nx.DiGraph()
    sub.add_edges_from((a, b) for a in cells for b in adjacency[a] if b in inside)
    try:
        cycle = nx.find_cycle(sub, source=min(cells))
    except nx.NetworkXNoCycle:
        return "one move group"
    names = [estate.cell_name(edge[0]) for edge in cycle] + [estate.cell_name(cycle[0][0])]
    return "dependency cycle " + " -> ".join(names)


SPLIT_LEVELS = ("conflicts", "pinned", "touched")


def build_problem(
    catalog: Catalog,
    estate: Estate,
    calendar: Calendar,
    pins: Mapping[str, int],
    split: str = "conflicts",
) -> MoveGroups:
    """Group cells into blocks, check pins against dependencies, and bound each block.

    Pins are checked on the dependency order alone first (a contradiction there is an
    error, whatever ``split`` says). Keeping latency-sensitive groups whole can add
    contradictions and overflows of its own (a group pulled early by one pin and late by
    another, or a pinned group that with the other pins of its wave overfills it); such
    groups are split into their dependency-cycle components instead, as rule 3 allows, and
    their split dependencies are warned about like any other. ``split`` says which groups
    are split besides those (:data:`SPLIT_LEVELS`, mildest first):

    * ``conflicts``: only groups whose pins conflict or that overfill a pinned wave;
    * ``pinned``: also every group holding a pinned server;
    * ``touched``: also every group bounded by a pin (a provider or consumer of a pinned
      server); no group then adds an order a pin can contradict, so a :class:`PlanError`
      at this level is a contradiction of the hard rules themselves.
    """
    if split not in SPLIT_LEVELS:
        raise ValueError(f"unknown split level {split!r}")
    return _build(catalog, estate, calendar, pins, split)


def _build(
    catalog: Catalog,
    estate: Estate,
    calendar: Calendar,
    pins: Mapping[str, int],
    split: str,
) -> MoveGroups:
    planning = catalog.planning
    cap_servers, cap_vcpu = planning.max_servers_per_wave, planning.max_vcpu_per_wave
    systems = catalog.systems_by_id
    fixed, frozen = fixed_cells(catalog, estate, pins)
    order, ls, traffic = _cell_edges(estate, frozen)
    n = len(estate.cells)
    size = [len(s) for s in estate.cell_servers]
    vcpu = [sum(estate.server_vcpu[i] for i in s) for s in estate.cell_servers]

    order_graph: list[list[int]] = [[] for _ in range(n)]
    for a, b in sorted(order):
        order_graph[a].append(b)
    glue_graph = [list(edges) for edges in order_graph]
    for a, b in sorted(ls):
        if a not in frozen and b not in frozen:
            glue_graph[a].append(b)
            glue_graph[b].append(a)

    def fits(cells: list[int]) -> bool:
        return (
            sum(size[c] for c in cells) <= cap_servers and sum(vcpu[c] for c in cells) <= cap_vcpu
        )

    def slots_of(cells: list[int]) -> set[int]:
        return {fixed[c][0] for c in cells if c in fixed}

    # atoms: dependency-cycle components; pins inside one must agree, and pins across
    # atoms must respect provider-before-consumer (else the plan is impossible: error)
    atoms = strongly_connected(order_graph)
    atom_of = [0] * n
    for a, atom in enumerate(atoms):
        for c in atom:
            atom_of[c] = a
        if len(slots_of(atom)) > 1:
            first, second = sorted({fixed[c] for c in atom if c in fixed})[:2]
            raise PlanError(
                f"servers {first[1]!r} and {second[1]!r} are pinned to different waves "
                f"({first[0]} and {second[0]}) but {_cycle_text(order_graph, atom, estate)} "
                "makes them one move group",
                [("servers", first[1]), ("servers", second[1])],
            )
    atom_fix = [min({fixed[c] for c in atom if c in fixed}, default=None) for atom in atoms]
    atom_bounds = bounds(
        [f[0] if f else None for f in atom_fix],
        [f[1] if f else None for f in atom_fix],  # the pinned server of each atom
        [any(c in frozen for c in atom) for atom in atoms],
        *links(order, atom_of, len(atoms)),
    )
    atom_lo, atom_hi = atom_bounds.lo, atom_bounds.hi

    atom_slot = [f[0] if f else None for f in atom_fix]

    def interval_ok(cells: list[int]) -> bool:
        members = sorted({atom_of[c] for c in cells})
        lows = [atom_lo[a] for a in members] + [
            s for a in members if (s := atom_slot[a]) is not None
        ]
        highs = [h for a in members if (h := atom_hi[a]) is not None]
        highs += [s for a in members if (s := atom_slot[a]) is not None]
        return not highs or max(lows) <= min(highs)

    groups = strongly_connected(glue_graph)
    keep = [
        _keep_whole(
            cells,
            split,
            fixed,
            not frozen.isdisjoint(cells),
            fits(cells),
            len(slots_of(cells)) <= 1,
            interval_ok(cells),
            atom_lo,
            atom_hi,
            atom_of,
        )
        for cells in groups
    ]
    _reserve_pinned_waves(
        groups, keep, fixed, frozen, atoms, atom_of, size, vcpu, (cap_servers, cap_vcpu)
    )

    pieces: list[tuple[list[int], int, bool]] = []  # (cells, group, oversize)
    oversize: list[Glue] = []
    for g, cells in enumerate(groups):
        whole = fits(cells)
        if keep[g]:
            pieces.append((cells, g, False))
            continue
        inner = sorted(sorted(atoms[a]) for a in {atom_of[c] for c in cells})
        for atom in inner:
            big = not fits(atom)
            if big:
                what = (
                    f"one system {estate.cells[atom[0]][0]!r} ({estate.cells[atom[0]][1]})"
                    if len(atom) == 1
                    else _cycle_text(order_graph, atom, estate)
                )
                oversize.append(
                    Glue(
                        _group_name(atom, estate),
                        sum(size[c] for c in atom),
                        sum(vcpu[c] for c in atom),
                        what,
                        False,
                        tuple(atom),
                    )
                )
            pieces.append((atom, g, big))
        if len(inner) > 1:
            if whole:
                pinned = sorted({fixed[c] for c in cells if c in fixed and c not in frozen})
                glue = ", ".join(f"{p[1]!r} pinned to wave {p[0]}" for p in pinned[:3])
                glue += f" and {len(pinned) - 3} more" if len(pinned) > 3 else ""
                if not pinned:
                    glue = "pins of its providers or consumers"
            else:
                glue = "latency-sensitive dependencies and dependency cycles"
            oversize.append(
                Glue(
                    _group_name(cells, estate),
                    sum(size[c] for c in cells),
                    sum(vcpu[c] for c in cells),
                    glue,
                    True,
                    tuple(cells),
                    pinned=whole,
                )
            )
    pieces.sort(key=lambda p: p[0][0])

    dependants = _dependants(catalog, estate)
    block_of_cell = [0] * n
    for b, (cells, _, _) in enumerate(pieces):
        for c in cells:
            block_of_cell[c] = b

    # foundation: foundation systems and everything they need
    foundation_cells = [c for c in range(n) if systems[estate.cells[c][0]].foundation]
    needs: dict[int, set[str]] = defaultdict(set)
    for c in foundation_cells:
        owner = estate.cells[c][0]
        for d in _reachable(order_graph, c):
            needs[block_of_cell[d]].add(owner)
    foundation_of = {b: tuple(sorted(s)) for b, s in needs.items()}

    blocks: list[Block] = []
    for b, (cells, g, big) in enumerate(pieces):
        names = sorted({estate.cells[c][0] for c in cells})
        fix = sorted({fixed[c] for c in cells if c in fixed})
        crit = max(CRITICALITY_RANK[systems[s].criticality] for s in names)
        pilot = (
            not big
            and not fix
            and b not in foundation_of
            and all(
                systems[s].criticality == "low"
                and systems[s].level != "citizen"
                and dependants[s] <= PILOT_MAX_DEPENDANTS
                for s in names
            )
        )
        blocks.append(
            Block(
                cells=tuple(cells),
                systems=tuple(names),
                servers=sum(size[c] for c in cells),
                vcpu=sum(vcpu[c] for c in cells),
                fixed=fix[0][0] if fix else None,
                fixed_by=fix[0][1] if fix else None,
                frozen=any(c in frozen for c in cells),
                foundation=b in foundation_of,
                pilot=pilot,
                criticality=crit,
                oversize=big,
                group=g,
                name=_group_name(cells, estate),
            )
        )

    providers, consumers = links(order, block_of_cell, len(blocks))
    ls_blocks: list[dict[int, float]] = [defaultdict(float) for _ in blocks]
    for (a, b), weight in ls.items():
        ba, bb = block_of_cell[a], block_of_cell[b]
        if ba != bb:
            ls_blocks[ba][bb] += weight
            ls_blocks[bb][ba] += weight
    block_traffic: dict[tuple[int, int], float] = defaultdict(float)
    for (a, b), weight in traffic.items():
        ba, bb = block_of_cell[a], block_of_cell[b]
        if ba != bb:
            block_traffic[(min(ba, bb), max(ba, bb))] += weight

    frozen_slots = frozenset(bl.fixed for bl in blocks if bl.frozen and bl.fixed is not None)
    found = bounds(
        [bl.fixed for bl in blocks],
        [bl.fixed_by for bl in blocks],
        [bl.frozen for bl in blocks],
        providers,
        consumers,
    )
    problem = Problem(
        blocks=tuple(blocks),
        providers=tuple(tuple(sorted(p)) for p in providers),
        consumers=tuple(tuple(sorted(c)) for c in consumers),
        ls=tuple(tuple(sorted(d.items())) for d in ls_blocks),
        traffic=tuple((a, b, w) for (a, b), w in sorted(block_traffic.items())),
        lo=found.lo,
        hi=found.hi,
        lo_by=found.lo_by,
        hi_by=found.hi_by,
        calendar=calendar,
        max_servers=cap_servers,
        max_vcpu=cap_vcpu,
        pilot=planning.pilot,
        frozen_slots=frozen_slots,
    )
    check_fixed(problem, estate, catalog, frozen)
    return MoveGroups(problem, tuple(block_of_cell), tuple(oversize), dependants, foundation_of)


def _keep_whole(
    cells: list[int],
    split: str,
    fixed: Mapping[int, tuple[int, str]],
    holds_frozen: bool,
    fits: bool,
    one_slot: bool,
    interval: bool,
    atom_lo: tuple[int, ...],
    atom_hi: tuple[int | None, ...],
    atom_of: list[int],
) -> bool:
    """True when a move group stays one block at this split level."""
    if len(cells) == 1:
        return fits
    if holds_frozen or not (fits and one_slot and interval):
        # a migrated cell never takes latency-sensitive partners into its frozen wave
        return False
    if split == "pinned":
        return not any(c in fixed for c in cells)
    if split == "touched":
        return not any(
            c in fixed or atom_lo[atom_of[c]] > 0 or atom_hi[atom_of[c]] is not None for c in cells
        )
    return True


def _reserve_pinned_waves(
    groups: list[list[int]],
    keep: list[bool],
    fixed: Mapping[int, tuple[int, str]],
    frozen: set[int],
    atoms: list[list[int]],
    atom_of: list[int],
    size: list[int],
    vcpu: list[int],
    caps: tuple[int, int],
) -> None:
    """Split pinned groups whose unpinned members would overfill their pinned wave.

    A pinned group kept whole takes its latency-sensitive partners into the pinned wave.
    The pinned servers' own room comes first: while a wave's pinned load is over capacity,
    the group bringing the most unpinned servers into it is split (largest first, then by
    index), leaving its pinned cycle components fixed and the others free.
    """
    load: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    extra: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for g, cells in enumerate(groups):
        slots = {fixed[c][0] for c in cells if c in fixed}
        if len(slots) != 1 or any(c in frozen for c in cells):
            continue
        slot = next(iter(slots))
        pinned_atoms = {atom_of[c] for c in cells if c in fixed}
        pinned_cells = [c for a in sorted(pinned_atoms) for c in atoms[a]]
        own = (sum(size[c] for c in pinned_cells), sum(vcpu[c] for c in pinned_cells))
        total = (sum(size[c] for c in cells), sum(vcpu[c] for c in cells))
        if keep[g]:
            load[slot][0] += total[0]
            load[slot][1] += total[1]
            if total != own:
                extra[slot].append((total[0] - own[0], total[1] - own[1], g))
        else:
            load[slot][0] += own[0]
            load[slot][1] += own[1]
    for slot in sorted(load):
        candidates = sorted(extra[slot], key=lambda e: (-e[0], -e[1], e[2]))
        for servers, cpus, g in candidates:
            if load[slot][0] <= caps[0] and load[slot][1] <= caps[1]:
                break
            keep[g] = False
            load[slot][0] -= servers
            load[slot][1] -= cpus


def _group_name(cells: list[int], estate: Estate) -> str:
    names = [estate.cell_name(c) for c in sorted(cells, key=lambda c: estate.cells[c])]
    if len(names) > 4:
        return "+".join(names[:4]) + f"+{len(names) - 4} more"
    return "+".join(names)
