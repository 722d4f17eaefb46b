"""Planner laws over random small catalogs (hypothesis).

Every plan keeps every hard rule of docs/planning.md, or the planner refuses with a PlanError
(only pins can make a catalog unplannable); shuffling the catalog's order changes no byte.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migration.catalog import MIGRATING_DISPOSITIONS, Catalog
from migration.errors import PlanError
from migration.fileio import dumps_json
from migration.plan import Plan
from waves import PlanOptions, plan_waves
from waves.graph import build_estate

OPTIONS = PlanOptions(deterministic_time=0.2)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def catalogs(draw: st.DrawFn) -> dict[str, Any]:
    """A random valid catalog document with dependencies, cycles, pins and blackouts."""
    n_systems = draw(st.integers(2, 7))
    system_ids = [f"s{i}" for i in range(n_systems)]
    systems = []
    for sid in system_ids:
        targets = draw(st.lists(st.sampled_from(system_ids), max_size=2, unique=True))
        systems.append(
            {
                "id": sid,
                "name": sid,
                "level": draw(st.sampled_from(["office", "shared", "sector", "citizen"])),
                "sector": "it",
                "owner": "IT",
                "disposition": draw(
                    st.sampled_from(
                        [
                            "rehost",
                            "rehost",
                            "rehost",
                            "replatform",
                            "retain",
                            "retire",
                            "repurchase",
                        ]
                    )
                ),
                "foundation": draw(st.booleans()) and draw(st.booleans()),
                "criticality": draw(st.sampled_from(["low", "medium", "high", "critical"])),
                "data_classification": "internal",
                "personal_data": False,
                "blackouts": draw(
                    st.sampled_from([[], [], [{"from": "2027-03-01", "to": "2027-03-10"}]])
                ),
                "depends_on": [
                    {
                        "to": t,
                        "latency_sensitive": draw(st.booleans()),
                        "weight": draw(st.integers(1, 5)),
                    }
                    for t in targets
                    if t != sid
                ],
            }
        )
    servers = []
    for sid in system_ids:
        for k in range(draw(st.integers(1, 3))):
            servers.append(
                {
                    "id": f"{sid}-v{k}",
                    "system": sid,
                    "role": "app",
                    "environment": draw(st.sampled_from(["prod", "prod", "test", "dev"])),
                    "os": "ubuntu-22.04",
                    "vcpu": draw(st.integers(1, 8)),
                    "memory_gb": 4,
                    "disks_gb": [32],
                }
            )
    server_ids = [s["id"] for s in servers]
    for record in servers:
        targets = draw(st.lists(st.sampled_from(server_ids), max_size=2, unique=True))
        record["depends_on"] = [
            {"to": t, "latency_sensitive": draw(st.booleans())}
            for t in targets
            if t != record["id"]
        ]
    migrating = {s["id"] for s in systems if s["disposition"] in MIGRATING_DISPOSITIONS}
    for record in servers:
        if record["system"] in migrating and draw(st.integers(0, 9)) == 0:
            if draw(st.booleans()):
                record["pinned_wave"] = draw(st.integers(1, 6))
            else:
                record["migrated"] = True
                record["pinned_wave"] = draw(st.integers(1, 3))
    return {
        "version": 1,
        "organisation": "Testby",
        "contract": {"provider": "ÅDA", "notice_months": 3, "ends": "2027-06-30"},
        "planning": {
            "start": "2027-02-01",
            "wave_days": 14,
            "max_servers_per_wave": draw(st.integers(2, 6)),
            "max_vcpu_per_wave": draw(st.integers(8, 24)),
            "pilot": draw(st.booleans()),
            "blackouts": draw(st.sampled_from([[], [{"from": "2027-04-01", "to": "2027-04-20"}]])),
        },
        "systems": systems,
        "servers": servers,
    }


def check_hard_rules(catalog: Catalog, plan: Plan) -> None:
    """Assert every hard rule of docs/planning.md on a plan."""
    systems = catalog.systems_by_id
    servers = catalog.servers_by_id
    planning = catalog.planning
    waves = {w.number: w for w in plan.waves}
    assert list(waves) == sorted(waves)
    assert set(plan.servers) == set(servers)

    # 1. migrating servers in exactly one wave, the others listed by disposition
    listed: dict[str, set[str]] = defaultdict(set)
    for disposition in ("retain", "retire", "repurchase"):
        listed[disposition] = set(getattr(plan.not_migrated, disposition))
    in_waves = [s for w in plan.waves for s in w.servers]
    assert len(in_waves) == len(set(in_waves))
    for sid, server in servers.items():
        disposition = systems[server.system].disposition
        wave = plan.servers[sid].wave
        if disposition in MIGRATING_DISPOSITIONS:
            assert wave is not None and sid in waves[wave].servers
        else:
            assert wave is None and sid in listed[disposition] and sid not in in_waves

    # 2. one wave per system and environment; test/dev never after prod
    cell_wave: dict[tuple[str, str], set[int]] = defaultdict(set)
    for sid, server in servers.items():
        wave = plan.servers[sid].wave
        if wave is not None:
            cell_wave[(server.system, server.environment)].add(wave)
    assert all(len(w) == 1 for w in cell_wave.values())
    for (system_id, env), found in cell_wave.items():
        prod = cell_wave.get((system_id, "prod"))
        if env != "prod" and prod:
            assert min(found) <= min(prod), f"{system_id} {env} after prod"

    # 3. and 4. latency-sensitive ends together (or a warning); providers never after consumers
    warned = {w.subjects for w in plan.warnings if w.code == "latency-split"}
    estate = build_estate(catalog)
    ids = estate.server_ids
    for u, v, ls in zip(estate.flow_from, estate.flow_to, estate.flow_ls, strict=True):
        wu, wv = plan.servers[ids[u]].wave, plan.servers[ids[v]].wave
        if wu is None or wv is None:
            continue
        if ls and wu != wv:
            assert (ids[u], ids[v]) in warned
        # migrated and pinned servers included: rule 4 holds for them too, or PlanError
        assert wv <= wu, f"{ids[v]} (wave {wv}) after its consumer {ids[u]} (wave {wu})"

    # 5. pins and migrated servers keep their wave; those waves are frozen
    for sid, server in servers.items():
        if server.pinned_wave is not None and systems[server.system].migrates:
            assert plan.servers[sid].wave == server.pinned_wave
        if server.migrated:
            assert waves[plan.servers[sid].wave or 0].frozen

    # 6. no (unfrozen) wave overlaps a global blackout or one of its systems' blackouts
    for planned in plan.waves:
        if planned.frozen or not planned.servers:
            continue
        for blackout in planning.blackouts:
            assert not blackout.overlaps(planned.start, planned.end)
        for system_id in planned.systems:
            for blackout in systems[system_id].blackouts:
                assert not blackout.overlaps(planned.start, planned.end)

    # 7. capacity, unless the wave is excused by a warning
    for planned in plan.waves:
        over = (
            len(planned.servers) > planning.max_servers_per_wave
            or planned.vcpu > planning.max_vcpu_per_wave
        )
        if over and not planned.frozen:
            excuses = [
                w
                for w in plan.warnings
                if (w.code == "oversize-group" and f"wave {planned.number} of its own" in w.message)
                or (w.code == "over-capacity" and w.subjects == (planned.name,))
            ]
            assert excuses or planned.number == 0, f"{planned.name} over capacity"

    # hybrid flows: every flow whose ends are in different waves
    temporary = {(f.from_, f.to) for f in plan.hybrid_flows if f.kind == "temporary"}
    expected = {
        (ids[u], ids[v])
        for u, v in zip(estate.flow_from, estate.flow_to, strict=True)
        if plan.servers[ids[u]].wave is not None
        and plan.servers[ids[v]].wave is not None
        and plan.servers[ids[u]].wave != plan.servers[ids[v]].wave
    }
    assert temporary == expected


def _shuffled(document: dict[str, Any], seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    out = dict(document)
    systems = [
        dict(s, depends_on=rng.sample(s["depends_on"], len(s["depends_on"])))
        for s in document["systems"]
    ]
    servers = [
        dict(s, depends_on=rng.sample(s["depends_on"], len(s["depends_on"])))
        for s in document["servers"]
    ]
    rng.shuffle(systems)
    rng.shuffle(servers)
    out["systems"], out["servers"] = systems, servers
    return out


@SETTINGS
@given(catalogs())
def test_every_plan_keeps_every_hard_rule(document: dict[str, Any]) -> None:
    """A random catalog is planned within every hard rule, or refused with a PlanError."""
    catalog = Catalog.model_validate(document)
    try:
        plan = plan_waves(catalog, "0" * 64, OPTIONS)
    except PlanError:
        return
    check_hard_rules(catalog, plan)


@SETTINGS
@given(catalogs(), st.integers(0, 1000))
def test_shuffling_the_catalog_changes_no_byte(document: dict[str, Any], seed: int) -> None:
    """Reordering systems, servers and dependencies gives a byte-identical plan.json."""
    first = Catalog.model_validate(document)
    second = Catalog.model_validate(_shuffled(document, seed))
    try:
        plan = plan_waves(first, "0" * 64, OPTIONS)
    except PlanError as exc:
        try:
            plan_waves(second, "0" * 64, OPTIONS)
        except PlanError as again:
            assert str(again) == str(exc)
            return
        raise AssertionError("only one order was refused") from None
    shuffled = plan_waves(second, "0" * 64, OPTIONS)
    assert dumps_json(plan.to_json_dict()) == dumps_json(shuffled.to_json_dict())


@SETTINGS
@given(
    st.integers(0, 60),
    st.lists(st.tuples(st.integers(0, 90), st.integers(0, 30)), max_size=4),
    st.integers(1, 21),
)
def test_no_wave_starts_in_a_global_blackout_and_a_moved_start_is_said(
    offset: int, spans: list[tuple[int, int]], wave_days: int
) -> None:
    """Whatever the start and the global blackouts, wave 0 overlaps none of them, starts no
    earlier than planning.start, and a later start carries a start-moved warning."""
    from datetime import date, timedelta

    from tests.builders import catalog, server, system

    base = date(2027, 1, 1)
    start = base + timedelta(days=offset)
    blackouts = [
        {
            "from": (base + timedelta(days=a)).isoformat(),
            "to": (base + timedelta(days=a + n)).isoformat(),
        }
        for a, n in spans
    ]
    cat = catalog(
        [system("ad", foundation=True), system("app")],
        [server("dc1", "ad"), server("app1", "app")],
        ends=None,
        start=start.isoformat(),
        wave_days=wave_days,
        blackouts=blackouts,
    )
    plan = plan_waves(cat, "0" * 64, OPTIONS)
    first = plan.waves[0]
    assert first.number == 0 and first.start >= start
    for blackout in cat.planning.blackouts:
        assert not blackout.overlaps(first.start, first.end)
    moved = [w for w in plan.warnings if w.code == "start-moved"]
    assert bool(moved) == (first.start != start)
    assert plan.servers["dc1"].wave == 0


def test_the_start_check_fires_without_the_move(monkeypatch) -> None:
    """Negative: with the start left in the blackout, the property's checks fail."""
    from tests.builders import catalog, server, system
    from waves import calendar

    monkeypatch.setattr(calendar, "first_free_start", lambda start, days, blackouts: (start, ()))
    cat = catalog(
        [system("ad", foundation=True)],
        [server("dc1", "ad")],
        blackouts=[{"from": "2027-02-01", "to": "2027-02-03"}],
    )
    first = plan_waves(cat, "0" * 64, OPTIONS).waves[0]
    assert cat.planning.blackouts[0].overlaps(first.start, first.end)
