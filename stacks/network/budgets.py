"""Each cloud's budget for the permits of consumers still at the provider, and the policy
it admits (:func:`admitted_policy`: what ``utflytt plan`` checks and the stacks build).

Only a destination group whose exact permits (every consumer by its own ``/32``) would not
fit gets a budget; :func:`stacks.network.admission.admit` decides what it then admits.

- Azure: each destination group's rules end up in one NSG at most (a unit over a limit is
  split per group over NIC NSGs, :mod:`stacks.network.nicsplit`), so its budget is the
  address prefixes per NSG less what its other rules spend; a prefix costs one per
  protocol (one rule each). With the default 4,000 the example and generated estates up
  to 2,000 systems never need one.
- AWS: a destination's instance holds its own group, its client groups and the shards of
  its rules, at most ``aws_security_groups_per_eni``; so its provider permits may spend
  the rules per security group (less the load balancer's) times the security groups left
  for shards, less its rules from cloud groups. A prefix costs one rule unit per port
  range, and one permit's prefix list must fit one security group (a permit from at most
  16 addresses is one rule per address, which shards can share out). First-fit packing can
  waste room, so a budget the shards still pass is narrowed by one security group's rules
  and tried again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from migration.catalog.models import Quotas
from migration.plan import Plan
from stacks.network.addresses import plan_addresses
from stacks.network.admission import Budget, admit
from stacks.network.nicsplit import GATEWAY_RULES
from stacks.network.policy import NetworkPolicy, network_policy
from stacks.network.rulesets import (
    MAX_CIDR_RULES,
    aws_rule_sets,
    aws_security_groups,
    azure_rule_sets,
    port_text,
    unit_subnets,
)
from stacks.plancache import per_plan

RETRIES = 8  # AWS: budgets narrowed at most this many times when packing wastes room


def _provider_destinations(policy: NetworkPolicy) -> list[str]:
    return sorted({p.destination for p in policy.permits if p.via == "provider"})


def azure_budget(
    policy: NetworkPolicy,
    quotas: Quotas,
    citizen_units: set[str],
    server_ips: Mapping[str, str],
    subnets: Mapping[str, tuple[str, ...]],
) -> Budget:
    """Budgets (address prefixes) for the destinations whose NSG would pass
    ``azure_prefixes_per_nsg`` with every consumer at the provider by its /32."""
    rule_sets = azure_rule_sets(policy, server_ips, quotas.azure_asgs_per_rule_side, subnets)
    spent: dict[str, int] = {}
    fixed: dict[str, int] = {}
    gateway: dict[str, int] = {}
    for unit, rules in rule_sets.items():
        for rule in rules:
            assert rule.permit is not None
            dest = rule.permit.destination
            spent[dest] = spent.get(dest, 0) + rule.prefix_count
            own = len(rule.source_prefixes) if rule.permit.via == "provider" else 0
            fixed[dest] = fixed.get(dest, 0) + rule.prefix_count - own
            gateway[dest] = 2 * GATEWAY_RULES if unit in citizen_units else 0
    limit = quotas.azure_prefixes_per_nsg
    units = {
        dest: max(0, limit - fixed[dest] - gateway[dest])
        for dest in _provider_destinations(policy)
        if spent.get(dest, 0) + gateway.get(dest, 0) > limit
    }
    return Budget(
        "Azure", f"{limit} address prefixes per NSG", units, limit, lambda p: len(port_text(p))
    )


def _aws_room(policy: NetworkPolicy, quotas: Quotas, dest: str) -> int:
    """Security groups a destination's instances have left for its own rules."""
    joined = max(len(policy.member_of.get(s, ())) for s in policy.groups[dest].servers)
    return max(1, quotas.aws_security_groups_per_eni - joined)


def _aws_capacity(quotas: Quotas, dest: str, citizen: set[str]) -> int:
    return max(1, quotas.aws_rules_per_security_group - (GATEWAY_RULES if dest in citizen else 0))


