"""The provider-neutral network policy of a plan: groups and group-to-group permits.

Both clouds build their rules from :func:`network_policy`, as admitted (below) (Azure:
application security groups referenced by NSG rules; AWS: security groups referenced by id
and managed prefix lists), so a plan allows the same server pairs and ports on either.

A *permit* lets consumers reach one destination group on one port set. It is keyed by
(destination, ports, via, network) in a dict, so duplicates cannot exist. ``via``:

- ``cloud``: consumers that are (or will be) in the cloud, admitted by their groups (see
  :mod:`stacks.network.groups`);
- ``provider``: consumers still at the old provider while the destination runs in the
  cloud (the hybrid period, or for good when retained, retired or repurchased), admitted by
  their own ``/32`` (adjacent ones collapsed, which admits nobody else); a server without an
  ``ip`` by the whole source networks, which is a warning naming it.

This policy is exact and the same for both clouds. A hub with very many consumers at the
provider (a domain controller in wave 0 while hundreds of servers still run at the old
provider) may need more /32s than a cloud's rule sets hold (on AWS a prefix list weighs its
entries against the rules per security group): :func:`stacks.network.budgets.
admitted_policy` then summarises those permits within the cloud's budget
(:mod:`stacks.network.admission`) for as long as those consumers stay at the provider, and
says so in a warning.

Cloud consumers are admitted by their own groups when those are whole (a hub: up to
:data:`MAX_DIRECT_REFERENCES` references), else by client groups: one per destination and
set of port sets its consumers use, so a server joins one client group per destination.
No server joins more than :data:`MAX_CLIENT_MEMBERSHIPS` client groups (AWS allows five
security groups per interface: its own group, three client groups and one shard of its
rules): the client groups most over-full servers share are merged for their common
members, and each permit of either admits the merged group as well.

Only flows to servers that move get a permit: inbound rules exist only in the cloud.
"""

from __future__ import annotations

import heapq
import ipaddress
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import combinations
from typing import Literal

from migration.plan import Plan, PlannedServer
from stacks.network.groups import Group, hubs, network_of, own_groups
from stacks.network.stable_names import stable_policy
from stacks.plancache import per_plan, per_plan_fields

Via = Literal["cloud", "provider"]
MAX_CLIENT_MEMBERSHIPS = 3  # AWS: 5 security groups per ENI = own + 3 + one shard
MAX_DIRECT_REFERENCES = 40  # a hub admits whole consumer groups directly up to this many
MIGRATING = frozenset({"rehost", "replatform", "rebuild"})


@dataclass(frozen=True, order=True)
class Permit:
    """``consumers`` may reach every server of ``destination`` on ``ports``."""

    destination: str
    ports: tuple[str, ...]  # "tcp/443", "udp/53", "tcp/8000-8100"
    via: Via
    network: str  # cloud: the sources' network (their environment); provider: "provider"
    sources: tuple[str, ...] = ()  # cloud: the groups that admit them
    consumers: tuple[str, ...] = ()  # the consumer servers
    addresses: tuple[str, ...] = ()  # provider: their prefixes
    cross_network: bool = False  # cloud sources in the other network than the destination
    # provider: addresses admitted beyond the consumers' own (a summarised permit); left
    # out of repr, which names rules (stacks.network.rulesets.digest)
    extra_addresses: int = field(default=0, repr=False)


@dataclass(frozen=True)
class NetworkPolicy:
    """Groups, memberships, permits and the warnings they raise."""

    groups: Mapping[str, Group]
    group_of: Mapping[str, str]  # server id -> own group
    member_of: Mapping[str, tuple[str, ...]]  # server id -> client groups it joins
    group_wave: Mapping[str, int | None]  # own group -> wave it moves in (None: stays)
    permits: tuple[Permit, ...]
    warnings: tuple[str, ...] = ()
    servers: Mapping[str, PlannedServer] = field(default_factory=dict)

    def permits_to(self, group: str) -> list[Permit]:
        """Permits whose destination is ``group``, sorted."""
        return list(self.by_destination.get(group, ()))

    @cached_property
    def by_destination(self) -> dict[str, tuple[Permit, ...]]:
        """Destination group -> its permits, sorted."""
        index: dict[str, list[Permit]] = defaultdict(list)
        for p in self.permits:
            index[p.destination].append(p)
        return {d: tuple(ps) for d, ps in index.items()}

    def cloud_groups(self) -> list[str]:
        """Groups that exist in the cloud (an ASG / a security group each), sorted."""
        return list(self._cloud_groups)

    @cached_property
    def _cloud_groups(self) -> tuple[str, ...]:  # sorted once: the limits read it often
        return tuple(
            sorted(
                g
                for g, group in self.groups.items()
                if group.kind == "client" or self.group_wave.get(g) is not None
            )
        )

    def groups_of(self, server: str) -> tuple[str, ...]:
        """Every group a server is in: its own group, then the client groups it joins."""
        return (self.group_of[server], *self.member_of.get(server, ()))

    def joined_networks(self) -> list[tuple[str, str]]:
        """Pairs of networks (sorted, each pair sorted) that some permit crosses: a test
        server using the prod domain controllers joins test and prod. Both clouds join
        exactly these (Azure: VNet peering; AWS: VPC peering) and no others."""
        pairs: set[tuple[str, str]] = set()
        for permit in self.permits:
            if permit.cross_network:
                there = self.groups[permit.destination].network
                for source in permit.sources:
                    here = self.groups[source].network
                    pairs.add((min(here, there), max(here, there)))
        return sorted(pairs)

    def allowed(self) -> set[tuple[str, str, str]]:
        """(consumer server, provider server, port) the permits allow, read from group
        membership (cloud) or the admitted consumers (provider)."""
        out: set[tuple[str, str, str]] = set()
        for p in self.permits:
            if p.via == "cloud":
                consumers = {s for g in p.sources for s in self.groups[g].servers}
            else:
                consumers = set(p.consumers)
            for u in consumers:
                for v in self.groups[p.destination].servers:
                    if u != v:  # a server reaching itself never crosses a rule
                        out.update((u, v, port) for port in p.ports)
        return out


