"""The policy's permits as each cloud's rule sets (pure data; the stacks only render them).

- Azure: one NSG per system × environment subnet. Each permit becomes one rule per
  protocol: from its source application security groups (same network), or from address
  prefixes (consumers at the old provider; cloud consumers of the other network by their
  unit's subnet when the whole unit is a consumer, else their static addresses, since a
  rule's ASGs must share one virtual network).
- AWS: one security group per group. Each permit becomes one rule per port range and
  source security group, or per port range from the permit's managed prefix list (which
  counts as its max entries). Rules past the quota spread over shards of the group.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from migration.catalog.models import parse_port
from stacks.network.addresses import Addressing
from stacks.network.policy import NetworkPolicy, Permit
from stacks.plancache import per_plan

ASG_MIN_SERVERS = 3
MAX_CIDR_RULES = 16  # AWS: a provider permit from more addresses uses a managed prefix list


def port_text(ports: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Ports by protocol as NSG port ranges: ("tcp/80", "tcp/8000-8100") -> {"tcp": ("80",
    "8000-8100")}."""
    out: dict[str, list[str]] = defaultdict(list)
    for port in ports:
        proto, first, last = parse_port(port)
        out[proto].append(str(first) if first == last else f"{first}-{last}")
    return {proto: tuple(texts) for proto, texts in sorted(out.items())}


def digest(*parts: object) -> str:
    """Short stable hash (names that must be unique and short)."""
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:8]


def unit_key(system: str, environment: str) -> str:
    """The subnet/NSG key of a system and environment (``<system>-<env>``)."""
    return f"{system}-{environment}"


# ---------------------------------------------------------------------------------- Azure


@dataclass(frozen=True)
class NsgRule:
    """One inbound allow rule of a subnet's NSG."""

    name: str
    priority: int
    protocol: str  # "Tcp" | "Udp"
    ports: tuple[str, ...]  # "1433", "8000-8100"
    destination_group: str  # the destination's ASG ("" when addressed by prefixes)
    destination_prefixes: tuple[str, ...] = ()
    source_groups: tuple[str, ...] = ()  # source ASGs
    source_prefixes: tuple[str, ...] = ()
    permit: Permit | None = None

    @property
    def prefix_count(self) -> int:
        """Address prefixes the rule spends of its NSG's budget."""
        return len(self.source_prefixes) + len(self.destination_prefixes)


def uses_asg(policy: NetworkPolicy, group: str) -> bool:
    """Azure addresses a group by an application security group when it is a client group
    or has at least :data:`ASG_MIN_SERVERS` servers; a smaller group by its servers'
    static addresses (the same servers, and it keeps the subscription's ASG count down)."""
    found = policy.groups[group]
    return found.kind == "client" or len(found.servers) >= ASG_MIN_SERVERS


def collapse(prefixes: Iterable[str]) -> tuple[str, ...]:
    """IPv4 prefixes merged where adjacent (exact: admits no other address), sorted."""
    nets = {ipaddress.IPv4Network(p) for p in prefixes}
    return tuple(str(n) for n in ipaddress.collapse_addresses(sorted(nets)))


@per_plan  # once per address plan: azure_rule_sets is cached by its arguments' identity
def unit_subnets(addressing: Addressing) -> dict[str, tuple[str, ...]]:
    """Unit subnet -> the servers it holds (all of one system x environment)."""
    return {u.cidr: u.servers for u in addressing.units}


def azure_asgs(policy: NetworkPolicy) -> list[str]:
    """The groups that get an application security group, sorted."""
    return [g for g in policy.cloud_groups() if uses_asg(policy, g)]


def _ips(policy: NetworkPolicy, group: str, server_ips: Mapping[str, str]) -> list[str]:
    return [f"{server_ips[s]}/32" for s in policy.groups[group].servers if s in server_ips]


def _prefixes(
    servers: Iterable[str],
    server_ips: Mapping[str, str],
    unit_subnets: Mapping[str, tuple[str, ...]],
    subnet_of: Mapping[str, str],
) -> tuple[str, ...]:
    """The servers' addresses: a whole unit (every server of one system x environment, the
    only servers its subnet holds) by its subnet, the others by their /32s, collapsed."""
    chosen = set(servers)
    whole = {
        cidr for sid in chosen if (cidr := subnet_of.get(sid)) and set(unit_subnets[cidr]) <= chosen
    }
    rest = chosen - {sid for cidr in whole for sid in unit_subnets[cidr]}
    return collapse([*whole, *(f"{server_ips[s]}/32" for s in sorted(rest) if s in server_ips)])


