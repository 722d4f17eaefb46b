"""A plan's allocations: what ``allocations.json`` already holds, kept, plus the new
entries the plan needs, so that the stacks (which read them from ``plan.json``) never
rename or re-address a deployed resource because the catalog changed elsewhere.

:func:`with_allocations` is called by ``utflytt plan`` (:func:`app.pipeline.run_plan`,
before :func:`stacks.network.check_plan` checks capacity with them in place); the
provider's address planner fills subnets and IPs (Azure: :func:`stacks.network.addresses.
plan_addresses`; AWS: :func:`stacks.aws.layout.address_plan`), and the
provider-neutral parts (servers' entries, Windows computer names) are done here once.
The other provider's entries pass through untouched, so switching the target keeps both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from migration.allocations import Allocations, ProviderAllocations, server_allocation
from migration.collector import collector_paused
from migration.plan import Plan, Warning_
from stacks.aws import layout as aws_layout
from stacks.azure import layout as azure_layout
from stacks.names import allocate_computer_names
from stacks.network.addresses import MIGRATING, plan_addresses, unit_key
from stacks.network.policy import unnamed_policy
from stacks.network.stable_names import record_groups, reserved_warning


@dataclass(frozen=True)
class AddressAllocation:
    """What a provider's address planner allocated: its address space, subnets by
    allocations key (``prod/ad``, ``prod/ad/gateway``) and server IPs."""

    address_space: str
    subnets: dict[str, str]
    server_ips: dict[str, str]


AddressPlanner = Callable[[Plan, ProviderAllocations], AddressAllocation]


def azure_addresses(plan: Plan, previous: ProviderAllocations) -> AddressAllocation:
    """The Azure address plan (hub, spokes, unit subnets, IPs), keeping ``previous``."""
    addressing = plan_addresses(plan, previous=previous)
    subnets: dict[str, str] = {}
    for unit in addressing.units:
        subnets[unit_key(unit.system, unit.environment)] = unit.cidr
        if unit.gateway_cidr:
            subnets[unit_key(unit.system, unit.environment, "gateway")] = unit.gateway_cidr
    return AddressAllocation(addressing.base, subnets, dict(addressing.server_ips))


def azure_names(plan: Plan, previous: ProviderAllocations) -> dict[str, str]:
    """Globally unique Azure names, the kept ones first."""
    region = plan.target.region
    return {
        "key_vault": azure_layout.key_vault_name(plan, region),
        "storage_account": azure_layout.storage_account_name(plan),
        "log_storage_account": azure_layout.log_storage_account_name(plan.organisation, region),
        **previous.names,
    }


def aws_addresses(plan: Plan, previous: ProviderAllocations) -> AddressAllocation:
    """The AWS address plan (per-AZ subnets, static IPs; :mod:`stacks.aws.addresses`),
    keeping ``previous``, with the foundation stack config's ``utflytt:aws`` options
    (:func:`stacks.aws.layout.plan_options`: VPC CIDRs, zones, subnet and IP pins)."""
    options = aws_layout.plan_options()
    zones = aws_layout.zones_for(plan, options)
    flat = aws_layout.address_plan(plan, options, zones, previous.flat()).allocations()
    subnets = {key: cidr for key, cidr in flat.items() if "/" in key}
    ips = {sid: ip for sid, ip in flat.items() if "/" not in sid}
    return AddressAllocation(previous.address_space, subnets, ips)


ADDRESS_PLANNERS: dict[str, AddressPlanner] = {"azure": azure_addresses, "aws": aws_addresses}
"""Provider -> its address planner (each keeps ``previous`` and reads the same entries back
from ``plan.allocations`` in its stacks); a provider without one keeps its recorded subnets
and IPs as they are."""
NAMERS: dict[str, Callable[[Plan, ProviderAllocations], dict[str, str]]] = {"azure": azure_names}


def image_built_windows(plan: Plan) -> list[str]:
    """Servers that get a computer name from the plan: Windows servers built from an image
    (a rehosted server keeps the name on its disk)."""
    return sorted(
        sid
        for sid, s in plan.servers.items()
        if s.wave is not None
        and s.disposition in MIGRATING
        and s.os.startswith("windows")
        and s.disposition != "rehost"
    )


def allocate(plan: Plan, previous: Allocations) -> tuple[Allocations, tuple[Warning_, ...]]:
    """``previous`` with every entry kept and the plan's new ones added for its target
    provider; and the warnings: servers that had to move (their unit changed) and systems
    whose entries are kept although the plan no longer migrates them."""
    provider = plan.target.provider
    kept = previous.provider(provider)
    planner = ADDRESS_PLANNERS.get(provider)
    addresses = (
        planner(plan, kept)
        if planner is not None
        else AddressAllocation(kept.address_space, {}, {})
    )
    windows = image_built_windows(plan)
    names = allocate_computer_names(
        windows,
        {sid: a.computer_name for sid, a in kept.servers.items() if a.computer_name},
        held=(a.computer_name for sid, a in kept.servers.items() if sid not in set(windows)),
    )
    servers = dict(kept.servers)
    warnings: list[Warning_] = []
    for sid, srv in sorted(plan.servers.items()):
        if srv.wave is None or srv.disposition not in MIGRATING:
            continue
        before = kept.servers.get(sid)
        ip = addresses.server_ips.get(sid, before.ip if before is not None else "")
        if before is not None and before.ip and ip and before.ip != ip:
            warnings.append(
                Warning_(
                    code="allocation-moved",
                    message=f"server {sid} moved from {before.environment}/{before.system} to "
                    f"{srv.environment}/{srv.system}: its IP changes from {before.ip} to {ip}",
                    subjects=(sid,),
                )
            )
        name = names.get(sid, before.computer_name if before is not None else "")
        facts = (srv.system, srv.environment, ip, name)
        if before is not None and facts == (
            before.system,
            before.environment,
            before.ip,
            before.computer_name,
        ):
            servers[sid] = before  # unchanged: the entry read is kept, not made again
        else:
            servers[sid] = server_allocation(*facts)
    namer = NAMERS.get(provider)
    groups, unused = record_groups(unnamed_policy(plan), kept.groups)  # network group names
    updated = ProviderAllocations(
        address_space=addresses.address_space,
        subnets={**kept.subnets, **addresses.subnets},
        servers=servers,
        names=namer(plan, kept) if namer is not None else dict(kept.names),
        groups=groups,
    )
    migrating = {s.system for s in plan.servers.values() if s.wave is not None}
    if (reserved := reserved_warning(unused, kept.groups, migrating)) is not None:
        warnings.append(reserved)
    orphans = sorted(updated.systems() - migrating)
    if orphans:
        command = " ".join(orphans) if len(orphans) <= 10 else "SYSTEM..."
        shown = ", ".join(orphans[:10]) + (
            f" and {len(orphans) - 10} more" if len(orphans) > 10 else ""
        )
        warnings.append(
            Warning_(
                code="allocation-kept",
                message=f"allocations.json keeps the subnets, addresses and names of "
                f"{len(orphans)} system(s) this plan does not migrate ({shown}): they stay "
                "reserved; once their resources are destroyed, release them with "
                f"`utflytt allocations release {command}`",
                subjects=tuple(orphans),
            )
        )
    return previous.with_provider(provider, updated), tuple(warnings)


@collector_paused()  # millions of small objects, no cycles (migration.collector)
def with_allocations(plan: Plan, previous: Allocations) -> Plan:
    """The plan with its allocations (see :func:`allocate`) and their warnings."""
    allocations, warnings = allocate(plan, previous)
    return plan.model_copy(
        update={"allocations": allocations, "warnings": plan.warnings + warnings}
    )
