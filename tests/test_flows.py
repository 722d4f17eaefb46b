"""The one flow rule (DESIGN.md "From dependencies to flows"): environments, roles, merging,
and every consumer (planner graph, quality panel, plan.json, exit plan) using it."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from migration.flows import group_flows, server_flows, system_flows
from tests.builders import catalog, dep, plan, server, system
from waves.graph import build_estate
from waves.quality import catalog_instance


def pairs(cat: Any) -> set[tuple[str, str]]:
    return {(f.from_, f.to) for f in server_flows(cat)}


def two_tier() -> Any:
    """app (prod, test) depends on ad (prod only) and db (prod, test)."""
    return catalog(
        [
            system("app", depends_on=[dep("db", ports=["tcp/1433"]), dep("ad", ports=["udp/53"])]),
            system("db"),
            system("ad"),
        ],
        [
            server("app-p", "app"),
            server("app-t", "app", environment="test"),
            server("db-p", "db", role="db"),
            server("db-t", "db", role="db", environment="test"),
            server("ad-p", "ad", role="infra"),
        ],
    )


def test_system_dependency_stays_in_its_environment() -> None:
    """Prod reaches prod, test reaches test; never across."""
    found = pairs(two_tier())
    assert ("app-p", "db-p") in found and ("app-t", "db-t") in found
    assert ("app-p", "db-t") not in found and ("app-t", "db-p") not in found


def test_falls_back_to_prod_only_when_the_provider_has_no_server_in_that_environment() -> None:
    """ad has no test server: app's test server uses the prod AD; prod never reaches test."""
    found = pairs(two_tier())
    assert ("app-t", "ad-p") in found and ("app-p", "ad-p") in found
    cat = catalog(
        [system("a", depends_on=[dep("b", ports=["tcp/1"])]), system("b")],
        [server("a-p", "a"), server("b-t", "b", environment="test")],
    )
    assert pairs(cat) == set()


def test_roles_narrow_both_ends() -> None:
    """from_roles/to_roles pick which servers take part; the default is every role."""
    cat = catalog(
        [
            system(
                "a", depends_on=[dep("b", ports=["tcp/1"], from_roles=["web"], to_roles=["db"])]
            ),
            system("b"),
        ],
        [
            server("a-web", "a", role="web"),
            server("a-app", "a", role="app"),
            server("b-app", "b", role="app"),
            server("b-db", "b", role="db"),
        ],
    )
    assert pairs(cat) == {("a-web", "b-db")}


def test_merge_unites_ports_ors_latency_and_adds_weights() -> None:
    cat = catalog(
        [system("a", depends_on=[dep("b", ports=["tcp/443"], weight=2)]), system("b")],
        [
            server(
                "a1",
                "a",
                depends_on=[dep("b1", ports=["tcp/80", "tcp/443"], latency_sensitive=True)],
            ),
            server("b1", "b"),
        ],
    )
    (flow,) = server_flows(cat)
    assert flow.ports == ("tcp/80", "tcp/443")
    assert flow.latency_sensitive is True
    assert flow.weight == 3.0


def test_a_flow_declared_once_has_its_ports_sorted_as_a_merged_one() -> None:
    cat = catalog(
        [system("a"), system("b")],
        [
            server("a1", "a", depends_on=[dep("b1", ports=["tcp/443", "udp/53", "tcp/80"])]),
            server("b1", "b"),
        ],
    )
    (flow,) = server_flows(cat)
    assert flow.ports == ("tcp/80", "tcp/443", "udp/53")
    (group,) = system_flows(cat)
    assert group.ports == ("tcp/80", "tcp/443", "udp/53") and group.pairs == 1


def test_grouping_by_system_and_environment() -> None:
    groups = system_flows(two_tier())
    keys = {(g.from_system, g.from_env, g.to_system, g.to_env) for g in groups}
    assert keys == {
        ("app", "prod", "db", "prod"),
        ("app", "test", "db", "test"),
        ("app", "prod", "ad", "prod"),
        ("app", "test", "ad", "prod"),
    }
    assert all(g.pairs == 1 for g in groups)


def test_every_consumer_uses_the_same_flows() -> None:
    """Planner graph, quality panel and plan.json hold exactly server_flows()."""
    cat = two_tier()
    expected = [(f.from_, f.to, f.ports, f.latency_sensitive, f.weight) for f in server_flows(cat)]
    estate = build_estate(cat)
    ids = estate.server_ids
    from_graph = [
        (ids[u], ids[v], p, ls, w)
        for u, v, p, ls, w in zip(
            estate.flow_from,
            estate.flow_to,
            estate.flow_ports,
            estate.flow_ls,
            estate.flow_weight,
            strict=True,
        )
    ]
    assert from_graph == expected
    names, inst, _ = catalog_instance(cat)
    from_quality = sorted(
        (names[u], names[v]) for u, v in zip(inst.edge_from, inst.edge_to, strict=True)
    )
    assert from_quality == [(a, b) for a, b, *_ in expected]
    result = plan(cat)
    assert [(f.from_, f.to, f.ports) for f in result.flows] == [e[:3] for e in expected]
    assert group_flows(result.flows, result.servers) == system_flows(cat)


ENVS = ("prod", "test", "dev")


@st.composite
def estates(draw: st.DrawFn) -> Any:
    n_sys = draw(st.integers(2, 4))
    systems_ = []
    servers_ = []
    for i in range(n_sys):
        targets = draw(st.lists(st.integers(0, n_sys - 1), max_size=2, unique=True))
        deps = [dep(f"s{t}", ports=[f"tcp/{100 + t}"]) for t in targets if t != i]
        systems_.append(system(f"s{i}", depends_on=deps))
        for j, env in enumerate(draw(st.lists(st.sampled_from(ENVS), min_size=1, max_size=3))):
            servers_.append(server(f"s{i}-{j}", f"s{i}", environment=env))
    return catalog(systems_, servers_)


@given(estates())
@settings(max_examples=60, deadline=None)
def test_prod_never_reaches_non_prod_and_fallbacks_only_go_to_prod(cat: Any) -> None:
    by_id = cat.servers_by_id
    envs: dict[str, set[str]] = {}
    for s in cat.servers:
        envs.setdefault(s.system, set()).add(s.environment)
    seen: set[tuple[str, str]] = set()
    for flow in server_flows(cat):
        a, b = by_id[flow.from_], by_id[flow.to]
        assert (flow.from_, flow.to) not in seen  # merged: one flow per pair
        seen.add((flow.from_, flow.to))
        if a.environment != b.environment:
            assert b.environment == "prod" and a.environment != "prod"
            assert a.environment not in envs[b.system]
