"""The policy's permits as each cloud's rule sets (pure data; the stacks only render them).

- Azure: one NSG per system × environment subnet. Each permit becomes one rule per
  protocol: from its source application security groups (same network), or from address
  prefixes (consumers at the old provider; cloud consumers of the other network by their
  static addresses, since a rule's ASGs must share one virtual network).
- AWS: one security group per group. Each permit becomes one rule per port range and
  source security group, or per port range from the permit's managed prefix list (which
  counts as its max entries).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from migration.catalog.models import parse_port
from stacks.network.policy import NetworkPolicy, Permit
from stacks.plancache import per_plan

ASG_MIN_SERVERS = 3


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


def azure_asgs(policy: NetworkPolicy) -> list[str]:
    """The groups that get an application security group, sorted."""
    return [g for g in policy.cloud_groups() if uses_asg(policy, g)]


def _ips(policy: NetworkPolicy, group: str, server_ips: Mapping[str, str]) -> list[str]:
    return [f"{server_ips[s]}/32" for s in policy.groups[group].servers if s in server_ips]


@per_plan  # pure and slow (~0.4 s at 1,000 systems): once per policy
def azure_rule_sets(
    policy: NetworkPolicy, server_ips: Mapping[str, str], asgs_per_rule_side: int = 10
) -> dict[str, list[NsgRule]]:
    """Subnet key -> its NSG's inbound allow rules (without the final deny-all), in
    priority order from 100."""
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
            prefixes = collapse(
                p for g in permit.sources if g not in by_asg for p in _ips(policy, g, server_ips)
            )
            for i in range(0, len(by_asg), asgs_per_rule_side):
                sides.append((tuple(by_asg[i : i + asgs_per_rule_side]), ()))
            if prefixes:
                sides.append(((), tuple(prefixes)))
        for proto, ports in port_text(permit.ports).items():
            for asgs, prefixes in sides:
                kind = "asg" if asgs else "addr"
                key = digest(permit, asgs, prefixes)
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
    weight: int = 1  # rule units it spends (a prefix list: its max entries)
    cross_network: bool = False

    @property
    def port(self) -> str:
        """``tcp/443`` or ``tcp/8000-8100``."""
        if self.from_port == self.to_port:
            return f"{self.protocol}/{self.from_port}"
        return f"{self.protocol}/{self.from_port}-{self.to_port}"


def prefix_list_name(permit: Permit) -> str:
    """Stable name of a provider permit's managed prefix list."""
    return f"pl-{permit.destination}-{digest(permit.ports)}"


@per_plan  # pure: once per policy
def aws_rule_sets(policy: NetworkPolicy) -> dict[str, tuple[SgRule, ...]]:
    """Destination group -> the inbound rules of its security group, sorted."""
    out: dict[str, list[SgRule]] = defaultdict(list)
    for permit in policy.permits:
        dest = permit.destination
        for port in permit.ports:
            proto, first, last = parse_port(port)
            if permit.via == "provider":
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
    return {g: tuple(sorted(rules, key=_rule_key)) for g, rules in sorted(out.items())}


def _rule_key(r: SgRule) -> tuple[object, ...]:
    return (r.protocol, r.from_port, r.to_port, r.source_group or "", r.prefix_list or "")
