"""Overlap analysis: groups, keep/retire decisions, savings by hand, suggestions, vocabulary."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.pipeline import plan_catalog
from migration.catalog import Catalog
from migration.catalog.capabilities import capability_warnings, vocabulary
from migration.cost import CostOptions, compare_costs
from migration.overlap import analyse_overlap
from migration.overlap.groups import capability_members, decide, dependants_of
from migration.overlap.suggestions import suggest
from tests.builders import catalog, dep, server, system
from tests.golden_overlap import planted
from waves import PlanOptions

RATE = CostOptions().migration_rate_per_hour


def analyse(cat: Catalog) -> Any:
    plan = plan_catalog(cat, "0" * 64, PlanOptions(deterministic_time=0.5))
    report = compare_costs(cat, plan)
    return plan, report, analyse_overlap(cat, plan, report)


@pytest.fixture(scope="module")
def result() -> Any:
    return analyse(planted())


def test_planted_groups_are_found_exactly(result: Any) -> None:
    _, _, report = result
    found = {g.capability: g.systems for g in report.groups}
    assert found == {
        "citizen-messaging": ("sms-a", "sms-b"),
        "room-booking": ("booking-a", "booking-b", "old-booking"),
    }
    booking = next(g for g in report.groups if g.capability == "room-booking")
    assert booking.keep == "booking-a"
    assert booking.retire == ("booking-b",)  # old-booking is already retired: no new saving
    assert booking.reasons()["booking-a"].startswith("keep: covers the most capabilities (2")
    assert booking.reasons()["old-booking"] == "already retired in the catalog"
    messaging = next(g for g in report.groups if g.capability == "citizen-messaging")
    # equal capabilities, criticality and dependants: the cheaper per server is kept
    assert (messaging.keep, messaging.retire) == ("sms-a", ("sms-b",))
    assert messaging.reasons()["sms-a"] == (
        "keep: lowest monthly cost per server (70.00 against 100.00 EUR for sms-b)"
    )
    assert report.retire == ("booking-b", "sms-b")


def test_saving_of_a_retained_system_checked_by_hand(result: Any) -> None:
    """sms-b stays at ÅDA if kept: 80 server + 20 licence a month; retiring it costs 40 h."""
    _, _, report = result
    group = next(g for g in report.groups if g.capability == "citizen-messaging")
    assert group.run_savings_eur_per_year == 12 * (80 + 20)
    assert group.migration_effort_avoided_eur == 0  # retained: never migrated
    assert group.one_time_effort_eur == 40 * RATE  # no dependant to re-point
    assert group.savings_eur_per_year == 12 * (80 + 20) - 40 * RATE
    assert group.monthly_cost_eur == (40 + 30) + (80 + 20)  # ÅDA + licences today


def test_saving_of_a_migrating_system_is_its_costs_minus_effort(result: Any) -> None:
    """booking-b: 12 x (cloud run + licence) + migration effort avoided - (40 h + 8 h x 1)."""
    plan, cost_report, report = result
    group = next(g for g in report.groups if g.capability == "room-booking")
    sized = cost_report.sizing["azure"]["bkb01"]
    cloud = (sized.compute_monthly or 0) + (sized.licence_monthly or 0) + (sized.disks_monthly or 0)
    member = next(m for m in group.members if m.id == "booking-b")
    backup = member.cost.cloud_monthly_eur - round(cloud, 2)  # the book prices backup too
    assert member.cost.unpriced == () and backup > 0
    effort = 16 * RATE * CostOptions().readiness_effort_factor[sized.readiness]  # one app server
    assert group.run_savings_eur_per_year == pytest.approx(
        12 * (member.cost.cloud_monthly_eur + 100), abs=0.01
    )
    assert group.migration_effort_avoided_eur == pytest.approx(effort)
    assert group.one_time_effort_eur == (40 + 8 * 1) * RATE  # portal re-pointed
    assert group.savings_eur_per_year == pytest.approx(
        group.run_savings_eur_per_year + effort - 48 * RATE, abs=0.01
    )
    assert group.complete  # every part is priced: the figure is not a lower bound
    assert [(r.consumer, r.retired, r.keep) for r in group.repoint] == [
        ("portal", "booking-b", "booking-a")
    ]
    assert group.servers_avoided == 1 and group.waves_touched == (plan.servers["bkb01"].wave,)


def test_cloud_cost_per_system_matches_the_cost_model() -> None:
    """One rehosted system: its cloud run cost equals the cost model's compute+licence+disks."""
    cat = catalog(
        [system("a", capabilities=["gis"]), system("b", capabilities=["gis"])],
        [server("a01", "a", monthly_cost=50), server("b01", "b", monthly_cost=50)],
    )
    _, cost_report, report = analyse(cat)
    components = cost_report.monthly["azure"]
    last = -1
    parts = ("compute", "os_licence", "sql_licence", "disks", "backup")  # per server
    model = sum(components[c][last] for c in parts)
    members = report.groups[0].members
    assert sum(m.cost.cloud_monthly_eur or 0 for m in members) == pytest.approx(model, abs=0.02)


