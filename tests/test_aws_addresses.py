"""The AWS address plan (stacks.aws.addresses, pure, no Pulumi): capacity at 2,000 systems x
3 environments, the subnets-per-VPC check at plan time, stability when the estate changes,
and VPC peering only where a declared flow crosses environments."""

from __future__ import annotations

import ipaddress
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migration.catalog.models import Catalog
from stacks.aws import layout
from stacks.aws.addresses import (
    AwsAddressing,
    Host,
    plan_vpc_addresses,
    static_blocks,
    static_capacity,
)
from stacks.aws.layout import AwsOptions
from stacks.network.addresses import AddressPlanError
from stacks.network.limits import NetworkLimitError, check_limits, rule_set_counts
from stacks.network.policy import network_policy
from tests.aws_fixtures import small_plan
from tests.builders import catalog, dep, plan, plan_cli, server, system

AZS = ("eu-north-1a", "eu-north-1b", "eu-north-1c")
VPCS = {"prod": "10.100.0.0/16", "test": "10.101.0.0/16", "dev": "10.102.0.0/16"}
SIZES = {"prod": 6, "test": 3, "dev": 3}  # servers per system and environment


def estate(systems: int, prefix: str = "s") -> list[Host]:
    """``systems`` systems with :data:`SIZES` servers in each environment."""
    return [
        Host(f"{prefix}{i:04d}-{env}-{n}", f"{prefix}{i:04d}", env)
        for i in range(systems)
        for env, size in SIZES.items()
        for n in range(size)
    ]


def check_sound(addressing: AwsAddressing) -> None:
    """Subnets disjoint and inside their VPC; every address unique, in its subnet's static
    (reserved) range and clear of AWS's reserved addresses."""
    for vpc in addressing.vpcs.values():
        net = ipaddress.ip_network(vpc.cidr)
        subnets = {s.key: ipaddress.ip_network(s.cidr) for s in vpc.subnets}
        nets = list(subnets.values())
        assert all(n.subnet_of(net) for n in nets)  # type: ignore[arg-type]
        assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
        ips = [ipaddress.ip_address(p.ip) for p in vpc.servers.values()]
        assert len(ips) == len(set(ips))
        blocks = {s.key: [ipaddress.ip_network(b) for b in s.static] for s in vpc.subnets}
        for sid, placed in vpc.servers.items():
            ip = ipaddress.ip_address(placed.ip)
            subnet = subnets[placed.subnet]
            assert ip in subnet, sid
            assert any(ip in b for b in blocks[placed.subnet]), sid
            assert int(ip) - int(subnet.network_address) >= 4, sid  # AWS's first four
            assert ip != subnet.broadcast_address, sid


def test_two_thousand_systems_in_three_environments_fit_with_six_subnets_a_vpc() -> None:
    """2,000 systems x (6 prod + 3 test + 3 dev servers) = 24,000 servers: each VPC has one
    private subnet per AZ (plus public ones in prod), far below 200 subnets, every server a
    unique static address, and a system's servers spread over the three AZs."""
    hosts = estate(2000)
    addressing = plan_vpc_addresses(hosts, VPCS, AZS, public={"prod"})
    assert {env: len(v.subnets) for env, v in addressing.vpcs.items()} == {
        "prod": 6,
        "test": 3,
        "dev": 3,
    }
    assert {env: len(v.servers) for env, v in addressing.vpcs.items()} == {
        "prod": 12000,
        "test": 6000,
        "dev": 6000,
    }
    check_sound(addressing)
    spread: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for host in hosts:
        spread[(host.system, host.environment)][
            addressing.vpcs[host.environment].servers[host.server].subnet
        ] += 1
    assert all(len(c) == 3 and max(c.values()) - min(c.values()) <= 1 for c in spread.values())
    # a /16 holds four times the prod load: 16,128 static addresses per AZ
    assert static_capacity("10.100.64.0/18") == 16384 - 256 - 1


def test_static_blocks_cover_the_subnet_after_its_dynamic_share() -> None:
    """AWS takes CIDRs only: the static range is the subnet minus its first 1/64."""
    blocks = [ipaddress.ip_network(b) for b in static_blocks("10.100.64.0/18")]
    assert sum(b.num_addresses for b in blocks) == 16384 - 256
    assert min(b.network_address for b in blocks) == ipaddress.ip_address("10.100.65.0")


