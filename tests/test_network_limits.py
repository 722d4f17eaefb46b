"""Platform limits checked by ``utflytt plan`` (DESIGN.md "Network policy"): counts, the
error that names rule set, count, limit and flows, quotas, and the CLI's exit 1 with
nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from app.cli import cli
from migration.catalog.models import Quotas
from stacks.network import check_plan, stack_rule_sets
from stacks.network.addresses import AddressPlanError, plan_addresses, subnet_prefix
from stacks.network.limits import NetworkLimitError, check_limits, rule_set_counts
from tests.builders import catalog, dep, plan, server, system


def hub_estate(consumers: int, target: str = "azure", **planning: Any) -> Any:
    """``consumers`` systems of one prod server each: all use AD (tcp/389, a system-level
    dependency), and each reaches dc01 on a port of its own (server-level)."""
    systems = [system("ad", foundation=True)] + [
        system(f"c{i:03d}", depends_on=[dep("ad", ports=["tcp/389"])]) for i in range(consumers)
    ]
    servers = [server("dc01", "ad", role="infra"), server("dc02", "ad", role="infra")] + [
        server(f"c{i:03d}-app", f"c{i:03d}", depends_on=[dep("dc01", ports=[f"tcp/{1000 + i}"])])
        for i in range(consumers)
    ]
    return catalog(
        systems,
        servers,
        target=target,
        max_servers_per_wave=1000,
        max_vcpu_per_wave=10000,
        **planning,
    )


def test_example_sized_estate_fits_every_default_limit() -> None:
    """Twelve consumers of AD: counts are small and nothing breaches."""
    result = plan(hub_estate(12))
    counts = check_limits(result)
    by = {(c.rule_set, c.what): c for c in counts}
    assert by[("nsg-ad-prod", "rules")].count < 40
    assert all(not c.breached for c in counts)


def test_too_many_port_sets_on_one_nsg_names_rule_set_count_limit_and_flows() -> None:
    """Each consumer reaches dc01 on its own port: one rule each (30), plus AD's clients
    (1) and deny-all (1); with a quota lowered to 20 the unit splits over NIC NSGs
    (stacks.network.nicsplit), and dc01's alone still holds 30 + deny-all: the message says
    where, how many, the limit and the biggest flows behind it."""
    cat = hub_estate(30, quotas={"azure_rules_per_nsg": 20})
    result = plan(cat)
    with pytest.raises(NetworkLimitError) as info:
        check_limits(result, cat.planning.quotas)
    text = str(info.value)
    assert (
        "nsg-ad-prod nic ad.prod.1: 31 rules (limit 20); from c000.prod -> ad.prod.1 "
        "(tcp/389, tcp/1000; 1 consumers)" in text
    )
    assert "nothing was written" in text
    assert [b.rule_set for b in info.value.breaches] == ["nsg-ad-prod nic ad.prod.1"]


def test_raised_quota_lets_the_same_plan_pass() -> None:
    cat = hub_estate(30, quotas={"azure_rules_per_nsg": 40})
    assert all(not c.breached for c in check_limits(plan(cat), cat.planning.quotas))


def test_aws_rules_past_60_spread_over_shards_attached_to_the_same_instances() -> None:
    """AWS: 61 consumers reach dc01 on tcp/389 and a port each: 122 rules, more than 60;
    they spread over two more security groups (shards) that dc01's instance also joins,
    and every count holds."""
    result = plan(hub_estate(61, target="aws"))
    counts = {(c.rule_set, c.what): c.count for c in check_limits(result)}
    assert [counts[(f"sg ad.prod.1{s}", "inbound rules")] for s in ("", "+2", "+3")] == [
        60,
        60,
        2,
    ]
    assert counts[("instances of ad.prod.1", "security groups per interface")] == 3


def test_aws_shards_past_the_groups_per_interface_limit_fire_and_quota_raises_them() -> None:
    """With 20 rules per security group, dc01's 122 rules need 7 security groups on one
    instance: more than 5 per interface, named with the groups; a raised ENI quota fits."""
    cat = hub_estate(61, target="aws")
    with pytest.raises(NetworkLimitError) as info:
        check_limits(plan(cat), Quotas(aws_rules_per_security_group=20))
    breach = next(b for b in info.value.breaches if b.what == "security groups per interface")
    assert breach.rule_set == "instances of ad.prod.1" and breach.limit == 5
    assert breach.count == 7 and "ad.prod.1+7" in breach.describe()
    assert check_limits(
        plan(cat), Quotas(aws_rules_per_security_group=20, aws_security_groups_per_eni=10)
    )


def test_subscription_asg_limit_fires() -> None:
    """Two groups of three servers each get an application security group: 2 > 1."""
    systems = [system("a", depends_on=[dep("b", ports=["tcp/1"])]), system("b")]
    servers = [server(f"a{i}", "a") for i in range(3)] + [server(f"b{i}", "b") for i in range(3)]
    with pytest.raises(NetworkLimitError, match="subscription: 2 application security groups"):
        check_limits(plan(catalog(systems, servers)), Quotas(azure_asgs_per_subscription=1))


def test_subnet_sizes_and_capacity() -> None:
    """Subnets are sized to their servers (at least /28) and a full spoke is an error."""
    assert [subnet_prefix(n) for n in (1, 7, 8, 20, 100, 600)] == [28, 28, 27, 26, 24, 22]
    result = plan(hub_estate(12))
    addressing = plan_addresses(result)
    assert addressing.spokes == {"prod": "10.202.0.0/15"}
    assert all(u.cidr.endswith("/28") for u in addressing.units)
    assert len({u.cidr for u in addressing.units}) == len(addressing.units)
    with pytest.raises(AddressPlanError, match="has 1100 servers"):
        plan_addresses(
            plan(
                catalog(
                    [system("big")],
                    [server(f"s{i:04d}", "big") for i in range(1100)],
                    max_servers_per_wave=2000,
                    max_vcpu_per_wave=100000,
                )
            )
        )


def test_preview_rule_sets_are_per_stack() -> None:
    """A wave stack lists its NSGs with counts and limits; the foundation the account's."""
    result = check_plan(plan(hub_estate(3)))
    wave = result.servers["dc01"].wave
    sets = stack_rule_sets(result, f"wave-{wave:02d}")
    assert {"rule_set": "nsg-ad-prod", "what": "rules", "count": 5, "limit": 1000} in sets
    assert [s["rule_set"] for s in stack_rule_sets(result, "foundation")] == [
        "subscription",
        "vnet prod",
    ]