def _aws_overflowing(
    policy: NetworkPolicy, quotas: Quotas, dests: list[str], citizen: set[str]
) -> list[str]:
    """The destinations among ``dests`` whose rules pass a security group or need more
    shards than their instances can join (their permits alone, sharded as the stack is).
    A destination whose rules fit one security group even before duplicates are dropped
    is not laid out (most of them: it keeps ``utflytt plan`` fast at 100k servers)."""
    index = policy.by_destination
    wanted = {
        d
        for d in dests
        if sum(len(p.ports) * len(p.sources or p.addresses) for p in index.get(d, ()))
        > _aws_capacity(quotas, d, citizen)
    }
    if not wanted:
        return []
    dests = sorted(wanted)
    alone = replace(policy, permits=tuple(p for p in policy.permits if p.destination in wanted))
    reserved = {d: GATEWAY_RULES for d in dests if d in citizen}
    sets = aws_rule_sets(
        alone, quotas.aws_rules_per_security_group, reserved, quotas.aws_prefix_lists_per_region
    )
    groups = aws_security_groups(alone, sets)
    return [
        d
        for d in dests
        if len(groups.get(d, (d,))) > _aws_room(policy, quotas, d)
        or any(
            sum(r.weight for r in sets.get(sg, ())) > _aws_capacity(quotas, d, citizen)
            for sg in groups.get(d, (d,))
        )
    ]


def aws_admitted(
    policy: NetworkPolicy, quotas: Quotas, citizen: set[str], source_networks: tuple[str, ...]
) -> NetworkPolicy:
    """``policy`` admitted within AWS's budgets (see the module's docstring)."""
    over = _aws_overflowing(policy, quotas, _provider_destinations(policy), citizen)
    if not over:
        return policy
    units: dict[str, int] = {}
    for dest in over:
        capacity = _aws_capacity(quotas, dest, citizen)
        cloud = sum(
            len(p.ports) * len(p.sources) for p in policy.by_destination[dest] if p.via == "cloud"
        )
        units[dest] = max(0, _aws_room(policy, quotas, dest) * capacity - cloud)
    limit = (
        f"{quotas.aws_rules_per_security_group} rules per security group, "
        f"{quotas.aws_security_groups_per_eni} security groups per interface"
    )
    # a list must fit one security group; up to MAX_CIDR_RULES addresses are single rules
    per_permit = max(MAX_CIDR_RULES, min(_aws_capacity(quotas, dest, citizen) for dest in units))
    admitted = policy
    for _ in range(RETRIES):
        budget = Budget("AWS", limit, dict(units), per_permit, len)
        admitted = admit(policy, budget, source_networks)
        still = _aws_overflowing(admitted, quotas, sorted(units), citizen)
        if not still:
            break
        for dest in still:  # packing wasted room: one security group's rules less
            units[dest] = max(0, units[dest] - _aws_capacity(quotas, dest, citizen))
    return admitted


def admitted_policy(plan: Plan, quotas: Quotas | None = None) -> NetworkPolicy:
    """The plan's network policy as its target cloud admits it within ``quotas`` (default:
    the plan's own): :func:`network_policy` itself unless a destination's permits from the
    provider must be summarised."""
    quotas = quotas or Quotas.model_validate(plan.quotas)
    return _admitted(plan, frozenset(quotas.model_dump().items()))


@per_plan  # once per plan and quotas: the limits, the warnings and the stacks read it
def _admitted(plan: Plan, quota_items: frozenset[tuple[str, int]]) -> NetworkPolicy:
    from stacks.network.limits import citizen_groups, citizen_units  # limits imports this

    quotas = Quotas(**dict(quota_items))
    policy = network_policy(plan)
    if not any(p.via == "provider" for p in policy.permits):
        return policy
    if plan.target.provider == "aws":
        return aws_admitted(policy, quotas, citizen_groups(policy, plan), plan.source_networks)
    addressing = plan_addresses(plan)
    units = citizen_units(plan)
    budget = azure_budget(policy, quotas, units, addressing.server_ips, unit_subnets(addressing))
    return admit(policy, budget, plan.source_networks) if budget.units else policy