def test_totals_count_a_system_retired_in_two_groups_once() -> None:
    cat = catalog(
        [
            system("big", capabilities=["payroll", "hr-administration", "time-reporting"]),
            system("small", capabilities=["payroll", "hr-administration"]),
        ],
        [server("big01", "big", monthly_cost=100), server("small01", "small", monthly_cost=50)],
    )
    _, _, report = analyse(cat)
    assert [g.retire for g in report.groups] == [("small",), ("small",)]
    assert report.totals["systems_to_retire"] == 1
    assert report.totals["one_time_effort_eur"] == report.groups[0].one_time_effort_eur


def test_a_system_with_a_capability_of_its_own_is_never_retired() -> None:
    """Partial overlap: retiring it would lose a job no one else does; it stays for review."""
    cat = catalog(
        [
            system("a", criticality="high", capabilities=["gis"]),
            system("b", capabilities=["gis", "spatial-planning"]),
            system("c", capabilities=["gis"]),
        ],
        [server(f"{s}01", s, monthly_cost=10) for s in "abc"],
    )
    _, _, report = analyse(cat)
    (group,) = report.groups
    assert group.keep == "b"  # most capabilities
    assert group.retire == ("a", "c")
    cat3 = catalog(
        [
            system("a", capabilities=["gis", "custom-x"]),
            system("b", capabilities=["gis", "spatial-planning"]),
        ],
        [server(f"{s}01", s, monthly_cost=10) for s in "ab"],
    )
    (group3,) = analyse(cat3)[2].groups
    stays = next(m for m in group3.members if m.outcome == "stays")
    assert group3.retire == () and group3.reasons()[stays.id].startswith("stays: it alone serves")


@pytest.mark.parametrize(
    ("a", "b", "criterion"),
    [
        ({"criticality": "high"}, {}, "keep: highest criticality"),
        ({"open_api": True}, {}, "keep: open API or SaaS option"),
        ({}, {}, "keep: equal to b on every criterion; first by id"),
    ],
)
def test_each_ranking_criterion_can_decide(
    a: dict[str, Any], b: dict[str, Any], criterion: str
) -> None:
    cat = catalog(
        [system("a", capabilities=["gis"], **a), system("b", capabilities=["gis"], **b)],
        [server("a01", "a", monthly_cost=10), server("b01", "b", monthly_cost=10)],
    )
    decision = decide(cat, dependants_of(cat), {"a": 10.0, "b": 10.0})[0]
    assert decision.keep == "a"
    _, _, report = analyse(cat)
    assert report.groups[0].reasons()["a"].startswith(criterion)


def test_most_dependants_decides_before_cost() -> None:
    cat = catalog(
        [
            system("a", capabilities=["gis"]),
            system("b", capabilities=["gis"]),
            system("c", capabilities=["e-services"], depends_on=[dep("b")]),
        ],
        [server(f"{s}01", s) for s in "abc"],
    )
    decision = decide(cat, dependants_of(cat), {"a": 1.0, "b": 99.0, "c": 1.0})[0]
    assert (decision.keep, decision.retire, decision.keep_criterion) == ("b", ("a",), "dependants")


# --- hypothesis: systems without a shared capability are never grouped ---------------------

CAPS = ["gis", "payroll", "e-signing", "custom-a", "custom-b"]


