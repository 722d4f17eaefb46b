"""The provider-neutral network policy on generated estates (120 to 2,000 systems, with and
without IPs, prod/test/dev) and under hypothesis: the allowed set is exactly the declared
flows, permits are unique, and the platform limits hold (the big estates at the policy and
limit layer, not through Pulumi)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.pipeline import plan_catalog
from bench.estate import EstateOptions, generate
from migration.catalog import Catalog
from migration.plan import Plan
from stacks.network.addresses import plan_addresses
from stacks.network.limits import rule_set_counts
from stacks.network.policy import moves, network_policy
from stacks.network.rulesets import aws_rule_sets, azure_rule_sets
from tests.builders import catalog, dep, plan, server, system
from waves import PlanOptions

SERVERS_PER_SYSTEM = 5  # bench/estate.py: about five servers per system


def with_ips_and_dev(doc: dict[str, Any], ips: bool) -> dict[str, Any]:
    """The generated estate with a source network, every fifth test server moved to dev,
    and (``ips``) an address at the provider for every server."""
    doc = dict(doc, source_networks=["10.10.0.0/16"])
    servers = []
    for i, record in enumerate(doc["servers"]):
        record = dict(record)
        if record.get("environment") == "test" and i % 5 == 0:
            record["environment"] = "dev"
        if ips:
            record["ip"] = f"10.10.{i // 250}.{i % 250 + 1}"
        servers.append(record)
    doc["servers"] = servers
    return doc


@cache
def estate_plan(
    systems: int, ips: bool, target: str = "azure", services: str = "system"
) -> Plan:
    options = EstateOptions(shared_services=services)
    doc = with_ips_and_dev(generate(systems * SERVERS_PER_SYSTEM, 7, options), ips)
    doc["planning"] = dict(doc.get("planning", {}), target=target)
    cat = Catalog.model_validate(doc)
    return plan_catalog(cat, "0" * 64, PlanOptions(deterministic_time=0.5))


def declared(result: Plan) -> set[tuple[str, str, str]]:
    """Flows into servers that move, consumers named (ip-less ones at the provider too)."""
    return {
        (f.from_, f.to, port)
        for f in result.flows
        if moves(result.servers[f.to]) and f.from_ != f.to
        for port in f.ports
    }


def check_invariants(result: Plan) -> None:
    policy = network_policy(result)
    assert policy.allowed() == declared(result)
    keys = [(p.destination, p.ports, p.via, p.network) for p in policy.permits]
    assert len(keys) == len(set(keys))
    for rules in azure_rule_sets(policy, plan_addresses(result).server_ips).values():
        names = [r.name for r in rules]
        assert len(names) == len(set(names))
    for sg_rules in aws_rule_sets(policy).values():
        assert len(sg_rules) == len(set(sg_rules))  # AWS rejects a duplicate rule


@pytest.mark.parametrize("ips", [True, False])
def test_120_systems_allowed_set_is_exactly_the_flows(ips: bool) -> None:
    result = estate_plan(120, ips)
    check_invariants(result)
    assert {s.environment for s in result.servers.values()} == {"prod", "test", "dev"}
    warned = [w for w in network_policy(result).warnings if "has no ip" in w]
    assert bool(warned) is not ips  # each server without an ip is named, none with


@pytest.mark.parametrize("ips", [True, False])
def test_120_and_400_systems_fit_azure_limits(ips: bool) -> None:
    for systems in (120, 400):
        counts = rule_set_counts(estate_plan(systems, ips))
        assert [c.describe() for c in counts if c.breached] == []


@pytest.mark.slow
def test_1000_systems_fit_azure_limits_and_stay_exact() -> None:
    result = estate_plan(1000, True)
    check_invariants(result)
    assert [c.describe() for c in rule_set_counts(result) if c.breached] == []


@pytest.mark.slow
def test_2000_systems_stay_exact() -> None:
    check_invariants(estate_plan(2000, True))


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="2,000 systems: ~1,300 test/dev servers use the prod monitoring collectors; across "
    "VNets Azure admits them by /32 (ASGs must share the VNet), 5,800 prefixes > 4,000",
)
def test_2000_systems_fit_azure_limits() -> None:
    assert [c.describe() for c in rule_set_counts(estate_plan(2000, True)) if c.breached] == []


@pytest.mark.parametrize(
    "ips",
    [
        pytest.param(
            True,
            marks=pytest.mark.xfail(
                strict=True,
                reason="a monitoring collector's prefix lists of ÅDA /32s weigh 76 > 60 units",
            ),
        ),
        False,
    ],
)
def test_120_systems_on_aws_fit_rules_per_group(ips: bool) -> None:
    """AWS: inbound rule units per security group and security groups per VPC hold."""
    counts = rule_set_counts(estate_plan(120, ips, "aws"))
    assert [
        c.describe() for c in counts if c.breached and c.what != "security groups per interface"
    ] == []


@pytest.mark.xfail(
    strict=True,
    reason="generated estates pick one DC and one collector per server: some servers join "
    "more client groups than AWS's 5 security groups per interface (see README)",
)
def test_400_systems_on_aws_fit_security_groups_per_interface() -> None:
    counts = rule_set_counts(estate_plan(400, True, "aws"))
    assert [c.describe() for c in counts if c.breached] == []


# ----------------------------------------------------------------------------- hypothesis

ENVS = ("prod", "test", "dev")
ROLES = ("web", "app", "db")
DISPOSITIONS = ("rehost", "rehost", "rebuild", "retain", "retire")


@st.composite
def estates(draw: st.DrawFn) -> Any:
    n_sys = draw(st.integers(2, 5))
    systems_, servers_ = [], []
    ids: list[str] = []
    for i in range(n_sys):
        targets = draw(st.lists(st.integers(0, n_sys - 1), max_size=2, unique=True))
        deps = [
            dep(
                f"s{t}",
                ports=[draw(st.sampled_from(["tcp/443", "udp/53", "tcp/8000-8100"]))],
                to_roles=draw(st.sampled_from([[], ["db"]])),
            )
            for t in targets
            if t != i
        ]
        disposition = "rehost" if i == 0 else draw(st.sampled_from(DISPOSITIONS))
        systems_.append(system(f"s{i}", depends_on=deps, disposition=disposition))
        for j in range(draw(st.integers(1, 3))):
            sid = f"s{i}-{j}"
            extra: dict[str, Any] = {
                "environment": draw(st.sampled_from(ENVS)),
                "role": draw(st.sampled_from(ROLES)),
            }
            if draw(st.booleans()):
                extra["ip"] = f"10.10.{i}.{j + 1}"
            servers_.append(server(sid, f"s{i}", **extra))
            ids.append(sid)
    for record in servers_:
        if draw(st.booleans()):
            target = draw(st.sampled_from(ids))
            if target != record["id"]:
                record["depends_on"] = [dep(target, ports=["tcp/1433"])]
    cat = catalog(systems_, servers_, max_servers_per_wave=50, max_vcpu_per_wave=1000)
    return cat.model_copy(update={"source_networks": ("10.10.0.0/16",)})


@given(estates())
@settings(max_examples=40, deadline=None)
def test_hypothesis_allowed_set_equals_declared_flows(cat: Any) -> None:
    result = plan(cat)
    check_invariants(result)


def test_a_permit_admitting_one_more_server_is_caught() -> None:
    """Negative: widening a group breaks the allowed == declared check."""
    cat = catalog(
        [system("a", depends_on=[dep("b", ports=["tcp/1"], to_roles=["db"])]), system("b")],
        [server("a1", "a"), server("b1", "b", role="db"), server("b2", "b", role="web")],
    )
    result = plan(cat)
    policy = network_policy(result)
    assert policy.allowed() == declared(result)
    wide = dict(policy.groups)
    dest = policy.group_of["b1"]
    wide[dest] = policy.groups[dest].__class__(
        dest, "own", "b", "prod", ("b1", "b2")
    )  # as if b's servers shared one group
    widened = policy.__class__(
        wide, policy.group_of, policy.member_of, policy.group_wave, policy.permits
    )
    assert widened.allowed() - declared(result) == {("a1", "b2", "tcp/1")}