def moves(server: PlannedServer) -> bool:
    """True when the server gets a cloud VM (it is in a wave and its system migrates)."""
    return server.wave is not None and server.disposition in MIGRATING


@lru_cache(maxsize=65536)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A parsed address or network (immutable: parsed once; the source networks stand in
    for every consumer without an ip, thousands of times at scale)."""
    return ipaddress.ip_network(text)


def _addresses(
    servers: list[str], ip_of: Mapping[str, str], plan: Plan, no_ip: set[str]
) -> tuple[str, ...]:
    """The servers' addresses (``ip_of``: the servers that have one), collapsed; a server
    without an ip is admitted by the whole source networks (added once, however many lack
    one) and goes into ``no_ip``."""
    # an ordered set: each address parsed and hashed once
    texts = dict.fromkeys(ip_of[sid] for sid in servers if sid in ip_of)
    missing = [sid for sid in servers if sid not in ip_of]
    if missing:
        no_ip.update(missing)
        texts.update(dict.fromkeys(plan.source_networks))
    nets = [_network(text) for text in texts]
    v4 = [n for n in nets if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in nets if isinstance(n, ipaddress.IPv6Network)]
    return tuple(
        [str(n) for n in ipaddress.collapse_addresses(v4)]
        + [str(n) for n in ipaddress.collapse_addresses(v6)]
    )


def _no_ip_warnings(no_ip: Iterable[str], source_networks: tuple[str, ...]) -> list[str]:
    """One warning per server without an ip that some permit from the provider admits."""
    if source_networks:
        return [
            f"server {sid} has no ip: its flows into the cloud are admitted from the "
            f"whole source network(s) {', '.join(source_networks)}; add its ip"
            for sid in no_ip
        ]
    return [
        f"server {sid} has no ip and the catalog has no source_networks: its flows "
        "into the cloud are not admitted; add its ip to the catalog"
        for sid in no_ip
    ]


def _direct_sources(
    cloud: Mapping[str, Mapping[tuple[str, ...], list[str]]],
    groups: Mapping[str, Group],
    group_of: Mapping[str, str],
    hub: bool,
) -> dict[tuple[str, tuple[str, ...]], tuple[str, ...]]:
    """(network, ports) -> the consumers' own groups, for the cloud permits of one
    destination that admit them directly: every permit whose consumers are whole own
    groups, unless the destination is a hub whose direct sources would pass
    :data:`MAX_DIRECT_REFERENCES` group references (then its consumers join client groups)."""
    out: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
    references = 0
    for net, by_ports in cloud.items():
        for ports, members in by_ports.items():
            # members are distinct and each in one own group: a group is whole when as
            # many of its servers are members as it has
            cover = Counter(map(group_of.__getitem__, members))
            if all(len(groups[g].servers) == n for g, n in cover.items()):
                out[(net, ports)] = tuple(sorted(cover))
                references += len(cover) * len(ports)
                if hub and references > MAX_DIRECT_REFERENCES:
                    return {}
    return out


def _client_classes(
    cloud: Mapping[str, Mapping[tuple[str, ...], list[str]]],
    direct: Mapping[tuple[str, tuple[str, ...]], tuple[str, ...]],
) -> dict[str, list[tuple[frozenset[tuple[str, ...]], tuple[str, ...]]]]:
    """Network -> the destination's client classes: its consumers not admitted directly,
    grouped by the set of port sets they use (so each joins one client group per
    destination, however many port sets it uses), as (port sets, servers), sorted."""
    out: dict[str, list[tuple[frozenset[tuple[str, ...]], tuple[str, ...]]]] = {}
    for net, by_ports in cloud.items():
        uses: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for ports, members in by_ports.items():
            if (net, ports) not in direct:
                for s in members:
                    uses[s].add(ports)
        classes: dict[frozenset[tuple[str, ...]], list[str]] = defaultdict(list)
        for s in sorted(uses):
            classes[frozenset(uses[s])].append(s)
        out[net] = sorted(((key, tuple(ids)) for key, ids in classes.items()), key=lambda c: c[1])
    return out


def _merge_memberships(
    groups: dict[str, Group],
    member_of: dict[str, list[str]],
    permits: dict[tuple[str, tuple[str, ...], str, str], Permit],
) -> None:
    """Keep every server in at most :data:`MAX_CLIENT_MEMBERSHIPS` client groups: while
    some server joins more, the two client groups most such servers share give their
    common members to one merged group ``clients.merged.<n>`` that every permit of either
    also admits (each permit still admits exactly its consumers)."""
    over = {s for s, joined in member_of.items() if len(joined) > MAX_CLIENT_MEMBERSHIPS}
    if not over:
        return
    pairs = Counter(pair for s in over for pair in combinations(sorted(member_of[s]), 2))
    # the most shared pair first (ties: the smallest names); a heap of (-count, *pair). An
    # entry may be stale: a pair whose count rose was pushed again, one whose count fell
    # is pushed again only when it reaches the top (an entry never under-states a live
    # pair, so a top entry that matches its pair's count is the true maximum); this keeps
    # the merging linear-logarithmic at 100k servers
    heap = [(-n, *p) for p, n in pairs.items() if n > 0]  # flat: faster to compare
    heapq.heapify(heap)
    # while merging, client groups' members are ordered sets (one removed in O(1)) and
    # the changed permits' sources sets; both are written back once at the end
    members: dict[str, dict[str, None]] = {}
    sources: dict[tuple[str, tuple[str, ...], str, str], set[str]] = {}
    by_source: dict[str, set[tuple[str, tuple[str, ...], str, str]]] = defaultdict(set)
    for key, permit in permits.items():
        for g in permit.sources:
            by_source[g].add(key)

    def servers_of(group: str) -> dict[str, None]:
        found = members.get(group)
        if found is None:
            found = members[group] = dict.fromkeys(groups[group].servers)
        return found

    merged = 0
    while over:
        while True:
            count, one, two = heap[0]
            pair = (one, two)
            now = pairs[pair]
            if -count == now:
                break
            if -count > now > 0:  # its count fell: it competes again at its current count
                heapq.heapreplace(heap, (-now, one, two))
            else:
                heapq.heappop(heap)
        first, second = servers_of(one), servers_of(two)
        small, large = (first, second) if len(first) <= len(second) else (second, first)
        common = [s for s in small if s in large]
        merged += 1
        name = f"clients.merged.{merged}"
        groups[name] = Group(
            name, "client", groups[one].system, groups[one].environment, tuple(sorted(common))
        )
        for s in common:
            del first[s], second[s]
        for old in (one, two):
            if not members[old]:
                del groups[old], members[old]
        for s in common:
            joined = member_of[s]
            member_of[s] = [g for g in joined if g not in (one, two)] + [name]
            if s not in over:  # it joins one group fewer: still within the limit
                continue
            if len(member_of[s]) <= MAX_CLIENT_MEMBERSHIPS:
                over.discard(s)
                for gone in combinations(sorted(joined), 2):
                    pairs[gone] -= 1
                continue
            for g in joined:  # its pairs with one and two are gone, those with name new
                if g in (one, two):
                    continue
                for old in (one, two):
                    pairs[(g, old) if g < old else (old, g)] -= 1
                new = (g, name) if g < name else (name, g)
                pairs[new] += 1
                heapq.heappush(heap, (-pairs[new], *new))
            pairs[pair] -= 1
        for key in by_source[one] | by_source[two]:
            kept = sources.get(key)
            if kept is None:
                kept = sources[key] = set(permits[key].sources)
            kept.difference_update(g for g in (one, two) if g not in groups)
            kept.add(name)
            by_source[name].add(key)
    for group, servers in members.items():
        if len(servers) != len(groups[group].servers):
            groups[group] = replace(groups[group], servers=tuple(servers))
    for key, kept in sources.items():
        permits[key] = replace(permits[key], sources=tuple(sorted(kept)))


@per_plan  # once per plan, not per stack
def network_policy(plan: Plan) -> NetworkPolicy:
    """The plan's groups and permits, its groups named as its allocations record them
    (:mod:`stacks.network.stable_names`; deterministic: the same plan, the same policy)."""
    recorded = plan.allocations.provider(plan.target.provider).groups
    return stable_policy(unnamed_policy(plan), recorded)


# pure and slow (~0.5 s at 1,000 systems): once per plan, and not again for the same plan
# with allocations added (the fields it reads are shared by the copy)
@per_plan_fields("servers", "flows", "source_networks", "target", "quotas")
def unnamed_policy(plan: Plan) -> NetworkPolicy:
    """The plan's groups and permits, its groups named as built (by position)."""
    hub_servers = hubs(plan.servers, plan.flows)
    groups, group_of = own_groups(plan.servers, plan.flows, hub_servers)
    servers = plan.servers
    # the moving servers' (network, wave, migrated) and the servers' ips, read once: 100k
    # servers, 500k flows
    moving = {
        sid: (network_of(s.environment), s.wave, s.migrated)
        for sid, s in servers.items()
        if moves(s)
    }
    ip_of = {sid: s.ip for sid, s in servers.items() if s.ip}
    group_wave: dict[str, int | None] = {}
    for name, group in groups.items():
        found = moving.get(group.servers[0])
        group_wave[name] = None if found is None else found[1]
    dest_of = {sid: group_of[sid] for sid in moving}  # a moving server -> its own group
    inbound: dict[str, dict[tuple[str, ...], set[str]]] = defaultdict(lambda: defaultdict(set))
    for flow in plan.flows:
        to, source = flow.to, flow.from_  # each read once: 500k flows
        dest = dest_of.get(to)
        if dest is not None and source in servers and source != to:
            inbound[dest][flow.ports].add(source)
    permits: dict[tuple[str, tuple[str, ...], str, str], Permit] = {}
    member_of: dict[str, list[str]] = defaultdict(list)
    client_by_members: dict[tuple[str, ...], str] = {}
    no_ip: set[str] = set()  # consumers at the provider without an ip: a warning each
    for dest in sorted(inbound):
        provider = plan.servers[groups[dest].servers[0]]
        provider_wave = provider.wave  # compared with each consumer's
        assert provider_wave is not None
        hub = groups[dest].servers[0] in hub_servers
        # consumers in the cloud by network and port set; the rest by their addresses
        cloud: dict[str, dict[tuple[str, ...], list[str]]] = defaultdict(dict)
        for ports, consumers in sorted(inbound[dest].items()):
            at_provider: list[str] = []
            by_network: dict[str, list[str]] = {}
            for sid in sorted(consumers):
                found = moving.get(sid)
                if found is None:
                    at_provider.append(sid)
                    continue
                net, wave, migrated = found
                members = by_network.get(net)
                if members is None:
                    members = by_network[net] = []
                members.append(sid)
                assert wave is not None
                if wave > provider_wave and not migrated:
                    at_provider.append(sid)
            for net, members in by_network.items():
                cloud[net][ports] = members
            # consumers still at the provider: their /32s, collapsed (a cloud whose rule
            # sets cannot hold them all summarises them, stacks.network.admission)
            addresses = _addresses(at_provider, ip_of, plan, no_ip) if at_provider else ()
            if addresses:
                permits[(dest, ports, "provider", "provider")] = Permit(
                    dest, ports, "provider", "provider", (), tuple(at_provider), addresses
                )
        direct = _direct_sources(cloud, groups, group_of, hub)
        clients = _client_classes(cloud, direct)
        created = 0
        for net, by_ports in sorted(cloud.items()):
            for ports, members in sorted(by_ports.items()):
                if (net, ports) in direct:
                    sources = direct[(net, ports)]
                else:
                    names = []
                    for key, ids in clients[net]:
                        if ports not in key:
                            continue
                        own = group_of[ids[0]]
                        if groups[own].servers == ids:  # a whole own group: no client group
                            names.append(own)
                            continue
                        if ids not in client_by_members:
                            created += 1
                            name = f"clients.{dest}" + (f".{created}" if created > 1 else "")
                            groups[name] = Group(name, "client", groups[dest].system, net, ids)
                            for s in ids:
                                member_of[s].append(name)
                            client_by_members[ids] = name
                        names.append(client_by_members[ids])
                    sources = tuple(sorted(names))
                cross = net != network_of(provider.environment)
                permits[(dest, ports, "cloud", net)] = Permit(
                    dest, ports, "cloud", net, sources, tuple(members), (), cross
                )
    _merge_memberships(groups, member_of, permits)
    return NetworkPolicy(
        groups=dict(sorted(groups.items())),
        group_of=group_of,
        member_of={s: tuple(sorted(g)) for s, g in sorted(member_of.items())},
        group_wave=group_wave,
        permits=tuple(p for _, p in sorted(permits.items())),
        warnings=tuple(sorted(_no_ip_warnings(no_ip, plan.source_networks))),
        servers=plan.servers,
    )