@st.composite
def estates(draw: st.DrawFn) -> Catalog:
    count = draw(st.integers(min_value=1, max_value=12))
    systems = []
    for index in range(count):
        systems.append(
            system(
                f"s{index}",
                capabilities=draw(st.lists(st.sampled_from(CAPS), unique=True, max_size=3)),
                criticality=draw(st.sampled_from(["low", "medium", "high", "critical"])),
                disposition=draw(st.sampled_from(["rehost", "retire", "retain", "repurchase"])),
            )
        )
    return catalog(systems, [])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates())
def test_groups_are_exactly_the_shared_capabilities(cat: Catalog) -> None:
    declared = {s.id: set(s.capabilities) for s in cat.systems}
    groups = capability_members(cat)
    for capability, members in groups.items():
        assert len(members) >= 2
        assert all(capability in declared[m] for m in members)
    for a in declared:
        for b in declared:
            if a < b and not declared[a] & declared[b]:
                assert not any(a in m and b in m for m in groups.values())
    shared = {c for c in CAPS if sum(c in caps for caps in declared.values()) >= 2}
    assert set(groups) == shared
    decisions = decide(cat, dependants_of(cat), {s.id: 1.0 for s in cat.systems})
    kept = {d.keep for d in decisions}
    retired = {r for d in decisions for r in d.retire}
    assert not kept & retired  # never kept in one group and retired in another
    systems = cat.systems_by_id
    for system_id in retired:
        assert systems[system_id].disposition != "retire"
        for capability in systems[system_id].capabilities:  # every job stays covered
            assert any(
                d.keep not in retired and d.keep is not None
                for d in decisions
                if d.capability == capability
            )


def test_no_capabilities_means_no_groups_but_hints() -> None:
    cat = catalog(
        [
            system("a", name="Bokning av lokaler", sector="leisure", vendor="X Ab"),
            system("b", name="Gästhamnsbokning", sector="harbour"),
            system("c", name="Gamla lokalbokningen", sector="leisure", vendor="X Ab"),
            system("d", name="Ekonomisystem", sector="finance"),
            system("e", name="E-tjänst för bygglov", sector="building", vendor="X Ab"),
            system("f", name="Ansökan om plats (e-tjänst)", sector="daycare"),
        ],
        [],
    )
    assert capability_members(cat) == {}
    hints = {(s.kind, s.shared): s.systems for s in suggest(cat, [])}
    assert hints[("name", "bokning")] == ("a", "b", "c")
    assert hints[("vendor", "X Ab")] == ("a", "c", "e")
    assert hints[("role", "e-service")] == ("e", "f")
    assert not any("d" in systems for systems in hints.values())
    # a hint inside a declared group adds nothing
    assert all(s.systems != ("a", "b", "c") for s in suggest(cat, [("a", "b", "c")]))


def test_vocabulary_has_40_to_60_capabilities_in_both_languages() -> None:
    entries = vocabulary()
    assert 40 <= len(entries) <= 60
    for needed in ("case-management", "records-management", "payroll", "accounting"):
        assert needed in entries
    assert all(e.sv and e.en and e.sv != e.id for e in entries.values())


def test_validate_warns_on_unknown_capability_with_a_suggestion() -> None:
    cat = catalog(
        [system("a", capabilities=["acounting", "custom-own", "payroll", "zzzz-qqq"])], []
    )
    warnings = capability_warnings(cat)
    assert warnings == [
        "systems[0].capabilities[0]: 'acounting' of system 'a' is not in the bundled vocabulary; "
        "did you mean 'accounting'? (a city's own capability starts with 'custom-'; list: "
        "utflytt overlap --vocabulary)",
        "systems[0].capabilities[3]: 'zzzz-qqq' of system 'a' is not in the bundled vocabulary "
        "(a city's own capability starts with 'custom-'; list: utflytt overlap --vocabulary)",
    ]


def test_analysis_is_deterministic(result: Any) -> None:
    _, _, first = result
    _, _, second = analyse(planted())
    assert first.to_json_dict() == second.to_json_dict()
    contract = {"capability", "systems", "sectors", "monthly_cost_eur", "keep", "retire"}
    assert contract | {"savings_eur_per_year", "reasons"} <= set(first.to_json_dict()["groups"][0])
