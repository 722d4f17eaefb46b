"""The AWS shape of a plan, as plain data: address plan, placement, firewall rules, tags.

Everything here is a pure function of the plan (and of the ``utflytt:aws`` stack config), so
it is tested without Pulumi, and the components in this package only turn it into resources.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from migration.errors import UtflyttError
from migration.plan import Plan, PlannedServer
from stacks import baseline, tags
from stacks.aws.addresses import AwsAddressing, Host, plan_vpc_addresses
from stacks.network.provider_space import provider_space
from stacks.plancache import per_plan_fields, register

DEFAULT_REGION = "eu-north-1"
ENVIRONMENTS = ("prod", "test", "dev")
MIGRATING = frozenset({"rehost", "replatform", "rebuild"})
# 10.100-199, then 172.16-31 for source networks that take all of 10/8 (172.17 skipped: some
# AWS services use it for Docker's default bridge)
VPC_POOL = tuple(f"10.{n}.0.0/16" for n in range(100, 200)) + tuple(
    f"172.{n}.0.0/16" for n in range(16, 32) if n != 17
)
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
        "privateIps",
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
    ``vpcCidrs``: environment -> CIDR; ``subnetCidrs``: subnet key (``prod/private-a``,
    ``prod/public-b``) -> CIDR and ``privateIps``: server id -> IP pin the address plan
    (:mod:`stacks.aws.addresses`);
    ``instanceTypes``: server id -> EC2 type (overrides the plan's sku); ``vpnPeerIp``: the
    public IP of the old provider's VPN endpoint; ``vpnBgpAsn``; ``certificateArns``:
    system id -> ACM certificate for its HTTPS listener.
    """

    amis: Mapping[str, str] = field(default_factory=dict)
    availability_zones: tuple[str, ...] = ()
    vpc_cidrs: Mapping[str, str] = field(default_factory=dict)
    subnet_cidrs: Mapping[str, str] = field(default_factory=dict)
    private_ips: Mapping[str, str] = field(default_factory=dict)
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
            subnet_cidrs=_strings(raw, "subnetCidrs"),
            private_ips=_strings(raw, "privateIps"),
            instance_types=dict(raw.get("instanceTypes", {})),
            vpn_peer_ip=raw.get("vpnPeerIp"),
            vpn_bgp_asn=int(raw.get("vpnBgpAsn", 65000)),
            certificate_arns=dict(raw.get("certificateArns", {})),
        )


_PLAN_OPTIONS: ContextVar[AwsOptions | None] = ContextVar("utflytt_aws_plan_options", default=None)


def plan_options() -> AwsOptions:
    """The ``utflytt:aws`` options the plan-time address plan uses (``utflytt plan``'s
    allocations and subnet counts, ``preview --json``'s rule sets): those of the foundation
    stack config, while :func:`using_options` is in effect; otherwise none (the defaults).
    The foundation stack lays out its VPCs with its own config, so both must agree."""
    return _PLAN_OPTIONS.get() or AwsOptions()


@contextlib.contextmanager
def using_options(options: AwsOptions) -> Iterator[AwsOptions]:
    """Make ``options`` the plan-time options (:func:`plan_options`) for the block."""
    token = _PLAN_OPTIONS.set(options)
    try:
        yield options
    finally:
        _PLAN_OPTIONS.reset(token)


def _strings(raw: Mapping[str, Any], key: str) -> dict[str, str]:
    """A ``name -> string`` object of ``utflytt:aws``; anything else names the key."""
    value = dict(raw.get(key, {}))
    wrong = sorted(k for k, v in value.items() if not isinstance(v, str))
    if wrong:
        raise AwsConfigError(
            f"utflytt:aws.{key}.{wrong[0]}: expected one string (a CIDR or an address); "
            "subnets are per availability zone and tier, e.g. subnetCidrs: "
            "{prod/private-a: 10.100.64.0/18}"
        )
    return value


# --- address plan -----------------------------------------------------------------------------


