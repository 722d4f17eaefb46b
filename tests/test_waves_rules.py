"""The planning rules of docs/planning.md, one behaviour per test, on hand-made catalogs."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from migration.errors import PlanError
from migration.plan import Plan
from tests.builders import catalog, dep, plan, server, system, waves_of
from waves import plan_waves


def codes(result: Plan) -> list[str]:
    """Warning codes in order."""
    return [w.code for w in result.warnings]


class TestDispositions:
    def test_only_migrating_dispositions_get_waves(self) -> None:
        """Rehost/replatform/rebuild servers get a wave; the others are listed by disposition."""
        cat = catalog(
            [
                system("a"),
                system("b", disposition="replatform"),
                system("keep", disposition="retain"),
                system("old", disposition="retire"),
                system("saas", disposition="repurchase"),
            ],
            [
                server("a1", "a"),
                server("b1", "b"),
                server("k1", "keep"),
                server("o1", "old"),
                server("s1", "saas"),
            ],
        )
        result = plan(cat)
        got = waves_of(result)
        assert got["a1"] is not None and got["b1"] is not None
        assert (got["k1"], got["o1"], got["s1"]) == (None, None, None)
        assert result.not_migrated.model_dump() == {
            "retain": ("k1",),
            "retire": ("o1",),
            "repurchase": ("s1",),
        }
        assert result.servers["k1"].reason == "retain: stays at ÅDA"
        assert result.systems["keep"].wave is None


class TestSystemsMoveTogether:
    def test_servers_of_one_system_and_environment_share_a_wave(self) -> None:
        """Capacity 3 cannot split a 3-server system even though 2 other servers come first."""
        cat = catalog(
            [system("a"), system("b")],
            [
                server("a1", "a"),
                server("a2", "a"),
                server("b1", "b"),
                server("b2", "b"),
                server("b3", "b"),
            ],
            max_servers_per_wave=3,
        )
        got = waves_of(plan(cat))
        assert got["a1"] == got["a2"]
        assert got["b1"] == got["b2"] == got["b3"]
        assert got["a1"] != got["b1"]

    def test_test_and_dev_never_after_prod(self) -> None:
        """With room for one environment per wave, dev and test come before prod."""
        cat = catalog(
            [system("a")],
            [
                server("p1", "a"),
                server("p2", "a"),
                server("t1", "a", environment="test"),
                server("t2", "a", environment="test"),
                server("d1", "a", environment="dev"),
                server("d2", "a", environment="dev"),
            ],
            max_servers_per_wave=2,
        )
        got = waves_of(plan(cat))
        assert got["d1"] is not None and got["t1"] is not None and got["p1"] is not None
        assert got["t1"] <= got["p1"] and got["d1"] <= got["p1"]
        assert len({got["p1"], got["t1"], got["d1"]}) == 3


class TestLatencySensitive:
    def test_latency_sensitive_ends_share_a_wave_across_systems(self) -> None:
        """An app and the database of another system it calls latency-sensitively move together."""
        cat = catalog(
            [system("app"), system("db"), system("filler")],
            [
                server("app1", "app", depends_on=[dep("db1", latency_sensitive=True)]),
                server("db1", "db"),
                server("f1", "filler"),
                server("f2", "filler"),
            ],
            max_servers_per_wave=2,
        )
        got = waves_of(plan(cat))
        assert got["app1"] == got["db1"]
        assert got["f1"] != got["app1"]

    def test_group_larger_than_a_wave_is_split_with_a_warning_per_dependency(self) -> None:
        """Three systems glued latency-sensitively, room for two: one split, named, with days."""
        cat = catalog(
            [system("hub"), system("x"), system("y")],
            [
                server("hub1", "hub"),
                server("x1", "x", depends_on=[dep("hub1", latency_sensitive=True, weight=5)]),
                server("y1", "y", depends_on=[dep("hub1", latency_sensitive=True, weight=1)]),
            ],
            max_servers_per_wave=2,
        )
        result = plan(cat)
        got = waves_of(result)
        assert got["hub1"] == got["x1"] == 1  # the heavier partner stays with the hub
        assert got["y1"] == 2
        split = [w for w in result.warnings if w.code == "latency-split"]
        assert [w.message for w in split] == [
            "latency-sensitive dependency y1 -> hub1 is split: wave 2 and wave 1, 14 days apart"
        ]
        assert split[0].subjects == ("y1", "hub1")
        group = [w for w in result.warnings if w.code == "group-split"]
        assert [w.message for w in group] == [
            "move group hub/prod+x/prod+y/prod (3 servers, 6 vCPU) is larger than a wave "
            "(2 servers, 96 vCPU) and is held together by latency-sensitive dependencies and "
            "dependency cycles: split over waves 1-2 where the least latency-sensitive weight "
            "crosses (1 of 6)"
        ]


class TestOrder:
    def test_provider_never_after_consumer(self) -> None:
        """A chain a -> b -> c with one server per wave moves c, then b, then a."""
        cat = catalog(
            [system("a", depends_on=[dep("b")]), system("b", depends_on=[dep("c")]), system("c")],
            [server("a1", "a"), server("b1", "b"), server("c1", "c")],
            max_servers_per_wave=1,
        )
        got = waves_of(plan(cat))
        assert (got["c1"], got["b1"], got["a1"]) == (1, 2, 3)

    def test_cycle_is_one_move_group(self) -> None:
        """Two systems that depend on each other move in the same wave."""
        cat = catalog(
            [system("a", depends_on=[dep("b")]), system("b", depends_on=[dep("a")]), system("c")],
            [server("a1", "a"), server("b1", "b"), server("c1", "c")],
            max_servers_per_wave=2,
        )
        got = waves_of(plan(cat))
        assert got["a1"] == got["b1"] != got["c1"]

    def test_cycle_larger_than_a_wave_gets_a_wave_of_its_own_and_a_warning(self) -> None:
        """A cycle of 3 servers with room for 2 cannot be split: own wave, warning names it."""
        cat = catalog(
            [
                system("a", depends_on=[dep("b")]),
                system("b", depends_on=[dep("c")]),
                system("c", depends_on=[dep("a")]),
                system("d"),
            ],
            [server("a1", "a"), server("b1", "b"), server("c1", "c"), server("d1", "d")],
            max_servers_per_wave=2,
        )
        result = plan(cat)
        got = waves_of(result)
        assert got["a1"] == got["b1"] == got["c1"] != got["d1"]
        assert [w.message for w in result.warnings if w.code == "oversize-group"] == [
            f"move group a/prod+b/prod+c/prod (3 servers, 6 vCPU) is larger than a wave "
            f"(2 servers, 96 vCPU) and cannot be split, glued by dependency cycle "
            f"a/prod -> b/prod -> c/prod -> a/prod: it gets wave {got['a1']} of its own"
        ]

    def test_one_system_larger_than_a_wave(self) -> None:
        """A 3-server system with room for 2 gets its own wave and a warning naming it."""
        cat = catalog(
            [system("big")], [server(f"b{i}", "big") for i in range(3)], max_servers_per_wave=2
        )
        result = plan(cat)
        assert {p.wave for p in result.servers.values()} == {1}
        assert [w.message for w in result.warnings if w.code == "oversize-group"] == [
            "move group big/prod (3 servers, 6 vCPU) is larger than a wave (2 servers, 96 vCPU) "
            "and cannot be split, glued by one system 'big' (prod): it gets wave 1 of its own"
        ]


class TestPinsAndMigrated:
    def test_pins_are_kept_and_providers_pulled_before(self) -> None:
        """A pinned consumer keeps its wave; its unpinned provider goes no later."""
        cat = catalog(
            [system("a", depends_on=[dep("b")]), system("b")],
            [server("a1", "a", pinned_wave=3), server("b1", "b")],
        )
        result = plan(cat)
        got = waves_of(result)
        assert got["a1"] == 3
        assert got["b1"] is not None and got["b1"] <= 3
        assert result.servers["a1"].reason == "pinned to wave 3 (a1)"

    def test_option_pins_behave_like_pinned_wave(self) -> None:
        """PlanOptions.pins (an edited wave sheet) pins like pinned_wave."""
        cat = catalog([system("a"), system("b")], [server("a1", "a"), server("b1", "b")])
        assert waves_of(plan(cat, pins={"b1": 4}))["b1"] == 4

    def test_migrated_servers_freeze_their_wave(self) -> None:
        """A migrated server keeps its wave, the wave is frozen, and nothing new joins it."""
        cat = catalog(
            [system("a"), system("b")],
            [server("a1", "a", migrated=True, pinned_wave=1), server("b1", "b")],
        )
        result = plan(cat)
        got = waves_of(result)
        assert got["a1"] == 1 and got["b1"] == 2
        assert result.wave(1).frozen and not result.wave(2).frozen
        assert result.servers["a1"].reason == "already migrated (a1): wave frozen"

    def test_pin_contradicting_a_dependency_is_an_error_naming_both_ends(self) -> None:
        """A consumer pinned before its pinned provider cannot be planned."""
        cat = catalog(
            [system("a", depends_on=[dep("b")]), system("b")],
            [server("a1", "a", pinned_wave=1), server("b1", "b", pinned_wave=3)],
        )
        with pytest.raises(PlanError) as info:
            plan(cat)
        assert str(info.value) == (
            "pins contradict a dependency: server 'a1' is pinned to wave 1, before 'b1' pinned "
            "to wave 3, which it depends on (directly or through others; a provider never moves "
            "after its consumer, test and dev never after prod)"
        )

    def test_pin_into_a_frozen_wave_is_an_error(self) -> None:
        """Pinning a server into a wave of migrated servers names both servers."""
        cat = catalog(
            [system("a"), system("b")],
            [server("a1", "a", migrated=True, pinned_wave=2), server("b1", "b", pinned_wave=2)],
        )
        with pytest.raises(PlanError) as info:
            plan(cat)
        assert str(info.value) == (
            "server 'b1' is pinned to wave 2, which is frozen (it holds migrated server 'a1')"
        )

    def test_pinned_provider_after_migrated_consumer_is_an_error(self) -> None:
        """A provider pinned after its already-migrated consumer contradicts the frozen wave."""
        cat = catalog(
            [system("a"), system("b")],
            [
                server("a1", "a", migrated=True, pinned_wave=1, depends_on=[dep("b1")]),
                server("b1", "b", pinned_wave=3),
            ],
        )
        with pytest.raises(PlanError) as info:
            plan(cat)
        assert str(info.value) == (
            "server 'b1' is pinned to wave 3, after migrated server 'a1' (frozen in wave 1), "
            "which depends on it (directly or through others; a provider never moves after its "
            "consumer, test and dev never after prod): pin 'b1' to wave 0"
        )
        assert info.value.subjects == (("servers", "a1"), ("servers", "b1"))

    def test_servers_of_one_system_pinned_apart_is_an_error(self) -> None:
        """Two servers of one system and environment cannot be pinned to different waves."""
        cat = catalog(
            [system("a")], [server("a1", "a", pinned_wave=1), server("a2", "a", pinned_wave=2)]
        )
        with pytest.raises(PlanError) as info:
            plan(cat)
        assert str(info.value) == (
            "servers 'a1' and 'a2' of system 'a' (prod) are pinned to different waves (1 and 2); "
            "all servers of one system and environment move together"
        )

    def test_pin_into_a_blackout_is_an_error(self) -> None:
        """A pin into a wave that overlaps a blackout names the blackout."""
        cat = catalog(
            [system("a")],
            [server("a1", "a", pinned_wave=1)],
            blackouts=[{"from": "2027-02-20", "to": "2027-02-21", "reason": "Sportlov"}],
        )
        with pytest.raises(PlanError) as info:
            plan(cat)
        assert str(info.value) == (
            "server 'a1' is pinned to wave 1 (2027-02-15 to 2027-02-28), which overlaps the "
            "blackout 2027-02-20 to 2027-02-21 (Sportlov)"
        )

    def test_pin_for_unknown_or_non_moving_server_is_an_error(self) -> None:
        """Option pins must name a server that moves."""
        cat = catalog(
            [system("a"), system("k", disposition="retain")],
            [server("a1", "a"), server("k1", "k")],
        )
        with pytest.raises(PlanError) as info:
            plan(cat, pins={"zz": 1}, pin_origin={"zz": "build/waves.csv:7"})
        assert str(info.value) == (
            "pin for unknown server 'zz'\n  at build/waves.csv:7: server 'zz' pinned to wave 1"
        )
        with pytest.raises(PlanError) as info:
            plan(cat, pins={"k1": 1})
        assert str(info.value) == (
            "server 'k1' cannot be pinned: system 'k' has disposition 'retain' and does not move"
            "\n  at --pins: server 'k1' pinned to wave 1"
        )


class TestCalendar:
    def test_global_blackout_slots_hold_no_wave(self) -> None:
        """Slots overlapping a global blackout are skipped; wave dates stay on the grid."""
        cat = catalog(
            [system("a"), system("b", depends_on=[dep("a")])],
            [server("a1", "a"), server("b1", "b")],
            max_servers_per_wave=1,
            blackouts=[{"from": "2027-03-01", "to": "2027-03-20"}],
        )
        result = plan(cat)
        got = waves_of(result)
        assert (got["a1"], got["b1"]) == (1, 4)
        assert result.wave(4).start == date(2027, 3, 29)
        assert result.wave(4).end == date(2027, 4, 11)

    def test_system_blackout_moves_only_that_system(self) -> None:
        """A system's own blackout keeps it out of the slot; others may use it."""
        cat = catalog(
            [system("a", blackouts=[{"from": "2027-02-15", "to": "2027-02-16"}]), system("b")],
            [server("a1", "a"), server("b1", "b")],
            max_servers_per_wave=1,
        )
        got = waves_of(plan(cat))
        assert (got["a1"], got["b1"]) == (2, 1)

    def test_capacity_limits_hold(self) -> None:
        """No wave holds more servers or vCPU than allowed."""
        cat = catalog(
            [system(f"s{i}") for i in range(6)],
            [server(f"v{i}", f"s{i}", vcpu=4) for i in range(6)],
            max_servers_per_wave=3,
            max_vcpu_per_wave=8,
        )
        result = plan(cat)
        for wave in result.waves:
            assert len(wave.servers) <= 3 and wave.vcpu <= 8
        assert len([w for w in result.waves if w.servers]) == 3

    def test_deadline_notice_date_and_past_deadline_warning(self) -> None:
        """notice_date = ends - notice_months; a plan past the end warns with the days."""
        cat = catalog(
            [system("a", depends_on=[dep("b")]), system("b")],
            [server("a1", "a"), server("b1", "b")],
            start="2027-12-01",
            max_servers_per_wave=1,
        )
        result = plan(cat)
        assert result.notice_date == date(2027, 6, 30)
        assert result.deadline == date(2027, 12, 31)
        assert [w.message for w in result.warnings if w.code == "past-deadline"] == [
            "the plan runs 11 days past the contract end (2027-12-31): the last wave, wave-02, "
            "ends 2028-01-11"
        ]


