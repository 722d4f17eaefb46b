"""The provider-neutral network layer: flows -> groups and permits -> each cloud's rule sets,
the address plan, and the platform limits ``utflytt plan`` checks before any stack exists.

:func:`check_plan` is the plan-time hook: it raises :class:`~stacks.network.limits.
NetworkLimitError` (or :class:`~stacks.network.addresses.AddressPlanError`) when the plan
cannot be deployed, and otherwise returns the plan with the policy's warnings (servers
admitted by a whole source network; Azure units split over NIC-level NSGs) and the
catalog's raised quotas. The address plan is
checked with the plan's ``allocations`` in place (``utflytt plan`` adds them first,
:func:`stacks.allocate.with_allocations`): a kept subnet that its system outgrew is an
AddressPlanError, never a silent move.
"""

from __future__ import annotations

from typing import Any

from migration.catalog.models import Quotas
from migration.collector import collector_paused
from migration.plan import Plan, Warning_
from stacks.images import missing_images
from stacks.names import computer_names
from stacks.network.addresses import AddressPlanError, plan_addresses
from stacks.network.admission import is_summary
from stacks.network.budgets import admitted_policy
from stacks.network.limits import (
    NetworkLimitError,
    RuleSetCount,
    check_limits,
    citizen_units,
    rule_set_counts,
)
from stacks.network.nicsplit import overflow
from stacks.network.policy import NetworkPolicy, network_policy
from stacks.network.rulesets import azure_rule_sets, unit_subnets

__all__ = [
    "AddressPlanError",
    "NetworkLimitError",
    "check_plan",
    "plan_quotas",
    "stack_rule_sets",
]


def plan_quotas(plan: Plan) -> Quotas:
    """The quotas the plan was checked against (defaults unless the catalog raised some)."""
    return Quotas.model_validate(plan.quotas)


_WARNING_FIELDS = {"code", "message", "subjects"}


@collector_paused()  # millions of small objects, no cycles (migration.collector)
def check_plan(plan: Plan, quotas: Quotas | None = None) -> Plan:
    """Check addresses and limits for the plan's target; return the plan with the network
    warnings and the raised quotas (only those differing from the defaults) added."""
    quotas = quotas or Quotas()
    if plan.target.provider == "azure":
        # with the plan's allocations in place: raises AddressPlanError when a spoke is full
        # or a unit outgrew the subnet allocations.json keeps for it
        plan_addresses(plan)
    if not plan.allocations.provider(plan.target.provider).servers:  # allocated: unique
        computer_names(  # raises when two Windows servers built from images would clash
            sid
            for sid, s in plan.servers.items()
            if s.wave is not None and s.os.startswith("windows") and s.disposition != "rehost"
        )
    policy = admitted_policy(plan, quotas)  # once: the limits and the warnings read it
    counts = check_limits(plan, quotas, policy)
    warnings = tuple(_policy_warning(text) for text in policy.warnings)
    if plan.target.provider == "azure":
        warnings += nic_split_warnings(plan, policy, quotas, counts)
        warnings += tuple(
            Warning_(code="no-image", message=text, subjects=(text.split()[1].rstrip(":"),))
            for text in missing_images(plan)
        )
    raised = {k: v for k, v in quotas.model_dump().items() if v != Quotas().model_dump()[k]}
    return plan.model_copy(update={"warnings": plan.warnings + warnings, "quotas": raised})


def _policy_warning(text: str) -> Warning_:
    """A policy warning (100k of them at 100k servers): validated, which pydantic does
    faster than ``model_construct``, and sharing one set of given field names with the
    others (pydantic makes one per object)."""
    words = text.split(maxsplit=2)
    warning = Warning_(
        code="network-summarised" if is_summary(text) else "network-source-network",
        message=text,
        subjects=(words[1] if text.startswith("server ") else words[0],),
    )
    object.__setattr__(warning, "__pydantic_fields_set__", _WARNING_FIELDS)
    return warning


def nic_split_warnings(
    plan: Plan, policy: NetworkPolicy, quotas: Quotas, counts: list[RuleSetCount]
) -> tuple[Warning_, ...]:
    """``network-nic-nsg``: one warning per Azure unit split over NIC-level NSGs
    (:mod:`stacks.network.nicsplit`; ``counts`` has an ``nsg-<unit> nic <group>`` entry
    per NIC NSG), naming the limit its subnet NSG would pass and what the deploy does."""
    nic_groups: dict[str, list[str]] = {}
    for count in counts:
        unit_part, nic, group = count.rule_set.partition(" nic ")
        if nic and count.what == "rules":
            nic_groups.setdefault(unit_part.removeprefix("nsg-"), []).append(group)
    if not nic_groups:
        return ()
    # the rule sets the limits were counted from (cached: same arguments, same objects)
    addressing = plan_addresses(plan)
    rule_sets = azure_rule_sets(
        policy, addressing.server_ips, quotas.azure_asgs_per_rule_side, unit_subnets(addressing)
    )
    citizens = citizen_units(plan)
    out = []
    for unit, groups in sorted(nic_groups.items()):
        first = policy.groups[groups[0]]
        passed = overflow(
            rule_sets.get(unit, ()),
            unit in citizens,
            quotas.azure_rules_per_nsg,
            quotas.azure_prefixes_per_nsg,
        )
        assert passed is not None, unit  # split_units splits exactly the overflowing units
        n_rules, n_prefixes = passed
        over = [
            f"{n:,} {what} (limit {limit:,})"
            for n, what, limit in (
                (n_rules, "rules", quotas.azure_rules_per_nsg),
                (n_prefixes, "address prefixes", quotas.azure_prefixes_per_nsg),
            )
            if n > limit
        ]
        out.append(
            Warning_(
                code="network-nic-nsg",
                message=f"unit {unit} (system {first.system}, {first.environment}): its "
                f"subnet NSG would hold {' and '.join(over)}, so it is split into "
                f"{len(groups)} NIC-level NSGs. The deploy creates an NSG on each of its "
                "servers' network interfaces (one per server group, holding that group's "
                "rules) and narrows the subnet NSG to one rule per protocol from the "
                "VirtualNetwork tag, plus deny-all; each server still admits exactly its "
                "declared flows",
                subjects=(first.system,),
            )
        )
    return tuple(out)


def _stack_wave(stack: str) -> int | None:
    return int(stack.split("-")[1]) if stack.startswith("wave-") else None


def stack_rule_sets(plan: Plan, stack: str) -> list[dict[str, Any]]:
    """``preview --json``'s ``rule_sets``: each rule set of ``stack`` with its counts and
    limits (the foundation: the subscription/VPC-wide ones)."""
    wave = _stack_wave(stack)
    policy = network_policy(plan)
    units_in_wave = {
        f"{g.system}-{g.environment}"
        for name, g in policy.groups.items()
        if policy.group_wave.get(name) == wave
    }
    groups_in_wave = {name for name, w in policy.group_wave.items() if w == wave}

    def here(count: RuleSetCount) -> bool:
        kind, _, name = count.rule_set.partition(" ")
        if count.rule_set.startswith("nsg-"):
            return wave is not None and count.rule_set[4:] in units_in_wave
        if kind == "sg" or count.rule_set.startswith("instances of "):
            group = count.rule_set.split()[-1].partition("+")[0]  # a shard: its group's
            return wave is not None and group in groups_in_wave
        return wave is None

    return [
        {"rule_set": c.rule_set, "what": c.what, "count": c.count, "limit": c.limit}
        for c in rule_set_counts(plan, plan_quotas(plan))
        if here(c)
    ]