def test_counts_cover_both_clouds() -> None:
    result = plan(hub_estate(5))
    aws = result.model_copy(update={"target": result.target.model_copy(update={"provider": "aws"})})
    assert {c.what for c in rule_set_counts(result)} == {
        "rules",
        "address prefixes",
        "ASGs per rule side",
        "application security groups",
        "subnets",
    }
    assert {c.what for c in rule_set_counts(aws)} == {
        "inbound rules",
        "security groups per interface",
        "rules per group x groups per interface",
        "managed prefix lists",
        "security groups",
        "subnets",
    }


def test_plan_cli_exits_1_naming_the_breach_and_writes_nothing(tmp_path: Path) -> None:
    """`utflytt plan` on a catalog whose rules break a (lowered) quota: exit 1, no file."""
    cat = hub_estate(30, quotas={"azure_rules_per_nsg": 20})
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(cat.model_dump(mode="json", by_alias=True)), "utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["plan", str(path), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: the plan's network rules break 1 azure limit(s)")
    assert "nsg-ad-prod nic ad.prod.1: 31 rules (limit 20)" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_plan_says_why_a_stack_cannot_build_a_server() -> None:
    """A replatformed centos-7 server has no Azure marketplace image: the plan warns, naming
    it (the wave stack would stop on it); a rehosted one brings its own disks."""
    cat = catalog(
        [system("old", disposition="replatform"), system("kept")],
        [server("old01", "old", os="centos-7"), server("kept01", "kept", os="centos-7")],
    )
    warnings = {w.code: w for w in check_plan(plan(cat)).warnings}
    assert warnings["no-image"].subjects == ("old01",)
    assert "server old01: centos-7 has no Azure marketplace image" in warnings["no-image"].message
    assert [w.subjects for w in check_plan(plan(cat)).warnings if w.code == "no-image"] == [
        ("old01",)
    ]


