"""Network groups: which servers share one application/security group (DESIGN.md
"Network policy").

Every server is in exactly one *own* group: its system × environment, split only where
its servers do not talk alike (a server-level dependency of or on one of a system's
servers, ``from_roles``/``to_roles``): servers of one system × environment with the same
flows (direction, other end, ports) share a group, except that flows *to* a hub (see
:func:`hubs`) do not split them. So a rule's destination group is reached whole, and the
consumers of one non-hub destination and port set are always whole own groups: the rule's
sources. The split parts are named after their role when that tells them apart, else
numbered in server-id order.

Consumers that are not whole own groups (a hub's, chosen server by server), or too many
groups for one hub to reference, join *client* groups (``clients.<destination>[.<n>]``: one
per destination and set of port sets, reused by every destination with the same
consumers; see :mod:`stacks.network.policy`). Either way a rule admits exactly the declared
consumers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from migration.flows import FlowLike, Placed

MAX_DIRECT_SOURCES = 10  # Azure admits 10 ASGs on one side of a rule
_IN, _OUT, _PEER_IN, _PEER_OUT = range(4)  # a flow's direction, in own_groups' signatures


class PlacedServer(Placed, Protocol):
    """What grouping reads of a server (a plan's ``PlannedServer``)."""

    @property
    def role(self) -> str: ...


def network_of(environment: str) -> str:
    """The network (VNet/VPC) an environment lives in: one per environment on both clouds,
    so prod never shares one with test or dev."""
    return environment


@dataclass(frozen=True)
class Group:
    """Servers that share one application security group (Azure) / security group (AWS)."""

    name: str  # <system>.<env>[.<role>|.<n>]  or  clients.<destination>[.<n>]
    kind: Literal["own", "client"]
    system: str  # own: the system; client: the destination's system
    environment: str  # own: its environment; client: its members' (one network each)
    servers: tuple[str, ...]  # sorted: every group is built in server-id order

    @property
    def network(self) -> str:
        """The network its servers live in (see :func:`network_of`)."""
        return network_of(self.environment)


def hubs(servers: Mapping[str, PlacedServer], flows: Iterable[FlowLike]) -> set[str]:
    """Servers reached from more than :data:`MAX_DIRECT_SOURCES` system × environments
    (domain controllers, monitoring collectors, shared databases): their consumers are
    admitted through client groups, so a consumer's own group need not follow them."""
    cell = _cells(servers)
    reached: dict[str, set[int]] = defaultdict(set)
    for f in flows:
        consumer = cell.get(f.from_)
        if consumer is not None and f.to in cell:
            reached[f.to].add(consumer)
    return {sid for sid, cells in reached.items() if len(cells) > MAX_DIRECT_SOURCES}


def _cells(servers: Mapping[str, PlacedServer]) -> dict[str, int]:
    """Server id -> a number for its system × environment (equal numbers: the same one)."""
    numbers: dict[tuple[str, str], int] = {}
    return {
        sid: numbers.setdefault((s.system, s.environment), len(numbers))
        for sid, s in servers.items()
    }


def own_groups(
    servers: Mapping[str, PlacedServer], flows: Iterable[FlowLike], hub_servers: set[str]
) -> tuple[dict[str, Group], dict[str, str]]:
    """(group name -> own Group, server id -> own group name); ``.`` never occurs in a slug,
    so group names never clash with each other."""
    # a server's flows, both ways: (direction, other end, ports); a flow inside its own
    # system x environment first counts only by direction and ports ("peer"), which is
    # exact when those flows fill the rectangles between the parts (checked below). Each
    # such triple is one int (ports numbered, the other end by its index, the direction in
    # the low bits): the same triples, the same ints, so the same parts, without hashing
    # a tuple of strings per flow at 100k servers
    cell = _cells(servers)
    end = {sid: i << 2 for i, sid in enumerate(servers)}  # the other end, shifted
    peer = len(servers) << 2  # "": no server has this index
    shift = peer.bit_length() + 2
    port_numbers: dict[tuple[str, ...], int] = {}
    signature: dict[str, set[int]] = defaultdict(set)
    precise: dict[str, set[int]] = defaultdict(set)
    inside: dict[int, list[FlowLike]] = defaultdict(list)
    for f in flows:
        source, to = f.from_, f.to  # each read once: 500k flows
        a, b = cell.get(source), cell.get(to)
        if a is None or b is None or source == to:
            continue
        ports = port_numbers.setdefault(f.ports, len(port_numbers) << shift)
        if a == b:
            inside[a].append(f)
            signature[to].add(ports | peer | _PEER_IN)
            signature[source].add(ports | peer | _PEER_OUT)
            precise[to].add(ports | end[source] | _IN)
            precise[source].add(ports | end[to] | _OUT)
            continue
        signature[to].add(ports | end[source] | _IN)
        if to not in hub_servers:
            signature[source].add(ports | end[to] | _OUT)
    by_cell: dict[int, list[str]] = defaultdict(list)
    for sid in sorted(servers):
        by_cell[cell[sid]].append(sid)
    bases = {(servers[ids[0]].system, servers[ids[0]].environment): ids for ids in by_cell.values()}
    parts: dict[tuple[str, str], list[list[str]]] = {}
    for base, ids in bases.items():
        split = _split(ids, signature)
        if not _exact_inside(split, inside.get(cell[ids[0]], [])):
            split = _split(ids, {sid: signature[sid] | precise[sid] for sid in ids})
        parts[base] = split
    groups: dict[str, Group] = {}
    group_of: dict[str, str] = {}
    for (system, env), members in sorted(parts.items()):
        by_role = len(members) > 1 and _named_by_role(members, servers)
        for index, ids in enumerate(members, start=1):
            if len(members) == 1:
                name = f"{system}.{env}"
            elif by_role:
                name = f"{system}.{env}.{servers[ids[0]].role}"
            else:
                name = f"{system}.{env}.{index}"
            groups[name] = Group(name, "own", system, env, tuple(ids))
            group_of.update(dict.fromkeys(ids, name))
    return groups, group_of


def _named_by_role(parts: list[list[str]], servers: Mapping[str, PlacedServer]) -> bool:
    """True when each part's servers share one role and no two parts share it."""
    roles = [{servers[s].role for s in m} for m in parts]
    return all(len(r) == 1 for r in roles) and len({next(iter(r)) for r in roles}) == len(roles)


def _split(ids: list[str], signature: Mapping[str, set[int]]) -> list[list[str]]:
    by_sig: dict[frozenset[int], list[str]] = defaultdict(list)
    for sid in ids:
        by_sig[frozenset(signature.get(sid, ()))].append(sid)
    return sorted(by_sig.values())


def _exact_inside(parts: list[list[str]], flows: list[FlowLike]) -> bool:
    """True when the flows inside one system x environment fill every part-to-part
    rectangle they touch, with one port set (a server never needs a rule to itself)."""
    part_of = {sid: i for i, ids in enumerate(parts) for sid in ids}
    count: dict[tuple[int, int], int] = defaultdict(int)
    ports: dict[tuple[int, int], tuple[str, ...]] = {}
    for f in flows:
        key = (part_of[f.from_], part_of[f.to])
        count[key] += 1
        if ports.setdefault(key, f.ports) != f.ports:
            return False
    for (g, h), n in count.items():
        full = len(parts[g]) * len(parts[h]) - (len(parts[g]) if g == h else 0)
        if n != full:
            return False
    return True
