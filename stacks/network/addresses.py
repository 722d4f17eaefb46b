"""The cloud address plan (Azure): a hub, one spoke network per environment, one subnet per
system × environment sized to its servers, a static IP per server.

Everything already recorded in the plan's ``allocations.azure`` (``allocations.json`` in
the stack-config folder, see :mod:`migration.allocations`) is kept as it is: the address
space, every subnet (also of systems that left the catalog) and every server's IP. Only
what is new is allocated, from the free space (:mod:`stacks.allocations`):

- The cloud gets a /13 ("base"), the first of :data:`BASE_CANDIDATES` that overlaps no
  source network. The hub is its first /16 (GatewaySubnet is the hub's first /27); the prod,
  test and dev spokes are the /15s at its /16s number 2, 4 and 6. Prod and non-prod never
  share a network; a spoke is joined to another only where a declared flow needs it.
- Every new *unit* (one system and environment) gets the smallest subnet that holds its
  servers with room to grow (:func:`subnet_prefix`, at least a /28): the lowest free
  aligned block of its environment's spoke. A /15 holds 8,192 /28s: room for 2,000 systems
  per environment (Azure allows 3,000 subnets per VNet).
- A citizen-facing unit's Application Gateway gets its own /26 from the same spoke.
- A new server gets the lowest free address of its unit's subnet from the 5th (Azure
  reserves the first four and the last); addresses kept for servers that left stay held.

Capacity is checked when the plan is made: :class:`AddressPlanError` says which spoke is
full, which system has too many servers, or which system outgrew the subnet it keeps (a
subnet with NICs in it cannot be resized on Azure, so the plan stops rather than silently
re-addressing a deployed system; releasing the system's allocations re-addresses it on
purpose).
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from migration.allocations import ProviderAllocations
from migration.errors import UtflyttError
from migration.plan import Plan
from stacks.allocations import AddressPool, assign_hosts
from stacks.network.provider_space import provider_space
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


def _base(plan: Plan, kept: str = "") -> ipaddress.IPv4Network:
    sources = [ipaddress.ip_network(n, strict=False) for n in plan.source_networks]
    if kept:
        net = ipaddress.IPv4Network(kept)
        clash = next((s for s in sources if net.overlaps(s)), None)
        if clash is not None:
            raise AddressPlanError(
                f"the Azure address space {net} kept in allocations.json overlaps source "
                f"network {clash}: correct plan.source_networks, or re-address on purpose by "
                "removing address_space and every azure subnet from allocations.json"
            )
        return net
    in_use = provider_space(plan)
    for candidate in BASE_CANDIDATES:
        net = ipaddress.IPv4Network(candidate)
        if not in_use.overlaps_network(net):
            return net
    raise AddressPlanError(
        "plan.source_networks (and the servers still at the provider outside them) overlap "
        f"every candidate cloud address space ({', '.join(BASE_CANDIDATES)})"
    )


def unit_key(system: str, environment: str, part: str = "") -> str:
    """The allocations key of a unit's subnet (``prod/ad``) or one of its parts
    (``prod/ad/gateway``)."""
    return f"{environment}/{system}" + (f"/{part}" if part else "")


def _spoke_pools(
    base: ipaddress.IPv4Network, environments: Iterable[str], previous: ProviderAllocations
) -> dict[str, AddressPool]:
    sixteens = list(base.subnets(new_prefix=16))
    pools: dict[str, AddressPool] = {}
    for env in sorted(environments, key=lambda e: (e not in SPOKE_SLOTS, e)):
        if env not in SPOKE_SLOTS:
            raise AddressPlanError(f"environment {env!r} has no spoke (expected prod, test, dev)")
        pool = AddressPool(f"{sixteens[SPOKE_SLOTS[env]].network_address}/15")
        for key, cidr in sorted(previous.subnets.items()):
            if key.split("/")[0] != env:
                continue
            if cidr not in pool:
                raise AddressPlanError(
                    f"allocations.json keeps subnet {key} at {cidr}, outside the {env} spoke "
                    f"{pool.network}: restore the committed file or release {key.split('/')[1]}"
                )
            pool.reserve(cidr)  # overlaps were refused when the file was read
        pools[env] = pool
    return pools


def _take(
    pool: AddressPool, kept: str | None, prefix: int, env: str, label: str
) -> ipaddress.IPv4Network:
    block = pool.keep_or_take(kept, prefix)
    if block is None:
        raise AddressPlanError(
            f"the {env} spoke {pool.network} is full: no /{prefix} left for {label}"
        )
    return block


@per_plan  # pure: once per plan, not per stack
def plan_addresses(
    plan: Plan,
    citizen_systems: frozenset[str] | None = None,
    previous: ProviderAllocations | None = None,
) -> Addressing:
    """The address plan for every migrating server of the plan, keeping every subnet and IP
    of ``previous`` (by default the plan's own ``allocations.azure``) and giving new units
    and servers the lowest free space (:mod:`stacks.allocations`)."""
    previous = plan.allocations.azure if previous is None else previous
    base = _base(plan, previous.address_space)
    sixteens = list(base.subnets(new_prefix=16))
    hub = sixteens[0]
    groups: dict[tuple[str, str], list[str]] = {}
    waves: dict[tuple[str, str], int] = {}
    for sid, srv in sorted(plan.servers.items()):
        if srv.wave is None or srv.disposition not in MIGRATING:
            continue
        key: tuple[str, str] = (srv.system, srv.environment)
        groups.setdefault(key, []).append(sid)
        waves[key] = min(waves.get(key, srv.wave), srv.wave)
    citizens = (
        citizen_systems
        if citizen_systems is not None
        else frozenset(s for s, sys_ in plan.systems.items() if sys_.level == "citizen")
    )
    pools = _spoke_pools(base, {e for _, e in groups}, previous)
    # addresses of entries kept for servers that are not placed now (left the catalog,
    # retained): nobody else gets them
    placed = {sid for ids in groups.values() for sid in ids}
    held = [a.ip for sid, a in previous.servers.items() if a.ip and sid not in placed]
    kept_ips = {sid: a.ip for sid, a in previous.servers.items() if a.ip}
    units: list[Unit] = []
    ips: dict[str, str] = {}
    for index, key in enumerate(sorted(groups, key=lambda k: (waves[k], k[0], k[1]))):
        system, env = key
        servers = tuple(sorted(groups[key]))
        prefix = subnet_prefix(len(servers))
        recorded = previous.subnets.get(unit_key(system, env))
        if recorded is None and prefix < LARGEST_SUBNET:
            raise AddressPlanError(
                f"system {system} ({env}) has {len(servers)} servers; a subnet holds at "
                f"most {2 ** (32 - LARGEST_SUBNET) - AZURE_RESERVED}: split the system"
            )
        cidr = _take(pools[env], recorded, prefix, env, f"{system} ({env})")
        gateway = ""
        if system in citizens:
            kept = previous.subnets.get(unit_key(system, env, "gateway"))
            gateway = str(_take(pools[env], kept, GATEWAY_PREFIX, env, f"{system}'s gateway"))
        hosts = assign_hosts(cidr, servers, kept_ips, held)
        if hosts is None:
            raise AddressPlanError(
                f"system {system} ({env}) has {len(servers)} servers, more than its subnet "
                f"{cidr} (kept in allocations.json) holds "
                f"({cidr.num_addresses - AZURE_RESERVED} addresses, some may be held for "
                "servers that left): a subnet in use cannot be resized on Azure. Split the "
                f"system, or release its allocations (`utflytt allocations release {system}`)"
                " to give it a new, larger subnet (its servers are then re-addressed)"
            )
        ips.update(hosts)
        units.append(Unit(system, env, waves[key], index, str(cidr), str(cidr), gateway, servers))
    return Addressing(
        base=str(base),
        hub=str(hub),
        gateway_subnet=str(next(hub.subnets(new_prefix=27))),
        spokes={env: str(p.network) for env, p in pools.items()},
        units=tuple(units),
        server_ips=ips,
    )