@per_plan  # pure and slow (~0.4 s at 1,000 systems): once per policy
def azure_rule_sets(
    policy: NetworkPolicy,
    server_ips: Mapping[str, str],
    asgs_per_rule_side: int = 10,
    unit_subnets: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, list[NsgRule]]:
    """Subnet key -> its NSG's inbound allow rules (without the final deny-all), in
    priority order from 100. ``unit_subnets`` (subnet -> the servers it holds) lets a
    source that is a whole unit of the other network be admitted by its subnet."""
    unit_subnets = unit_subnets or {}
    subnet_of = {sid: cidr for cidr, ids in unit_subnets.items() for sid in ids}
    out: dict[str, list[NsgRule]] = defaultdict(list)
    for permit in policy.permits:
        dest = policy.groups[permit.destination]
        unit = unit_key(dest.system, dest.environment)
        dest_prefixes: tuple[str, ...] = ()
        if uses_asg(policy, permit.destination):
            dest_asg = permit.destination
        else:
            dest_asg = ""
            dest_prefixes = collapse(_ips(policy, permit.destination, server_ips))
        sides: list[tuple[tuple[str, ...], tuple[str, ...]]] = []  # (ASGs, prefixes)
        if permit.via == "provider":
            sides.append(((), permit.addresses))
        else:
            by_asg = [g for g in permit.sources if not permit.cross_network and uses_asg(policy, g)]
            prefixes = _prefixes(
                (s for g in permit.sources if g not in by_asg for s in policy.groups[g].servers),
                server_ips,
                unit_subnets,
                subnet_of,
            )
            for i in range(0, len(by_asg), asgs_per_rule_side):
                sides.append((tuple(by_asg[i : i + asgs_per_rule_side]), ()))
            if prefixes:
                sides.append(((), tuple(prefixes)))
        for proto, ports in port_text(permit.ports).items():
            for side, (asgs, prefixes) in enumerate(sides):
                kind = "asg" if asgs else "addr"
                # from stable names and ports only (ASG chunks first, one address side):
                # a rule keeps its name when its consumers or addresses change
                p = permit
                key = digest(p.destination, p.ports, p.via, p.network, kind, side if asgs else 0)
                name = f"in-{permit.destination}-{proto}-{kind}-{key}"
                if len(name) > 80:
                    name = f"in-{digest(permit.destination)}-{proto}-{kind}-{key}"
                out[unit].append(
                    NsgRule(
                        name=name,
                        priority=100 + len(out[unit]),
                        protocol="Tcp" if proto == "tcp" else "Udp",
                        ports=ports,
                        destination_group=dest_asg,
                        destination_prefixes=dest_prefixes,
                        source_groups=asgs,
                        source_prefixes=prefixes,
                        permit=permit,
                    )
                )
    return dict(sorted(out.items()))


# ------------------------------------------------------------------------------------ AWS


@dataclass(frozen=True)
class SgRule:
    """One inbound rule of a group's security group (one protocol and port range)."""

    group: str
    protocol: str  # "tcp" | "udp"
    from_port: int
    to_port: int
    source_group: str | None = None  # a source group's security group
    prefix_list: str | None = None  # the permit's managed prefix list
    cidr: str | None = None  # one address at the provider (a permit from a few)
    weight: int = 1  # rule units it spends (a prefix list: its max entries)
    cross_network: bool = False

    @property
    def port(self) -> str:
        """``tcp/443`` or ``tcp/8000-8100``."""
        if self.from_port == self.to_port:
            return f"{self.protocol}/{self.from_port}"
        return f"{self.protocol}/{self.from_port}-{self.to_port}"


@per_plan  # once per policy: the rule sets, the foundation's lists and the limits read it
def prefix_list_permits(policy: NetworkPolicy, lists: int = 100) -> frozenset[Permit]:
    """The provider permits written with a managed prefix list: those from more than
    :data:`MAX_CIDR_RULES` addresses, the largest first, at most ``lists`` (the Region's
    quota of customer-managed prefix lists). The others are one rule per address: the
    same rule units, since a list counts as its max entries."""
    big = [p for p in policy.permits if p.via == "provider" and len(p.addresses) > MAX_CIDR_RULES]
    return frozenset(sorted(big, key=lambda p: (-len(p.addresses), p))[:lists])


