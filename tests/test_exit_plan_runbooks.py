"""Runbooks a migration lead can execute: exactly the wave's servers in move order, steps
per role, DNS and smoke tests from the catalog, go/no-go by RTO, rollback in reverse, and
hybrid flows grouped by (system, environment) pairs with no undeclared cross-environment
pair."""

from __future__ import annotations

from functools import cache

import pytest

from exit_plan.data import load_checklist
from exit_plan.runbook import ROLE_ORDER, WaveRunbook, build_runbooks, system_providers
from exit_plan.runbook_view import runbook_views
from exit_plan.testing import sample_catalog, sample_plan
from migration.catalog import Catalog
from migration.flows import system_flows
from migration.plan import HybridFlow, Plan
from tests import golden_exit_plan as golden


@cache
def _estate() -> tuple[Catalog, Plan]:
    from app.pipeline import PipelineOptions, plan_catalog
    from bench.estate import generate

    catalog = Catalog.model_validate(generate(400, 3))
    return catalog, plan_catalog(catalog, "0" * 64, PipelineOptions().plan)


def _inputs(name: str) -> tuple[Catalog, Plan]:
    if name == "example":
        catalog, plan, _ = golden.example_inputs()
        return catalog, plan
    return _estate()


def undeclared_pairs(books: list[WaveRunbook], catalog: Catalog) -> list[tuple[str, ...]]:
    """Grouped flows between two environments that no declared dependency yields under the
    one flow rule (migration.flows)."""
    declared = {(g.from_system, g.from_env, g.to_system, g.to_env) for g in system_flows(catalog)}
    found: list[tuple[str, ...]] = []
    for book in books:
        for change in book.flows:
            g = change.group
            key = (g.from_system, g.from_env, g.to_system, g.to_env)
            if g.from_env != g.to_env and key not in declared:
                found.append(key)
    return found


@pytest.mark.parametrize("name", ["example", "estate"])
class TestRunbooks:
    def test_each_runbook_lists_exactly_its_waves_servers(self, name: str) -> None:
        catalog, plan = _inputs(name)
        books = build_runbooks(load_checklist(), catalog, plan)
        assert [b.wave.number for b in books] == sorted(w.number for w in plan.waves)
        for book in books:
            moved = [m.server.id for m in book.moves]
            assert sorted(moved) == sorted(book.wave.servers), book.wave.name
            assert [m.order for m in book.moves] == list(range(1, len(moved) + 1))
            owners = {s.id: s.owner for s in catalog.systems}
            assert all(m.contact == owners[m.server.system] for m in book.moves)

    def test_move_order_providers_first_then_roles(self, name: str) -> None:
        """A provider system in the same wave moves before its consumers (unless they form
        a cycle); within a system infra, db, file, app, web."""
        catalog, plan = _inputs(name)
        providers, _ = system_providers(catalog, plan)
        for book in build_runbooks(load_checklist(), catalog, plan):
            first: dict[str, int] = {}
            for move in book.moves:
                first.setdefault(move.server.system, move.order)
            for system, position in first.items():
                for provider in providers.get(system, ()):
                    cyclic = system in providers.get(provider, set())
                    if provider in first and not cyclic:
                        assert first[provider] < position, (book.wave.name, provider, system)
            for a, b in zip(book.moves, book.moves[1:], strict=False):
                if (
                    a.server.system == b.server.system
                    and a.server.environment == b.server.environment
                ):
                    assert ROLE_ORDER[a.server.role] <= ROLE_ORDER[b.server.role]

    def test_grouped_flows_have_no_undeclared_cross_environment_pair(self, name: str) -> None:
        catalog, plan = _inputs(name)
        books = build_runbooks(load_checklist(), catalog, plan)
        assert any(book.flows for book in books)
        assert undeclared_pairs(books, catalog) == []
        pairs = sum(len(b.flows) for b in books)
        assert pairs < sum(1 for _ in plan.hybrid_flows) * 2  # groups, not server pairs

    def test_rollback_reverses_the_move_order(self, name: str) -> None:
        catalog, plan = _inputs(name)
        checklist = load_checklist()
        books = build_runbooks(checklist, catalog, plan)
        for view in runbook_views(books, plan, catalog, checklist, "en"):
            cutover = list(dict.fromkeys(line.split(":")[0] for line in view.cutover))
            rollback = list(dict.fromkeys(line.split(":")[0] for line in view.rollback_steps))
            assert rollback == list(reversed(cutover)), view.name
            assert cutover == [m.server for m in view.moves]


