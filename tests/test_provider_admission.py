"""Consumers still at the provider: admitted by their own /32s on Azure (no extra address,
at scale), summarised within AWS's budget only where its rule sets cannot hold them
(:mod:`stacks.network.admission`, :mod:`stacks.network.budgets`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migration.catalog.models import Quotas
from migration.plan import Plan
from stacks.network import check_plan
from stacks.network.addresses import plan_addresses
from stacks.network.admission import address_count, is_summary, summarise, summarise_many
from stacks.network.budgets import admitted_policy
from stacks.network.limits import NetworkLimitError, check_limits, citizen_units
from stacks.network.nicsplit import AzureNsgs, azure_nsgs
from stacks.network.policy import NetworkPolicy
from stacks.network.rulesets import unit_subnets
from tests.builders import catalog, dep, plan, server, system
from tests.test_network_policy import estate_plan

SOURCES = ("10.10.0.0/16", "10.20.0.0/16")


def addresses(prefixes: Iterable[str]) -> set[ipaddress.IPv4Address]:
    return {a for p in prefixes for a in ipaddress.IPv4Network(p)}


def collapsed(prefixes: Iterable[str]) -> tuple[str, ...]:
    nets = ipaddress.collapse_addresses(ipaddress.IPv4Network(p) for p in prefixes)
    return tuple(str(n) for n in nets)


inside = st.builds(
    lambda net, host: f"10.{net}.{host // 256}.{host % 256}/32",
    st.sampled_from([10, 20]),
    st.integers(0, 2047),  # the first /21 of each: neighbours are common
)
outside = st.builds(lambda host: f"192.0.2.{host}/32", st.integers(0, 255))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(inside, inside, outside), min_size=1, max_size=80), st.integers(1, 90))
def test_summarise_covers_fits_and_stays_inside_the_source_networks(
    prefixes: list[str], budget: int
) -> None:
    out = summarise(prefixes, budget, SOURCES)
    exact = collapsed(prefixes)
    assert addresses(prefixes) <= addresses(out)  # every consumer is still admitted
    nets = [ipaddress.IPv4Network(p) for p in out]
    assert all(not a.overlaps(b) for a, b in zip(nets, nets[1:], strict=False))
    assert nets == sorted(nets)
    holders = [ipaddress.IPv4Network(s) for s in SOURCES]
    for net in nets:  # never wider than the whole source network; outside ones unmerged
        assert any(net.subnet_of(h) for h in holders) or str(net) in exact
    if budget >= len(exact):
        assert out == exact  # nothing to do: exactly the collapsed /32s
    else:
        touched = {h for h in holders for p in exact if ipaddress.IPv4Network(p).subnet_of(h)}
        alone = sum(1 for p in exact if not p.startswith("10."))
        assert len(out) <= max(budget, len(touched) + alone)


@settings(max_examples=200, deadline=None)
@given(st.lists(inside, min_size=2, max_size=40))
def test_one_merge_fewer_adds_the_fewest_addresses_possible(prefixes: list[str]) -> None:
    """Minimal: one prefix fewer than the collapsed input costs exactly the cheapest single
    merge of two neighbours (brute force over every neighbouring pair)."""
    exact = collapsed(prefixes)
    if len(exact) < 2:
        return
    nets = [ipaddress.IPv4Network(p) for p in exact]
    cheapest = None
    for a, b in zip(nets, nets[1:], strict=False):
        if int(a.network_address) >> 16 != int(b.network_address) >> 16:
            continue  # another source network: never merged
        span = next(
            ipaddress.IPv4Network((int(a.network_address) >> s << s, 32 - s))
            for s in range(33)
            if ipaddress.IPv4Network((int(a.network_address) >> s << s, 32 - s)).supernet_of(b)
        )
        extra = span.num_addresses - sum(n.num_addresses for n in nets if n.subnet_of(span))
        cheapest = extra if cheapest is None else min(cheapest, extra)
    out = summarise(exact, len(exact) - 1, SOURCES)
    if cheapest is None:
        assert out == exact
    else:
        assert address_count(out) - address_count(exact) == cheapest


def test_summarise_merges_the_cheapest_neighbours_first() -> None:
    ips = ["10.10.0.1/32", "10.10.0.2/32", "10.10.0.9/32", "10.10.1.0/32"]
    assert summarise(ips, 3, SOURCES) == ("10.10.0.0/30", "10.10.0.9/32", "10.10.1.0/32")
    assert summarise(ips, 1, SOURCES) == ("10.10.0.0/23",)
    assert summarise(ips, 1, ()) == tuple(ips)  # no source network known: never merged
    assert summarise(["10.10.0.5/32", "10.20.0.5/32"], 1, SOURCES) == (
        "10.10.0.5/32",
        "10.20.0.5/32",
    )


def test_summarise_many_spends_the_units_where_a_merge_costs_least() -> None:
    """Two permits, one on three port ranges (a prefix: 3 units), one on one: within 8
    units and 3 prefixes a permit, the cheap merges go first, weighted by units saved."""
    a = ("10.10.0.1/32", "10.10.0.2/32", "10.10.0.4/32")
    b = ("10.10.9.1/32", "10.10.9.2/32")
    out = summarise_many([a, b], [3, 1], 8, 3, SOURCES)
    assert sum(len(p) * w for p, w in zip(out, [3, 1], strict=True)) <= 8
    assert addresses(a) <= addresses(out[0]) and addresses(b) <= addresses(out[1])
    # a's merge saves 3 units for 2 addresses, b's 1: a merges once, and that fits
    assert out == [("10.10.0.0/30", "10.10.0.4/32"), ("10.10.9.1/32", "10.10.9.2/32")]


# ---------------------------------------------------------------------------- Azure: exact


def admitted_beyond(plan: Plan, policy: NetworkPolicy, nsgs: AzureNsgs) -> list[str]:
    """Every Azure rule from the provider whose prefixes admit other addresses than its
    permit's consumers' (their ips; the source networks only for one without an ip)."""
    ips = {sid: s.ip for sid, s in plan.servers.items()}
    rules = [r for rs in nsgs.subnet.values() for r in rs]
    rules += [r for groups in nsgs.nic.values() for rs in groups.values() for r in rs]
    problems = []
    for rule in rules:
        if rule.permit is None or rule.permit.via != "provider":
            continue
        wanted = {f"{ips[c]}/32" for c in rule.permit.consumers if ips[c]}
        if any(not ips[c] for c in rule.permit.consumers):
            wanted |= set(plan.source_networks)
        if collapsed(rule.source_prefixes) != collapsed(wanted):  # the same addresses
            problems.append(f"{rule.name}: {', '.join(rule.source_prefixes)}")
    assert len(rules) > 0
    return problems


def azure_nsgs_of(result: Plan, policy: NetworkPolicy) -> AzureNsgs:
    addressing = plan_addresses(result)
    return azure_nsgs(
        policy,
        Quotas(),
        citizen_units(result),
        addressing.server_ips,
        unit_subnets(addressing),
    )


@pytest.mark.parametrize("systems", [120, 400, pytest.param(1000, marks=pytest.mark.slow)])
@pytest.mark.parametrize("services", ["system", "server"])
def test_azure_admits_exactly_the_consumers_at_the_provider(systems: int, services: str) -> None:
    """Generated estates with every server's ip: each Azure rule from the provider admits
    exactly its consumers' /32s (no source network, no extra address) and the plan has no
    ``network-source-network`` or ``network-summarised`` warning."""
    result = estate_plan(systems, True, "azure", services)
    policy = admitted_policy(result)
    assert policy.warnings == ()
    assert any(p.via == "provider" and len(p.consumers) > 50 for p in policy.permits)
    assert admitted_beyond(result, policy, azure_nsgs_of(result, policy)) == []


def test_a_wider_azure_prefix_is_caught() -> None:
    """Negative: one rule from the provider widened to its first consumer's /24 is named."""
    from dataclasses import replace

    result = estate_plan(120, True, "azure")
    policy = admitted_policy(result)
    nsgs = azure_nsgs_of(result, policy)
    unit, rules = next(
        (u, rs)
        for u, rs in nsgs.subnet.items()
        if any(r.permit and r.permit.via == "provider" for r in rs)
    )
    i = next(i for i, r in enumerate(rules) if r.permit and r.permit.via == "provider")
    first = ipaddress.IPv4Network(rules[i].source_prefixes[0]).supernet(new_prefix=24)
    widened = replace(rules[i], source_prefixes=(str(first), *rules[i].source_prefixes[1:]))
    broken = AzureNsgs({**nsgs.subnet, unit: (*rules[:i], widened, *rules[i + 1 :])}, nsgs.nic)
    assert admitted_beyond(result, policy, broken) == [
        f"{widened.name}: {', '.join(widened.source_prefixes)}"
    ]


