"""Move groups: strongly connected components and the blocks the scheduler places."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from waves.cells import strongly_connected


@pytest.mark.parametrize("seed", range(60))
def test_strongly_connected_matches_networkx(seed: int) -> None:
    """The iterative Tarjan finds the same components as networkx, sorted the same way."""
    rng = random.Random(seed)
    n = rng.randint(1, 40)
    adjacency: list[list[int]] = [[] for _ in range(n)]
    for _ in range(rng.randint(0, 90)):
        a, b = rng.randrange(n), rng.randrange(n)
        if b not in adjacency[a]:
            adjacency[a].append(b)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from((a, b) for a in range(n) for b in adjacency[a])
    expected = sorted(sorted(c) for c in nx.strongly_connected_components(graph))
    assert strongly_connected(adjacency) == expected


def test_strongly_connected_handles_deep_chains() -> None:
    """A 50,000-node cycle is one component (no recursion limit)."""
    n = 50_000
    adjacency = [[(i + 1) % n] for i in range(n)]
    assert strongly_connected(adjacency) == [list(range(n))]
