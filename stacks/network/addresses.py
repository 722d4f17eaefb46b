"""The cloud address plan (Azure): a hub, one spoke network per environment, one subnet per
system × environment sized to its servers, a static IP per server.

- The cloud gets a /13 ("base"), the first of :data:`BASE_CANDIDATES` that overlaps no
  source network. The hub is its first /16 (GatewaySubnet is the hub's first /27); the prod,
  test and dev spokes are the /15s at its /16s number 2, 4 and 6. Prod and non-prod never
  share a network; a spoke is joined to another only where a declared flow needs it.
- Every *unit* (one system and environment) gets the smallest subnet that holds its servers
  with room to grow (:func:`subnet_prefix`, at least a /28), allocated in the order (first
  wave, system) at the next aligned free block of its environment's spoke, so a deployed
  wave's units keep their addresses when later waves change. A /15 holds 8,192 /28s: room
  for 2,000 systems per environment (Azure allows 3,000 subnets per VNet).
- A citizen-facing unit's Application Gateway gets its own /26 from the same spoke.
- Servers get static IPs from the unit subnet's 5th address (Azure reserves the first four
  and the last), in sorted server-id order.

Capacity is checked when the plan is made: :class:`AddressPlanError` says which spoke is
full or which system has too many servers.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field

from migration.errors import UtflyttError
from migration.plan import Plan
from stacks.plancache import per_plan

BASE_CANDIDATES = ("10.200.0.0/13", "10.96.0.0/13", "172.24.0.0/13", "10.48.0.0/13")
SPOKE_SLOTS = {"prod": 2, "test": 4, "dev": 6}  # which /16 of the base starts the spoke
ENVIRONMENTS = tuple(SPOKE_SLOTS)
MIGRATING = frozenset({"rehost", "replatform", "rebuild"})
AZURE_RESERVED = 5  # network, gateway, 2 x DNS, broadcast
SMALLEST_SUBNET = 28
LARGEST_SUBNET = 22
GATEWAY_PREFIX = 26


class AddressPlanError(UtflyttError):
    """The plan does not fit the cloud address plan (a spoke is full, a system too big)."""


def subnet_prefix(servers: int) -> int:
    """Prefix length of a unit subnet: its servers, half again for growth, Azure's reserve."""
    need = servers + max(2, math.ceil(servers / 2)) + AZURE_RESERVED
    prefix = 32 - max(4, math.ceil(math.log2(need)))
    return min(prefix, SMALLEST_SUBNET)


@dataclass(frozen=True)
class Unit:
    """One subnet: the servers of one system and environment (they share a wave)."""

    system: str
    environment: str
    wave: int
    index: int
    cidr: str  # the unit's subnet
    servers_cidr: str  # the same subnet (kept for callers of the old plan)
    gateway_cidr: str  # citizen-facing: the Application Gateway's /26; else ""
    servers: tuple[str, ...]

    @property
    def key(self) -> str:
        """``<system>-<environment>``, used in names."""
        return f"{self.system}-{self.environment}"


@dataclass(frozen=True)
class Addressing:
    """Cloud address plan: hub, spokes, units and a static IP per migrating server."""

    base: str
    hub: str
    gateway_subnet: str
    spokes: dict[str, str]  # environment -> spoke CIDR (environments that have units)
    units: tuple[Unit, ...]
    server_ips: dict[str, str] = field(default_factory=dict)

    @property
    def spoke(self) -> str:
        """The prod spoke (older callers knew one spoke)."""
        return self.spokes.get("prod") or next(iter(self.spokes.values()))

    def unit_of(self, server_id: str) -> Unit:
        """The unit holding ``server_id``."""
        for unit in self.units:
            if server_id in unit.servers:
                return unit
        raise KeyError(server_id)


def _base(plan: Plan) -> ipaddress.IPv4Network:
    sources = [ipaddress.ip_network(n, strict=False) for n in plan.source_networks]
    for candidate in BASE_CANDIDATES:
        net = ipaddress.IPv4Network(candidate)
        if not any(net.overlaps(s) for s in sources):
            return net
    raise AddressPlanError(
        "plan.source_networks overlap every candidate cloud address space "
        f"({', '.join(BASE_CANDIDATES)})"
    )


class _Spoke:
    """Hands out aligned blocks of a spoke in order."""

    def __init__(self, environment: str, cidr: ipaddress.IPv4Network) -> None:
        self.environment = environment
        self.cidr = cidr
        self.cursor = int(cidr.network_address)
        self.end = int(cidr.broadcast_address) + 1
        self.count = 0

    def take(self, prefix: int, label: str) -> ipaddress.IPv4Network:
        size = 2 ** (32 - prefix)
        start = -(-self.cursor // size) * size
        if start + size > self.end:
            raise AddressPlanError(
                f"the {self.environment} spoke {self.cidr} is full: no /{prefix} left for "
                f"{label} after {self.count} subnets"
            )
        self.cursor = start + size
        self.count += 1
        return ipaddress.IPv4Network((start, prefix))


@per_plan  # pure: once per plan, not per stack
def plan_addresses(plan: Plan, citizen_systems: frozenset[str] | None = None) -> Addressing:
    """Deterministic address plan for every migrating server of the plan."""
    base = _base(plan)
    sixteens = list(base.subnets(new_prefix=16))
    hub = sixteens[0]
    groups: dict[tuple[str, str], list[str]] = {}
    waves: dict[tuple[str, str], int] = {}
    for sid, srv in sorted(plan.servers.items()):
        if srv.wave is None or srv.disposition not in MIGRATING:
            continue
        key = (srv.system, srv.environment)
        groups.setdefault(key, []).append(sid)
        waves[key] = min(waves.get(key, srv.wave), srv.wave)
    citizens = (
        citizen_systems
        if citizen_systems is not None
        else frozenset(s for s, sys_ in plan.systems.items() if sys_.level == "citizen")
    )
    spokes: dict[str, _Spoke] = {}
    for env in sorted({e for _, e in groups}, key=lambda e: (e not in SPOKE_SLOTS, e)):
        if env not in SPOKE_SLOTS:
            raise AddressPlanError(f"environment {env!r} has no spoke (expected prod, test, dev)")
        spokes[env] = _Spoke(
            env, ipaddress.IPv4Network(f"{sixteens[SPOKE_SLOTS[env]].network_address}/15")
        )
    units: list[Unit] = []
    ips: dict[str, str] = {}
    for index, key in enumerate(sorted(groups, key=lambda k: (waves[k], k[0], k[1]))):
        system, env = key
        servers = tuple(sorted(groups[key]))
        prefix = subnet_prefix(len(servers))
        if prefix < LARGEST_SUBNET:
            raise AddressPlanError(
                f"system {system} ({env}) has {len(servers)} servers; a subnet holds at most "
                f"{2 ** (32 - LARGEST_SUBNET) - AZURE_RESERVED}: split the system"
            )
        cidr = spokes[env].take(prefix, f"{system} ({env})")
        gateway = (
            str(spokes[env].take(GATEWAY_PREFIX, f"{system}'s gateway"))
            if system in citizens
            else ""
        )
        hosts = [str(cidr.network_address + 4 + i) for i in range(len(servers))]
        ips.update(zip(servers, hosts, strict=True))
        units.append(Unit(system, env, waves[key], index, str(cidr), str(cidr), gateway, servers))
    return Addressing(
        base=str(base),
        hub=str(hub),
        gateway_subnet=str(next(hub.subnets(new_prefix=27))),
        spokes={env: str(s.cidr) for env, s in spokes.items()},
        units=tuple(units),
        server_ips=ips,
    )
