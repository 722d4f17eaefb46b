"""The bundled Mariehamn example: valid, realistic, planner-friendly, and generated."""

from __future__ import annotations

import importlib.util
import ipaddress
from collections import Counter
from datetime import date
from pathlib import Path
from types import ModuleType

import networkx as nx
import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.catalog import MIGRATING_DISPOSITIONS, Catalog, load_catalog

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mariehamn"
CATALOG = EXAMPLE / "catalog.yaml"

SECTORS = {
    "central-administration",
    "finance",
    "hr-payroll",
    "social-services",
    "education",
    "daycare",
    "technical-property",
    "building-permits",
    "library-culture",
    "leisure",
    "harbour",
    "it",
}
FOUNDATION = {"ad", "dns", "file", "sql-shared", "backup", "monitoring", "pki", "print", "rds"}
END_OF_SUPPORT = {"windows-server-2012r2", "windows-server-2016", "centos-7", "rhel-7"}
CURRENT = {"windows-server-2019", "windows-server-2022", "ubuntu-22.04", "rhel-8", "rhel-9"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CATALOG)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mariehamn_generate", EXAMPLE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_validate_command_accepts_the_example() -> None:
    """`utflytt validate` exits 0 on the example and prints its summary."""
    result = CliRunner().invoke(cli, ["validate", str(CATALOG)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "valid catalog" in result.output
    assert "Mariehamns stad, leaving ÅDA" in result.output


def test_committed_yaml_is_exactly_the_generator_output() -> None:
    """Nobody edits catalog.yaml by hand: it is the (deterministic) output of generate.py."""
    first, second = _generator().render(), _generator().render()
    assert first == second
    assert CATALOG.read_text(encoding="utf-8") == first


def test_first_line_points_editors_at_the_schema() -> None:
    first_line = CATALOG.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../catalog.schema.json"


def test_counts_are_those_of_a_city_of_800_staff(catalog: Catalog) -> None:
    assert 110 <= len(catalog.systems) <= 130
    assert 250 <= len(catalog.servers) <= 350


def test_every_level_and_sector_is_present(catalog: Catalog) -> None:
    assert {s.level for s in catalog.systems} == {"office", "shared", "sector", "citizen"}
    assert {s.sector for s in catalog.systems} == SECTORS


def test_foundation_systems_are_present_and_depend_only_on_foundation(catalog: Catalog) -> None:
    systems = catalog.systems_by_id
    assert {s.id for s in catalog.systems if s.foundation} == FOUNDATION
    for system_id in FOUNDATION:
        system = systems[system_id]
        assert system.migrates, system_id
        assert all(systems[d.to].foundation for d in system.depends_on), system_id
        assert any(s.system == system_id for s in catalog.servers), system_id


def test_os_mix_has_a_minority_at_end_of_support(catalog: Catalog) -> None:
    counts = Counter(s.os for s in catalog.servers)
    assert END_OF_SUPPORT <= set(counts)
    assert CURRENT <= set(counts)
    old = sum(counts[os] for os in END_OF_SUPPORT)
    current = sum(counts[os] for os in CURRENT)
    assert old < len(catalog.servers) / 3
    assert current > len(catalog.servers) / 2


def test_app_to_database_dependencies_are_latency_sensitive(catalog: Catalog) -> None:
    servers = catalog.servers_by_id
    ports: Counter[str] = Counter()
    for server in catalog.servers:
        for dependency in server.depends_on:
            if server.role == "app" and servers[dependency.to].role == "db":
                assert dependency.latency_sensitive, (server.id, dependency.to)
                ports.update(dependency.ports)
    assert ports["tcp/1433"] >= 20
    assert ports["tcp/5432"] >= 5


def test_latency_sensitive_groups_stay_small(catalog: Catalog) -> None:
    """Hard dependencies join at most three systems, and no joined group outgrows a wave."""
    servers = catalog.servers_by_id
    graph = nx.Graph()
    size: Counter[tuple[str, str]] = Counter()
    vcpu: Counter[tuple[str, str]] = Counter()
    for server in catalog.servers:
        cell = (server.system, server.environment)
        graph.add_node(cell)
        size[cell] += 1
        vcpu[cell] += server.vcpu
        for dependency in server.depends_on:
            if dependency.latency_sensitive:
                provider = servers[dependency.to]
                graph.add_edge(cell, (provider.system, provider.environment))
    for cell in graph:
        assert size[cell] <= 12 and vcpu[cell] <= 60, cell
    for component in nx.connected_components(graph):
        assert len(component) <= 3, component
        assert sum(size[c] for c in component) <= catalog.planning.max_servers_per_wave
        assert sum(vcpu[c] for c in component) <= catalog.planning.max_vcpu_per_wave


def test_the_only_dependency_cycle_is_the_small_daycare_one(catalog: Catalog) -> None:
    servers = catalog.servers_by_id
    graph = nx.DiGraph()
    for system in catalog.systems:
        graph.add_edges_from((system.id, d.to) for d in system.depends_on)
    for server in catalog.servers:
        graph.add_edges_from(
            (server.system, servers[d.to].system)
            for d in server.depends_on
            if servers[d.to].system != server.system
        )
    cycles = [sorted(c) for c in nx.simple_cycles(graph)]
    assert cycles == [["daycare", "daycare-attendance"]]


def test_most_systems_depend_on_directory_and_name_resolution(catalog: Catalog) -> None:
    on_ad = [s for s in catalog.systems if any(d.to == "ad" for d in s.depends_on)]
    on_dns = [s for s in catalog.systems if any(d.to == "dns" for d in s.depends_on)]
    assert len(on_ad) > len(catalog.systems) / 2
    assert len(on_dns) > len(catalog.systems) * 3 / 4
    ad_ports = {p for s in on_ad for d in s.depends_on if d.to == "ad" for p in d.ports}
    dns_ports = {p for s in on_dns for d in s.depends_on if d.to == "dns" for p in d.ports}
    assert {"tcp/389", "tcp/636", "tcp/88"} <= ad_ports
    assert "udp/53" in dns_ports


@pytest.mark.parametrize(
    ("consumer", "provider"),
    [("hr", "economy"), ("e-services", "case-mgmt"), ("permits", "gis")],
)
def test_integrations_between_systems(catalog: Catalog, consumer: str, provider: str) -> None:
    assert provider in {d.to for d in catalog.system(consumer).depends_on}


def test_dispositions_make_sense(catalog: Catalog) -> None:
    systems = catalog.systems_by_id
    counts = Counter(s.disposition for s in catalog.systems)
    assert set(counts) == {"rehost", "replatform", "rebuild", "repurchase", "retire", "retain"}
    assert counts.most_common(1)[0][0] == "rehost"
    for saas in ("email", "office-suite"):
        assert systems[saas].disposition == "repurchase"
    for system in catalog.systems:
        if system.disposition == "repurchase":
            assert system.saas_monthly_cost, system.id
    assert systems["harbour-scada"].disposition == "retain"
    assert all(
        s.sector == "harbour" or s.id == "building-automation"
        for s in catalog.systems
        if s.disposition == "retain"
    )


def test_every_retired_system_overlaps_a_system_that_stays(catalog: Catalog) -> None:
    """A retired system shares a capability with a system that is not retired (its successor)."""
    kept = {
        capability
        for system in catalog.systems
        if system.disposition != "retire"
        for capability in system.capabilities
    }
    for system in catalog.systems:
        if system.disposition == "retire":
            assert set(system.capabilities) & kept, system.id


def test_costs_and_licences(catalog: Catalog) -> None:
    systems = catalog.systems_by_id
    for server in catalog.servers:
        assert server.monthly_cost is not None and 40 <= server.monthly_cost <= 400, server.id
        if server.os.startswith("windows") and server.role == "db":
            # production databases are licensed; test and dev run the free developer edition
            expected = ("standard", "enterprise") if server.environment == "prod" else ("none",)
            assert server.licences.sql in expected, server.id
    windows = [s for s in catalog.servers if s.os.startswith("windows")]
    assured = [s for s in windows if s.licences.windows_software_assurance]
    assert len(assured) > len(windows) / 2
    assert any(s.licences.sql == "enterprise" for s in catalog.servers)
    with_licence = [s for s in systems.values() if s.monthly_licence_cost]
    assert len(with_licence) > len(systems) / 2


def test_servers_have_unique_addresses_inside_the_source_networks(catalog: Catalog) -> None:
    networks = [ipaddress.ip_network(n) for n in catalog.source_networks]
    assert [str(n) for n in networks] == ["10.10.0.0/16", "10.20.0.0/16"]
    addresses = [s.ip for s in catalog.servers]
    assert None not in addresses
    assert len(set(addresses)) == len(addresses)
    for address in addresses:
        assert any(ipaddress.ip_address(address) in n for n in networks), address


def test_environments_and_performance_data(catalog: Catalog) -> None:
    environments = Counter(s.environment for s in catalog.servers)
    assert environments["test"] >= 20 and environments["dev"] >= 1
    measured = [s for s in catalog.servers if s.cpu_p95 is not None]
    assert len(catalog.servers) / 3 < len(measured) < len(catalog.servers)
    assert all(s.memory_p95 is not None for s in measured)


def test_no_pins_and_nothing_migrated(catalog: Catalog) -> None:
    assert all(s.pinned_wave is None and not s.migrated for s in catalog.servers)


def test_contract_and_planning(catalog: Catalog) -> None:
    contract = catalog.contract
    assert contract.provider == "ÅDA"
    assert contract.notice_months == 6
    assert contract.ends == date(2027, 12, 31)
    assert contract.monthly_base_fee and contract.exit_fee
    planning = catalog.planning
    assert planning.start == date(2027, 2, 1)
    assert planning.wave_days == 14
    assert (planning.max_servers_per_wave, planning.max_vcpu_per_wave) == (25, 120)
    assert planning.pilot and planning.target == "azure" and planning.region == "swedencentral"
    [summer] = planning.blackouts
    assert (summer.from_, summer.to, summer.reason) == (
        date(2027, 6, 21),
        date(2027, 8, 8),
        "Semester",
    )


def test_system_blackouts_for_closing_and_school_start(catalog: Catalog) -> None:
    by_reason: dict[str, set[str]] = {}
    for system in catalog.systems:
        for blackout in system.blackouts:
            by_reason.setdefault(blackout.reason, set()).add(system.sector)
            if blackout.reason == "Årsbokslut":
                assert (blackout.from_, blackout.to) == (date(2027, 2, 15), date(2027, 3, 5))
            if blackout.reason == "Skolstart":
                assert (blackout.from_, blackout.to) == (date(2027, 8, 9), date(2027, 8, 31))
    assert by_reason["Årsbokslut"] == {"finance"}
    assert by_reason["Bokslut"] == {"finance"}
    assert by_reason["Skolstart"] == {"education"}
    assert "economy" in {
        s.id for s in catalog.systems if any(b.reason == "Årsbokslut" for b in s.blackouts)
    }


def test_data_protection_facts(catalog: Catalog) -> None:
    for system in catalog.systems:
        if system.sector in ("social-services", "hr-payroll", "daycare"):
            assert system.personal_data, system.id
    assert catalog.system("school-admin").personal_data
    secret = [s for s in catalog.systems if s.data_classification == "secret"]
    assert 1 <= len(secret) <= 2
    assert all(s.sector == "social-services" for s in secret)
    for system in catalog.systems:
        assert system.cost_centre, system.id
        if system.criticality == "critical":
            assert system.rto_hours and system.rpo_hours, system.id


def test_citizen_services_have_web_servers(catalog: Catalog) -> None:
    web_systems = {s.system for s in catalog.servers if s.role == "web"}
    citizen = {s.id for s in catalog.systems if s.level == "citizen"}
    for system_id in ("e-services", "library-opac", "facility-booking", "guest-harbour", "website"):
        assert system_id in citizen and system_id in web_systems, system_id
    moving_citizen_web = {
        s.id
        for s in catalog.systems
        if s.id in citizen & web_systems and s.disposition in MIGRATING_DISPOSITIONS
    }
    assert len(moving_citizen_web) >= 5


def test_names_are_swedish_and_owners_are_departments(catalog: Catalog) -> None:
    names = " ".join(s.name for s in catalog.systems)
    for letter in "åäö":
        assert letter in names
    owners = {s.owner for s in catalog.systems}
    assert {"Ekonomiavdelningen", "Socialförvaltningen", "Hamnen", "IT-enheten"} <= owners