class TestCapacityWarnings:
    def test_pins_over_capacity_warn_and_are_kept(self) -> None:
        """Pins win over capacity; the wave is named with what is in it."""
        cat = catalog(
            [system("a"), system("b")],
            [
                server("a1", "a", pinned_wave=1),
                server("a2", "a"),
                server("b1", "b", pinned_wave=1),
                server("b2", "b"),
            ],
            max_servers_per_wave=3,
        )
        result = plan(cat)
        assert {p.wave for p in result.servers.values()} == {1}
        assert [w.message for w in result.warnings if w.code == "over-capacity"] == [
            "wave 1 holds 4 servers, 8 vCPU, over the limit (3 servers, 96 vCPU), because pins "
            "leave no other choice: a/prod, b/prod"
        ]

    def test_foundation_that_does_not_fit_wave_zero_warns(self) -> None:
        """Foundation systems beyond wave 0's room move next, with a warning."""
        cat = catalog(
            [system("ad", foundation=True), system("dns", foundation=True)],
            [server("dc1", "ad"), server("dc2", "ad"), server("ns1", "dns"), server("ns2", "dns")],
            max_servers_per_wave=3,
        )
        result = plan(cat)
        assert waves_of(result) == {"dc1": 0, "dc2": 0, "ns1": 1, "ns2": 1}
        assert [w.message for w in result.warnings] == [
            "dns/prod (needed by foundation system dns) moves in wave 1, not wave 0: wave 0 has "
            "no room or is blocked"
        ]
        assert result.wave(1).reasons == {
            "dns": "needed by foundation system dns: as early as the landing zone allows"
        }


