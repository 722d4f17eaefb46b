"""Azure: a unit whose subnet NSG would break a limit spreads its rules over NIC NSGs.

Azure checks a VM's inbound traffic against its subnet's NSG and then its NIC's NSG; both
must allow it. A unit (system x environment) whose rules would pass the rules or address
prefixes per NSG keeps a subnet NSG with one *coarse* rule per protocol (from the
``VirtualNetwork`` service tag, the spokes, peers and the provider's networks behind the
gateway, to the unit's subnet on the ports its rules use) and deny-all, and each of its
destination groups gets its own NSG on its servers' NICs holding only the rules into that
group. What passes both is exactly the group's rules. The decision lives here, so that
``utflytt plan`` (:mod:`stacks.network.limits`) checks the NSGs the stack builds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from migration.catalog.models import Quotas
from stacks.network.policy import NetworkPolicy
from stacks.network.rulesets import NsgRule, azure_rule_sets, digest, unit_key

VIRTUAL_NETWORK = "VirtualNetwork"  # Azure service tag: spokes, peers, on-premises routes
DENY_ALL_RULES = 1  # every NSG ends with an explicit deny-all
GATEWAY_RULES = 1  # a citizen-facing subnet admits its Application Gateway


@dataclass(frozen=True)
class AzureNsgs:
    """The NSGs of a plan's units: each unit's subnet NSG rules and, for split units, one
    NIC NSG per destination group (group -> its rules)."""

    subnet: dict[str, tuple[NsgRule, ...]]
    nic: dict[str, dict[str, tuple[NsgRule, ...]]] = field(default_factory=dict)

    def nic_group_of(self, unit: str, own_group: str) -> str | None:
        """The NIC NSG (its destination group) of a server of ``unit`` whose own group is
        ``own_group``; None when the unit keeps its rules on the subnet. Every server of a
        split unit has one (else the coarse subnet rule alone would admit it)."""
        if unit not in self.nic:
            return None
        if own_group not in self.nic[unit]:
            raise KeyError(f"split unit {unit}: no NIC NSG for {own_group}")
        return own_group


def nsg_counts(rules: Sequence[NsgRule], gateway: bool) -> tuple[int, int]:
    """(rules, address prefixes) an NSG of ``rules`` spends, deny-all and the gateway's
    rule included."""
    extra = GATEWAY_RULES if gateway else 0
    return (
        len(rules) + DENY_ALL_RULES + extra,
        sum(r.prefix_count for r in rules) + 2 * extra,
    )


def overflow(
    rules: Sequence[NsgRule], gateway: bool, rules_limit: int, prefixes_limit: int
) -> tuple[int, int] | None:
    """(rules, address prefixes) of a unit's subnet NSG when they pass a limit (the unit
    is split over NIC NSGs), else None: the one place the split is decided."""
    n_rules, n_prefixes = nsg_counts(rules, gateway)
    if n_rules <= rules_limit and n_prefixes <= prefixes_limit:
        return None
    return n_rules, n_prefixes


def coarse_rules(rules: Sequence[NsgRule], subnet: str) -> tuple[NsgRule, ...]:
    """A split unit's subnet rules: per protocol, the ports its rules use, from the
    ``VirtualNetwork`` tag to its subnet (the NIC NSGs narrow it to the declared flows)."""
    ports: dict[str, set[str]] = defaultdict(set)
    for rule in rules:
        ports[rule.protocol].update(rule.ports)
    return tuple(
        NsgRule(
            name=f"in-split-{proto.lower()}-{digest(subnet, sorted(texts))}",
            priority=100 + i,
            protocol=proto,
            ports=tuple(sorted(texts)),
            destination_group="",
            destination_prefixes=(subnet,),
            source_prefixes=(VIRTUAL_NETWORK,),
        )
        for i, (proto, texts) in enumerate(sorted(ports.items()))
    )


def split_units(
    rule_sets: Mapping[str, Sequence[NsgRule]],
    unit_cidrs: Mapping[str, str],
    citizen_units: set[str],
    rules_limit: int,
    prefixes_limit: int,
    split: bool = True,
) -> AzureNsgs:
    """The units' NSGs: a unit within both limits keeps its rules on its subnet NSG; one
    over them (when ``split``) gets coarse subnet rules and a NIC NSG per destination
    group, priorities from 100 in each. ``unit_cidrs``: unit key -> its subnet."""
    subnet: dict[str, tuple[NsgRule, ...]] = {}
    nic: dict[str, dict[str, tuple[NsgRule, ...]]] = {}
    for unit, rules in rule_sets.items():
        if not split or overflow(rules, unit in citizen_units, rules_limit, prefixes_limit) is None:
            subnet[unit] = tuple(rules)
            continue
        by_group: dict[str, list[NsgRule]] = defaultdict(list)
        for rule in rules:
            assert rule.permit is not None
            by_group[rule.permit.destination].append(rule)
        subnet[unit] = coarse_rules(rules, unit_cidrs[unit])
        nic[unit] = {
            group: tuple(replace(r, priority=100 + i) for i, r in enumerate(grouped))
            for group, grouped in sorted(by_group.items())
        }
    return AzureNsgs(dict(sorted(subnet.items())), nic)


SPLIT_OVERFLOWING_UNITS = True  # off only in the test proving the limits fire without it


def azure_nsgs(
    policy: NetworkPolicy,
    quotas: Quotas,
    citizen_units: set[str],
    server_ips: Mapping[str, str],
    unit_subnets: Mapping[str, tuple[str, ...]],
) -> AzureNsgs:
    """The plan's Azure NSGs as ``utflytt plan`` checks them and the wave stacks build
    them: :func:`azure_rule_sets`, split where a unit's subnet NSG would break a limit."""
    rule_sets = azure_rule_sets(policy, server_ips, quotas.azure_asgs_per_rule_side, unit_subnets)
    unit_cidrs = {}
    for cidr, servers in unit_subnets.items():
        group = policy.groups[policy.group_of[servers[0]]]
        unit_cidrs[unit_key(group.system, group.environment)] = cidr
    nsgs = split_units(
        rule_sets,
        unit_cidrs,
        citizen_units,
        quotas.azure_rules_per_nsg,
        quotas.azure_prefixes_per_nsg,
        SPLIT_OVERFLOWING_UNITS,
    )
    for unit, groups in nsgs.nic.items():
        # every server of a split unit gets its own group's NIC NSG, deny-all when no
        # flow reaches it: the coarse subnet rule must never be all that guards a server
        for sid in unit_subnets[unit_cidrs[unit]]:
            groups.setdefault(policy.group_of[sid], ())
        assert all(policy.groups[g].kind == "own" for g in groups), unit
        nsgs.nic[unit] = dict(sorted(groups.items()))
    return nsgs
