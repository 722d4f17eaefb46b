"""Network group names that survive a re-plan (DESIGN.md "Allocations").

The policy builder (:mod:`stacks.network.groups`, :mod:`stacks.network.policy`) names
groups by position: a split own group ``<system>.<env>.<n>`` in server-id order, client
groups ``clients.<destination>.<n>`` in the order their classes sort, merged client groups
``clients.merged.<n>`` in merge order. Adding a server or a system can renumber them, and a
renamed group is a replaced Azure application security group or AWS security group.

So ``allocations.json`` records, per provider, every cloud group's name with what the
group is (:class:`~migration.allocations.GroupAllocation`), and :func:`stable_policy`
renames a freshly built policy's groups to the recorded names:

0. a group recorded under the name it was built with, with the same members, keeps it
   (an unchanged re-plan does no more than this);
1. by identity, within the same pool (own groups: one system x environment; client
   groups: one network): an own group's roles, a client group's destinations and port
   sets (:func:`own_identities`, :func:`client_identities`); several groups of one
   identity pair by member overlap, then by name;
2. then by the greatest member overlap (ties: the smallest difference, then the names);
3. a group matching nothing keeps the name it was built with unless that name is recorded
   (a group that left keeps its name reserved until ``utflytt allocations release``) or
   (a client group) its destination was renamed; otherwise it gets the lowest free number
   of its family.

With nothing recorded every group keeps the name it was built with. The AWS shards of a
group's rules (``<group>+<n>``), the AWS rule and prefix-list names and the Azure ASG and
NSG rule names are all derived from these group names and the ports, so they are stable
with them (:mod:`stacks.network.rulesets`).
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from migration.allocations import GroupAllocation
from migration.plan import Warning_

if TYPE_CHECKING:
    from stacks.network.policy import NetworkPolicy

MERGED = "clients.merged"


@dataclass(frozen=True)
class Candidate:
    """A group to match (as built) or a recorded one: its name, where it may match (pool),
    what it is (identity) and its servers (sorted)."""

    name: str
    pool: tuple[str, ...]
    identity: str
    members: tuple[str, ...]


def _pool(kind: str, system: str, environment: str) -> tuple[str, ...]:
    return ("own", system, environment) if kind == "own" else ("client", environment)


def match(new: Sequence[Candidate], recorded: Sequence[Candidate]) -> dict[str, str]:
    """Built name -> recorded name, injective both ways, within each pool: a group recorded
    under its own name with the same members keeps it; then by identity (several groups of
    one identity pair by member overlap, then by name); then by the greatest member overlap.
    Deterministic (the inputs' order does not matter)."""
    by_name = {r.name: r for r in recorded}
    out = {
        c.name: c.name
        for c in new
        if (r := by_name.get(c.name)) is not None and (r.pool, r.members) == (c.pool, c.members)
    }
    used = set(out)
    new_by_pool: dict[tuple[str, ...], list[Candidate]] = defaultdict(list)
    rec_by_pool: dict[tuple[str, ...], list[Candidate]] = defaultdict(list)
    for c in new:
        if c.name not in out:
            new_by_pool[c.pool].append(c)
    for c in recorded:
        if c.name not in used:
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
            taken = set(pairs.values())
            rest_new = [c for c in mine if c.name not in pairs]
            rest_rec = [c for c in theirs if c.name not in taken]
            pairs.update((a.name, b.name) for a, b in zip(rest_new, rest_rec, strict=False))
            out.update(pairs)
            used.update(pairs.values())
        pairs = _by_overlap(
            [c for c in here if c.name not in out], [c for c in there if c.name not in used]
        )
        out.update(pairs)
        used.update(pairs.values())
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


def own_identities(policy: NetworkPolicy, names: Iterable[str] | None = None) -> dict[str, str]:
    """Own group (as built) -> its servers' roles, sorted (``app,web``); only ``names``
    when given."""
    servers = policy.servers
    chosen = policy.groups if names is None else names
    return {
        name: ",".join(
            sorted({servers[s].role if s in servers else "" for s in policy.groups[name].servers})
        )
        for name in chosen
        if policy.groups[name].kind == "own"
    }


def client_identities(
    policy: NetworkPolicy, rename: Mapping[str, str], names: Iterable[str] | None = None
) -> dict[str, str]:
    """Client group (as built) -> ``permits:<digest>`` of the (destination, ports) it is
    admitted to, each destination by its name after ``rename`` (own groups first); only
    ``names`` when given."""
    chosen = {n for n in (policy.groups if names is None else names)}
    chosen = {n for n in chosen if policy.groups[n].kind == "client"}
    admitted: dict[str, set[tuple[str, tuple[str, ...]]]] = {n: set() for n in chosen}
    if chosen:
        for permit in policy.permits:
            dest = rename.get(permit.destination, permit.destination)
            for source in permit.sources:
                if source in admitted:
                    admitted[source].add((dest, permit.ports))
    out: dict[str, str] = {}
    for name in sorted(chosen):
        text = "|".join(f"{d}@{','.join(p)}" for d, p in sorted(admitted[name]))
        out[name] = "permits:" + hashlib.sha256(text.encode()).hexdigest()[:16]
    return out


def stable_names(
    policy: NetworkPolicy, recorded: Mapping[str, GroupAllocation]
) -> tuple[dict[str, str], dict[str, str]]:
    """(built name -> stable name, for every group; stable name -> identity, for the
    groups not kept as recorded: a group recorded under its name with the same members
    keeps its entry as it is)."""
    if not recorded:  # a first plan: nothing to match, every group keeps its built name
        return {n: n for n in policy.groups}, {
            **own_identities(policy),
            **client_identities(policy, {}),
        }
    taken = set(recorded)
    rename: dict[str, str] = {}
    identity: dict[str, str] = {}
    for kind in ("own", "client"):  # a client group's identity names its destinations
        kept: list[str] = []
        rest: list[str] = []
        for name, g in policy.groups.items():
            if g.kind == kind:
                r = recorded.get(name)
                same = r is not None and (
                    _pool(r.kind, r.system, r.environment) == _pool(kind, g.system, g.environment)
                    and r.members == g.servers  # both sorted
                )
                (kept if same else rest).append(name)
        rename.update((n, n) for n in kept)
        if not rest:
            continue
        ids = (
            own_identities(policy, rest)
            if kind == "own"
            else client_identities(policy, rename, rest)
        )
        mine = [
            Candidate(
                n,
                _pool(kind, policy.groups[n].system, policy.groups[n].environment),
                ids[n],
                policy.groups[n].servers,
            )
            for n in rest
        ]
        free = [
            Candidate(n, _pool(g.kind, g.system, g.environment), g.identity, g.members)
            for n, g in sorted(recorded.items())
            if g.kind == kind and n not in rename
        ]
        found = match(mine, free)
        taken |= set(found.values())
        rename.update(found)
        left = [c for c in mine if c.name not in found]
        firsts = _first_destinations(policy, rename) if left and kind == "client" else {}
        # as built: the same when no destination was renamed (a first plan: none is)
        renaming = any(a != b for a, b in rename.items())
        built = _first_destinations(policy, {}) if firsts and renaming else firsts
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
) -> tuple[dict[str, GroupAllocation], list[str]]:
    """``recorded`` with every cloud group of ``policy`` (built names) under its stable
    name: what ``allocations.json`` keeps for the next plan; and the recorded names no
    group of ``policy`` has (groups that left: they stay, reserved), sorted. A group kept
    as recorded keeps its entry (identity as when its members last changed)."""
    rename, identity = stable_names(policy, recorded)
    out = dict(recorded)
    for built in policy.cloud_groups():
        name = rename[built]
        if name in identity:  # new, renamed or changed (the others keep their entry)
            group = policy.groups[built]
            out[name] = GroupAllocation(
                kind=group.kind,
                system=group.system,
                environment=group.environment,
                identity=identity[name],
                members=group.servers,  # sorted (and the model sorts them anyway)
            )
    used = set(rename.values())
    return dict(sorted(out.items())), sorted(n for n in recorded if n not in used)


def reserved_warning(
    names: Sequence[str], recorded: Mapping[str, GroupAllocation], systems: set[str]
) -> Warning_ | None:
    """``allocation-group-kept``: recorded group names of systems still planned that no
    group uses any more (those of systems that left are in ``allocation-kept``)."""
    mine = [n for n in names if recorded[n].system in systems]
    if not mine:
        return None
    shown = ", ".join(mine[:10]) + (f" and {len(mine) - 10} more" if len(mine) > 10 else "")
    return Warning_(
        code="allocation-group-kept",
        message=f"allocations.json keeps {len(mine)} network group name(s) no group of this "
        f"plan uses ({shown}): they stay reserved so that no other group takes them; once "
        "their security groups are destroyed, release them with `utflytt allocations "
        f"release --group {mine[0]}`",
        subjects=tuple(sorted({recorded[n].system for n in mine})),
    )
