"""The AWS shape of a plan, as plain data: address plan, placement, firewall rules, tags.

Everything here is a pure function of the plan (and of the ``utflytt:aws`` stack config), so
it is tested without Pulumi, and the components in this package only turn it into resources.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from migration.errors import UtflyttError
from migration.plan import Plan, PlannedServer
from stacks import baseline, tags
from stacks.plancache import per_plan

DEFAULT_REGION = "eu-north-1"
ENVIRONMENTS = ("prod", "test", "dev")
MIGRATING = frozenset({"rehost", "replatform", "rebuild"})
SUBNET_PREFIX = 26  # one /26 per system per availability zone (59 usable addresses)
MAX_AZS = 3
FIRST_HOST_OFFSET = 10  # AWS reserves .0-.3 and the last address; leave room for appliances
VPC_POOL = tuple(f"10.{n}.0.0/16" for n in range(100, 200))
ALB_TARGET_PORT = 80  # the web tier behind a citizen-facing ALB listens here
DEFAULT_RPO_HOURS = 24.0
# TEST-NET-2: a placeholder until utflytt:aws.vpnPeerIp is set
DEFAULT_VPN_PEER_IP = "198.51.100.1"
OPTION_KEYS = frozenset(
    {
        "amis",
        "availabilityZones",
        "vpcCidrs",
        "subnetCidrs",
        "instanceTypes",
        "vpnPeerIp",
        "vpnBgpAsn",
        "certificateArns",
    }
)


class AwsConfigError(UtflyttError, ValueError):
    """The ``utflytt:aws`` stack config is wrong; the message names the key.

    Raised while laying out an AWS stack (``utflytt preview``, ``pulumi preview``); the user
    fixes the named key of ``utflytt:aws`` in ``Pulumi.<stack>.yaml``.
    """


@dataclass(frozen=True)
class AwsOptions:
    """The optional ``utflytt:aws`` object of a stack config (all keys optional).

    ``amis``: server id -> AMI id from VM Import (rehost); ``availabilityZones``: AZ names;
    ``vpcCidrs``: environment -> CIDR; ``subnetCidrs``: "env/system" -> one CIDR per AZ;
    ``instanceTypes``: server id -> EC2 type (overrides the plan's sku); ``vpnPeerIp``: the
    public IP of the old provider's VPN endpoint; ``vpnBgpAsn``; ``certificateArns``:
    system id -> ACM certificate for its HTTPS listener.
    """

    amis: Mapping[str, str] = field(default_factory=dict)
    availability_zones: tuple[str, ...] = ()
    vpc_cidrs: Mapping[str, str] = field(default_factory=dict)
    subnet_cidrs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    instance_types: Mapping[str, str] = field(default_factory=dict)
    vpn_peer_ip: str | None = None
    vpn_bgp_asn: int = 65000
    certificate_arns: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, raw: Mapping[str, Any] | None) -> AwsOptions:
        """Build from the decoded ``utflytt:aws`` object; unknown keys are an error."""
        if not raw:
            return cls()
        unknown = sorted(set(raw) - OPTION_KEYS)
        if unknown:
            raise AwsConfigError(
                f"utflytt:aws: unknown key(s) {', '.join(unknown)}; "
                f"expected some of {', '.join(sorted(OPTION_KEYS))}"
            )
        return cls(
            amis=dict(raw.get("amis", {})),
            availability_zones=tuple(raw.get("availabilityZones", ())),
            vpc_cidrs=dict(raw.get("vpcCidrs", {})),
            subnet_cidrs={k: tuple(v) for k, v in dict(raw.get("subnetCidrs", {})).items()},
            instance_types=dict(raw.get("instanceTypes", {})),
            vpn_peer_ip=raw.get("vpnPeerIp"),
            vpn_bgp_asn=int(raw.get("vpnBgpAsn", 65000)),
            certificate_arns=dict(raw.get("certificateArns", {})),
        )


# --- address plan -----------------------------------------------------------------------------


@per_plan  # sorts every server: once per plan, not per server (callers only read it)
def migrating_servers(plan: Plan) -> dict[str, PlannedServer]:
    """Servers that get an EC2 instance (they are in a wave), by id, sorted."""
    return {sid: s for sid, s in sorted(plan.servers.items()) if s.wave is not None}


def environments(plan: Plan) -> list[str]:
    """Environments that get a VPC, in prod/test/dev order (prod always, for the VPN hub)."""
    present = {s.environment for s in migrating_servers(plan).values()} | {"prod"}
    return [e for e in ENVIRONMENTS if e in present] + sorted(present - set(ENVIRONMENTS))


def systems_in(plan: Plan, environment: str) -> list[str]:
    """Systems with a migrating server in this environment, sorted."""
    return sorted(
        {s.system for s in migrating_servers(plan).values() if s.environment == environment}
    )


def citizen_systems(plan: Plan) -> list[str]:
    """Systems of level ``citizen`` that migrate (they get a public ALB in prod)."""
    return sorted(
        sid
        for sid, sys_ in plan.systems.items()
        if sys_.level == "citizen" and sys_.disposition in MIGRATING
    )


def vpc_cidrs(plan: Plan, options: AwsOptions) -> dict[str, str]:
    """One CIDR per environment: from config, else the first free /16 of 10.100-199.

    A VPC must not overlap the source networks (the VPN routes to them) or another VPC.
    """
    sources = [ipaddress.ip_network(n, strict=False) for n in plan.source_networks]
    taken: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    result: dict[str, str] = {}
    for env in environments(plan):
        chosen = options.vpc_cidrs.get(env)
        if chosen is None:
            for candidate in VPC_POOL:
                net = ipaddress.ip_network(candidate)
                if not any(net.overlaps(o) for o in [*sources, *taken]):
                    chosen = candidate
                    break
            else:  # pragma: no cover - 100 /16s
                raise AwsConfigError("utflytt:aws.vpcCidrs: no free /16 left in 10.100-199")
        else:
            try:
                net = ipaddress.ip_network(chosen, strict=False)
            except ValueError:
                # left to the EC2 API (and moto) to reject, as a deployment would
                result[env] = chosen
                continue
            clash = [str(o) for o in sources if net.overlaps(o)]
            if clash:
                raise AwsConfigError(
                    f"utflytt:aws.vpcCidrs.{env}: {chosen} overlaps the source network(s) "
                    f"{', '.join(clash)} that the VPN routes to"
                )
        taken.append(ipaddress.ip_network(chosen, strict=False))
        result[env] = chosen
    return result


@dataclass(frozen=True)
class SubnetSpec:
    """One subnet: what it is for, where, and its CIDR."""

    name: str  # logical name, e.g. "prod-economy-a"
    system: str | None  # None for a public (ALB) subnet
    az: str
    cidr: str


def subnet_layout(
    plan: Plan, environment: str, vpc_cidr: str, azs: Iterable[str], options: AwsOptions
) -> list[SubnetSpec]:
    """Public subnets (prod, when a citizen system migrates) then one per system per AZ.

    Slots are /26s handed out in order: public first, then systems sorted by id. A config
    entry ``subnetCidrs["env/system"]`` pins a system's CIDRs (pin them before the catalog
    grows: adding a system shifts the slots of the systems sorted after it).
    """
    zones = list(azs)[:MAX_AZS]
    if not zones:
        raise AwsConfigError("utflytt:aws.availabilityZones: no availability zone")
    try:
        vpc = ipaddress.ip_network(vpc_cidr, strict=False)
        slots = (
            iter(vpc.subnets(new_prefix=SUBNET_PREFIX))
            if vpc.prefixlen <= SUBNET_PREFIX
            else iter(())
        )
    except ValueError:
        slots = iter(())
    pinned = {key: list(cidrs) for key, cidrs in options.subnet_cidrs.items()}
    used = {c for cidrs in pinned.values() for c in cidrs}

    def next_slot(label: str) -> str:
        for slot in slots:
            if str(slot) not in used:
                return str(slot)
        raise AwsConfigError(
            f"utflytt:aws.vpcCidrs.{environment}: {vpc_cidr} has no /{SUBNET_PREFIX} left "
            f"for {label}"
        )

    specs: list[SubnetSpec] = []
    letters = [z[-1] for z in zones]
    if environment == "prod" and citizen_systems(plan):
        for zone, letter in zip(zones, letters, strict=True):
            specs.append(
                SubnetSpec(f"{environment}-public-{letter}", None, zone, next_slot("public"))
            )
    for system in systems_in(plan, environment):
        cidrs = pinned.get(f"{environment}/{system}")
        for i, (zone, letter) in enumerate(zip(zones, letters, strict=True)):
            cidr = cidrs[i] if cidrs and i < len(cidrs) else next_slot(system)
            specs.append(SubnetSpec(f"{environment}-{system}-{letter}", system, zone, cidr))
    return specs


@dataclass(frozen=True)
class Placement:
    """Where one server goes: the index of its system's subnet (AZ order) and its address."""

    subnet_index: int
    host_offset: int  # address = network address of that subnet + host_offset