@pytest.mark.parametrize("target", ["azure", "aws"])
def test_the_bundled_example_plans_within_its_limits_on_both_clouds(target: str) -> None:
    """The example fits Azure's defaults with every consumer at the provider by its /32,
    and AWS with its two declared raised quotas the same way (AD's rules spread over a
    shard); with AWS's defaults it fits only by summarising the provider permits of its
    two hubs (AD and DNS prod), warned with the addresses they admit beyond their
    consumers."""
    from app.pipeline import plan_catalog
    from migration.catalog import load_catalog_with_digest
    from migration.examples import EXAMPLE_CATALOG
    from waves import PlanOptions

    loaded, digest = load_catalog_with_digest(EXAMPLE_CATALOG)
    planned = plan_catalog(loaded, digest, PlanOptions(target=target))
    checked = check_plan(planned, loaded.planning.quotas)
    assert not [w for w in checked.warnings if w.code == "network-summarised"]
    assert not [w for w in checked.warnings if w.code == "network-source-network"]
    if target == "aws":  # the declared quotas are honoured: exact, where defaults summarise
        by_default = check_plan(planned, Quotas()).warnings
        summarised = [w for w in by_default if w.code == "network-summarised"]
        assert [w.subjects for w in summarised] == [("ad.prod",), ("dns.prod",)]
        assert "8 addresses beyond them" in summarised[0].message
        assert "AWS platform limit" in summarised[0].message


@pytest.mark.parametrize(
    ("target", "quotas", "expected"),
    [
        (
            "azure",
            {"azure_prefixes_per_nsg": 5},
            "nsg-ad-prod nic ad.prod.1: 6 address prefixes (limit 5)",
        ),
        ("azure", {"azure_subnets_per_vnet": 1}, "vnet prod: 4 subnets (limit 1)"),
        ("aws", {"aws_security_groups_per_vpc": 2}, "vpc prod: 5 security groups (limit 2)"),
        (
            "aws",
            {"aws_rules_per_security_group": 200, "aws_security_groups_per_eni": 10},
            "account: 2000 rules per group x groups per interface (limit 1000)",
        ),
    ],
)
def test_each_remaining_limit_fires(target: str, quotas: dict[str, int], expected: str) -> None:
    """Negative: every other checked limit can fire, named with its count and limit."""
    result = plan(hub_estate(3, target=target))
    with pytest.raises(NetworkLimitError) as info:
        check_limits(result, Quotas(**quotas))
    assert expected in [b.describe().split("; from")[0] for b in info.value.breaches]


def test_asgs_per_rule_side_hold_by_construction() -> None:
    """Azure: three consumer groups of three servers (an ASG each) reach b: one rule with
    three source ASGs by default, three rules of one with a quota of 1; never more."""
    systems = [system(f"a{i}", depends_on=[dep("b", ports=["tcp/1"])]) for i in range(3)]
    servers = [server(f"a{i}-{j}", f"a{i}") for i in range(3) for j in range(3)]
    result = plan(catalog([*systems, system("b")], [*servers, server("b1", "b")]))

    def widest(quotas: Quotas) -> tuple[int, int]:
        by = {(c.rule_set, c.what): c.count for c in check_limits(result, quotas)}
        return by[("nsg-b-prod", "ASGs per rule side")], by[("nsg-b-prod", "rules")]

    assert widest(Quotas()) == (3, 2)  # one allow rule and deny-all
    assert widest(Quotas(azure_asgs_per_rule_side=1)) == (1, 4)


def test_preview_lists_a_groups_shards_in_its_wave_stack() -> None:
    """AWS: ``preview --json`` lists a group's shards with the stack that holds the group."""
    result = check_plan(plan(hub_estate(61, target="aws")))
    wave = result.servers["dc01"].wave
    sets = {(s["rule_set"], s["what"]) for s in stack_rule_sets(result, f"wave-{wave:02d}")}
    assert {("sg ad.prod.1+2", "inbound rules"), ("sg ad.prod.1+3", "inbound rules")} <= sets
    assert ("instances of ad.prod.1", "security groups per interface") in sets