class TestFoundationAndPilot:
    def test_foundation_and_its_providers_are_wave_zero(self) -> None:
        """Foundation systems and what they need move with the landing zone."""
        cat = catalog(
            [
                system("ad", foundation=True, depends_on=[dep("dns")]),
                system("dns"),
                system("app", depends_on=[dep("ad")]),
            ],
            [server("dc1", "ad"), server("dns1", "dns"), server("app1", "app")],
        )
        result = plan(cat)
        got = waves_of(result)
        assert (got["dc1"], got["dns1"], got["app1"]) == (0, 0, 1)
        assert result.wave(0).reasons == {
            "ad": "foundation system: moves with the landing zone",
            "dns": "needed by foundation system ad: moves with the landing zone",
        }

    def test_pilot_wave_holds_only_low_risk_systems(self) -> None:
        """Wave 1 takes low-criticality, non-citizen systems; the rest comes later."""
        cat = catalog(
            [
                system("low1", criticality="low"),
                system("low2", criticality="low"),
                system("crit", criticality="critical"),
                system("web", criticality="low", level="citizen"),
            ],
            [server("l1", "low1"), server("l2", "low2"), server("c1", "crit"), server("w1", "web")],
            pilot=True,
        )
        result = plan(cat)
        assert result.wave(1).systems == ("low1", "low2")
        assert result.wave(1).reasons["low1"] == (
            "pilot: low criticality, not citizen-facing, at most 2 dependant systems"
        )
        assert result.servers["c1"].wave == result.servers["w1"].wave == 2

    def test_no_pilot_candidate_warns(self) -> None:
        """With pilot on and no candidate, the plan says so."""
        cat = catalog([system("a", criticality="high")], [server("a1", "a")], pilot=True)
        result = plan(cat)
        assert [w.message for w in result.warnings] == [
            "no system qualifies for a pilot wave (low criticality, not citizen-facing, at most "
            "2 dependant systems): wave 1 is an ordinary wave"
        ]

    def test_higher_criticality_moves_later(self) -> None:
        """With room for one server per wave, low goes first and critical last."""
        cat = catalog(
            [
                system("c", criticality="critical"),
                system("l", criticality="low"),
                system("h", criticality="high"),
            ],
            [server("c1", "c"), server("l1", "l"), server("h1", "h")],
            max_servers_per_wave=1,
        )
        got = waves_of(plan(cat))
        assert (got["l1"], got["h1"], got["c1"]) == (1, 2, 3)


