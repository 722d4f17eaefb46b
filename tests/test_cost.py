"""Cost model: hand-computed expectations on a small catalog, properties, outputs, CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.cli import cli
from migration.catalog import Catalog, load_catalog_with_digest
from migration.cost import CostOptions, break_even, compare_costs, write_cost_outputs
from migration.fileio import write_json
from migration.plan import NotMigrated, Plan, PlannedServer, Target, Wave
from migration.pricing.book import PriceBook, PriceBookFile, parse_book
from migration.sizing import SizingOptions
from migration.spreadsheet import safe_cell

YEARS = (2027, 2028)


def _e(item: str, option: str, price: float | None, unit: str) -> dict[str, Any]:
    return {
        "item": item,
        "option": option,
        "price": price,
        "unit": unit,
        "currency": "EUR",
        "region": "test-1",
        "retrieved": "2026-11-01",
        "source": "hand-made test book",
        "basis": "observed" if price is not None else "unknown",
    }


def make_book(provider: str) -> PriceBook:
    """A book with round EUR prices so that every expectation can be computed by hand."""
    entries = []
    for name, base in (("S2", 100.0), ("S4", 200.0)):
        entries += [
            _e(f"vm:{name}", "linux-payg", base, "month"),
            _e(f"vm:{name}", "windows-payg", base * 1.5, "month"),
            _e(f"vm:{name}", "linux-reserved-1y", base * 0.8 * 12, "term-1y"),
            _e(f"vm:{name}", "linux-reserved-3y", base * 0.6 * 36, "term-3y"),
            _e(f"vm:{name}", "linux-savings-plan-1y", base * 0.9, "month"),
            _e(f"vm:{name}", "linux-savings-plan-3y", base * 0.7, "month"),
        ]
    entries += [
        _e("disk:D1", "", 10.0, "month"),
        _e("disk:D2", "", 30.0, "month"),
        _e("ebs:gp3", "", 0.1, "gb-month"),
        _e("backup:instance-50", "", 5.0, "month"),
        _e("backup:instance-500", "", 10.0, "month"),
        _e("backup:instance-per-500", "", 10.0, "month"),
        _e("backup:storage", "", 0.1, "gb-month"),
        _e("egress:gb", "", 0.1, "gb"),
        _e("egress:free-gb", "", 100.0, "quantity"),
        _e("vpn:gateway", "", 50.0, "month"),
        _e("bastion:host", "", 15.0, "month"),
        _e("logging:gb", "", 1.0, "gb"),
        _e("keyvault:vault", "", 5.0, "month"),
        _e("ip:public", "", 3.0, "month"),
        _e("entrance:gateway", "", 100.0, "month"),
        _e("entrance:unit", "", 7.0, "month"),
        _e("support:minimum", "", 7.0, "month"),
        _e("sql:standard", "", 10.0, "month"),
        _e("sql:enterprise", "", None, "month"),
    ]
    doc = PriceBookFile.model_validate(
        {
            "provider": provider,
            "region": "test-1",
            "retrieved": "2026-11-01",
            "source": "test book",
            "sizes": [
                {
                    "name": "S2",
                    "family": "T",
                    "vcpu": 2,
                    "memory_gb": 8,
                    "max_data_disks": 4,
                    "source": "test",
                },
                {
                    "name": "S4",
                    "family": "T",
                    "vcpu": 4,
                    "memory_gb": 16,
                    "max_data_disks": 8,
                    "source": "test",
                },
            ],
            "disk_tiers": [
                {"name": "D1", "size_gb": 128, "source": "test"},
                {"name": "D2", "size_gb": 512, "source": "test"},
            ],
            "entries": entries,
        }
    )
    return parse_book(doc, Path(f"{provider}-test.json"))


BOOKS = {"azure": make_book("azure"), "aws": make_book("aws")}


def _system(sid: str, disposition: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": sid,
        "name": sid.title(),
        "level": "shared",
        "sector": "it",
        "owner": "IT",
        "disposition": disposition,
        "criticality": "low",
        "data_classification": "internal",
        "personal_data": False,
        **extra,
    }


def _server(sid: str, system: str, **extra: Any) -> dict[str, Any]:
    base = {
        "id": sid,
        "system": system,
        "role": "app",
        "os": "ubuntu-22.04",
        "vcpu": 2,
        "memory_gb": 8,
        "disks_gb": [100],
        "monthly_cost": 100.0,
    }
    base.update(extra)
    return base


def small_catalog(**contract: Any) -> Catalog:
    return Catalog.model_validate(
        {
            "version": 1,
            "organisation": "Testby",
            "contract": {
                "provider": "ÅDA",
                "notice_months": 6,
                "ends": date(2027, 6, 30),
                "monthly_base_fee": 1000.0,
                "exit_fee": 5000.0,
                **contract,
            },
            "systems": [
                _system("app", "rehost"),
                _system("kept", "retain"),
                _system("bought", "repurchase", saas_monthly_cost=120.0, monthly_licence_cost=40.0),
            ],
            "servers": [
                _server("a", "app", monthly_cost=2000.0),
                _server(
                    "b",
                    "app",
                    role="db",
                    os="windows-server-2019",
                    disks_gb=[100, 400],
                    monthly_cost=3000.0,
                    licences={"sql": "standard"},
                ),
                _server("c", "kept", monthly_cost=50.0),
                _server("d", "bought", monthly_cost=80.0),
            ],
        }
    )


def small_plan(waves: dict[str, int] | None = None, flows: tuple[Any, ...] = ()) -> Plan:
    waves = waves or {"a": 1, "b": 1}
    wave_objs = tuple(
        Wave(
            number=n,
            name=f"wave-{n:02d}",
            start=date(2027, 2 + n, 1),
            end=date(2027, 2 + n, 14),
            servers=tuple(s for s, w in waves.items() if w == n),
        )
        for n in sorted(set(waves.values()))
    )
    servers = {s: PlannedServer(wave=w) for s, w in waves.items()}
    servers.update({"c": PlannedServer(wave=None), "d": PlannedServer(wave=None)})
    return Plan(
        catalog_sha256="0" * 64,
        target=Target(provider="azure", region="test-1"),
        notice_date=None,
        deadline=None,
        waves=wave_objs,
        not_migrated=NotMigrated(retain=("c",), repurchase=("d",)),
        servers=servers,
        hybrid_flows=flows,
    )


def options(**extra: Any) -> CostOptions:
    base: dict[str, Any] = {
        "years": YEARS,
        "migration_rate_per_hour": 100.0,
        "egress_gb_per_server": 80.0,
        "discount_rate": 0.0,
        "ada_indexation": 0.0,
        "logging_gb_per_server": 2.0,
        "ops_cost_per_server": 10.0,
        "sizing": SizingOptions(azure_families=("T",), aws_families=("T",)),
    }
    base.update(extra)
    return CostOptions(**base)


def report(
    catalog: Catalog | None = None, plan: Plan | None = None, **extra: Any
) -> dict[str, Any]:
    result = compare_costs(
        catalog or small_catalog(), plan or small_plan(), options(**extra), books=BOOKS
    )
    return result.to_json_dict()


def comp_total(doc: dict[str, Any], series: str, component: str) -> float:
    block = doc["stay"] if series == "stay" else doc["providers"][series]
    return round(float(sum(block["components"][component].values())), 2)


class TestAda:
    def test_move_path_components(self) -> None:
        """Moved servers until cutover + 30-day lag (April); the retained server for good;
        the repurchased one until the exit day (contract end, June); a partial exit: the
        base fee runs on and no exit fee is due."""
        doc = report()
        assert comp_total(doc, "ada", "servers") == 4 * 2000 + 4 * 3000 + 24 * 50 + 6 * 80
        assert comp_total(doc, "ada", "base_fee") == 24 * 1000  # retained servers keep it
        assert comp_total(doc, "ada", "licences") == 6 * 40
        assert comp_total(doc, "ada", "exit_fee") == 0
        assert doc["facts"]["exit_date"] == "2027-06-30"
        assert doc["facts"]["notice_date"] == "2026-12-30"
        assert (doc["facts"]["full_exit"], doc["facts"]["exit_fee_due"]) == (False, False)
        assert any(w["code"] == "exit-fee-not-due" for w in doc["warnings"])

    def test_full_exit_base_fee_until_exit_day_and_exit_fee(self) -> None:
        """Without retained servers: base fee to the exit day (June), exit fee once then."""
        catalog = small_catalog()
        catalog = catalog.model_copy(
            update={"servers": tuple(s for s in catalog.servers if s.id != "c")}
        )
        doc = report(catalog)
        assert comp_total(doc, "ada", "base_fee") == 6 * 1000
        assert doc["providers"]["ada"]["components"]["exit_fee"] == {"2027": 5000.0, "2028": 0.0}
        assert doc["facts"]["exit_fee_due"] is True

    def test_exit_fee_on_partial_exit_when_set(self) -> None:
        """exit_fee_on_partial_exit=true charges it although a server stays."""
        doc = report(exit_fee_on_partial_exit=True)
        assert comp_total(doc, "ada", "exit_fee") == 5000.0

    def test_fee_until_contract_end(self) -> None:
        """ada_fee_until=contract-end: moved servers pay until June, not April."""
        doc = report(ada_fee_until="contract-end")
        assert comp_total(doc, "ada", "servers") == 6 * 2000 + 6 * 3000 + 24 * 50 + 6 * 80

    def test_renewal_and_indexation_after_contract_end(self) -> None:
        """After June 2027 staying costs the renewal price, indexed after each full year."""
        doc = report(ada_renewal_factor=1.2, ada_indexation=0.1)
        monthly = 2000 + 3000 + 50 + 80 + 1000
        expected = 6 * monthly + 12 * monthly * 1.2 + 6 * monthly * 1.2 * 1.1 + 24 * 40
        assert doc["stay"]["total"] == pytest.approx(expected, abs=0.05)
        # the retained server and the base fee renew on the move path too
        assert comp_total(doc, "ada", "base_fee") == pytest.approx(
            1000 * (6 + 12 * 1.2 + 6 * 1.32), abs=0.05
        )

    def test_stay(self) -> None:
        """Staying: every server, base fee and changing licences for all 24 months."""
        doc = report()
        assert doc["stay"]["total"] == 24 * (2000 + 3000 + 50 + 80) + 24 * 1000 + 24 * 40

    def test_unpriced_server_keeps_its_ada_fee(self) -> None:
        """A server without a cloud price never counts an ÅDA saving: its fee runs on, the
        provider is incomplete and names it."""
        book = make_book("aws")
        entries = tuple(
            e.model_copy(update={"price": None, "basis": "unknown"})
            if e.item in ("vm:S2", "vm:S4") and e.option == "linux-payg"
            else e
            for e in book.doc.entries
        )
        broken = parse_book(book.doc.model_copy(update={"entries": entries}), book.path)
        result = compare_costs(
            small_catalog(), small_plan(), options(), books={"azure": BOOKS["azure"], "aws": broken}
        )
        doc = result.to_json_dict()
        assert doc["providers"]["aws"]["complete"] is False
        assert doc["providers"]["azure"]["complete"] is True
        (missing,) = doc["providers"]["aws"]["unpriced"]
        assert missing["subjects"] == ["a", "b"] and "ÅDA fee is kept" in missing["what"]
        moved = 4 * 2000 + 4 * 3000
        kept = 24 * 2000 + 24 * 3000
        aws_ada = doc["paths"]["aws"]["total"] - doc["providers"]["aws"]["total"]
        azure_ada = doc["paths"]["azure"]["total"] - doc["providers"]["azure"]["total"]
        assert aws_ada - azure_ada == pytest.approx(kept - moved, abs=0.05)


class TestCloud:
    def test_payg_components(self) -> None:
        """Every cloud component from March 2027 (22 months), hand-computed."""
        doc = report()
        months = 22
        assert comp_total(doc, "azure", "compute") == 200 * months
        assert comp_total(doc, "azure", "os_licence") == 50 * months  # no SA: included
        assert comp_total(doc, "azure", "sql_licence") == 4 * 10 * months  # min 4 cores
        assert comp_total(doc, "azure", "disks") == (10 + 10 + 30) * months
        # a: 100 GB -> band <=500: 10 + 0.1*100; b: 500 GB -> 10 + 0.1*500
        assert comp_total(doc, "azure", "backup") == (20 + 60) * months
        assert comp_total(doc, "azure", "egress") == round((160 - 100) * 0.1 * months, 2)
        assert comp_total(doc, "azure", "logging") == 2 * 2 * 1.0 * months
        assert comp_total(doc, "azure", "operations") == 2 * 10 * months
        # only the migration month; an Azure VPN gateway has its own public IP
        assert comp_total(doc, "azure", "vpn") == 50 + 3
        assert comp_total(doc, "azure", "remote_access") == (15 + 3) * months  # Bastion + its IP
        assert comp_total(doc, "azure", "key_vault") == 5 * months
        assert comp_total(doc, "azure", "support") == 7 * months
        assert comp_total(doc, "azure", "public_entrances") == 0  # nothing citizen-facing
        assert comp_total(doc, "azure", "saas") == 120 * months
        assert comp_total(doc, "azure", "migration_effort") == 16 * 100 + 24 * 100
        assert doc["providers"]["azure"]["total"] == 17253.0
        assert doc["providers"]["azure"]["one_time"] == 4000.0
        assert doc["providers"]["azure"]["complete"] is True

    def test_operations_follow_adas_scope(self) -> None:
        """Operations cost hours x rate for what ÅDA's fee includes; nothing when it includes
        none of operations, monitoring and patching."""
        doc = report(ops_cost_per_server=None, ops_rate_per_hour=60.0)
        assert comp_total(doc, "azure", "operations") == 2 * 1.25 * 60 * 22
        none = dict.fromkeys(("operations", "backup", "monitoring", "patching"), False)
        doc = report(ops_cost_per_server=None, ada_scope=none)
        assert comp_total(doc, "azure", "operations") == 0

    def test_public_entrance_per_citizen_system(self) -> None:
        """A citizen-facing moving system gets a gateway, a unit and a public IP."""
        catalog = small_catalog()
        systems = tuple(
            s.model_copy(update={"level": "citizen"}) if s.id == "app" else s
            for s in catalog.systems
        )
        doc = report(catalog.model_copy(update={"systems": systems}))
        assert comp_total(doc, "azure", "public_entrances") == (100 + 7 + 3) * 22

    def test_support_tiers(self) -> None:
        """A tiered support plan: the greater of its minimum and its share of usage."""
        book = make_book("aws")
        extra = tuple(
            PriceBookFile.model_validate(
                {
                    "provider": "aws",
                    "region": "t",
                    "retrieved": "x",
                    "source": "t",
                    "entries": [
                        _e("support:share", "0", 0.1, "share"),
                        _e("support:share", "400", 0.05, "share"),
                    ],
                }
            ).entries
        )
        tiered = parse_book(
            book.doc.model_copy(update={"entries": (*book.doc.entries, *extra)}), book.path
        )
        doc = compare_costs(
            small_catalog(), small_plan(), options(), books={"azure": BOOKS["azure"], "aws": tiered}
        ).to_json_dict()
        # usage: aws compute 200 + os 50 + sql 40 + disks 60 + backup 60 + egress 6 +
        # logging 4 + bastion 15 + key vault 5 = 440 (+50 VPN in March)
        march = 400 * 0.1 + 90 * 0.05
        later = 400 * 0.1 + 40 * 0.05
        assert comp_total(doc, "aws", "support") == pytest.approx(march + 21 * later, abs=0.05)

    @pytest.mark.parametrize(
        ("option", "factor"),
        [
            ("payg", 1.0),
            ("reserved-1y", 0.8),
            ("reserved-3y", 0.6),
            ("savings-plan-1y", 0.9),
            ("savings-plan", 0.9),
            ("savings-plan-3y", 0.7),
        ],
    )
    def test_options(self, option: str, factor: float) -> None:
        """Compute follows the pricing option; the Windows licence stays pay-as-you-go."""
        doc = report(option=option)
        assert comp_total(doc, "azure", "compute") == round(200 * factor * 22, 2)
        assert comp_total(doc, "azure", "os_licence") == 50 * 22
        assert (
            doc["providers"]["azure"]["pricing_option"]
            == option.replace("savings-plan", "savings-plan-1y")
            if option == "savings-plan"
            else option
        )

    def test_hybrid_benefit_and_licence_mobility(self) -> None:
        """With Windows Server Software Assurance: no Windows licence on Azure (Hybrid
        Benefit), still included on AWS (no License Mobility for Windows Server). SQL Server
        stays licence-included on both: Windows Server SA does not cover SQL Server (b: SQL
        Standard on an S2, min 4 cores x 10 EUR a month x 22 months = 880)."""
        catalog = _with_licences(small_catalog(), windows_software_assurance=True)
        doc = report(catalog)
        assert comp_total(doc, "azure", "os_licence") == 0
        assert comp_total(doc, "aws", "os_licence") == 50 * 22
        assert comp_total(doc, "azure", "sql_licence") == 4 * 10 * 22
        assert comp_total(doc, "aws", "sql_licence") == 4 * 10 * 22
        assert doc["providers"]["azure"]["licences"]["windows_server_sa_cores_used"] == 8
        undeclared = [w for w in doc["warnings"] if w["code"] == "entitlement-undeclared"]
        assert len(undeclared) == 1 and "8 Windows Server core" in undeclared[0]["message"]

    def test_hybrid_benefit_only_up_to_the_entitlement(self) -> None:
        """With 7 Windows cores owned, b (needs 8) is priced licence-included, warned."""
        catalog = _with_licences(small_catalog(), windows_software_assurance=True)
        owned = catalog.cost.model_copy(
            update={
                "entitlements": catalog.cost.entitlements.model_copy(
                    update={"windows_server_sa_cores": 7}
                )
            }
        )
        doc = report(catalog.model_copy(update={"cost": owned}))
        assert comp_total(doc, "azure", "os_licence") == 50 * 22
        codes = [w["message"] for w in doc["warnings"] if w["code"] == "entitlement-exceeded"]
        assert codes and "(1: b)" in codes[0]
        enough = catalog.cost.model_copy(
            update={
                "entitlements": catalog.cost.entitlements.model_copy(
                    update={"windows_server_sa_cores": 8}
                )
            }
        )
        doc = report(catalog.model_copy(update={"cost": enough}))
        assert comp_total(doc, "azure", "os_licence") == 0
        assert not [w for w in doc["warnings"] if w["code"].startswith("entitlement")]

    def test_sql_software_assurance_brings_the_sql_licences(self) -> None:
        """With licences.sql_software_assurance the city's SQL Server licences move (Azure
        Hybrid Benefit for SQL, AWS License Mobility): no SQL licence charge."""
        catalog = _with_licences(
            small_catalog(), windows_software_assurance=True, sql_software_assurance=True
        )
        doc = report(catalog)
        assert comp_total(doc, "azure", "sql_licence") == 0
        assert comp_total(doc, "aws", "sql_licence") == 0
        assert doc["providers"]["aws"]["licences"]["sql_server_sa_cores_used"] == 4

    def test_no_effort_for_an_already_migrated_server(self) -> None:
        """A server marked migrated has been moved: its run costs stay, its one-time effort
        is not charged again (only b, db: 24 h x 100 EUR = 2400)."""
        catalog = small_catalog()
        servers = tuple(
            s.model_copy(update={"migrated": True}) if s.id == "a" else s for s in catalog.servers
        )
        doc = report(catalog.model_copy(update={"servers": servers}))
        assert comp_total(doc, "azure", "migration_effort") == 24 * 100
        assert comp_total(doc, "aws", "migration_effort") == 24 * 100
        assert comp_total(doc, "azure", "compute") == 200 * 22  # a still runs in the cloud

    def test_aws_disks_gp3_and_backup_per_gb(self) -> None:
        """AWS: gp3 per GB, backup per protected GB."""
        doc = report()
        assert comp_total(doc, "aws", "disks") == round((100 + 100 + 400) * 0.1 * 22, 2)
        assert comp_total(doc, "aws", "backup") == round(600 * 0.1 * 22, 2)

    def test_vpn_while_retained_flow(self) -> None:
        """A retained hybrid flow keeps the VPN gateway for the whole horizon."""
        from migration.plan import HybridFlow

        flow = HybridFlow.model_validate(
            {
                "from": "a",
                "to": "c",
                "from_wave": 1,
                "to_wave": None,
                "days": None,
                "kind": "retained",
            }
        )
        doc = report(plan=small_plan(flows=(flow,)))
        assert comp_total(doc, "azure", "vpn") == (50 + 3) * 22

    def test_unknown_price_makes_the_total_a_lower_bound(self) -> None:
        """An unknown price is never a silent zero: complete is false, unpriced names it."""
        catalog = _with_licences(small_catalog(), sql="enterprise")
        doc = report(catalog)
        assert comp_total(doc, "azure", "sql_licence") == 0
        assert doc["providers"]["azure"]["complete"] is False
        assert doc["complete"] == {"azure": False, "aws": False}
        (item,) = doc["providers"]["azure"]["unpriced"]
        assert item["what"] == "SQL Server enterprise licence-included"
        assert item["subjects"] == ["b"] and item["why"]
        from migration.cost.outputs import render_text

        text = render_text(compare_costs(catalog, small_plan(), options(), books=BOOKS))
        assert "Azure (lower bound)" not in text  # the table marks values, not labels
        assert "≥" in text and "INCOMPLETE, totals are lower bounds" in text


def _with_licences(catalog: Catalog, **licences: Any) -> Catalog:
    servers = tuple(
        s.model_copy(update={"licences": s.licences.model_copy(update=licences)})
        if s.id == "b"
        else s
        for s in catalog.servers
    )
    return catalog.model_copy(update={"servers": servers})


class TestSummary:
    def test_break_even_and_npv(self) -> None:
        """Break-even in June 2027: by April the move costs 5247 more than staying (the
        effort, two months of both), May and June save 4403 each (6170 - 1767); NPV at 0%
        equals the total."""
        doc = report()
        assert doc["break_even"]["azure"] == "2027-06"
        assert doc["providers"]["azure"]["npv"] == doc["providers"]["azure"]["total"]
        assert doc["paths"]["azure"]["total"] == round(
            doc["providers"]["ada"]["total"] + doc["providers"]["azure"]["total"], 2
        )

    def test_npv_discounts(self) -> None:
        """A positive discount rate gives an NPV below the total."""
        doc = report(discount_rate=0.05)
        assert doc["providers"]["azure"]["npv"] < doc["providers"]["azure"]["total"]

    def test_sensitivity(self) -> None:
        """+-20% on price-book components only; effort, operations and SaaS unchanged."""
        doc = report()
        fixed = 2640 + 4000 + 440
        priced = 17253.0 - fixed
        assert doc["sensitivity"]["azure"]["low"] == round(priced * 0.8 + fixed, 2)
        assert doc["sensitivity"]["azure"]["high"] == round(priced * 1.2 + fixed, 2)

    def test_years_must_be_consecutive(self) -> None:
        """A gap in the budget years would put 2028's months under 2029: refused."""
        with pytest.raises(ValueError, match="consecutive"):
            options(years=(2027, 2029))
        assert options(years=(2028, 2027)).years == (2028, 2027)  # order does not matter

    def test_text_shows_the_configured_sensitivity(self) -> None:
        """The printed range names the share used, not a fixed 20%."""
        from migration.cost.outputs import render_text

        result = compare_costs(small_catalog(), small_plan(), options(sensitivity=0.1), books=BOOKS)
        text = render_text(result)
        assert "prices -10%:" in text and "+10%:" in text and "20%" not in text

    def test_break_even_function(self) -> None:
        """The first month from which the path stays at or below staying; None if never."""
        labels = ("m0", "m1", "m2", "m3")
        assert break_even([10, 30, 0, 0], [10, 10, 10, 10], labels, 1) == "m3"
        assert break_even([10, 20, 0, 10], [10, 10, 10, 10], labels, 1) == "m2"
        assert break_even([10, 90, 0, 0], [10, 10, 10, 10], labels, 1) is None
        assert break_even([5, 5, 5, 5], [10, 10, 10, 10], labels, 1) == "m1"

    def test_legal_flags(self) -> None:
        """Notice over 2 months and an exit fee on/after 2027-01-12 are flagged (the fee is
        due only on a full exit; the clause is flagged either way)."""
        partial = report()["legal_flags"]
        assert [f["code"] for f in partial] == ["notice-over-2-months", "exit-fee-data-act"]
        assert "would be due on a full exit" in partial[1]["message"]
        catalog = small_catalog()
        full = catalog.model_copy(
            update={"servers": tuple(s for s in catalog.servers if s.id != "c")}
        )
        doc = report(full)
        assert [f["code"] for f in doc["legal_flags"]] == [
            "notice-over-2-months",
            "exit-fee-data-act",
        ]
        assert all("2023/2854" in f["source"] for f in doc["legal_flags"])
        calm = report(small_catalog(notice_months=2, exit_fee=None))
        assert calm["legal_flags"] == []

    def test_contract_keys(self) -> None:
        """cost.json carries every key the exit plan relies on."""
        doc = report()
        assert doc["schema_version"] == 1 and doc["currency"] == "EUR"
        assert doc["years"] == [2027, 2028]
        for key in ("ada", "azure", "aws"):
            assert {
                "label",
                "yearly",
                "cumulative",
                "one_time",
                "npv",
                "total",
                "components",
            } <= set(doc["providers"][key])
        assert set(doc["break_even"]) == set(doc["sensitivity"]) == {"azure", "aws"}
        assert {"provider", "region", "source", "retrieved", "currency", "note"} <= set(
            doc["price_books"][0]
        )
        assert "method" in doc