def test_an_environment_over_capacity_names_the_vpc_count_and_capacity() -> None:
    """A /20 VPC holds 3 x 1,007 servers; 3,100 do not fit, and the error says so."""
    hosts = [Host(f"h{i:05d}", f"sys{i // 10}", "prod") for i in range(3100)]
    with pytest.raises(AddressPlanError) as err:
        plan_vpc_addresses(hosts, {"prod": "10.100.0.0/20"}, AZS)
    assert str(err.value) == (
        "vpc prod (10.100.0.0/20): 3100 servers need a static address, its 3 private "
        "subnets hold 3021; give the VPC a larger CIDR (utflytt:aws.vpcCidrs) or split "
        "the environment"
    )
    fits = plan_vpc_addresses(hosts[:3021], {"prod": "10.100.0.0/20"}, AZS)
    check_sound(fits)


def test_a_vpc_too_small_for_the_layout_is_an_error() -> None:
    with pytest.raises(AddressPlanError, match=r"vpc test \(10\.101\.0\.0/24\): a /24 is too"):
        plan_vpc_addresses([], {"test": "10.101.0.0/24"}, AZS)


def test_adding_system_aaa_new_moves_no_subnet_and_no_address() -> None:
    """Re-planning with the previous allocations: every subnet and address stays, the new
    system's servers take free addresses only. Without ``previous`` the hashed home slots
    keep this estate's addresses as well (exact only with ``previous``)."""
    before = plan_vpc_addresses(estate(300), VPCS, AZS, public={"prod"})
    grown = estate(300) + estate(1, prefix="aaa-new")
    after = plan_vpc_addresses(grown, VPCS, AZS, public={"prod"}, previous=before.allocations())
    old, new = before.allocations(), after.allocations()
    assert {k: new[k] for k in old} == old
    assert len(new) == len(old) + sum(SIZES.values())
    check_sound(after)
    fresh = plan_vpc_addresses(grown, VPCS, AZS, public={"prod"}).allocations()
    assert {k: fresh[k] for k in old} == old


def test_a_removed_server_keeps_its_address_until_released() -> None:
    """A server that left the plan keeps its address reserved: a new one never gets it."""
    hosts = estate(5)
    before = plan_vpc_addresses(hosts, VPCS, AZS).allocations()
    gone = hosts[0]
    newcomer = Host("zzz-new", gone.system, gone.environment)
    after = plan_vpc_addresses([*hosts[1:], newcomer], VPCS, AZS, previous=before)
    vpc = after.vpcs[gone.environment]
    assert vpc.retained[gone.server].ip == before[gone.server]
    assert vpc.servers["zzz-new"].ip != before[gone.server]
    assert after.allocations()[gone.server] == before[gone.server]


@settings(max_examples=25, deadline=None)
@given(
    systems=st.lists(
        st.tuples(
            st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True),
            st.sampled_from(sorted(VPCS)),
            st.integers(1, 5),
        ),
        min_size=1,
        max_size=25,
        unique_by=lambda t: t[0],
    ),
    extra=st.tuples(
        st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True),
        st.sampled_from(sorted(VPCS)),
        st.integers(1, 5),
    ),
)
def test_any_addition_keeps_every_previous_allocation(
    systems: list[tuple[str, str, int]], extra: tuple[str, str, int]
) -> None:
    """Whatever the estate and whatever is added, previous allocations stay as they are and
    the result is sound."""

    def hosts(items: list[tuple[str, str, int]]) -> list[Host]:
        return [Host(f"{s}-{env}-{n}", s, env) for s, env, k in items for n in range(k)]

    before = plan_vpc_addresses(hosts(systems), VPCS, AZS)
    added = [extra] if extra[0] not in {s for s, _, _ in systems} else []
    after = plan_vpc_addresses(hosts(systems + added), VPCS, AZS, previous=before.allocations())
    old = before.allocations()
    assert {k: after.allocations()[k] for k in old} == old
    check_sound(after)


def test_stack_config_pins_win_and_old_per_system_pins_are_refused() -> None:
    """``subnetCidrs`` (per AZ and tier) and ``privateIps`` pin the plan; the old
    per-system list form is an error naming the key and the new form."""
    plan_ = small_plan()
    options = AwsOptions.from_config(
        {"subnetCidrs": {"prod/private-a": "10.100.64.0/20"}, "privateIps": {"dc02": "10.100.70.7"}}
    )
    addressing = layout.address_plan(plan_, options, AZS)
    prod = addressing.vpcs["prod"]
    assert {s.key: s.cidr for s in prod.subnets}["prod/private-a"] == "10.100.64.0/20"
    assert prod.servers["dc02"].ip == "10.100.70.7"
    with pytest.raises(layout.AwsConfigError, match=r"subnetCidrs\.prod/ad: expected one string"):
        AwsOptions.from_config({"subnetCidrs": {"prod/ad": ["10.100.0.64/26"]}})


