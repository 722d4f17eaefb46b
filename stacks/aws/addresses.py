"""The AWS address plan, as a pure function: subnets per availability zone and tier (not per
system), and a static private IP for every migrating server.

Why this shape (docs/aws-addressing.md has the longer version):

- **One VPC per environment** (prod, test, dev): prod never shares a network with test or
  dev; two VPCs are peered only where a declared flow crosses them
  (:meth:`stacks.network.policy.NetworkPolicy.joined_networks`).
- **Subnets are per AZ and tier, not per system.** On AWS a server's isolation is its
  security group (one per system x environment, referenced by id), not its subnet, and a
  VPC holds 200 subnets by default: a subnet per system per AZ stops at ~66 systems. So a
  VPC has one large *private* subnet per AZ for every server of the environment, and, where
  a citizen-facing system has a load balancer, one small *public* subnet per AZ.
- **Fixed shares of the VPC**, so nothing moves when the estate grows. The VPC (a /16 by
  default; /16 to /20 work) splits into quarters: quarter 0 is the edge (the public subnets
  at its start, the rest kept free), quarters 1-3 are the private subnets of AZ 1-3. A /16
  gives each AZ a /18: three AZs hold 48,000 servers per environment.
- **Static addresses kept out of AWS's hands.** A private subnet's first 1/64 (a /24 of a
  /18) is left to AWS for interface endpoints and other dynamically addressed interfaces;
  the rest is reserved ``explicit`` (a subnet CIDR reservation), so AWS never gives an
  endpoint an address a server is about to take.
- **Stable, order-free server addresses.** A server keeps its address from ``previous``
  (subnet key -> CIDR, server id -> IP from an earlier plan, e.g. allocations). A new one
  goes to the AZ its role in its system x environment uses least, then the AZ the system x
  environment uses least (so two web servers or a cluster's nodes spread), then to the first
  free address from its system x environment's home slot (hashed from the system id and
  environment, so a system's servers sit side by side): never from the sort order of other
  systems, so adding system ``aaa-new`` only takes free addresses.

Capacity is checked here (:class:`AddressPlanError` names the VPC, the count and the
capacity) and the subnet count per VPC by :mod:`stacks.network.limits` at ``utflytt plan``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from migration.ipv4 import ipv4_int, ipv4_text
from stacks.network.addresses import AddressPlanError

MAX_AZS = 3
SMALLEST_VPC = 20  # a /20 VPC still gives each AZ a /22 (1,000 servers)
SMALLEST_PUBLIC = 27  # an ALB needs a /27 per AZ at least
DYNAMIC_SHARE = 6  # 1/2**6 of a private subnet is left to AWS-assigned addresses
SMALLEST_DYNAMIC = 28
Tier = Literal["public", "private"]


@dataclass(frozen=True, order=True)
class Host:
    """A migrating server as the address plan sees it."""

    server: str
    system: str
    environment: str
    role: str = ""  # spread over the AZs per role first (two web servers: two AZs)


@dataclass(frozen=True)
class VpcSubnet:
    """One subnet of an environment's VPC."""

    environment: str
    tier: Tier
    zone: int  # index into the availability zones
    az: str
    cidr: str
    static: tuple[str, ...] = ()  # private: blocks reserved for static addresses

    @property
    def letter(self) -> str:
        """The AZ's letter (``eu-north-1b`` -> ``b``)."""
        return self.az[-1]

    @property
    def key(self) -> str:
        """``<environment>/<tier>-<letter>``: the subnet's key in ``previous``/allocations."""
        return f"{self.environment}/{self.tier}-{self.letter}"

    @property
    def name(self) -> str:
        """Logical (resource) name, e.g. ``prod-private-a``."""
        return f"{self.environment}-{self.tier}-{self.letter}"


@dataclass(frozen=True)
class Placement:
    """Where one server goes: its subnet (key) and its fixed private address."""

    subnet: str
    ip: str


@dataclass(frozen=True)
class VpcPlan:
    """One environment's VPC: its CIDR, subnets and server addresses."""

    environment: str
    cidr: str
    subnets: tuple[VpcSubnet, ...]
    servers: Mapping[str, Placement] = field(default_factory=dict)
    # addresses of servers no longer planned, kept (never handed out again) until released
    retained: Mapping[str, Placement] = field(default_factory=dict)

    def private(self) -> list[VpcSubnet]:
        """The private subnets, in AZ order."""
        return [s for s in self.subnets if s.tier == "private"]

    def public(self) -> list[VpcSubnet]:
        """The public subnets, in AZ order."""
        return [s for s in self.subnets if s.tier == "public"]


