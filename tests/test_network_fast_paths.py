"""The shortcuts that keep the network stages of ``utflytt plan`` fast at 100k servers give
exactly what the plain computation gives: groups built sorted (stable names compare member
tuples without sorting them), interface counts without building every server's list of
security groups, the address plan's hosts taken as they are when already sorted, the
settled address plan reused only for the same hosts, and the cyclic collector paused and
restored around the stages."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.pipeline import plan_catalog
from bench.estate import generate
from migration.allocations import Allocations, GroupAllocation
from migration.catalog import Catalog
from migration.catalog.models import Quotas
from migration.plan import Plan
from stacks.allocate import with_allocations
from stacks.aws import addresses, layout
from stacks.aws.addresses import Host, _distinct_sorted, _host_order
from stacks.network.budgets import admitted_policy
from stacks.network.limits import (
    NetworkLimitError,
    aws_counts,
    aws_layout,
    check_limits,
    citizen_groups,
)
from stacks.network.policy import network_policy, unnamed_policy
from stacks.network.rulesets import aws_groups_of
from stacks.network.stable_names import stable_names
from waves import PlanOptions

SERVERS = 400


@pytest.fixture(scope="module")
def estate() -> Plan:
    catalog = Catalog.model_validate(generate(SERVERS, seed=11))
    return plan_catalog(catalog, "estate", PlanOptions(target="aws", deterministic_time=0.2))


def test_every_group_is_built_in_server_id_order(estate: Plan) -> None:
    """Stable names compare a group's servers with its recorded (sorted) members as they
    are: every own, client and merged group is built sorted."""
    groups = network_policy(estate).groups
    kinds = {g.kind for g in groups.values()}
    assert kinds == {"own", "client"}
    assert any(name.startswith("clients.merged.") for name in groups)
    unsorted = [name for name, g in groups.items() if list(g.servers) != sorted(g.servers)]
    assert unsorted == []


def test_a_replan_keeps_every_group_as_recorded(estate: Plan) -> None:
    """Negative side of the comparison above: were a group's servers not in recorded order,
    its entry would be made again; an unchanged re-plan keeps every entry object."""
    first = with_allocations(estate, Allocations())
    again = with_allocations(estate, first.allocations)
    before, after = first.allocations.aws.groups, again.allocations.aws.groups
    assert before and before.keys() == after.keys()
    assert all(after[name] is before[name] for name in before)
    name = next(iter(before))  # recorded with other members: its entry is made again
    changed = {**before, name: before[name].model_copy(update={"members": ("zz-other",)})}
    kept = first.allocations.aws.model_copy(update={"groups": changed})
    moved = with_allocations(estate, first.allocations.with_provider("aws", kept))
    assert moved.allocations.aws.groups[name] is not changed[name]
    assert moved.allocations.aws.groups[name].members == before[name].members


def test_a_first_plan_names_groups_as_the_matching_would(estate: Plan) -> None:
    """Nothing recorded: every group keeps its built name, with the identity the matching
    gives; the same as with a record that matches no group (which takes the full path)."""
    policy = unnamed_policy(estate)
    unrelated = {
        "zz.nowhere": GroupAllocation(
            kind="own", system="zz", environment="nowhere", members=("nobody",)
        )
    }
    first = stable_names(policy, {})
    assert first == stable_names(policy, unrelated)
    assert first[0] == {n: n for n in policy.groups} and first[1].keys() == policy.groups.keys()
    # negative: every built name recorded for another system's group: all renamed
    clash = dict.fromkeys(first[0], unrelated["zz.nowhere"])
    assert all(a != b for a, b in stable_names(policy, clash)[0].items())


def _interface_counts(plan: Plan, quotas: Quotas) -> dict[str, tuple[int, tuple[str, ...]]]:
    policy = admitted_policy(plan, quotas)
    return {
        c.rule_set.removeprefix("instances of "): (c.count, c.flows)
        for c in aws_counts(policy, quotas, citizen_groups(policy, plan))
        if c.rule_set.startswith("instances of ")
    }


@pytest.mark.parametrize("rules", [60, 3])
def test_interface_counts_are_the_widest_servers_security_groups(estate: Plan, rules: int) -> None:
    """Each own group's count is the most security groups one of its instances is attached
    to (own group, its shards, its client groups), counted without listing them; the
    names of the first such server are given only when the count passes the limit."""
    quotas = Quotas(aws_rules_per_security_group=rules, aws_security_groups_per_eni=4)
    policy = admitted_policy(estate, quotas)
    _, security_groups = aws_layout(policy, quotas, citizen_groups(policy, estate))
    expected: dict[str, tuple[int, tuple[str, ...]]] = {}
    for server in sorted(policy.group_of):
        own = policy.group_of[server]
        if policy.group_wave.get(own) is None:
            continue
        attached = aws_groups_of(policy, security_groups, server)
        if len(attached) > expected.get(own, (0, ()))[0]:
            names = (", ".join(attached),) if len(attached) > 4 else ()
            expected[own] = (len(attached), names)
    counted = _interface_counts(estate, quotas)
    assert counted == expected
    over = {own: c for own, c in counted.items() if c[0] > 4}
    if rules == 3:  # shards: some instance passes 4 security groups, named
        assert over and all(names for _, names in over.values())
        with pytest.raises(NetworkLimitError, match="security groups per interface"):
            check_limits(estate, quotas)
    else:
        assert not over


def test_a_security_group_over_its_rules_names_the_flows_behind_it(estate: Plan) -> None:
    """The flows of a security group's count are worked out for a breach only (the error
    names them): with one rule per group, a citizen-facing group's own rule and its load
    balancer's pass the limit and name their flows; a group within it carries none."""
    quotas = Quotas(aws_rules_per_security_group=1)
    policy = admitted_policy(estate, quotas)
    counts = [
        c
        for c in aws_counts(policy, quotas, citizen_groups(policy, estate))
        if c.rule_set.startswith("sg ")
    ]
    over = [c for c in counts if c.breached]
    assert over and all(c.flows for c in over)
    assert all(" -> " + c.rule_set.removeprefix("sg ") in c.flows[0] for c in over)
    assert all(not c.flows for c in counts if not c.breached)


