"""Plan -> Azure layout, as pure functions (no Pulumi): addresses, names, rules, images, tags.

Everything a component needs that can be computed from the plan alone is computed here, so
that it is tested with plain pytest and the components stay thin.

Addressing (deterministic, no overlap with ``plan.source_networks``):

- the cloud gets a /14 ("base"), the first candidate of :data:`BASE_CANDIDATES` that does
  not overlap any source network; the hub VNet is the base's first /16 (GatewaySubnet is its
  first /27), the spoke VNet is the /15 at the base's third /16;
- every *unit* (one system and environment, i.e. one subnet) gets a /24 of the spoke, in the
  order (first wave, system, environment): units of a wave that is already deployed keep
  their addresses when later waves change;
- inside a unit's /24 the servers use the first /25 with static IPs ``.4``, ``.5``, … in
  sorted server-id order; a citizen-facing unit's Application Gateway gets ``.128/26``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass, field

from migration.catalog import parse_port
from migration.errors import UtflyttError
from migration.plan import Plan, PlannedServer, PlannedSystem
from stacks import baseline

BASE_CANDIDATES = ("10.200.0.0/14", "10.100.0.0/14", "172.20.0.0/14", "10.40.0.0/14")
MIGRATING = frozenset({"rehost", "replatform", "rebuild"})
REQUIRED_TAGS = baseline.REQUIRED_TAGS
CLASSIFICATION_RANK = {"public": 0, "internal": 1, "confidential": 2, "secret": 3}
LEVELS = ("office", "shared", "sector", "citizen")
GATEWAY_BACKEND_PORT = "tcp/443"
MAX_RULES = 3990  # priorities 100..4095; 4096 is the explicit deny-all

REGION_ABBREVIATIONS = {
    "swedencentral": "swc",
    "swedensouth": "sws",
    "northeurope": "neu",
    "westeurope": "weu",
    "francecentral": "frc",
    "francesouth": "frs",
    "germanywestcentral": "gwc",
    "germanynorth": "gno",
    "italynorth": "itn",
    "polandcentral": "plc",
    "spaincentral": "spc",
    "austriaeast": "ate",
    "belgiumcentral": "bec",
    "denmarkeast": "dke",
}


class LayoutError(UtflyttError):
    """The plan cannot be laid out on Azure (address space, rule or name limits, unknown OS)."""


# --------------------------------------------------------------------------------- names


def region_abbreviation(region: str) -> str:
    """CAF short name of a region (``swedencentral`` -> ``swc``); unknown: first 3 letters."""
    return REGION_ABBREVIATIONS.get(region, region[:3])


def rg_name(key: str, region: str) -> str:
    """CAF resource-group name, e.g. ``rg-utflytt-shared-swc``."""
    return f"rg-utflytt-{key}-{region_abbreviation(region)}"


def storage_account_name(plan: Plan) -> str:
    """Globally unique, deterministic migration storage account name (3-24 lower alnum)."""
    digest = hashlib.sha256(f"{plan.organisation}/{plan.catalog_sha256}".encode()).hexdigest()
    return f"stutflytt{digest[:12]}"


def key_vault_name(plan: Plan, region: str) -> str:
    """Globally unique, deterministic Key Vault name (3-24 chars)."""
    digest = hashlib.sha256(f"kv/{plan.organisation}/{plan.catalog_sha256}".encode()).hexdigest()
    return f"kv-utflytt-{region_abbreviation(region)}-{digest[:6]}"


# ------------------------------------------------------------------------------- servers


def migrating_servers(plan: Plan) -> dict[str, PlannedServer]:
    """Servers that move (have a wave and a migrating disposition), by id."""
    return {
        sid: srv
        for sid, srv in sorted(plan.servers.items())
        if srv.wave is not None and srv.disposition in MIGRATING
    }


def wave_servers(plan: Plan, wave: int) -> list[str]:
    """Sorted ids of the servers that move in ``wave``."""
    return [sid for sid, srv in migrating_servers(plan).items() if srv.wave == wave]


def system_of(plan: Plan, server: PlannedServer) -> PlannedSystem:
    """The server's system; a missing system is a :class:`LayoutError`."""
    try:
        return plan.systems[server.system]
    except KeyError:
        raise LayoutError(
            f"plan: server's system {server.system!r} is not in plan.systems"
        ) from None


# ------------------------------------------------------------------------------ addresses