@dataclass(frozen=True)
class AwsAddressing:
    """The address plan of every environment's VPC."""

    vpcs: Mapping[str, VpcPlan]

    def allocations(self) -> dict[str, str]:
        """Subnet key -> CIDR and server id -> IP: what a later plan passes as ``previous``."""
        return dict(self._allocations)

    @cached_property
    def _allocations(self) -> dict[str, str]:  # sorted once: ``utflytt plan`` reads it twice
        out: dict[str, str] = {}
        for vpc in self.vpcs.values():
            out.update({s.key: s.cidr for s in vpc.subnets})
            out.update({sid: p.ip for sid, p in vpc.servers.items()})
            out.update({sid: p.ip for sid, p in vpc.retained.items()})
        return dict(sorted(out.items()))


def _host_order(host: Host) -> tuple[str, str, str, str]:
    """A host's sort key: the order ``Host``'s own comparison gives, without calling it."""
    return (host.server, host.system, host.environment, host.role)


def _distinct_sorted(hosts: Iterable[Host]) -> list[Host]:
    """The distinct hosts in ``Host`` order. Hosts already in strictly increasing server-id
    order (the plan's: :func:`stacks.aws.layout.hosts`) are distinct and in that order
    already: taken as they are, without hashing 100k of them."""
    given = list(hosts)
    if all(a.server < b.server for a, b in itertools.pairwise(given)):
        return given
    return sorted(set(given), key=_host_order)


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _static_range(subnet: ipaddress.IPv4Network) -> tuple[int, int]:
    """[first, last) of a private subnet's static addresses: after the dynamic share, before
    the broadcast address AWS reserves."""
    dynamic = min(subnet.prefixlen + DYNAMIC_SHARE, SMALLEST_DYNAMIC)
    start = int(subnet.network_address) + 2 ** (32 - dynamic)
    return start, int(subnet.broadcast_address)


def static_blocks(cidr: str) -> tuple[str, ...]:
    """The CIDR blocks reserved for static addresses in a private subnet (AWS takes only
    CIDRs, so the range after the dynamic share is written as the blocks that cover it)."""
    subnet = ipaddress.IPv4Network(cidr)
    dynamic = min(subnet.prefixlen + DYNAMIC_SHARE, SMALLEST_DYNAMIC)
    if dynamic >= 32 or subnet.prefixlen >= dynamic:
        return ()
    head = next(subnet.subnets(new_prefix=dynamic))
    return tuple(sorted(str(b) for b in subnet.address_exclude(head)))


def static_capacity(cidr: str) -> int:
    """How many servers a private subnet holds."""
    first, last = _static_range(ipaddress.IPv4Network(cidr))
    return max(0, last - first)


def _layout(
    environment: str,
    vpc_cidr: str,
    zones: Sequence[str],
    public: bool,
    previous: Mapping[str, str],
) -> list[VpcSubnet]:
    try:
        vpc = ipaddress.IPv4Network(vpc_cidr, strict=False)
    except ValueError:
        raise AddressPlanError(f"vpc {environment}: {vpc_cidr!r} is not an IPv4 CIDR") from None
    if vpc.prefixlen > SMALLEST_VPC:
        raise AddressPlanError(
            f"vpc {environment} ({vpc}): a /{vpc.prefixlen} is too small for the address plan "
            f"(one private subnet per AZ); give it a /16 to /{SMALLEST_VPC}"
        )
    quarters = list(vpc.subnets(prefixlen_diff=2))
    public_prefix = min(vpc.prefixlen + 8, SMALLEST_PUBLIC)
    edge = list(quarters[0].subnets(new_prefix=public_prefix))
    out: list[VpcSubnet] = []
    for tier in ("public", "private") if public else ("private",):
        for i, az in enumerate(zones[:MAX_AZS]):
            slot = edge[i] if tier == "public" else quarters[i + 1]
            probe = VpcSubnet(environment, tier, i, az, str(slot))
            cidr = previous.get(probe.key, str(slot))
            static = static_blocks(cidr) if tier == "private" else ()
            out.append(VpcSubnet(environment, tier, i, az, cidr, static))
    return out