@per_plan  # once per plan, not once per server (callers only read it)
def _servers_by_unit(plan: Plan) -> dict[tuple[str, str], list[str]]:
    """Migrating servers by (system, environment), each list sorted by id."""
    units: dict[tuple[str, str], list[str]] = {}
    for sid, s in migrating_servers(plan).items():
        units.setdefault((s.system, s.environment), []).append(sid)
    return units


def placements(plan: Plan, system: str, environment: str, az_count: int) -> dict[str, Placement]:
    """Servers of a system/environment round-robin over its AZ subnets, by sorted id."""
    servers = _servers_by_unit(plan).get((system, environment), [])
    result = {}
    for i, sid in enumerate(servers):
        result[sid] = Placement(i % az_count, FIRST_HOST_OFFSET + i // az_count)
    return result


def host_address(subnet_cidr: str, offset: int) -> str:
    """The ``offset``-th address of a subnet (raises if it does not fit)."""
    net = ipaddress.ip_network(subnet_cidr, strict=False)
    if offset >= net.num_addresses - 1:
        raise AwsConfigError(f"subnet {subnet_cidr} is too small for host #{offset}")
    return str(net.network_address + offset)


# --- images, backup, tags ---------------------------------------------------------------------


@dataclass(frozen=True)
class ImageQuery:
    """An AMI lookup for a fresh OS image (rebuild/replatform)."""

    owners: tuple[str, ...]
    name: str
    platform: Literal["windows", "linux"]


_OS_IMAGES: dict[str, tuple[str, str]] = {
    # os family-version -> (owner, AMI name pattern); owners are the publishers' AWS accounts
    "windows-server-2022": ("801119661308", "Windows_Server-2022-English-Full-Base-*"),
    "windows-server-2019": ("801119661308", "Windows_Server-2019-English-Full-Base-*"),
    "windows-server-2016": ("801119661308", "Windows_Server-2016-English-Full-Base-*"),
    "windows-server-2012r2": ("801119661308", "Windows_Server-2012-R2_RTM-English-64Bit-Base-*"),
    "ubuntu-24.04": ("099720109477", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"),
    "ubuntu-22.04": ("099720109477", "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"),
    "ubuntu-20.04": ("099720109477", "ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-*"),
    "rhel-9": ("309956199498", "RHEL-9.*_HVM-*-x86_64-*"),
    "rhel-8": ("309956199498", "RHEL-8.*_HVM-*-x86_64-*"),
    "debian-12": ("136693071363", "debian-12-amd64-*"),
}
_DEFAULT_LINUX = ("137112412989", "al2023-ami-2023.*-x86_64")


def image_query(os_slug: str) -> ImageQuery:
    """The AMI lookup for an OS slug (unknown: Amazon Linux 2023 or Windows Server 2022)."""
    windows = os_slug.startswith("windows")
    platform: Literal["windows", "linux"] = "windows" if windows else "linux"
    owner, name = _OS_IMAGES.get(os_slug) or (
        _OS_IMAGES["windows-server-2022"] if platform == "windows" else _DEFAULT_LINUX
    )
    return ImageQuery((owner,), name, platform)


def backup_tier(rpo_hours: float | None, classification: str = "internal") -> tuple[str, str]:
    """(tier name, AWS Backup cron schedule): the least frequent schedule meeting the RPO
    (``stacks.baseline.backup_interval``), named with its data classification (retention)."""
    hours = baseline.backup_interval(rpo_hours, "aws").hours
    if hours >= 24:
        cron = "cron(0 1 * * ? *)"
    elif hours == 1:
        cron = "cron(0 * * * ? *)"
    else:
        cron = f"cron(0 */{hours} * * ? *)"
    return f"rpo-{hours}h-{classification}", cron


def backup_tiers(plan: Plan) -> dict[str, str]:
    """Tier -> schedule for every tier some migrating system needs (sorted)."""
    used = set()
    for s in migrating_servers(plan).values():
        system = plan.systems.get(s.system)
        used.add(
            backup_tier(system.rpo_hours, system.data_classification)
            if system
            else backup_tier(None)
        )
    return dict(sorted(used))


def system_tags(plan: Plan, system_id: str, wave: int, environment: str) -> dict[str, str]:
    """The tags every resource of a system carries (:func:`stacks.tags.system_tags`)."""
    return tags.system_tags(plan, system_id, wave, environment)


def foundation_tags(plan: Plan, environment: str | None = None) -> dict[str, str]:
    """Tags of landing-zone resources (:func:`stacks.tags.landing_zone_tags`)."""
    return tags.landing_zone_tags(
        plan, {"owner": "it-infrastructure", "cost-centre": "shared"}, environment
    )


def short_hash(*parts: str) -> str:
    """A stable 8-hex-digit suffix (for names AWS wants unique, like SG names)."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:8]
