"""Platform limits of a plan's network rules, checked by ``utflytt plan`` (DESIGN.md
"Network policy"), before any stack exists.

Azure: rules and address prefixes per NSG, ASGs per rule side, ASGs per subscription.
AWS: inbound rules per security group (a prefix list counts as its max entries), security
groups per network interface, rules x groups per interface, security groups and subnets per
VPC (and the AWS address plan's capacity, :mod:`stacks.aws.addresses`), customer-managed
prefix lists per Region.
Raised limits come from ``planning.quotas``. A breach is a :class:`NetworkLimitError` that
names the rule set, its count, the limit and the flows behind it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from migration.catalog.models import Quotas
from migration.errors import UtflyttError
from migration.plan import Plan
from stacks.network.addresses import plan_addresses
from stacks.network.budgets import admitted_policy
from stacks.network.nicsplit import GATEWAY_RULES, azure_nsgs, nsg_counts
from stacks.network.policy import NetworkPolicy
from stacks.network.rulesets import (
    SgRule,
    aws_groups_of,
    aws_rule_sets,
    aws_security_groups,
    azure_asgs,
    prefix_list_permits,
    unit_key,
    unit_subnets,
)
from stacks.plancache import per_plan

SHOWN_FLOWS = 5


@dataclass(frozen=True)
class RuleSetCount:
    """One rule set (an NSG, a security group, an interface, the subscription) and a count."""

    rule_set: str  # e.g. "nsg-ad-prod", "sg ad.prod", "subscription"
    what: str  # "rules", "prefixes", "ASGs per rule side", ...
    count: int
    limit: int
    # "consumer group -> provider group" behind it, biggest first (an AWS security group's:
    # only when it is over the limit, as the error names them)
    flows: tuple[str, ...] = ()

    @property
    def breached(self) -> bool:
        """True when the count is over the limit."""
        return self.count > self.limit

    def describe(self) -> str:
        """One line for a message."""
        text = f"{self.rule_set}: {self.count} {self.what} (limit {self.limit})"
        if self.flows:
            text += "; from " + ", ".join(self.flows)
        return text


class NetworkLimitError(UtflyttError):
    """The plan's network rules break a platform limit (rules, prefixes or groups)."""

    def __init__(self, provider: str, breaches: list[RuleSetCount]) -> None:
        self.breaches = breaches
        lines = "\n  ".join(b.describe() for b in breaches)
        super().__init__(
            f"the plan's network rules break {len(breaches)} {provider} limit(s); "
            f"nothing was written:\n  {lines}\n"
            "Split the busiest provider's ports over fewer port sets, narrow system "
            "dependencies with from_roles/to_roles, or raise the limit in planning.quotas."
        )


def _flows_text(policy: NetworkPolicy, destinations: set[str]) -> tuple[str, ...]:
    """The biggest permits into ``destinations``: "sources -> destination (ports)"."""
    index = policy.by_destination
    if not any(d in index for d in destinations):  # a client group: no permit into it
        return ()
    # the permits' own order, spelled out: (destination, ports, via, network) is unique
    # per permit, so the rest of a permit is never compared (tuples compare in C)
    permits = sorted(
        (p for d in destinations for p in index.get(d, ())),
        key=lambda p: (-len(p.consumers), p.destination, p.ports, p.via, p.network),
    )
    return tuple(
        f"{_sources_text(p.sources) or f'{len(p.consumers)} servers at the provider'} -> "
        f"{p.destination} ({', '.join(p.ports)}; {len(p.consumers)} consumers)"
        for p in permits[:SHOWN_FLOWS]
    )


def _sources_text(sources: tuple[str, ...]) -> str:
    shown = ", ".join(sources[:SHOWN_FLOWS])
    return shown + (f" and {len(sources) - SHOWN_FLOWS} more" if len(sources) > SHOWN_FLOWS else "")


