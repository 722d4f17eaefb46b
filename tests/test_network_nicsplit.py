"""Azure units whose subnet NSG would break a limit spread their rules over NIC NSGs
(stacks.network.nicsplit): the plan checks those NSGs, the stack builds them, and what
passes a server's subnet NSG and its NIC NSG together is exactly the declared flows."""

from __future__ import annotations

from typing import Any

import pytest

from migration.plan import Plan, Target
from stacks import baseline_checks
from stacks.network import nicsplit
from stacks.network.addresses import plan_addresses
from stacks.network.limits import citizen_units, rule_set_counts
from stacks.network.policy import network_policy
from stacks.network.rulesets import azure_rule_sets, unit_subnets
from tests.aws_fixtures import small_plan
from tests.network_allowed import NIC, azure_allowed, declared, run_azure_stacks

SPLIT_QUOTA = {"azure_prefixes_per_nsg": 12}  # ad-prod (16 prefixes) splits, nothing else


def split_plan() -> Plan:
    return small_plan(target=Target(provider="azure", region="swedencentral"), quotas=SPLIT_QUOTA)


def nsgs_of(plan: Plan) -> nicsplit.AzureNsgs:
    from migration.catalog.models import Quotas

    addressing = plan_addresses(plan)
    return nicsplit.azure_nsgs(
        network_policy(plan),
        Quotas.model_validate(plan.quotas),
        citizen_units(plan),
        addressing.server_ips,
        unit_subnets(addressing),
    )


def test_only_the_overflowing_unit_splits_and_its_nic_nsgs_partition_its_rules() -> None:
    plan = split_plan()
    nsgs = nsgs_of(plan)
    assert set(nsgs.nic) == {"ad-prod"}
    policy = network_policy(plan)
    addressing = plan_addresses(plan)
    whole = azure_rule_sets(policy, addressing.server_ips, unit_subnets=unit_subnets(addressing))
    split = [r for rules in nsgs.nic["ad-prod"].values() for r in rules]
    assert sorted(r.name for r in split) == sorted(r.name for r in whole["ad-prod"])
    for group, rules in nsgs.nic["ad-prod"].items():
        assert {r.permit.destination for r in rules if r.permit} <= {group}
    assert {r.source_prefixes for r in nsgs.subnet["ad-prod"]} == {("VirtualNetwork",)}
    assert nsgs.subnet["economy-prod"] == tuple(whole["economy-prod"])  # unchanged
    # every server of the split unit carries its group's NIC NSG
    ad = next(u for u in addressing.units if u.key == "ad-prod")
    assert all(nsgs.nic_group_of("ad-prod", policy.group_of[s]) for s in ad.servers)
    assert [c for c in rule_set_counts(plan) if c.breached] == []


def test_with_default_quotas_nothing_splits() -> None:
    """The example-sized plan keeps one NSG per subnet (its stacks do not change)."""
    plan = small_plan(target=Target(provider="azure", region="swedencentral"))
    assert nsgs_of(plan).nic == {}
    assert not [c for c in rule_set_counts(plan) if " nic " in c.rule_set]


@pytest.fixture(scope="module")
def split_runs() -> tuple[Plan, dict[str, Any]]:
    plan = split_plan()
    runs = run_azure_stacks(plan)
    return plan, runs


@pytest.mark.slow
def test_split_stack_admits_exactly_the_declared_flows(
    split_runs: tuple[Plan, dict[str, Any]],
) -> None:
    """Read back as Azure evaluates it (subnet NSG, then NIC NSG): nothing more, nothing
    missing; the split unit's NICs carry an NSG, the others none; the baseline holds."""
    plan, runs = split_runs
    allowed, wide = azure_allowed(plan, runs)
    assert wide == []
    assert allowed == declared(plan)
    nics = [r for run in runs.values() for r in run.resources if r.type == NIC]
    guarded = {n.inputs["tags"]["server"] for n in nics if n.inputs.get("networkSecurityGroup")}
    ad = next(u for u in plan_addresses(plan).units if u.key == "ad-prod")
    assert guarded == set(ad.servers) and guarded
    for stack, run in runs.items():
        assert baseline_checks.check_baseline(run.resources, "azure", plan) == [], stack