@dataclass(frozen=True)
class Unit:
    """One subnet: the servers of one system and environment (they share a wave)."""

    system: str
    environment: str
    wave: int
    index: int
    cidr: str  # the unit's /24
    servers_cidr: str  # first /25
    gateway_cidr: str  # .128/26, used only by citizen-facing units
    servers: tuple[str, ...]

    @property
    def key(self) -> str:
        """``<system>-<environment>``, used in names."""
        return f"{self.system}-{self.environment}"


@dataclass(frozen=True)
class Addressing:
    """Cloud address plan: hub, spoke, units and a static IP per migrating server."""

    base: str
    hub: str
    gateway_subnet: str
    spoke: str
    units: tuple[Unit, ...]
    server_ips: dict[str, str] = field(default_factory=dict)

    def unit_of(self, server_id: str) -> Unit:
        """The unit holding ``server_id``."""
        for unit in self.units:
            if server_id in unit.servers:
                return unit
        raise KeyError(server_id)


def plan_addresses(plan: Plan) -> Addressing:
    """Deterministic address plan for every migrating server of the plan."""
    sources = [ipaddress.ip_network(n, strict=False) for n in plan.source_networks]
    base = next(
        (
            ipaddress.IPv4Network(c)
            for c in BASE_CANDIDATES
            if not any(ipaddress.IPv4Network(c).overlaps(s) for s in sources)
        ),
        None,
    )
    if base is None:
        raise LayoutError(
            "plan.source_networks overlap every candidate cloud address space "
            f"({', '.join(BASE_CANDIDATES)})"
        )
    sixteens = list(base.subnets(new_prefix=16))
    hub = sixteens[0]
    spoke = ipaddress.IPv4Network(f"{sixteens[2].network_address}/15")
    groups: dict[tuple[str, str], list[str]] = {}
    waves: dict[tuple[str, str], int] = {}
    for sid, srv in migrating_servers(plan).items():
        key = (srv.system, srv.environment)
        groups.setdefault(key, []).append(sid)
        assert srv.wave is not None
        waves[key] = min(waves.get(key, srv.wave), srv.wave)
    order = sorted(groups, key=lambda k: (waves[k], k[0], k[1]))
    slots = list(spoke.subnets(new_prefix=24))
    if len(order) > len(slots):
        raise LayoutError(
            f"plan has {len(order)} system/environment subnets; "
            f"the spoke {spoke} holds {len(slots)}"
        )
    units = []
    ips: dict[str, str] = {}
    for index, key in enumerate(order):
        cidr = slots[index]
        halves = list(cidr.subnets(new_prefix=25))
        quarters = list(cidr.subnets(new_prefix=26))
        servers = tuple(sorted(groups[key]))
        hosts = list(halves[0].hosts())[3:]  # Azure reserves .1-.3 (and .0, broadcast)
        if len(servers) > len(hosts):
            raise LayoutError(
                f"system {key[0]} ({key[1]}) has {len(servers)} servers; "
                f"a subnet holds {len(hosts)}"
            )
        for sid, ip in zip(servers, hosts, strict=False):
            ips[sid] = str(ip)
        units.append(
            Unit(
                key[0],
                key[1],
                waves[key],
                index,
                str(cidr),
                str(halves[0]),
                str(quarters[2]),
                servers,
            )
        )
    return Addressing(
        base=str(base),
        hub=str(hub),
        gateway_subnet=str(next(hub.subnets(new_prefix=27))),
        spoke=str(spoke),
        units=tuple(units),
        server_ips=ips,
    )


# ----------------------------------------------------------------------------- NSG rules


@dataclass(frozen=True)
class RuleSpec:
    """One inbound allow rule of a unit's NSG."""

    name: str
    priority: int
    protocol: str  # "Tcp" | "Udp"
    sources: tuple[str, ...]  # CIDRs
    destination: str  # provider server /32
    ports: tuple[str, ...]  # "1433", "8000-8100"
    consumer: str  # server id, or "gateway"
    provider: str  # server id


def _port_text(port: str) -> tuple[str, str]:
    proto, first, last = parse_port(port)
    return ("Tcp" if proto == "tcp" else "Udp"), (
        str(first) if first == last else f"{first}-{last}"
    )


def consumer_sources(
    plan: Plan, addressing: Addressing, consumer: str, wave: int
) -> tuple[str, ...]:
    """Where ``consumer`` talks from, as seen by a provider deployed in ``wave``.

    In the cloud (same or earlier wave): its static IP. Still at the old provider: the plan's
    source networks; if it moves in a later wave its future cloud IP is admitted too, so
    the flow keeps working when it moves without redeploying this stack. A retained, retired
    or repurchased consumer stays at the old provider: source networks only.
    """
    srv = plan.servers.get(consumer)
    cloud_ip = addressing.server_ips.get(consumer)
    if srv is not None and cloud_ip is not None and srv.wave is not None:
        if srv.wave <= wave:
            return (f"{cloud_ip}/32",)
        return tuple(sorted(plan.source_networks)) + (f"{cloud_ip}/32",)
    return tuple(sorted(plan.source_networks))