def _parts_sum(block: dict[str, Any]) -> dict[str, float]:
    years = block["yearly"].keys()
    return {y: round(sum(c[y] for c in block["components"].values()), 2) for y in years}


@st.composite
def catalogs_and_plans(draw: st.DrawFn) -> tuple[Catalog, Plan]:
    count = draw(st.integers(min_value=1, max_value=6))
    servers, waves = [], {}
    for i in range(count):
        sid = f"s{i}"
        os_name = draw(
            st.sampled_from(
                ["ubuntu-22.04", "windows-server-2019", "windows-server-2012r2", "centos-7"]
            )
        )
        servers.append(
            _server(
                sid,
                "app",
                os=os_name,
                vcpu=draw(st.sampled_from([1, 2, 4])),
                memory_gb=draw(st.sampled_from([2, 8, 16])),
                disks_gb=draw(
                    st.lists(st.sampled_from([20, 100, 300, 500]), min_size=1, max_size=3)
                ),
                monthly_cost=draw(st.floats(min_value=0, max_value=5000, allow_nan=False)),
                licences={
                    "windows_software_assurance": draw(st.booleans()),
                    "sql": draw(st.sampled_from(["none", "standard"])),
                },
            )
        )
        waves[sid] = draw(st.integers(min_value=0, max_value=5))
    catalog = Catalog.model_validate(
        {
            "version": 1,
            "organisation": "P",
            "contract": {
                "provider": "ÅDA",
                "notice_months": 3,
                "ends": date(2027, 9, 30),
                "monthly_base_fee": 500.0,
                "exit_fee": 1000.0,
            },
            "systems": [_system("app", "rehost"), _system("kept", "retain")],
            "servers": [*servers, _server("k", "kept", monthly_cost=10.0)],
        }
    )
    plan = small_plan(waves)
    return catalog, plan