def azure_counts(
    policy: NetworkPolicy,
    quotas: Quotas,
    citizen_units: set[str],
    server_ips: Mapping[str, str],
    unit_subnets: Mapping[str, tuple[str, ...]] | None = None,
) -> list[RuleSetCount]:
    """Every Azure count the limits apply to, one per (rule set, what): each subnet NSG
    and, for a unit split over NIC NSGs (:mod:`stacks.network.nicsplit`), each NIC NSG."""
    out: list[RuleSetCount] = []
    nsgs = azure_nsgs(policy, quotas, citizen_units, server_ips, unit_subnets or {})
    named = [(f"nsg-{unit}", unit, rules) for unit, rules in nsgs.subnet.items()]
    named += [
        (f"nsg-{unit} nic {group}", unit, rules)
        for unit, groups in sorted(nsgs.nic.items())
        for group, rules in groups.items()
    ]
    for name, unit, rules in named:
        dests = {r.permit.destination for r in rules if r.permit is not None}
        dests = dests or set(nsgs.nic.get(unit, {}))
        flows = _flows_text(policy, dests)
        n_rules, n_prefixes = nsg_counts(rules, unit in citizen_units)
        out.append(RuleSetCount(name, "rules", n_rules, quotas.azure_rules_per_nsg, flows))
        out.append(
            RuleSetCount(name, "address prefixes", n_prefixes, quotas.azure_prefixes_per_nsg, flows)
        )
        widest = max((len(r.source_groups) for r in rules), default=0)
        out.append(
            RuleSetCount(name, "ASGs per rule side", widest, quotas.azure_asgs_per_rule_side)
        )
    out.append(
        RuleSetCount(
            "subscription",
            "application security groups",
            len(azure_asgs(policy)),
            quotas.azure_asgs_per_subscription,
        )
    )
    return out


def aws_layout(
    policy: NetworkPolicy, quotas: Quotas, citizen: set[str]
) -> tuple[dict[str, tuple[SgRule, ...]], dict[str, tuple[str, ...]]]:
    """(security group -> inbound rules, cloud group -> its security groups): the rules
    sharded to the quota, the load balancer's rule reserved in citizen-facing groups."""
    sets = aws_rule_sets(
        policy,
        quotas.aws_rules_per_security_group,
        dict.fromkeys(citizen, GATEWAY_RULES),
        quotas.aws_prefix_lists_per_region,
    )
    return sets, aws_security_groups(policy, sets)


@per_plan  # pure: once per plan, not once per stack (callers only read it)
def aws_plan_layout(
    plan: Plan,
) -> tuple[NetworkPolicy, dict[str, tuple[SgRule, ...]], dict[str, tuple[str, ...]]]:
    """The plan's policy and its AWS rule sets and security groups, sharded to the quotas
    the plan was checked against (what the foundation and wave stacks build)."""
    quotas = Quotas.model_validate(plan.quotas)
    policy = admitted_policy(plan, quotas)
    sets, security_groups = aws_layout(policy, quotas, citizen_groups(policy, plan))
    return policy, sets, security_groups


def aws_counts(
    policy: NetworkPolicy, quotas: Quotas, citizen_groups: set[str]
) -> list[RuleSetCount]:
    """Every AWS count the limits apply to, one per (rule set, what)."""
    sets, security_groups = aws_layout(policy, quotas, citizen_groups)
    out: list[RuleSetCount] = []
    rules_limit = quotas.aws_rules_per_security_group
    for group in policy.cloud_groups():
        for sg in security_groups[group]:
            rules = sets.get(sg, ())
            units = sum(r.weight for r in rules)
            units += GATEWAY_RULES if sg == group and group in citizen_groups else 0
            # the flows behind a breach (80k security groups at 100k servers: only those)
            flows = _flows_text(policy, {group}) if units > rules_limit else ()
            out.append(RuleSetCount(f"sg {sg}", "inbound rules", units, rules_limit, flows))
    # an instance is attached to each of its groups' security groups (aws_groups_of):
    # counted per server, named only for the first server of an own group with the most
    # and only when they pass the limit
    attached = {g: len(sgs) for g, sgs in security_groups.items()}
    widest: dict[str, tuple[int, str]] = {}
    for server in sorted(policy.group_of):
        own = policy.group_of[server]
        if policy.group_wave.get(own) is None:
            continue
        count = attached.get(own, 1)
        for client in policy.member_of.get(server, ()):
            count += attached.get(client, 1)
        if count > widest.get(own, (0, ""))[0]:
            widest[own] = (count, server)
    limit = quotas.aws_security_groups_per_eni
    for own, (count, server) in sorted(widest.items()):
        names = ", ".join(aws_groups_of(policy, security_groups, server)) if count > limit else ""
        out.append(
            RuleSetCount(
                f"instances of {own}",
                "security groups per interface",
                count,
                limit,
                (names,) if count > limit else (),
            )
        )
    out.append(
        RuleSetCount(
            "account",
            "rules per group x groups per interface",
            quotas.aws_rules_per_security_group * quotas.aws_security_groups_per_eni,
            quotas.aws_rules_times_groups,
        )
    )
    out.append(
        RuleSetCount(
            "account",
            "managed prefix lists",
            len(prefix_list_permits(policy, quotas.aws_prefix_lists_per_region)),
            quotas.aws_prefix_lists_per_region,
        )
    )
    per_network = Counter(
        policy.groups[g].network for g in policy.cloud_groups() for _ in security_groups[g]
    )
    for network, count in sorted(per_network.items()):
        out.append(
            RuleSetCount(
                f"vpc {network}", "security groups", count, quotas.aws_security_groups_per_vpc
            )
        )
    return out