def unit_rules(plan: Plan, addressing: Addressing, unit: Unit) -> list[RuleSpec]:
    """Inbound allow rules of ``unit``'s NSG: exactly the declared flows to its servers.

    One rule per (consumer, provider, protocol), ports merged; citizen-facing units add one
    rule per web server from their Application Gateway subnet on :data:`GATEWAY_BACKEND_PORT`.
    Priorities start at 100 in sorted order.
    """
    merged: dict[tuple[str, str, str], set[str]] = {}
    for flow in plan.flows:
        if flow.to not in unit.servers:
            continue
        for port in flow.ports:
            proto, text = _port_text(port)
            merged.setdefault((flow.from_, flow.to, proto), set()).add(text)
    system = plan.systems.get(unit.system)
    if system is not None and baseline.has_public_entrance(system, unit.environment):
        proto, text = _port_text(GATEWAY_BACKEND_PORT)
        for sid in gateway_backends(plan, unit):
            merged.setdefault(("gateway", sid, proto), set()).add(text)
    rules: list[RuleSpec] = []
    for (consumer, provider, proto), ports in sorted(merged.items()):
        if consumer == "gateway":
            sources: tuple[str, ...] = (unit.gateway_cidr,)
        else:
            sources = consumer_sources(plan, addressing, consumer, unit.wave)
        if not sources:
            continue  # consumer at the old provider but no source networks known: nothing to admit
        priority = 100 + len(rules)
        if len(rules) >= MAX_RULES:
            raise LayoutError(f"subnet {unit.key}: more than {MAX_RULES} inbound rules")
        name = f"allow-{consumer}-{provider}-{proto.lower()}"
        if len(name) > 80:
            name = f"allow-{hashlib.sha256(name.encode()).hexdigest()[:16]}-{proto.lower()}"
        rules.append(
            RuleSpec(
                name=name,
                priority=priority,
                protocol=proto,
                sources=sources,
                destination=f"{addressing.server_ips[provider]}/32",
                ports=tuple(sorted(ports, key=lambda p: (int(p.split("-")[0]), p))),
                consumer=consumer,
                provider=provider,
            )
        )
    return rules


def gateway_backends(plan: Plan, unit: Unit) -> list[str]:
    """A citizen-facing unit's servers behind its gateway: its web servers, else all."""
    web = [sid for sid in unit.servers if plan.servers[sid].role == "web"]
    return web or list(unit.servers)


# ------------------------------------------------------------------------------- compute


@dataclass(frozen=True)
class OsImage:
    """How an OS slug maps to Azure: OS type, a Gen2 marketplace image, trusted launch."""

    os_type: str  # "Windows" | "Linux"
    publisher: str
    offer: str
    sku: str
    trusted_launch: bool


OS_IMAGES: dict[str, OsImage] = {
    "windows-server-2012r2": OsImage(
        "Windows", "MicrosoftWindowsServer", "WindowsServer", "2012-R2-Datacenter", False
    ),
    "windows-server-2016": OsImage(
        "Windows", "MicrosoftWindowsServer", "WindowsServer", "2016-datacenter-gensecond", True
    ),
    "windows-server-2019": OsImage(
        "Windows", "MicrosoftWindowsServer", "WindowsServer", "2019-datacenter-gensecond", True
    ),
    "windows-server-2022": OsImage(
        "Windows", "MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-g2", True
    ),
    "windows-server-2025": OsImage(
        "Windows", "MicrosoftWindowsServer", "WindowsServer", "2025-datacenter-g2", True
    ),
    "ubuntu-20.04": OsImage(
        "Linux", "Canonical", "0001-com-ubuntu-server-focal", "20_04-lts-gen2", True
    ),
    "ubuntu-22.04": OsImage(
        "Linux", "Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", True
    ),
    "ubuntu-24.04": OsImage("Linux", "Canonical", "ubuntu-24_04-lts", "server", True),
    "rhel-7": OsImage("Linux", "RedHat", "RHEL", "7-LVM", False),
    "rhel-8": OsImage("Linux", "RedHat", "RHEL", "8-lvm-gen2", True),
    "rhel-9": OsImage("Linux", "RedHat", "RHEL", "9-lvm-gen2", True),
    "debian-11": OsImage("Linux", "Debian", "debian-11", "11-gen2", True),
    "debian-12": OsImage("Linux", "Debian", "debian-12", "12-gen2", True),
    "sles-15": OsImage("Linux", "SUSE", "sles-15-sp5", "gen2", True),
}