PROPS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WIDE = {"years": (2027, 2028, 2029)}


class TestProperties:
    @PROPS
    @given(catalogs_and_plans())
    def test_totals_are_sums_of_parts(self, case: tuple[Catalog, Plan]) -> None:
        """Every yearly total is the sum of its components; the total is the sum of years."""
        doc = report(case[0], case[1], **WIDE)
        for block in [doc["stay"], *doc["providers"].values()]:
            for year, value in _parts_sum(block).items():
                assert block["yearly"][year] == pytest.approx(value, abs=0.05)
            assert block["total"] == pytest.approx(sum(block["yearly"].values()), abs=0.05)

    @PROPS
    @given(catalogs_and_plans(), st.data())
    def test_later_wave_never_lowers_ada(
        self, case: tuple[Catalog, Plan], data: st.DataObject
    ) -> None:
        """Moving one server to a later wave never lowers ÅDA's cost."""
        catalog, plan = case
        waves = {s: p.wave for s, p in plan.servers.items() if p.wave is not None}
        victim = data.draw(st.sampled_from(sorted(waves)))
        later = dict(waves)
        later[victim] = waves[victim] + data.draw(st.integers(min_value=1, max_value=3))
        before = report(catalog, small_plan(waves), **WIDE)["providers"]["ada"]["total"]
        after = report(catalog, small_plan(later), **WIDE)["providers"]["ada"]["total"]
        assert after >= before - 0.01

    @PROPS
    @given(catalogs_and_plans(), st.data())
    def test_removing_a_server_never_raises_a_total(
        self, case: tuple[Catalog, Plan], data: st.DataObject
    ) -> None:
        """With the plan held fixed, removing a server never raises any total."""
        catalog, plan = case
        victim = data.draw(st.sampled_from([s.id for s in catalog.servers]))
        smaller = catalog.model_copy(
            update={"servers": tuple(s for s in catalog.servers if s.id != victim)}
        )
        before = report(catalog, plan, **WIDE)
        after = report(smaller, plan, **WIDE)
        for key in ("ada", "azure", "aws"):
            assert after["providers"][key]["total"] <= before["providers"][key]["total"] + 0.01
        assert after["stay"]["total"] <= before["stay"]["total"] + 0.01
        for key in ("azure", "aws"):
            assert after["paths"][key]["total"] <= before["paths"][key]["total"] + 0.01


