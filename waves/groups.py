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

from migration.catalog import CRITICALITY_RANK, Catalog
from waves.calendar import Calendar
from waves.cells import CellGraph, find_atoms, group_name, reachable, strongly_connected
from waves.graph import Estate
from waves.pins import bounds, check_fixed, links
from waves.problem import Block, Problem
from waves.splitting import SPLIT_LEVELS, Glue, Piece, keep_whole_groups, split_groups

__all__ = ["PILOT_MAX_DEPENDANTS", "SPLIT_LEVELS", "Glue", "MoveGroups", "build_problem"]

PILOT_MAX_DEPENDANTS = 2


@dataclass(frozen=True)
class MoveGroups:
    """The problem plus what the planner needs to explain it."""

    problem: Problem
    block_of_cell: tuple[int, ...]
    oversize: tuple[Glue, ...]  # groups larger than a wave (split or not)
    dependants: Mapping[str, int]  # system -> number of consumer systems
    foundation_of: Mapping[int, tuple[str, ...]]  # block -> foundation systems it serves


def _dependants(catalog: Catalog, estate: Estate) -> dict[str, int]:
    system = estate.server_system
    pairs = {(system[u], system[v]) for u, v in zip(estate.flow_from, estate.flow_to, strict=True)}
    count: dict[str, int] = defaultdict(int)
    for consumer, provider in pairs:
        if consumer != provider:
            count[provider] += 1
    return {s.id: count.get(s.id, 0) for s in catalog.systems}


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
    graph = CellGraph.build(catalog, estate, pins)
    atoms = find_atoms(graph)
    groups = strongly_connected(graph.glue_graph)
    keep = keep_whole_groups(graph, atoms, groups, split)
    pieces, oversize = split_groups(graph, atoms, groups, keep)
    dependants = _dependants(catalog, estate)
    block_of_cell = [0] * len(estate.cells)
    for b, (cells, _, _) in enumerate(pieces):
        for c in cells:
            block_of_cell[c] = b
    foundation_of = _foundation_of(catalog, graph, block_of_cell)
    blocks = _blocks(catalog, graph, pieces, foundation_of, dependants)
    problem = _problem(catalog, graph, calendar, blocks, block_of_cell)
    check_fixed(problem, estate, catalog, graph.frozen)
    return MoveGroups(problem, tuple(block_of_cell), tuple(oversize), dependants, foundation_of)


def _foundation_of(
    catalog: Catalog, graph: CellGraph, block_of_cell: list[int]
) -> dict[int, tuple[str, ...]]:
    """Block -> the foundation systems it is (or that need it): these move in wave 0."""
    systems, estate = catalog.systems_by_id, graph.estate
    needs: dict[int, set[str]] = defaultdict(set)
    for c, (owner, _) in enumerate(estate.cells):
        if systems[owner].foundation:
            for d in reachable(graph.order_graph, c):
                needs[block_of_cell[d]].add(owner)
    return {b: tuple(sorted(s)) for b, s in needs.items()}


def _blocks(
    catalog: Catalog,
    graph: CellGraph,
    pieces: list[Piece],
    foundation_of: Mapping[int, tuple[str, ...]],
    dependants: Mapping[str, int],
) -> list[Block]:
    """One :class:`Block` per piece: size, pin, criticality, pilot and foundation flags."""
    systems, estate, fixed = catalog.systems_by_id, graph.estate, graph.fixed
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
                servers=graph.servers(cells),
                vcpu=graph.cpus(cells),
                fixed=fix[0][0] if fix else None,
                fixed_by=fix[0][1] if fix else None,
                frozen=any(c in graph.frozen for c in cells),
                foundation=b in foundation_of,
                pilot=pilot,
                criticality=crit,
                oversize=big,
                group=g,
                name=group_name(cells, estate),
            )
        )
    return blocks


def _problem(
    catalog: Catalog,
    graph: CellGraph,
    calendar: Calendar,
    blocks: list[Block],
    block_of_cell: list[int],
) -> Problem:
    """The scheduling problem over ``blocks``: order, split costs and bounds from pins."""
    providers, consumers = links(graph.order, block_of_cell, len(blocks))
    ls_blocks: list[dict[int, float]] = [defaultdict(float) for _ in blocks]
    for (a, b), weight in graph.ls.items():
        ba, bb = block_of_cell[a], block_of_cell[b]
        if ba != bb:
            ls_blocks[ba][bb] += weight
            ls_blocks[bb][ba] += weight
    block_traffic: dict[tuple[int, int], float] = defaultdict(float)
    for (a, b), weight in graph.traffic.items():
        ba, bb = block_of_cell[a], block_of_cell[b]
        if ba != bb:
            block_traffic[(min(ba, bb), max(ba, bb))] += weight
    found = bounds(
        [bl.fixed for bl in blocks],
        [bl.fixed_by for bl in blocks],
        [bl.frozen for bl in blocks],
        providers,
        consumers,
    )
    return Problem(
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
        max_servers=graph.caps[0],
        max_vcpu=graph.caps[1],
        pilot=catalog.planning.pilot,
        frozen_slots=frozenset(bl.fixed for bl in blocks if bl.frozen and bl.fixed is not None),
    )