def os_type(os_slug: str) -> str:
    """``Windows`` for ``windows-*`` slugs, else ``Linux``."""
    return "Windows" if os_slug.startswith("windows") else "Linux"


def trusted_launch(os_slug: str) -> bool:
    """Whether the OS supports trusted launch (Gen2, secure boot, vTPM); unknown: no."""
    image = OS_IMAGES.get(os_slug)
    return image.trusted_launch if image else False


def marketplace_image(server_id: str, os_slug: str) -> OsImage:
    """The marketplace image a rebuilt/replatformed server starts from."""
    try:
        return OS_IMAGES[os_slug]
    except KeyError:
        known = ", ".join(sorted(OS_IMAGES))
        raise LayoutError(
            f"server {server_id}: no marketplace image for os {os_slug!r}; known: {known}"
        ) from None


# General purpose Dsv5 (4 GB/vCPU) and memory optimised Esv5 (8 GB/vCPU) sizes.
_D_SIZES = (2, 4, 8, 16, 32, 48, 64, 96)


def vm_size(server: PlannedServer) -> tuple[str, bool]:
    """The plan's SKU, or the documented default: (size, fell_back).

    Default when the plan has no SKU: the smallest ``Standard_D{n}s_v5`` with at least the
    server's vCPUs and 4 GB per vCPU covering its memory; a server with more than 4 GB per
    vCPU gets the smallest fitting ``Standard_E{n}s_v5`` (8 GB per vCPU) instead.
    """
    if server.sku:
        return server.sku, False
    if server.memory_gb > 4 * server.vcpu:
        for n in _D_SIZES:
            if n >= server.vcpu and 8 * n >= server.memory_gb:
                return f"Standard_E{n}s_v5", True
    for n in _D_SIZES:
        if n >= server.vcpu and 4 * n >= server.memory_gb:
            return f"Standard_D{n}s_v5", True
    for n in _D_SIZES:
        if n >= server.vcpu and 8 * n >= server.memory_gb:
            return f"Standard_E{n}s_v5", True
    return "Standard_E96s_v5", True


def disk_gb(size: float) -> int:
    """Managed disk size in whole GB (rounded up, at least 1)."""
    return max(1, math.ceil(size))


# ---------------------------------------------------------------------------------- backup


def backup_bucket(rpo_hours: float | None, classification: str = "internal") -> str:
    """Backup policy of a system: ``hourly-4h`` ... ``hourly-12h`` or ``daily``, then its data
    classification (which sets the retention), e.g. ``hourly-8h-confidential``.

    The least frequent schedule that still meets the RPO (``stacks.baseline``); an RPO under
    4 h gets ``hourly-4h`` and a plan warning (``backup-rpo``).
    """
    hours = baseline.backup_interval(rpo_hours, "azure").hours
    tier = "daily" if hours >= 24 else f"hourly-{hours}h"
    return f"{tier}-{classification}"


def backup_buckets(plan: Plan) -> list[str]:
    """The distinct backup policies the migrating systems need, sorted."""
    systems = {s.system for s in migrating_servers(plan).values()}
    return sorted(
        {
            backup_bucket(plan.systems[s].rpo_hours, plan.systems[s].data_classification)
            for s in systems
            if s in plan.systems
        }
    )


# ------------------------------------------------------------------------------------ tags


def system_tags(
    plan: Plan, system_id: str, wave: int, extra: dict[str, str], environment: str = "prod"
) -> dict[str, str]:
    """Tags of a system's resources (``stacks.baseline.system_tags``), after ``extra``."""
    return {**extra, **baseline.system_tags(plan, system_id, wave, environment)}


def landing_zone_tags(plan: Plan, extra: dict[str, str]) -> dict[str, str]:
    """Tags of landing-zone resources (``stacks.baseline.landing_zone_tags``)."""
    return baseline.landing_zone_tags(plan, extra)


def levels_used(plan: Plan) -> list[str]:
    """Levels of the migrating systems, in :data:`LEVELS` order (resource group per level)."""
    used = {
        plan.systems[s.system].level
        for s in migrating_servers(plan).values()
        if s.system in plan.systems
    }
    return [lvl for lvl in LEVELS if lvl in used] + sorted(used - set(LEVELS))