class TestOutputs:
    def test_safe_cell(self) -> None:
        """Text starting with a formula character is defused; numbers pass."""
        assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
        assert safe_cell("@SUM") == "'@SUM" and safe_cell("-1+1") == "'-1+1"
        assert safe_cell("ok") == "ok" and safe_cell(-3.5) == -3.5

    def test_write_cost_outputs(self, tmp_path: Path) -> None:
        """cost.json, cost.csv and cost.xlsx are written, deterministic; the only formulas
        are the totals utflytt writes; € formats and frozen headers."""
        catalog, plan = small_catalog(), small_plan()
        first = write_cost_outputs(catalog, plan, tmp_path / "one", options())
        second = write_cost_outputs(catalog, plan, tmp_path / "two", options())
        assert [p.name for p in first] == ["cost.json", "cost.csv", "cost.xlsx"]
        for a, b in zip(first[:2], second[:2], strict=True):
            assert a.read_bytes() == b.read_bytes()
        doc = json.loads(first[0].read_text(encoding="utf-8"))
        assert doc["schema_version"] == 1
        assert (
            first[1].read_text().startswith("series,label,component,year,amount_eur,lower_bound\n")
        )
        assert first[2].read_bytes() == second[2].read_bytes()
        book = load_workbook(first[2])
        assert book.sheetnames == [
            "Summary",
            "Components",
            "Monthly",
            "Servers",
            "Assumptions",
            "Prices",
            "Price books",
            "Unpriced",
            "Optimisations",
            "Warnings",
            "Legal",
        ]
        for ws in book.worksheets:
            assert ws.freeze_panes == "B2"
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str) and value.startswith("="):
                        assert value.startswith("=SUM(")
                    assert not (isinstance(value, str) and value.startswith(("+", "@")))
        summary = book["Summary"]
        assert summary["B2"].number_format.endswith('"€"')
        assert summary["D2"].value == "=SUM(B2:C2)"  # two budget years
        servers = book["Servers"]
        last = servers.max_row
        assert servers.cell(last, 6).value == f"=SUM(F2:F{last - 1})"
        keys = {row[0] for row in book["Assumptions"].iter_rows(min_row=2, values_only=True)}
        assert {"discount_rate", "ada_fee_until", "eur_per_usd", "fx azure"} <= keys
        sources = [r[13] for r in book["Prices"].iter_rows(min_row=2, values_only=True)]
        assert sources and all(sources)