@pytest.mark.slow
def test_a_split_unit_without_its_nic_nsgs_is_caught(
    split_runs: tuple[Plan, dict[str, Any]],
) -> None:
    """Negative: the same resources with the NIC NSGs dropped admit the whole virtual
    network to ad-prod's servers on its ports, and the read-back sees it."""
    plan, runs = split_runs

    class Stripped:
        def __init__(self, r: Any) -> None:
            self.type, self.name, self.id = r.type, r.name, getattr(r, "id", None)
            self.inputs = {k: v for k, v in r.inputs.items() if k != "networkSecurityGroup"}

    class Run:
        def __init__(self, run: Any) -> None:
            self.resources = [Stripped(r) if r.type == NIC else r for r in run.resources]

    allowed, _ = azure_allowed(plan, {k: Run(v) for k, v in runs.items()})
    assert allowed > declared(plan)


# --- the plan warns about every split unit ---------------------------------------------------

SPLIT_TEXT = (
    "so it is split into 2 NIC-level NSGs. The deploy creates an NSG on each of its servers' "
    "network interfaces (one per server group, holding that group's rules) and narrows the "
    "subnet NSG to one rule per protocol from the VirtualNetwork tag, plus deny-all; each "
    "server still admits exactly its declared flows"
)


def _nic_warnings(plan: Plan) -> list[tuple[str, str, tuple[str, ...]]]:
    from migration.catalog.models import Quotas
    from stacks.network import check_plan

    checked = check_plan(plan, Quotas.model_validate(plan.quotas))
    return [(w.code, w.message, w.subjects) for w in checked.warnings if "nic" in w.code]


@pytest.mark.parametrize(
    ("quotas", "why"),
    [
        (SPLIT_QUOTA, "16 address prefixes (limit 12)"),
        ({"azure_rules_per_nsg": 8}, "9 rules (limit 8)"),
        (
            {"azure_rules_per_nsg": 8, "azure_prefixes_per_nsg": 12},
            "9 rules (limit 8) and 16 address prefixes (limit 12)",
        ),
    ],
)
def test_a_split_unit_gets_a_plan_warning_naming_the_limit(
    quotas: dict[str, int], why: str
) -> None:
    """One network-nic-nsg warning per split unit: the unit, the count that passes the
    limit (only those that do), and what the deploy changes."""
    plan = small_plan(target=Target(provider="azure", region="swedencentral"), quotas=quotas)
    assert _nic_warnings(plan) == [
        (
            "network-nic-nsg",
            f"unit ad-prod (system ad, prod): its subnet NSG would hold {why}, {SPLIT_TEXT}",
            ("ad",),
        )
    ]


def test_no_split_no_warning() -> None:
    """Within the limits (the default quotas, and one rule more than ad-prod needs): no
    warning, as nothing splits."""
    for quotas in ({}, {"azure_rules_per_nsg": 9}):
        plan = small_plan(target=Target(provider="azure", region="swedencentral"), quotas=quotas)
        assert _nic_warnings(plan) == []


def test_the_warning_reuses_the_rule_sets_the_limits_counted() -> None:
    """No second derivation of the rule sets (slow at scale): the limit check's is reused."""
    from stacks import plancache

    plan = split_plan()
    before = plancache.MISSES.get("azure_rule_sets", 0)
    assert len(_nic_warnings(plan)) == 1
    assert plancache.MISSES.get("azure_rule_sets", 0) - before == 1


def test_the_limits_split_what_the_warning_names_and_nothing_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Negative: with splitting off, the same plan breaks the limit and nothing is warned."""
    from migration.catalog.models import Quotas
    from stacks.network import NetworkLimitError, check_plan

    monkeypatch.setattr(nicsplit, "SPLIT_OVERFLOWING_UNITS", False)
    with pytest.raises(NetworkLimitError, match="nsg-ad-prod: 16 address prefixes"):
        check_plan(split_plan(), Quotas.model_validate(SPLIT_QUOTA))