_hosts = st.lists(
    st.builds(
        Host,
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.sampled_from(["s1", "s2"]),
        st.sampled_from(["prod", "test"]),
        st.sampled_from(["", "web", "db"]),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(_hosts, st.booleans())
def test_hosts_are_deduplicated_and_sorted_as_before(hosts: list[Host], presort: bool) -> None:
    """A run already strictly in server order is taken as it is; anything else (repeats,
    one server twice with different facts, any order) is deduplicated and sorted."""
    if presort:
        hosts = sorted(set(hosts), key=_host_order)
    assert _distinct_sorted(hosts) == sorted(set(hosts), key=_host_order)


def test_a_repeated_host_is_not_taken_as_sorted() -> None:
    """Negative: equal neighbours are not strictly increasing, so they collapse to one."""
    host = Host("a", "s1", "prod")
    assert _distinct_sorted([host, host]) == [host]


def test_the_settled_address_plan_is_reused_only_for_the_same_hosts(
    estate: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``utflytt plan`` asks for the AWS address plan twice (allocations, then the subnet
    limit, with the allocations in place): computed once. A plan with equal servers in
    another object is computed again, to the same result."""
    calls: list[int] = []
    original = addresses.plan_vpc_addresses

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(layout, "plan_vpc_addresses", counting)
    options, zones = layout.AwsOptions(), ("eu-north-1a", "eu-north-1b", "eu-north-1c")
    fresh = estate.model_copy(update={"servers": dict(estate.servers)})  # equal, not same
    allocated = with_allocations(fresh, Allocations())
    assert len(calls) == 1
    again = layout.address_plan(allocated, options, zones)
    assert len(calls) == 1  # shares fresh's servers: the settled plan
    other = layout.address_plan(
        allocated.model_copy(update={"servers": dict(allocated.servers)}), options, zones
    )
    assert len(calls) == 2 and other.allocations() == again.allocations()
