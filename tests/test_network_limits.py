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
    (1) and deny-all (1); a quota lowered to 20 is breached, and the message says where,
    how many, the limit and the biggest flows behind it."""
    cat = hub_estate(30, quotas={"azure_rules_per_nsg": 20})
    result = plan(cat)
    with pytest.raises(NetworkLimitError) as info:
        check_limits(result, cat.planning.quotas)
    text = str(info.value)
    assert (
        "nsg-ad-prod: 32 rules (limit 20); from clients.ad.prod.2 -> ad.prod.2 (tcp/389; 30" in text
    )
    assert "nothing was written" in text
    assert [b.rule_set for b in info.value.breaches] == ["nsg-ad-prod"]


def test_raised_quota_lets_the_same_plan_pass() -> None:
    cat = hub_estate(30, quotas={"azure_rules_per_nsg": 40})
    assert all(not c.breached for c in check_limits(plan(cat), cat.planning.quotas))


def test_aws_rules_per_security_group_fire_and_quota_raises_them() -> None:
    """AWS: 61 port sets on one group pass 60; the error names the security group."""
    cat = hub_estate(61, target="aws")
    result = plan(cat)
    with pytest.raises(NetworkLimitError) as info:
        check_limits(result)
    assert any(
        b.rule_set.startswith("sg ") and b.what == "inbound rules" and b.limit == 60
        for b in info.value.breaches
    )
    assert check_limits(result, Quotas(aws_rules_per_security_group=200))


def test_subscription_asg_limit_fires() -> None:
    cat = hub_estate(12)
    with pytest.raises(NetworkLimitError, match="subscription: .* application security groups"):
        check_limits(plan(cat), Quotas(azure_asgs_per_subscription=1))


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
        "rules per group x groups per interface",
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
    assert "nsg-ad-prod: 32 rules (limit 20)" in result.output
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
    """The example fits Azure's defaults and AWS with its two declared raised quotas; without
    those quotas AWS's defaults would fire (so the quotas are needed, not decoration)."""
    from app.pipeline import plan_catalog
    from migration.catalog import load_catalog_with_digest
    from migration.examples import EXAMPLE_CATALOG
    from waves import PlanOptions

    loaded, digest = load_catalog_with_digest(EXAMPLE_CATALOG)
    planned = plan_catalog(loaded, digest, PlanOptions(target=target))
    check_plan(planned, loaded.planning.quotas)
    if target == "aws":
        with pytest.raises(NetworkLimitError, match="limit 60"):
            check_plan(planned, Quotas())
