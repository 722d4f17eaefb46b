"""Review findings on plan.json against docs/contracts.md: one regression test per fixed bug."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from migration.errors import PlanError
from migration.plan import Plan
from tests.builders import catalog, dep, plan, server, system, waves_of

BOKSLUT_WAVE_1 = {"from": "2027-02-20", "to": "2027-02-25", "reason": "Bokslut"}


def _blackout_breaches(result: Plan, blackouts: dict[str, list[dict[str, str]]]) -> list[str]:
    """``system@wave`` for every unfrozen wave holding a system during its blackout."""
    out = []
    for wave in result.waves:
        if wave.frozen:
            continue
        for system_id in wave.systems:
            for b in blackouts.get(system_id, []):
                if not (wave.end.isoformat() < b["from"] or wave.start.isoformat() > b["to"]):
                    out.append(f"{system_id}@{wave.number}")
    return out


@pytest.mark.parametrize("servers_of_b", [1, 3], ids=["fits", "oversize"])
def test_pinned_consumer_never_drags_its_provider_into_a_blackout(servers_of_b: int) -> None:
    """Rule 6 over a pin's deadline: the provider takes wave 0, not its blackout in wave 1.

    Before the fix the fallback for "pins leave no room" ignored blackouts when the phase
    floor (wave 1) left no usable slot, and put b in wave 1, in its blackout, with the
    reason "over capacity" and no warning.
    """
    blackouts = {"b": [BOKSLUT_WAVE_1]}
    cat = catalog(
        [system("a", depends_on=[dep("b")]), system("b", blackouts=blackouts["b"])],
        [server("a1", "a", pinned_wave=1)] + [server(f"b{i}", "b") for i in range(servers_of_b)],
        max_servers_per_wave=2,
    )
    result = plan(cat)
    assert _blackout_breaches(result, blackouts) == []
    assert waves_of(result)["a1"] == 1
    assert waves_of(result)["b0"] == 0
    reason = result.servers["b0"].reason
    assert "over capacity" not in reason
    if servers_of_b == 1:
        assert reason.startswith("needed by a consumer pinned to wave 1")


def test_pin_whose_provider_has_no_usable_wave_is_an_error() -> None:
    """A pin that forces a provider into its blackout is a PlanError naming both ends."""
    cat = catalog(
        [
            system("a", depends_on=[dep("b")]),
            system(
                "b", blackouts=[{"from": "2027-02-01", "to": "2027-02-25", "reason": "Bokslut"}]
            ),
        ],
        [server("a1", "a", pinned_wave=1), server("b1", "b")],
    )
    with pytest.raises(PlanError) as caught:
        plan(cat)
    message = str(caught.value)
    assert "'a1' is pinned to wave 1" in message
    assert "b/prod" in message and "Bokslut" in message


def test_start_in_a_global_blackout_moves_wave_0_past_it_and_says_so() -> None:
    """Wave 0 (the landing zone) is a wave: a start in a blackout moves it, with a warning.

    Before the fix wave 0 was dated inside the blackout (a warning only) and the foundation
    system was pushed to wave 1.
    """
    semester: dict[str, Any] = {"from": "2027-02-03", "to": "2027-02-10", "reason": "Sportlov"}
    sommar: dict[str, Any] = {"from": "2027-02-11", "to": "2027-02-12", "reason": "Sommar"}
    cat = catalog(
        [system("ad", foundation=True), system("app", depends_on=[dep("ad")])],
        [server("dc1", "ad"), server("app1", "app")],
        blackouts=[semester, sommar],
    )
    result = plan(cat)
    found = [w for w in result.warnings if w.code == "start-moved"]
    assert [w.message for w in found] == [
        "planning.start 2027-02-01 puts wave 0 (the landing zone) in the blackout 2027-02-03 "
        "to 2027-02-10 (Sportlov); the blackout 2027-02-11 to 2027-02-12 (Sommar): wave 0 "
        "starts 2027-02-13 instead, and every wave after it"
    ]
    assert found[0].subjects == ("wave-00",)
    first = result.waves[0]
    assert (first.number, first.start, first.servers) == (0, date(2027, 2, 13), ("dc1",))
    assert result.servers["dc1"].reason == "foundation system: moves with the landing zone"
    clean = catalog([system("ad", foundation=True)], [server("dc1", "ad")], blackouts=[])
    assert not [w for w in plan(clean).warnings if w.code == "start-moved"]
    assert plan(clean).waves[0].start == date(2027, 2, 1)


def test_blackouts_covering_all_time_are_a_clear_error() -> None:
    """No "server None is pinned to wave None": the error names the blackout and the system."""
    forever: dict[str, Any] = {"from": "2000-01-01", "to": "2100-12-31", "reason": "Evig"}
    everything = catalog([system("a")], [server("a1", "a")], blackouts=[forever])
    with pytest.raises(PlanError) as caught:
        plan(everything)
    assert str(caught.value) == (
        "the global blackouts leave no date for wave 0: from planning.start 2027-02-01 to "
        "2100-12-31, the last day a plan may use, every 14-day wave overlaps one of them "
        "(2000-01-01 to 2100-12-31 (Evig)); shorten them"
    )
    assert caught.value.subjects == (("planning", "start"), ("planning", "blackouts", 0))
    one_system = catalog(
        [system("a", blackouts=[forever]), system("b")], [server("a1", "a"), server("b1", "b")]
    )
    with pytest.raises(PlanError) as caught:
        plan(one_system)
    assert str(caught.value) == (
        "a/prod (systems a) has no usable wave that ends by 2100-12-31, the last day a plan "
        "may use: blackouts or frozen waves cover every earlier wave (wave 0, 2027-02-01 to "
        "2027-02-14, overlaps the blackout 2000-01-01 to 2100-12-31 (Evig)); shorten the "
        "blackout"
    )
    assert caught.value.subjects == (("systems", "a"), ("systems", "a", "blackouts", 0))


def test_capacity_that_runs_past_2100_is_a_clear_error() -> None:
    """Negative for the horizon check: no blackout, just too little room per wave."""
    many = [server(f"a{i}", f"s{i}") for i in range(3)]
    tight = catalog(
        [system(f"s{i}") for i in range(3)],
        many,
        start="2100-11-01",
        max_servers_per_wave=1,
        wave_days=28,
    )
    with pytest.raises(PlanError, match="the capacity per wave is too small for the estate"):
        plan(tight)


def test_pins_that_leave_a_group_only_its_blackout_are_an_error() -> None:
    """An oversize group (a wave of its own) that a pin needs by wave 1, blacked out in wave
    1, whose provider takes wave 0 away from it: no plan without a breach, so an error.

    Before the fix the plan put s in wave 1, in its blackout, silently.
    """
    cat = catalog(
        [
            system("c", depends_on=[dep("s")]),
            system("s", depends_on=[dep("p")], blackouts=[BOKSLUT_WAVE_1]),
            system("p"),
        ],
        [server("c1", "c", pinned_wave=1), server("p1", "p")]
        + [server(f"s{i}", "s") for i in range(3)],
        max_servers_per_wave=2,
    )
    with pytest.raises(PlanError) as caught:
        plan(cat)
    message = str(caught.value)
    assert "'c1' is pinned to wave 1" in message and "s/prod" in message
    assert "Bokslut" in message