class TestFlows:
    def test_system_dependencies_expand_to_servers_with_ports_merged(self) -> None:
        """A system dependency reaches every server pair; a server-level one merges ports
        (and adds its weight: DESIGN.md, weights of one server pair are added)."""
        cat = catalog(
            [system("a", depends_on=[dep("b", ports=["tcp/443", "tcp/80"])]), system("b")],
            [
                server(
                    "a1", "a", depends_on=[dep("b1", ports=["tcp/1433"], latency_sensitive=True)]
                ),
                server("a2", "a"),
                server("b1", "b"),
            ],
        )
        flows = [f.model_dump(by_alias=True) for f in plan(cat).flows]
        assert flows == [
            {
                "from": "a1",
                "to": "b1",
                "ports": ("tcp/80", "tcp/443", "tcp/1433"),
                "latency_sensitive": True,
                "weight": 2.0,
            },
            {
                "from": "a2",
                "to": "b1",
                "ports": ("tcp/80", "tcp/443"),
                "latency_sensitive": False,
                "weight": 1.0,
            },
        ]

    def test_hybrid_flows_cover_split_retained_and_repointed_dependencies(self) -> None:
        """Split flows get days; retained ones are permanent; retired ones must be re-pointed."""
        cat = catalog(
            [
                system("a", depends_on=[dep("b"), dep("keep"), dep("old")]),
                system("b"),
                system("keep", disposition="retain"),
                system("old", disposition="retire"),
            ],
            [server("a1", "a"), server("b1", "b"), server("k1", "keep"), server("o1", "old")],
            max_servers_per_wave=1,
        )
        result = plan(cat)
        assert [f.model_dump(by_alias=True) for f in result.hybrid_flows] == [
            {
                "from": "a1",
                "to": "b1",
                "ports": (),
                "from_wave": 2,
                "to_wave": 1,
                "days": 14,
                "kind": "temporary",
            },
            {
                "from": "a1",
                "to": "k1",
                "ports": (),
                "from_wave": 2,
                "to_wave": None,
                "days": None,
                "kind": "retained",
            },
            {
                "from": "a1",
                "to": "o1",
                "ports": (),
                "from_wave": 2,
                "to_wave": None,
                "days": None,
                "kind": "repoint",
            },
        ]
        assert [w.message for w in result.warnings if w.code == "repoint"] == [
            "a1 depends on o1 of system 'old', which is retired: re-point it before wave 2"
        ]
        assert [(w.number, w.hybrid_flows_open) for w in result.waves] == [(0, 0), (1, 1), (2, 2)]


