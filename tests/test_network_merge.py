"""Client-membership merging (stacks.network.policy._merge_memberships) gives exactly what
the plain algorithm gives: the same merges in the same order, the same groups and permits.
The plain one (below) recounts every pair of an over-full server after each merge and
rebuilds groups and permits at once; the real one tracks changes (scale: 100k servers)."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from stacks.network.groups import Group
from stacks.network.policy import MAX_CLIENT_MEMBERSHIPS, Permit, _merge_memberships

Key = tuple[str, tuple[str, ...], str, str]


def _plain_merge(
    groups: dict[str, Group], member_of: dict[str, list[str]], permits: dict[Key, Permit]
) -> None:
    by_source: dict[str, set[Key]] = defaultdict(set)
    for key, permit in permits.items():
        for g in permit.sources:
            by_source[g].add(key)
    over = {s for s, joined in member_of.items() if len(joined) > MAX_CLIENT_MEMBERSHIPS}
    pairs = Counter(pair for s in over for pair in combinations(sorted(member_of[s]), 2))
    heap = [(-n, p) for p, n in pairs.items() if n > 0]
    heapq.heapify(heap)

    def count(changed: Iterable[tuple[str, str]], by: int) -> None:
        for pair in changed:
            pairs[pair] += by
            if pairs[pair] > 0:
                heapq.heappush(heap, (-pairs[pair], pair))

    merged = 0
    while over:
        while -heap[0][0] != pairs[heap[0][1]]:
            heapq.heappop(heap)
        one, two = heap[0][1]
        common = set(groups[one].servers) & set(groups[two].servers)
        merged += 1
        name = f"clients.merged.{merged}"
        groups[name] = Group(
            name, "client", groups[one].system, groups[one].environment, tuple(sorted(common))
        )
        for old in (one, two):
            rest = tuple(s for s in groups[old].servers if s not in common)
            if rest:
                groups[old] = replace(groups[old], servers=rest)
            else:
                del groups[old]
        for s in common:
            if s in over:
                count(combinations(sorted(member_of[s]), 2), -1)
            member_of[s] = [g for g in member_of[s] if g not in (one, two)] + [name]
            if len(member_of[s]) <= MAX_CLIENT_MEMBERSHIPS:
                over.discard(s)
            else:
                count(combinations(sorted(member_of[s]), 2), 1)
        for key in sorted(by_source[one] | by_source[two]):
            permit = permits[key]
            kept = {g for g in permit.sources if g in groups} | {name}
            permits[key] = replace(permit, sources=tuple(sorted(kept)))
            by_source[name].add(key)


@st.composite
def _estates(draw: st.DrawFn) -> tuple[dict[str, Group], dict[str, list[str]], dict[Key, Permit]]:
    servers = [f"s{i:02d}" for i in range(draw(st.integers(1, 14)))]
    n_groups = draw(st.integers(1, 12))
    groups: dict[str, Group] = {}
    member_of: dict[str, list[str]] = defaultdict(list)
    for g in range(n_groups):
        members = draw(st.lists(st.sampled_from(servers), min_size=1, unique=True))
        name = f"clients.d{g % 4}" + (f".{g}" if g >= 4 else "")
        groups[name] = Group(name, "client", f"sys{g % 3}", "prod", tuple(members))
        for s in members:
            member_of[s].append(name)
    names = sorted(groups)
    permits: dict[Key, Permit] = {}
    for p in range(draw(st.integers(0, 8))):
        sources = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
        permit = Permit(f"dest{p}", ("tcp/443",), "cloud", "prod", tuple(sorted(sources)))
        permits[(permit.destination, permit.ports, permit.via, permit.network)] = permit
    return groups, dict(member_of), permits


@settings(max_examples=300, deadline=None)
@given(_estates())
def test_merging_is_the_plain_algorithm(
    estate: tuple[dict[str, Group], dict[str, list[str]], dict[Key, Permit]],
) -> None:
    groups, member_of, permits = estate
    plain = (dict(groups), {s: list(g) for s, g in member_of.items()}, dict(permits))
    _plain_merge(*plain)
    _merge_memberships(groups, member_of, permits)
    assert sorted(groups.items()) == sorted(plain[0].items())
    assert member_of == plain[1]
    assert permits == plain[2]
    assert all(len(joined) <= MAX_CLIENT_MEMBERSHIPS for joined in member_of.values())


def test_an_over_full_server_is_merged() -> None:
    """The property above can fail: a server in five client groups ends in at most three."""
    groups = {
        f"clients.d{i}": Group(f"clients.d{i}", "client", "a", "prod", ("s1",)) for i in range(5)
    }
    member_of = {"s1": sorted(groups)}
    _merge_memberships(groups, member_of, {})
    assert member_of["s1"] == ["clients.d4", "clients.merged.1", "clients.merged.2"]
    assert sorted(groups) == ["clients.d4", "clients.merged.1", "clients.merged.2"]
