"""The provider-neutral network policy of a plan: groups and group-to-group permits.

Both clouds build their rules from :func:`network_policy` (Azure: application security
groups referenced by NSG rules; AWS: security groups referenced by id and managed prefix
lists), so a plan allows the same server pairs and ports on either.

A *permit* lets consumers reach one destination group on one port set. It is keyed by
(destination, ports, via, network) in a dict, so duplicates cannot exist. ``via``:

- ``cloud``: consumers that are (or will be) in the cloud, admitted by their groups (see
  :mod:`stacks.network.groups`);
- ``provider``: consumers still at the old provider while the destination runs in the
  cloud (the hybrid period, or for good when retained, retired or repurchased), admitted by
  their own ``/32`` (adjacent ones collapsed, which admits nobody else); a server without an
  ``ip`` by the whole source networks, which is a warning naming it.

A hub with very many consumers at the provider (a domain controller in wave 0 while
hundreds of servers still run at the old provider) would need more /32s than one rule set
holds (Azure: 4,000 prefixes per NSG; AWS: a prefix list weighs its entries against 60
rules): past :data:`MAX_PROVIDER_PREFIXES` prefixes a permit admits the source networks
that hold them instead, for the hybrid period only, and says so in a warning.

Only flows to servers that move get a permit: inbound rules exist only in the cloud.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from migration.plan import Plan, PlannedServer
from stacks.network.groups import Group, hubs, network_of, own_groups
from stacks.plancache import per_plan

Via = Literal["cloud", "provider"]
MAX_PROVIDER_PREFIXES = 50
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
        return [p for p in self.permits if p.destination == group]

    def cloud_groups(self) -> list[str]:
        """Groups that exist in the cloud (an ASG / a security group each), sorted."""
        return sorted(
            g
            for g, group in self.groups.items()
            if group.kind == "client" or self.group_wave.get(g) is not None
        )

    def groups_of(self, server: str) -> tuple[str, ...]:
        """Every group a server is in: its own group, then the client groups it joins."""
        return (self.group_of[server], *self.member_of.get(server, ()))

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


def _addresses(servers: Iterable[str], plan: Plan, warnings: list[str]) -> tuple[str, ...]:
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []

    def add(text: str) -> None:
        net = ipaddress.ip_network(text)
        if isinstance(net, ipaddress.IPv4Network):
            v4.append(net)
        else:
            v6.append(net)

    for sid in servers:
        srv = plan.servers[sid]
        if srv.ip:
            add(srv.ip)
        elif plan.source_networks:
            for network in plan.source_networks:
                add(network)
            warnings.append(
                f"server {sid} has no ip: its flows into the cloud are admitted from the "
                f"whole source network(s) {', '.join(plan.source_networks)}; add its ip"
            )
        else:
            warnings.append(
                f"server {sid} has no ip and the catalog has no source_networks: its flows "
                "into the cloud are not admitted; add its ip to the catalog"
            )
    return tuple(
        [str(n) for n in ipaddress.collapse_addresses(v4)]
        + [str(n) for n in ipaddress.collapse_addresses(v6)]
    )


def _covering(addresses: tuple[str, ...], networks: tuple[str, ...]) -> tuple[str, ...]:
    """``addresses`` with every one inside a source network replaced by that network."""
    nets = [ipaddress.ip_network(n) for n in networks]
    out: set[str] = set()
    for text in addresses:
        address = ipaddress.ip_network(text)
        holder = next(
            (n for n in nets if n.version == address.version and address.subnet_of(n)),  # type: ignore[arg-type]
            None,
        )
        out.add(str(holder) if holder is not None else text)
    return tuple(sorted(out))


@per_plan  # pure and slow (~0.5 s at 1,000 systems): once per plan, not per stack
def network_policy(plan: Plan) -> NetworkPolicy:
    """The plan's groups and permits (deterministic: the same plan, the same policy)."""
    hub_servers = hubs(plan.servers, plan.flows)
    groups, group_of = own_groups(plan.servers, plan.flows, hub_servers)
    group_wave: dict[str, int | None] = {}
    for name, group in groups.items():
        first = plan.servers[group.servers[0]]
        group_wave[name] = first.wave if moves(first) else None
    inbound: dict[str, dict[tuple[str, ...], set[str]]] = defaultdict(lambda: defaultdict(set))
    for flow in plan.flows:
        provider, consumer = plan.servers.get(flow.to), plan.servers.get(flow.from_)
        if provider is None or consumer is None or not moves(provider) or flow.from_ == flow.to:
            continue
        inbound[group_of[flow.to]][flow.ports].add(flow.from_)
    permits: dict[tuple[str, tuple[str, ...], str, str], Permit] = {}
    member_of: dict[str, list[str]] = defaultdict(list)
    client_by_members: dict[tuple[str, ...], str] = {}
    warnings: list[str] = []
    for dest in sorted(inbound):
        provider = plan.servers[groups[dest].servers[0]]
        assert provider.wave is not None
        clients = 0
        for ports, consumers in sorted(inbound[dest].items()):
            cloud: dict[str, list[str]] = defaultdict(list)
            at_provider: list[str] = []
            for sid in sorted(consumers):
                srv = plan.servers[sid]
                if moves(srv):
                    cloud[network_of(srv.environment)].append(sid)
                    assert srv.wave is not None
                    if srv.wave > provider.wave and not srv.migrated:
                        at_provider.append(sid)
                else:
                    at_provider.append(sid)
            for net, members in sorted(cloud.items()):
                cover = sorted({group_of[s] for s in members})
                whole = all(set(groups[g].servers) <= set(members) for g in cover)
                hub = groups[dest].servers[0] in hub_servers
                if whole and not hub:
                    sources = tuple(cover)
                elif tuple(members) in client_by_members:
                    sources = (client_by_members[tuple(members)],)
                else:
                    clients += 1
                    name = f"clients.{dest}" + (f".{clients}" if clients > 1 else "")
                    groups[name] = Group(name, "client", groups[dest].system, net, tuple(members))
                    for s in members:
                        member_of[s].append(name)
                    client_by_members[tuple(members)] = name
                    sources = (name,)
                cross = net != network_of(provider.environment)
                permits[(dest, ports, "cloud", net)] = Permit(
                    dest, ports, "cloud", net, sources, tuple(members), (), cross
                )
            if at_provider:
                addresses = _addresses(at_provider, plan, warnings)
                if len(addresses) > MAX_PROVIDER_PREFIXES and plan.source_networks:
                    addresses = _covering(addresses, plan.source_networks)
                    warnings.append(
                        f"{dest} admits its {len(at_provider)} consumers at the provider on "
                        f"{', '.join(ports)} from the whole source network(s) "
                        f"{', '.join(addresses)}: more than {MAX_PROVIDER_PREFIXES} addresses "
                        "do not fit one rule set; this lasts until they move"
                    )
                if addresses:
                    permits[(dest, ports, "provider", "provider")] = Permit(
                        dest, ports, "provider", "provider", (), tuple(at_provider), addresses
                    )
    return NetworkPolicy(
        groups=dict(sorted(groups.items())),
        group_of=group_of,
        member_of={s: tuple(sorted(g)) for s, g in sorted(member_of.items())},
        group_wave=group_wave,
        permits=tuple(p for _, p in sorted(permits.items())),
        warnings=tuple(sorted(set(warnings))),
        servers=plan.servers,
    )
