"""Network group names that survive a re-plan (DESIGN.md "Allocations").

The policy builder (:mod:`stacks.network.groups`, :mod:`stacks.network.policy`) names
groups by position: a split own group ``<system>.<env>.<n>`` in server-id order, client
groups ``clients.<destination>.<n>`` in the order their classes sort, merged client groups
``clients.merged.<n>`` in merge order. Adding a server or a system can renumber them, and a
renamed group is a replaced Azure application security group or AWS security group.

So ``allocations.json`` records, per provider, every cloud group's name with what the
group is (:class:`~migration.allocations.GroupAllocation`), and :func:`stable_policy`
renames a freshly built policy's groups to the recorded names:

1. by identity, within the same pool (own groups: one system x environment; client
   groups: one network): an own group's roles, a client group's destinations and port
   sets (:func:`identities`); several groups of one identity pair by member overlap;
2. then by the greatest member overlap (ties: the smallest difference, then the names);
3. a group matching nothing keeps the name it was built with unless that name is recorded
   (a group that left keeps its name reserved until ``utflytt allocations release``);
   otherwise it gets the lowest free number of its family.

With nothing recorded every group keeps the name it was built with. The AWS shards of a
group's rules (``<group>+<n>``), the AWS rule and prefix-list names and the Azure ASG and
NSG rule names are all derived from these group names and the ports, so they are stable
with them (:mod:`stacks.network.rulesets`).
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from migration.allocations import GroupAllocation

if TYPE_CHECKING:
    from stacks.network.policy import NetworkPolicy

MERGED = "clients.merged"


@dataclass(frozen=True)
class Candidate:
    """A group to match (as built) or a recorded one: its name, where it may match (pool),
    what it is (identity) and its servers."""

    name: str
    pool: tuple[str, ...]
    identity: str
    members: frozenset[str]


def recorded_candidates(recorded: Mapping[str, GroupAllocation]) -> list[Candidate]:
    """The recorded groups as candidates."""
    return [
        Candidate(name, _pool(g.kind, g.system, g.environment), g.identity, frozenset(g.members))
        for name, g in sorted(recorded.items())
    ]


def _pool(kind: str, system: str, environment: str) -> tuple[str, ...]:
    return ("own", system, environment) if kind == "own" else ("client", environment)


def match(new: Sequence[Candidate], recorded: Sequence[Candidate]) -> dict[str, str]:
    """Built name -> recorded name, injective both ways: by identity first, then by member
    overlap, within each pool. Deterministic (the inputs' order does not matter)."""
    out: dict[str, str] = {}
    new_by_pool: dict[tuple[str, ...], list[Candidate]] = defaultdict(list)
    rec_by_pool: dict[tuple[str, ...], list[Candidate]] = defaultdict(list)
    for c in new:
        new_by_pool[c.pool].append(c)
    for c in recorded:
        rec_by_pool[c.pool].append(c)
    for pool in sorted(new_by_pool.keys() & rec_by_pool.keys()):
        here = sorted(new_by_pool[pool], key=lambda c: c.name)
        there = sorted(rec_by_pool[pool], key=lambda c: c.name)
        by_identity: dict[str, tuple[list[Candidate], list[Candidate]]] = defaultdict(
            lambda: ([], [])
        )
        for c in here:
            by_identity[c.identity][0].append(c)
        for c in there:
            by_identity[c.identity][1].append(c)
        for identity in sorted(by_identity):
            mine, theirs = by_identity[identity]
            if not mine or not theirs:
                continue
            pairs = _by_overlap(mine, theirs)
            # the same identity without common members: still the same group, by name order
            rest_new = [c for c in mine if c.name not in pairs]
            used = set(pairs.values())
            rest_rec = [c for c in theirs if c.name not in used]
            pairs.update((a.name, b.name) for a, b in zip(rest_new, rest_rec, strict=False))
            out.update(pairs)
        used = set(out.values())
        out.update(
            _by_overlap(
                [c for c in here if c.name not in out], [c for c in there if c.name not in used]
            )
        )
    return out


def _by_overlap(new: Sequence[Candidate], recorded: Sequence[Candidate]) -> dict[str, str]:
    """Greedy pairs with common members, the greatest overlap first (ties: the smallest
    symmetric difference, then the names)."""
    holders: dict[str, list[Candidate]] = defaultdict(list)
    for r in recorded:
        for member in r.members:
            holders[member].append(r)
    ranked: list[tuple[int, int, str, str]] = []
    for n in new:
        common: Counter[str] = Counter()
        sizes: dict[str, int] = {}
        for member in n.members:
            for r in holders.get(member, ()):
                common[r.name] += 1
                sizes[r.name] = len(r.members)
        for name, overlap in common.items():
            ranked.append((-overlap, len(n.members) + sizes[name] - 2 * overlap, n.name, name))
    out: dict[str, str] = {}
    used: set[str] = set()
    for _, _, a, b in sorted(ranked):
        if a not in out and b not in used:
            out[a] = b
            used.add(b)
    return out


def own_identities(policy: NetworkPolicy) -> dict[str, str]:
    """Own group (as built) -> its servers' roles, sorted (``app,web``)."""
    return {
        name: ",".join(sorted({policy.servers[s].role for s in g.servers if s in policy.servers}))
        for name, g in policy.groups.items()
        if g.kind == "own"
    }


def client_identities(policy: NetworkPolicy, rename: Mapping[str, str]) -> dict[str, str]:
    """Client group (as built) -> ``permits:<digest>`` of the (destination, ports) it is
    admitted to, each destination by its name after ``rename`` (own groups first)."""
    admitted: dict[str, set[tuple[str, tuple[str, ...]]]] = defaultdict(set)
    for permit in policy.permits:
        dest = rename.get(permit.destination, permit.destination)
        for source in permit.sources:
            if policy.groups[source].kind == "client":
                admitted[source].add((dest, permit.ports))
    out: dict[str, str] = {}
    for name, group in policy.groups.items():
        if group.kind == "client":
            text = "|".join(f"{d}@{','.join(p)}" for d, p in sorted(admitted[name]))
            out[name] = "permits:" + hashlib.sha256(text.encode()).hexdigest()[:16]
    return out


def stable_names(
    policy: NetworkPolicy, recorded: Mapping[str, GroupAllocation]
) -> tuple[dict[str, str], dict[str, str]]:
    """(built name -> stable name for every group, stable name -> identity)."""
    rec = recorded_candidates(recorded)
    taken = set(recorded)
    rename: dict[str, str] = {}
    identity: dict[str, str] = {}
    for kind in ("own", "client"):  # a client group's identity names its destinations
        ids = own_identities(policy) if kind == "own" else client_identities(policy, rename)
        mine = [
            Candidate(name, _pool(kind, g.system, g.environment), ids[name], frozenset(g.servers))
            for name, g in policy.groups.items()
            if g.kind == kind
        ]
        found = match(mine, [c for c in rec if c.pool[0] == kind])
        taken |= set(found.values())
        rename.update(found)
        left = [c for c in mine if c.name not in found]
        firsts = _first_destinations(policy, rename) if left and kind == "client" else {}
        built = _first_destinations(policy, {}) if left and kind == "client" else {}
        for c in left:  # the name it was built with, when no one holds it and (a client
            # group) its first destination kept its name, so the name still says whose it is
            merged = c.name.startswith(MERGED + ".")
            if c.name not in taken and (merged or firsts.get(c.name) == built.get(c.name)):
                rename[c.name] = c.name
                taken.add(c.name)
        for c in (c for c in left if c.name not in rename):
            rename[c.name] = _fresh(policy, c.name, firsts, taken)
            taken.add(rename[c.name])
        identity.update((rename[c.name], c.identity) for c in mine)
    return rename, identity


def _first_destinations(policy: NetworkPolicy, rename: Mapping[str, str]) -> dict[str, str]:
    """Client group -> the first (stable) destination that admits it."""
    out: dict[str, str] = {}
    for permit in policy.permits:
        dest = rename.get(permit.destination, permit.destination)
        for source in permit.sources:
            if source not in out or dest < out[source]:
                out[source] = dest
    return out


def _fresh(
    policy: NetworkPolicy, built: str, first_destination: Mapping[str, str], taken: set[str]
) -> str:
    """The lowest free name of ``built``'s family: ``<system>.<env>.<n>`` (own),
    ``clients.merged.<n>``, or ``clients.<destination>[.<n>]`` (its first destination,
    whose first client group has no number)."""
    group = policy.groups[built]
    bare = False
    if group.kind == "own":
        family = f"{group.system}.{group.environment}"
    elif built.startswith(MERGED + "."):
        family = MERGED
    else:
        family, bare = f"clients.{first_destination.get(built, group.system)}", True
    for n in itertools.count(1):
        name = family if bare and n == 1 else f"{family}.{n}"
        if name not in taken:
            return name
    raise AssertionError("unreachable")


def renamed(policy: NetworkPolicy, rename: Mapping[str, str]) -> NetworkPolicy:
    """``policy`` with its groups renamed (the same object when no name changes)."""
    rename = {a: b for a, b in rename.items() if a != b}
    if not rename:
        return policy

    def to(name: str) -> str:
        return rename.get(name, name)

    permits = sorted(
        (
            replace(
                p,
                destination=to(p.destination),
                sources=tuple(sorted(to(s) for s in p.sources)),
            )
            for p in policy.permits
        ),
        key=lambda p: (p.destination, p.ports, p.via, p.network),
    )
    return replace(
        policy,
        groups={
            to(n): replace(g, name=to(n))
            for n, g in sorted(policy.groups.items(), key=lambda i: to(i[0]))
        },
        group_of={s: to(g) for s, g in policy.group_of.items()},
        member_of={s: tuple(sorted(to(g) for g in gs)) for s, gs in policy.member_of.items()},
        group_wave={to(g): w for g, w in policy.group_wave.items()},
        permits=tuple(permits),
        warnings=tuple(sorted({_warning(text, rename) for text in policy.warnings})),
    )


def _warning(text: str, rename: Mapping[str, str]) -> str:
    head, space, rest = text.partition(" ")
    return rename.get(head, head) + space + rest


def stable_policy(policy: NetworkPolicy, recorded: Mapping[str, GroupAllocation]) -> NetworkPolicy:
    """``policy`` with the names ``recorded`` keeps (see the module docstring)."""
    if not recorded:
        return policy
    rename, _ = stable_names(policy, recorded)
    return renamed(policy, rename)


def record_groups(
    policy: NetworkPolicy, recorded: Mapping[str, GroupAllocation]
) -> dict[str, GroupAllocation]:
    """``recorded`` with every cloud group of ``policy`` (built names) under its stable
    name: what ``allocations.json`` keeps for the next plan. Groups that left stay."""
    rename, identity = stable_names(policy, recorded)
    out = dict(recorded)
    cloud = set(policy.cloud_groups())
    for built, group in policy.groups.items():
        if built not in cloud:
            continue
        name = rename[built]
        out[name] = GroupAllocation(
            kind=group.kind,
            system=group.system,
            environment=group.environment,
            identity=identity[name],
            members=tuple(sorted(group.servers)),
        )
    return dict(sorted(out.items()))