# --- plan time: the subnets-per-VPC limit -------------------------------------------------


def aws_catalog(**planning: Any) -> Catalog:
    """A citizen-facing portal (public subnets in prod) and a test server using prod AD."""
    systems = [
        system("ad", foundation=True),
        system("portal", level="citizen"),
        system("lab", depends_on=[dep("ad", ports=["tcp/389"])]),
    ]
    servers = [
        server("dc01", "ad", role="infra"),
        server("portal-web01", "portal", role="web"),
        server("lab-test01", "lab", environment="test"),
    ]
    return catalog(systems, servers, target="aws", region="eu-north-1", **planning)


def test_plan_counts_subnets_per_vpc_against_the_quota() -> None:
    counts = {(c.rule_set, c.what): c for c in rule_set_counts(plan(aws_catalog()))}
    assert counts[("vpc prod", "subnets")].count == 6
    assert counts[("vpc prod", "subnets")].limit == 200
    assert counts[("vpc test", "subnets")].count == 3


def test_subnets_over_the_quota_are_a_limit_error_naming_vpc_count_and_limit() -> None:
    """An account whose quota is 5 subnets per VPC cannot hold prod's 6: NetworkLimitError."""
    cat = aws_catalog(quotas={"aws_subnets_per_vpc": 5})
    with pytest.raises(NetworkLimitError) as err:
        check_limits(plan(cat), cat.planning.quotas)
    assert "vpc prod: 6 subnets (limit 5)" in str(err.value)
    assert "vpc test" not in str(err.value)


def test_plan_cli_exits_1_on_the_subnet_quota_and_writes_nothing(tmp_path: Path) -> None:
    """`utflytt plan` of an AWS catalog whose quota is 5 subnets per VPC: exit 1, the
    message names the VPC, the count and the limit, and no file is written."""
    result = plan_cli(aws_catalog(quotas={"aws_subnets_per_vpc": 5}), tmp_path)
    out = tmp_path / "out"
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: the plan's network rules break 1 aws limit(s)")
    assert "\n  vpc prod: 6 subnets (limit 5)\n" in result.output
    assert not out.exists() or not any(out.iterdir())


# --- peering only where a declared flow crosses --------------------------------------------


def test_networks_are_joined_only_where_a_flow_crosses() -> None:
    """lab's test server uses prod AD: test and prod are joined; without that dependency
    no network is joined."""
    assert network_policy(plan(aws_catalog())).joined_networks() == [("prod", "test")]
    systems = [system("ad", foundation=True), system("lab")]
    servers = [server("dc01", "ad"), server("lab-test01", "lab", environment="test")]
    alone = plan(catalog(systems, servers, target="aws", region="eu-north-1"))
    assert network_policy(alone).joined_networks() == []
    assert network_policy(small_plan()).joined_networks() == [("prod", "test")]


def test_source_networks_covering_10_slash_8_move_the_vpcs_to_172() -> None:
    """A provider using all of 10/8 (as generated estates do) still gets VPCs by default,
    from 172.16-31 (172.17 skipped); if those overlap too, the error says what to set."""
    plan_ = small_plan(source_networks=("10.0.0.0/8",))
    assert layout.vpc_cidrs(plan_, AwsOptions()) == {
        "prod": "172.16.0.0/16",
        "test": "172.18.0.0/16",
    }
    crowded = small_plan(source_networks=("10.0.0.0/8", "172.16.0.0/12"))
    with pytest.raises(layout.AwsConfigError, match="overlap every default VPC CIDR"):
        layout.vpc_cidrs(crowded, AwsOptions())


def test_servers_of_one_role_spread_over_the_azs_first() -> None:
    """Two web servers with two app servers between them (in id order) still get two AZs:
    spreading by the system alone would put both web servers in the first AZ."""
    hosts = [
        Host("s-1-web", "s", "prod", "web"),
        Host("s-2-app", "s", "prod", "app"),
        Host("s-3-app", "s", "prod", "app"),
        Host("s-4-web", "s", "prod", "web"),
    ]
    placed = plan_vpc_addresses(hosts, {"prod": VPCS["prod"]}, AZS).vpcs["prod"].servers
    assert placed["s-1-web"].subnet != placed["s-4-web"].subnet
    assert placed["s-2-app"].subnet != placed["s-3-app"].subnet
    assert len({p.subnet for p in placed.values()}) == 3