def _place(
    environment: str,
    vpc_cidr: str,
    private: list[VpcSubnet],
    hosts: list[Host],
    previous: Mapping[str, str],
    gone: Mapping[str, str],
) -> tuple[dict[str, Placement], dict[str, Placement]]:
    ranges = [_static_range(ipaddress.IPv4Network(s.cidr)) for s in private]
    keys = [s.key for s in private]
    used: list[set[int]] = [set() for _ in private]
    retained: dict[str, Placement] = {}
    for sid, address in sorted(gone.items()):  # a departed server's address is not reused
        found = _zone_value(address, ranges, used)
        if found is not None:
            used[found[0]].add(found[1])
            retained[sid] = Placement(keys[found[0]], address)
    capacity = sum(max(0, b - a) for a, b in ranges) - len(retained)
    if len(hosts) > capacity:
        raise AddressPlanError(
            f"vpc {environment} ({vpc_cidr}): {len(hosts)} servers need a static address, "
            f"its {len(private)} private subnets hold {capacity}; give the VPC a larger CIDR "
            "(utflytt:aws.vpcCidrs) or split the environment"
        )
    out: dict[str, Placement] = {}
    per_unit: dict[str, Counter[int]] = defaultdict(Counter)
    per_role: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
    fresh: list[Host] = []
    for host in hosts:  # keep every previous address that still fits its subnet
        kept = previous.get(host.server)
        found = _zone_value(kept, ranges, used) if kept else None
        if kept is None or found is None:
            fresh.append(host)
            continue
        zone = found[0]
        used[zone].add(found[1])
        per_unit[host.system][zone] += 1
        per_role[(host.system, host.role)][zone] += 1
        out[host.server] = Placement(keys[zone], kept)
    homes: dict[str, int] = {}  # system -> its home slot (a hash: once per system)
    zones = len(private)
    for host in fresh:  # sorted by server id: the order of other systems plays no part
        home = homes.get(host.system)
        if home is None:
            home = homes[host.system] = _digest(f"{host.system}/{environment}")
        start = home % zones
        role, unit = per_role[(host.system, host.role)], per_unit[host.system]
        # (z - start) % zones differs for every zone: the tuples alone give the order
        order = sorted([(role[z], unit[z], (z - start) % zones, z) for z in range(zones)])
        for *_, zone in order:
            ip = _free(ranges[zone], used[zone], home)
            if ip is not None:
                break
        else:  # pragma: no cover - the capacity check above makes room
            raise AddressPlanError(f"vpc {environment} ({vpc_cidr}): no address left")
        used[zone].add(ip)
        per_unit[host.system][zone] += 1
        role[zone] += 1
        out[host.server] = Placement(keys[zone], ipv4_text(ip))
    return dict(sorted(out.items())), retained


def _zone_value(
    ip: str, ranges: list[tuple[int, int]], used: list[set[int]]
) -> tuple[int, int] | None:
    """(the subnet whose static range holds ``ip`` and where it is not yet taken, the
    address as an int), or None."""
    try:
        value = ipv4_int(ip)
    except ValueError:
        return None
    for zone, (first, last) in enumerate(ranges):
        if first <= value < last and value not in used[zone]:
            return zone, value
    return None


def _free(span: tuple[int, int], used: set[int], home: int) -> int | None:
    """The first free address of ``span`` from the home slot on (wrapping around)."""
    first, last = span
    size = last - first
    if size <= len(used):
        return None
    offset = home % size
    for step in range(size):
        candidate = first + (offset + step) % size
        if candidate not in used:
            return candidate
    return None  # pragma: no cover - size > len(used) leaves a free one


def plan_vpc_addresses(
    hosts: Iterable[Host],
    vpc_cidrs: Mapping[str, str],
    zones: Sequence[str],
    public: Iterable[str] = (),
    previous: Mapping[str, str] | None = None,
) -> AwsAddressing:
    """The address plan of every environment in ``vpc_cidrs`` (deterministic).

    ``hosts``: the migrating servers; ``zones``: the availability zones (the first
    :data:`MAX_AZS` are used); ``public``: environments that get public subnets (a
    citizen-facing system's load balancer); ``previous``: subnet key -> CIDR and server id
    -> IP to keep (a server no longer planned keeps its address reserved, in ``retained``,
    until it is dropped from ``previous``). Raises :class:`AddressPlanError` when an
    environment's servers do not fit.
    """
    if not zones:
        raise AddressPlanError("no availability zone to lay subnets out in")
    previous = previous or {}
    public = set(public)
    by_env: dict[str, list[Host]] = defaultdict(list)
    for host in _distinct_sorted(hosts):
        by_env[host.environment].append(host)
    unknown = sorted(set(by_env) - set(vpc_cidrs))
    if unknown:
        raise AddressPlanError(f"environment(s) {', '.join(unknown)} have no VPC CIDR")
    planned = {h.server for hs in by_env.values() for h in hs}
    gone = {k: v for k, v in previous.items() if "/" not in k and k not in planned}
    vpcs: dict[str, VpcPlan] = {}
    for env, cidr in vpc_cidrs.items():
        subnets = _layout(env, cidr, zones, env in public, previous)
        private = [s for s in subnets if s.tier == "private"]
        servers, retained = _place(env, cidr, private, by_env.get(env, []), previous, gone)
        vpcs[env] = VpcPlan(env, cidr, tuple(subnets), servers, retained)
    return AwsAddressing(vpcs)