def test_undeclared_cross_environment_pair_is_found() -> None:
    """Negative: a hybrid flow from a prod server to a test server that no dependency
    declares is reported."""
    catalog, plan, _ = golden.example_inputs()
    servers = catalog.servers_by_id
    prod = next(s for s in catalog.servers if s.environment == "prod" and s.system == "economy")
    test = next(s for s in catalog.servers if s.environment == "test" and s.system != "economy")
    flow = HybridFlow.model_validate(
        {
            "from": prod.id,
            "to": test.id,
            "ports": ["tcp/1"],
            "from_wave": plan.servers[prod.id].wave,
            "to_wave": (plan.servers[test.id].wave or 0) + 100,
            "days": 1,
        }
    )
    doctored = plan.model_copy(update={"hybrid_flows": (*plan.hybrid_flows, flow)})
    books = build_runbooks(load_checklist(), catalog, doctored)
    found = undeclared_pairs(books, catalog)
    assert (prod.system, "prod", servers[test.id].system, "test") in found


def test_critical_wave_and_pilot_read_differently() -> None:
    """The wave holding the safety alarm (RTO 2 h) gets rehearsal, a tested rollback and a
    decision deadline of half its RTO; the pilot gets the lessons-learned review."""
    catalog, plan, _ = golden.example_inputs()
    checklist = load_checklist()
    views = runbook_views(build_runbooks(checklist, catalog, plan), plan, catalog, checklist, "sv")
    alarm = next(v for v in views if any("Trygghetslarm" in s for s in v.systems))
    pilot = next(v for v in views if v.mode == "pilot")
    assert alarm.mode == "critical" and alarm.shortest_rto == 2
    assert any("repeterats" in line and "2 h" in line for line in alarm.go_no_go)
    assert any("senast 1 h efter skrivstoppet" in line for line in alarm.go_no_go)
    assert any("Pilotvågen" in line for line in pilot.go_no_go)
    assert not set(alarm.go_no_go) & set(pilot.go_no_go[:-1])
    assert pilot.number == 1


def test_dns_names_endpoints_and_checks_come_from_the_catalog() -> None:
    """Optional dns_names/endpoints (system or server) become DNS steps; optional checks
    replace the smoke tests derived from ports; a web system without them is flagged."""
    base = sample_catalog()
    document = base.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for system in document["systems"]:
        if system["id"] == "portal":
            system["dns_names"] = ["portal.testby.ax"]
            system["endpoints"] = ["https://portal.testby.ax/health"]
            system["checks"] = [{"name": "login", "run": "open /login", "expect": "200"}]
    catalog = Catalog.model_validate(document)
    plan = sample_plan()
    checklist = load_checklist()
    views = runbook_views(build_runbooks(checklist, catalog, plan), plan, catalog, checklist, "en")
    wave1 = next(v for v in views if v.number == 1)
    assert any(line.startswith("portal.testby.ax (portal): lower the TTL") for line in wave1.dns)
    assert any("https://portal.testby.ax/health" in line for line in wave1.dns)
    assert wave1.smoke == ("login: open /login → 200",)
    assert wave1.missing_dns == ()
    plain = runbook_views(build_runbooks(checklist, base, plan), plan, base, checklist, "en")
    assert next(v for v in plain if v.number == 1).dns == ()