def test_servers_without_an_ip_keep_the_whole_source_network() -> None:
    result = estate_plan(120, False, "azure")
    policy = admitted_policy(result)
    assert policy.warnings and all("has no ip" in w for w in policy.warnings)
    assert admitted_beyond(result, policy, azure_nsgs_of(result, policy)) == []


# ------------------------------------------------------------------------------ AWS: budget


def retained_consumers(n: int) -> Plan:
    """``n`` retained servers at odd addresses of 10.10.0.0/24 reach db01 on tcp/1."""
    systems = [system("db"), system("old", disposition="retain")]
    servers = [server("db01", "db")] + [
        server(
            f"old{i:02d}",
            "old",
            ip=f"10.10.0.{2 * i + 1}",
            depends_on=[dep("db01", ports=["tcp/1"])],
        )
        for i in range(n)
    ]
    return plan(catalog(systems, servers, target="aws"))


def with_sources(result: Plan) -> Plan:
    return result.model_copy(update={"source_networks": ("10.10.0.0/16",)})


def test_aws_summarises_a_prefix_list_heavier_than_a_security_group() -> None:
    """30 retained consumers' /32s do not fit 20 rules per security group: AWS admits them
    by 20 prefixes covering them (named in a warning with the addresses beyond them), and
    every limit holds; Azure, with room for 4,000 prefixes, keeps the 30 /32s."""
    result = with_sources(retained_consumers(30))
    quotas = Quotas(aws_rules_per_security_group=20)
    policy = admitted_policy(result, quotas)
    (permit,) = [p for p in policy.permits if p.via == "provider"]
    # the fewest addresses possible: every other address is a consumer, so 10 prefixes
    # fewer cost a /28 (8 consumers, 8 others) and a /29 (4 and 4)
    assert len(permit.addresses) == 20 and permit.extra_addresses == 12
    assert permit.addresses[:2] == ("10.10.0.0/28", "10.10.0.16/29")
    consumers = {f"10.10.0.{2 * i + 1}/32" for i in range(30)}
    assert addresses(consumers) <= addresses(permit.addresses)
    assert address_count(permit.addresses) == 30 + permit.extra_addresses
    (warning,) = policy.warnings
    assert is_summary(warning) and warning.startswith("db.prod admits its 30 consumers")
    assert "12 addresses beyond them" in warning and "AWS platform limit" in warning
    assert check_limits(result, quotas, policy)
    warnings = check_plan(result, quotas).warnings
    assert [(w.code, w.subjects) for w in warnings] == [("network-summarised", ("db.prod",))]
    exact = admitted_policy(result, Quotas())
    assert (
        exact.warnings == ()
        and len(next(p for p in exact.permits if p.via == "provider").addresses) == 30
    )


def test_aws_without_source_networks_cannot_summarise_and_the_limit_fires() -> None:
    """Negative: with no source network declared nothing says where merged addresses would
    land, so nothing merges and the prefix list's weight is the error."""
    result = retained_consumers(30)
    quotas = Quotas(aws_rules_per_security_group=20)
    assert admitted_policy(result, quotas).warnings == ()
    with pytest.raises(NetworkLimitError, match=r"sg db.prod: 30 inbound rules \(limit 20\)"):
        check_limits(result, quotas)


def extra_by_destination(policy: NetworkPolicy) -> Mapping[str, int]:
    return {p.destination: p.extra_addresses for p in policy.permits if p.extra_addresses}


def test_aws_summarises_only_as_much_as_the_budget_needs() -> None:
    """A larger budget never admits more: with 25 rules per security group fewer
    addresses are admitted beyond the consumers than with 20, and 30 needs none."""
    result = with_sources(retained_consumers(30))
    extra = [
        sum(
            extra_by_destination(
                admitted_policy(result, Quotas(aws_rules_per_security_group=n))
            ).values()
        )
        for n in (20, 25, 30)
    ]
    assert extra[0] > extra[1] > extra[2] == 0