class TestPlanContents:
    def test_target_override_uses_that_providers_default_region(self) -> None:
        """--target aws without a region plans for eu-north-1."""
        cat = catalog([system("a")], [server("a1", "a")])
        assert plan(cat).target.model_dump() == {"provider": "azure", "region": "swedencentral"}
        assert plan(cat, target="aws").target.model_dump() == {
            "provider": "aws",
            "region": "eu-north-1",
        }
        assert plan(cat, target="aws", region="eu-west-1").target.region == "eu-west-1"

    def test_sizing_is_copied_into_servers(self) -> None:
        """SKU, readiness and price come from the sizing mapping; unknown without it."""
        cat = catalog([system("a")], [server("a1", "a"), server("a2", "a")])
        size = SimpleNamespace(
            sku="Standard_D2s_v5",
            readiness="ready",
            readiness_reasons=("ok",),
            monthly_price=70.5,
            price_source="table",
        )
        result = plan_waves(cat, "0" * 64, sizing={"a1": size})
        a1, a2 = result.servers["a1"], result.servers["a2"]
        assert (a1.sku, a1.readiness, a1.readiness_reasons, a1.monthly_price, a1.price_source) == (
            "Standard_D2s_v5",
            "ready",
            ("ok",),
            70.5,
            "table",
        )
        assert (a2.sku, a2.readiness) == (None, "unknown")
        assert result.wave(1).risk["readiness_unknown"] == 1

    def test_waves_carry_names_dates_vcpu_and_risk(self) -> None:
        """A wave lists its systems, servers, vCPU and risk counts."""
        cat = catalog(
            [system("a", criticality="high", level="citizen")],
            [server("a1", "a", vcpu=4), server("a2", "a", vcpu=2)],
        )
        wave = plan(cat).wave(1)
        assert (wave.name, wave.start, wave.end) == (
            "wave-01",
            date(2027, 2, 15),
            date(2027, 2, 28),
        )
        assert (wave.systems, wave.servers, wave.vcpu) == (("a",), ("a1", "a2"), 6)
        assert wave.risk == {
            "criticality": {"low": 0, "medium": 0, "high": 1, "critical": 0},
            "citizen_systems": ["a"],
            "readiness_unknown": 2,
            "not_ready": 0,
        }