def vpc_subnet_counts(plan: Plan, quotas: Quotas) -> list[RuleSetCount]:
    """Subnets per VPC of the AWS address plan (raises AddressPlanError when its servers
    do not fit), against ``aws_subnets_per_vpc``."""
    # imported here: stacks.aws.addresses imports this package (AddressPlanError)
    from stacks.aws import layout

    options = layout.plan_options()  # the foundation stack config's, as the stack uses
    addressing = layout.address_plan(plan, options, layout.zones_for(plan, options))
    return [
        RuleSetCount(f"vpc {env}", "subnets", len(vpc.subnets), quotas.aws_subnets_per_vpc)
        for env, vpc in sorted(addressing.vpcs.items())
    ]


def citizen_units(plan: Plan) -> set[str]:
    """Subnet keys of citizen-facing systems' environments that move."""
    return {
        unit_key(s.system, s.environment)
        for s in plan.servers.values()
        if s.wave is not None
        and s.system in plan.systems
        and plan.systems[s.system].level == "citizen"
    }


def citizen_groups(policy: NetworkPolicy, plan: Plan) -> set[str]:
    """Groups of the servers behind a citizen-facing system's load balancer (its prod web
    servers, else all its prod servers): each admits the balancer with one more rule.
    One pass over the servers (not one per citizen system)."""
    citizens = {sid for sid, system in plan.systems.items() if system.level == "citizen"}
    prod: dict[str, list[str]] = {}
    for sid, s in plan.servers.items():
        if (
            s.system in citizens
            and s.environment == "prod"
            and policy.group_wave.get(policy.group_of.get(sid, "")) is not None
        ):
            prod.setdefault(s.system, []).append(sid)
    out: set[str] = set()
    for servers in prod.values():
        web = [sid for sid in servers if plan.servers[sid].role == "web"]
        out |= {policy.group_of[sid] for sid in web or servers}
    return out


def rule_set_counts(
    plan: Plan, quotas: Quotas | None = None, policy: NetworkPolicy | None = None
) -> list[RuleSetCount]:
    """Every count of the plan's target cloud (for ``preview --json`` and the benchmark);
    ``policy``: the plan's admitted network policy when the caller has it already."""
    quotas = quotas or Quotas.model_validate(plan.quotas)
    policy = policy or admitted_policy(plan, quotas)
    if plan.target.provider == "aws":
        return aws_counts(policy, quotas, citizen_groups(policy, plan)) + vpc_subnet_counts(
            plan, quotas
        )
    addressing = plan_addresses(plan)
    counts = azure_counts(
        policy, quotas, citizen_units(plan), addressing.server_ips, unit_subnets(addressing)
    )
    per_spoke = Counter(u.environment for u in addressing.units) + Counter(
        u.environment for u in addressing.units if u.gateway_cidr
    )
    counts += [
        RuleSetCount(f"vnet {env}", "subnets", n, quotas.azure_subnets_per_vnet)
        for env, n in sorted(per_spoke.items())
    ]
    return counts


def check_limits(
    plan: Plan, quotas: Quotas | None = None, policy: NetworkPolicy | None = None
) -> list[RuleSetCount]:
    """The counts, or :class:`NetworkLimitError` listing every breach."""
    counts = rule_set_counts(plan, quotas, policy)
    breaches = [c for c in counts if c.breached]
    if breaches:
        raise NetworkLimitError(plan.target.provider, breaches)
    return counts