def prefix_list_name(permit: Permit) -> str:
    """Stable name of a provider permit's managed prefix list."""
    return f"pl-{permit.destination}-{digest(permit.ports)}"


def aws_rule_sets(
    policy: NetworkPolicy,
    limit: int = 60,
    reserved: Mapping[str, int] | None = None,
    lists: int = 100,
) -> dict[str, tuple[SgRule, ...]]:
    """Security group -> its inbound rules, sorted. A group whose rules weigh more than
    ``limit`` units (less ``reserved[group]``, the load balancer's rule) spreads them over
    *shards*, security groups ``<group>+2``, ``<group>+3``... attached to the same
    instances (see :func:`aws_security_groups`): the instances admit the union, which is
    the group's permits, so nothing more is admitted. ``lists``: the prefix lists the
    Region allows (:func:`prefix_list_permits`)."""
    listed = prefix_list_permits(policy, lists)
    out: dict[str, list[SgRule]] = defaultdict(list)
    seen: dict[str, set[SgRule]] = defaultdict(set)  # provider rules, kept once each
    for permit in policy.permits:
        dest = permit.destination
        for port in permit.ports:
            proto, first, last = parse_port(port)
            if permit in listed:
                out[dest].append(
                    SgRule(
                        dest,
                        proto,
                        first,
                        last,
                        prefix_list=prefix_list_name(permit),
                        weight=len(permit.addresses),
                    )
                )
                continue
            if permit.via == "provider":  # two permits may share an address and a port
                for cidr in permit.addresses:
                    rule = SgRule(dest, proto, first, last, cidr=cidr)
                    if rule not in seen[dest]:
                        seen[dest].add(rule)
                        out[dest].append(rule)
                continue
            for source in permit.sources:
                out[dest].append(
                    SgRule(
                        dest,
                        proto,
                        first,
                        last,
                        source_group=source,
                        cross_network=permit.cross_network,
                    )
                )
    reserved = reserved or {}
    sets: dict[str, tuple[SgRule, ...]] = {}
    for group, rules in sorted(out.items()):
        capacity = max(1, limit - reserved.get(group, 0))
        for index, shard in enumerate(_shards(sorted(rules, key=_rule_key), capacity)):
            name = group if index == 0 else shard_name(group, index + 1)
            # the first shard is the group itself: its rules already name it
            sets[name] = (
                tuple(shard) if index == 0 else tuple(replace(r, group=name) for r in shard)
            )
    return sets


def shard_name(group: str, number: int) -> str:
    """The ``number``-th security group of ``group``'s inbound rules (2, 3, ...)."""
    return f"{group}+{number}"


def _shards(rules: list[SgRule], capacity: int) -> list[list[SgRule]]:
    """Rules in as few bins of ``capacity`` units as first-fit by decreasing weight finds
    (one bin when they fit; a rule heavier than a bin gets one of its own)."""
    if sum(r.weight for r in rules) <= capacity:
        return [rules]
    bins: list[list[SgRule]] = []
    room: list[int] = []
    for rule in sorted(rules, key=lambda r: (-r.weight, _rule_key(r))):
        for i, free in enumerate(room):
            if rule.weight <= free:
                bins[i].append(rule)
                room[i] -= rule.weight
                break
        else:
            bins.append([rule])
            room.append(capacity - rule.weight)
    return [sorted(b, key=_rule_key) for b in bins]


def aws_security_groups(
    policy: NetworkPolicy, rule_sets: Mapping[str, tuple[SgRule, ...]]
) -> dict[str, tuple[str, ...]]:
    """Cloud group -> its security groups: itself, then its shards."""
    shards: dict[str, list[str]] = defaultdict(list)
    for name in rule_sets:
        group, _, number = name.rpartition("+")
        if number.isdigit() and group in policy.groups:
            shards[group].append(name)
    return {
        g: (g, *sorted(shards.get(g, ()), key=lambda n: int(n.rpartition("+")[2])))
        for g in policy.cloud_groups()
    }


def aws_groups_of(
    policy: NetworkPolicy, security_groups: Mapping[str, tuple[str, ...]], server: str
) -> tuple[str, ...]:
    """The security groups a server's instance is attached to: its own group and shards,
    then the client groups it joins."""
    return tuple(sg for g in policy.groups_of(server) for sg in security_groups.get(g, (g,)))


def _rule_key(r: SgRule) -> tuple[object, ...]:
    source = r.source_group or r.prefix_list or r.cidr or ""
    return (r.protocol, r.from_port, r.to_port, source)
