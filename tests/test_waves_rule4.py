"""Rule 4 with migrated and pinned servers: a provider never moves after its consumer.

A migrated server is frozen in its wave; its providers must move no later (they take a free
wave before it, usually wave 0 with the landing zone), or the plan is a PlanError naming
both ends. Pins bound the same way. Hypothesis draws chains and trees of dependencies with
many migrated and pinned servers; the negative tests prove the checker and the errors fire.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migration.catalog import Catalog
from migration.errors import PlanError
from migration.plan import Plan
from tests.builders import catalog, dep, plan, server, system, waves_of
from waves import PlanOptions, plan_waves
from waves.graph import build_estate

SETTINGS = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def rule4_breaches(cat: Catalog, result: Plan) -> list[tuple[str, int, str, int]]:
    """Every (consumer, wave, provider, wave) whose provider moves after its consumer."""
    estate = build_estate(cat)
    ids = estate.server_ids
    out = []
    for u, v in zip(estate.flow_from, estate.flow_to, strict=True):
        wu, wv = result.servers[ids[u]].wave, result.servers[ids[v]].wave
        if wu is not None and wv is not None and wv > wu:
            out.append((ids[u], wu, ids[v], wv))
    return out


@st.composite
def estates(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, int]]:
    """A catalog document (one server per system, a random DAG) with migrated and pinned
    servers, plus option pins (as from an edited wave sheet)."""
    n = draw(st.integers(2, 7))
    systems, servers = [], []
    pins: dict[str, int] = {}
    for i in range(n):
        providers = draw(st.lists(st.integers(0, i - 1), max_size=2, unique=True)) if i else []
        systems.append(system(f"s{i}"))
        record: dict[str, Any] = {
            "depends_on": [{"to": f"v{p}"} for p in providers],
        }
        kind = draw(st.sampled_from(["free", "free", "migrated", "pinned", "option"]))
        wave = draw(st.integers(0, 4))
        if kind == "migrated":
            record["migrated"] = True
            if draw(st.booleans()):
                record["pinned_wave"] = wave
        elif kind == "pinned":
            record["pinned_wave"] = wave
        elif kind == "option":
            pins[f"v{i}"] = wave
        servers.append(server(f"v{i}", f"s{i}", **record))
    document = {"systems": systems, "servers": servers}
    return document, pins


@SETTINGS
@given(estates())
def test_rule_4_holds_with_migrated_and_pinned_servers_or_names_both(
    drawn: tuple[dict[str, Any], dict[str, int]],
) -> None:
    """Every plan keeps rule 4 and every fixed wave; a refusal names a server it concerns."""
    document, pins = drawn
    cat = catalog(document["systems"], document["servers"])
    try:
        result = plan_waves(cat, "0" * 64, PlanOptions(pins=pins, deterministic_time=0.2))
    except PlanError as exc:
        named = [s[1] for s in exc.subjects if s[0] == "servers"]
        assert named, f"no server named: {exc}"
        assert all(f"'{sid}'" in exc.message for sid in named[:1]), exc.message
        return
    assert rule4_breaches(cat, result) == []
    for record in cat.servers:
        fixed = pins.get(record.id, record.pinned_wave)
        if record.migrated:
            fixed = 0 if fixed is None else fixed
        if fixed is not None:
            assert result.servers[record.id].wave == fixed


def test_the_rule_4_checker_fires_on_a_breach() -> None:
    """Negative: the checker finds a provider moved after its consumer."""
    cat = catalog(
        [system("a", depends_on=[dep("b")]), system("b")], [server("a1", "a"), server("b1", "b")]
    )
    good = plan(cat)
    assert rule4_breaches(cat, good) == []
    data: dict[str, Any] = good.to_json_dict()
    later = (good.servers["a1"].wave or 0) + 1
    data["servers"]["b1"]["wave"] = later
    bad = Plan.model_validate(data)
    assert rule4_breaches(cat, bad) == [("a1", good.servers["a1"].wave, "b1", later)]


def test_a_migrated_consumers_provider_moves_no_later() -> None:
    """A consumer migrated in wave 1 gets its provider in wave 0, with the reason.

    Before the fix the provider was planned in wave 2, after its consumer, with no warning.
    """
    cat = catalog(
        [system("a", depends_on=[dep("b")]), system("b")],
        [server("a1", "a", migrated=True, pinned_wave=1), server("b1", "b")],
    )
    result = plan(cat)
    assert waves_of(result) == {"a1": 1, "b1": 0}
    assert rule4_breaches(cat, result) == []
    assert result.servers["b1"].reason == (
        "needed by migrated server 'a1' (frozen in wave 1): a provider never moves after its "
        "consumer; wave 0, with the landing zone, is the usable wave in time"
    )


def test_a_migrated_consumer_whose_provider_cannot_move_in_time_is_an_error() -> None:
    """Wave 0 in a system blackout leaves the provider no wave before its migrated consumer."""
    cat = catalog(
        [
            system("a", depends_on=[dep("b")]),
            system("b", blackouts=[{"from": "2027-02-01", "to": "2027-02-05", "reason": "Kval"}]),
        ],
        [server("a1", "a", migrated=True, pinned_wave=1), server("b1", "b")],
    )
    with pytest.raises(PlanError) as caught:
        plan(cat)
    assert str(caught.value) == (
        "server 'a1' is migrated in wave 1, but b/prod (systems b), which it depends on "
        "(directly or through others), has no usable wave from 0 to 1: wave 0 (2027-02-01 to "
        "2027-02-14) overlaps the blackout 2027-02-01 to 2027-02-05 (Kval); wave 1 is frozen"
    )
    assert caught.value.subjects[:2] == (("servers", "a1"), ("systems", "b"))


def test_a_migrated_provider_after_its_migrated_consumer_is_an_error() -> None:
    """Two migrated servers in the wrong order: the error names both and says what to fix."""
    cat = catalog(
        [system("a", depends_on=[dep("b")]), system("b")],
        [
            server("a1", "a", migrated=True, pinned_wave=1),
            server("b1", "b", migrated=True, pinned_wave=2),
        ],
    )
    with pytest.raises(PlanError) as caught:
        plan(cat)
    message = str(caught.value)
    assert message.startswith(
        "server 'b1' is migrated in wave 2, after migrated server 'a1' (frozen in wave 1)"
    )
    assert message.endswith("correct the pinned_wave of the migrated servers")


def test_a_cycle_through_a_migrated_server_is_an_error() -> None:
    """A server in a dependency cycle with a migrated one cannot join its frozen wave."""
    cat = catalog(
        [system("a", depends_on=[dep("b")]), system("b", depends_on=[dep("a")])],
        [server("a1", "a", migrated=True, pinned_wave=2), server("b1", "b")],
    )
    with pytest.raises(PlanError) as caught:
        plan(cat)
    assert str(caught.value) == (
        "b/prod and migrated server 'a1' (frozen in wave 2) depend on each other (a dependency "
        "cycle): they would have to move in that frozen wave; mark them migrated too, or break "
        "the cycle"
    )


def test_the_quality_panel_of_a_plan_sees_the_option_pins() -> None:
    """A --pins pin that overrides a catalog pin is honoured, and the pin gate agrees.

    Before the fix the planner built the panel without ``options.pins``: it compared the
    server with its catalog pin (wave 1) and reported one pin violation.
    """
    cat = catalog([system("a"), system("b")], [server("a1", "a", pinned_wave=1), server("b1", "b")])
    result = plan(cat, pins={"a1": 2})
    assert result.servers["a1"].wave == 2
    assert result.quality is not None
    assert result.quality["gates"]["g4_pin_violations"] == 0