# sorts every server: once per plan's servers, not per server, and not again for the plan
# with its allocations added, which shares them (callers only read it)
@per_plan_fields("servers")
def migrating_servers(plan: Plan) -> dict[str, PlannedServer]:
    """Servers that get an EC2 instance (they are in a wave), by id, sorted."""
    servers = plan.servers
    return {sid: servers[sid] for sid in sorted(servers) if servers[sid].wave is not None}


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
    """One CIDR per environment: from config, else the first free /16 of :data:`VPC_POOL`.

    A VPC must not overlap the source networks (the VPN routes to them) or another VPC.
    """
    sources = [ipaddress.ip_network(n, strict=False) for n in plan.source_networks]
    in_use = provider_space(plan)  # the sources and the servers at the provider outside them
    taken: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    result: dict[str, str] = {}
    for env in environments(plan):
        chosen = options.vpc_cidrs.get(env)
        if chosen is None:
            for candidate in VPC_POOL:
                net = ipaddress.ip_network(candidate)
                if not in_use.overlaps_network(net) and not any(net.overlaps(o) for o in taken):
                    chosen = candidate
                    break
            else:
                raise AwsConfigError(
                    "utflytt:aws.vpcCidrs: the source networks overlap every default VPC CIDR "
                    "(10.100-199.0.0/16, 172.16-31.0.0/16): set one per environment in "
                    "the foundation's stack config (Pulumi.foundation.yaml)"
                )
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


def zones_for(plan: Plan, options: AwsOptions) -> tuple[str, ...]:
    """The availability zones the address plan uses when the stack's are not known yet
    (``utflytt plan``): the configured ones, else the region's first three (``<region>a``,
    ``b``, ``c``; every commercial region has at least three)."""
    if options.availability_zones:
        return tuple(sorted(options.availability_zones))
    region = plan.target.region or DEFAULT_REGION
    return tuple(f"{region}{letter}" for letter in "abc")


@per_plan_fields("servers")  # one tuple per plan's servers: address_plan compares it by identity
def hosts(plan: Plan) -> tuple[Host, ...]:
    """The migrating servers as the address plan sees them, sorted by server id."""
    return tuple(
        Host(sid, s.system, s.environment, s.role) for sid, s in migrating_servers(plan).items()
    )


def address_plan(
    plan: Plan,
    options: AwsOptions,
    zones: Iterable[str],
    previous: Mapping[str, str] | None = None,
) -> AwsAddressing:
    """The plan's AWS address plan (:func:`stacks.aws.addresses.plan_vpc_addresses`): the
    pins of ``utflytt:aws`` (``subnetCidrs``, ``privateIps``) win over ``previous`` (by
    default the plan's ``allocations.aws``, from allocations.json)."""
    if previous is None:
        previous = plan.allocations.aws.flat()
    zones = tuple(zones)
    if not zones:
        raise AwsConfigError("utflytt:aws.availabilityZones: no availability zone")
    found = hosts(plan)
    cidrs = vpc_cidrs(plan, options)
    public = ("prod",) if citizen_systems(plan) else ()
    kept = {**(previous or {}), **options.subnet_cidrs, **options.private_ips}
    key = (tuple(sorted(cidrs.items())), zones, public)
    settled = _SETTLED.get(key)
    # the same hosts object (plans sharing their servers; not hashed: 100k hosts) and
    # fed its own result (the plan with the allocations it just handed out): the address
    # plan keeps every entry it is given, so it would compute the same again
    if settled is not None and settled[0] is found and settled[1] == kept:
        return settled[2]
    result = plan_vpc_addresses(found, cidrs, zones, public=public, previous=kept)
    _SETTLED.clear()  # one address plan (100k servers: tens of MB) is enough to keep
    _SETTLED[key] = (found, result.allocations(), result)
    return result


_SETTLED: OrderedDict[tuple[Any, ...], tuple[tuple[Host, ...], dict[str, str], AwsAddressing]] = (
    register(OrderedDict())
)


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
