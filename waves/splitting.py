"""Which move groups stay whole, and the blocks a split group leaves (rules 3 and 7).

A move group (a strongly connected component of the glue graph) that fits a wave is one
block. A group larger than a wave is split into its atoms (dependency-cycle components),
which the scheduler keeps together where it can; an atom larger than a wave cannot be split
and gets a wave of its own. Pins split groups too, never the other way round, at the split
level the planner asks for (:data:`SPLIT_LEVELS`, mildest first).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from waves.cells import Atoms, CellGraph, group_name

__all__ = [
    "SPLIT_LEVELS",
    "Glue",
    "Piece",
    "keep_whole",
    "keep_whole_groups",
    "reserve_pinned_waves",
    "split_groups",
]

SPLIT_LEVELS = ("conflicts", "pinned", "touched")

Piece = tuple[list[int], int, bool]  # (cells, move group, oversize: a wave of its own)


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


def keep_whole_groups(
    graph: CellGraph, atoms: Atoms, groups: list[list[int]], split: str
) -> list[bool]:
    """For each move group: does it stay one block at this split level?"""
    keep = [
        keep_whole(
            cells,
            split,
            graph.fixed,
            not graph.frozen.isdisjoint(cells),
            graph.fits(cells),
            len(graph.slots_of(cells)) <= 1,
            atoms.interval_ok(cells),
            atoms.lo,
            atoms.hi,
            atoms.atom_of,
        )
        for cells in groups
    ]
    reserve_pinned_waves(
        groups,
        keep,
        graph.fixed,
        graph.frozen,
        atoms.atoms,
        atoms.atom_of,
        graph.size,
        graph.vcpu,
        graph.caps,
    )
    return keep


def split_groups(
    graph: CellGraph, atoms: Atoms, groups: list[list[int]], keep: list[bool]
) -> tuple[list[Piece], list[Glue]]:
    """The blocks (pieces) of every group, sorted by first cell, and the groups split or
    larger than a wave, with what glued them (for the plan's warnings)."""
    estate, fixed = graph.estate, graph.fixed
    pieces: list[Piece] = []
    oversize: list[Glue] = []
    for g, cells in enumerate(groups):
        whole = graph.fits(cells)
        if keep[g]:
            pieces.append((cells, g, False))
            continue
        inner = sorted(sorted(atoms.atoms[a]) for a in {atoms.atom_of[c] for c in cells})
        for atom in inner:
            big = not graph.fits(atom)
            if big:
                what = (
                    f"one system {estate.cells[atom[0]][0]!r} ({estate.cells[atom[0]][1]})"
                    if len(atom) == 1
                    else graph.cycle_text(atom)
                )
                oversize.append(
                    Glue(
                        group_name(atom, estate),
                        graph.servers(atom),
                        graph.cpus(atom),
                        what,
                        False,
                        tuple(atom),
                    )
                )
            pieces.append((atom, g, big))
        if len(inner) > 1:
            if whole:
                pinned = sorted({fixed[c] for c in cells if c in fixed and c not in graph.frozen})
                glue = ", ".join(f"{p[1]!r} pinned to wave {p[0]}" for p in pinned[:3])
                glue += f" and {len(pinned) - 3} more" if len(pinned) > 3 else ""
                if not pinned:
                    glue = "pins of its providers or consumers"
            else:
                glue = "latency-sensitive dependencies and dependency cycles"
            oversize.append(
                Glue(
                    group_name(cells, estate),
                    graph.servers(cells),
                    graph.cpus(cells),
                    glue,
                    True,
                    tuple(cells),
                    pinned=whole,
                )
            )
    pieces.sort(key=lambda p: p[0][0])
    return pieces, oversize


def keep_whole(
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


def reserve_pinned_waves(
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