class TestCli:
    def test_cost_with_plan(self, tmp_path: Path) -> None:
        """`utflytt cost --plan` prints the table and writes the three files."""
        plan_path = tmp_path / "plan.json"
        from app.pipeline import plan_catalog
        from waves import PlanOptions

        catalog, digest = load_catalog_with_digest("tests/data/small.yaml")  # cost checks it
        plan = plan_catalog(catalog, digest, PlanOptions())  # read_plan checks it as a whole
        write_json(plan_path, plan.to_json_dict())
        result = CliRunner().invoke(
            cli,
            [
                "cost",
                "tests/data/small.yaml",
                "--plan",
                str(plan_path),
                "-o",
                str(tmp_path / "out"),
            ],
        )
        assert result.exit_code == 0, result.output
        assert "Move to Azure (ÅDA + Azure)" in result.output
        assert "EUR/USD 0.880669 of 2026-09-30" in result.output
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
            "cost.csv",
            "cost.json",
            "cost.xlsx",
        ]

    def test_bad_plan_writes_nothing(self, tmp_path: Path) -> None:
        """An invalid plan is an error naming the file; nothing is written."""
        bad = tmp_path / "plan.json"
        bad.write_text("{}", encoding="utf-8")
        result = CliRunner().invoke(
            cli, ["cost", "tests/data/small.yaml", "--plan", str(bad), "-o", str(tmp_path / "out")]
        )
        assert result.exit_code == 1
        assert result.output.startswith(f"Error: {bad}: not a utflytt plan.json")
        assert not (tmp_path / "out").exists()
