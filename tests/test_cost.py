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
        _e("egress:free-gb", "", 100.0, "gb"),
        _e("vpn:gateway", "", 50.0, "month"),
        _e("logging:workspace", "", 20.0, "month"),
        _e("keyvault:vault", "", 5.0, "month"),
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
        """Servers until cutover + 30-day lag (April), retained ones for good, exit fee once."""
        doc = report()
        # a, b: Jan-Apr 2027; c retained 24 months; d repurchased until the exit (April)
        assert comp_total(doc, "ada", "servers") == 4 * 2000 + 4 * 3000 + 24 * 50 + 4 * 80
        assert comp_total(doc, "ada", "base_fee") == 24 * 1000  # retained servers keep it
        assert comp_total(doc, "ada", "licences") == 4 * 40
        assert doc["providers"]["ada"]["components"]["exit_fee"] == {"2027": 5000.0, "2028": 0.0}
        assert doc["providers"]["ada"]["one_time"] == 5000.0
        # 2027: a 4x2000 + b 4x3000 + c 12x50 + d 4x80, base 12x1000, licence, exit fee
        assert doc["providers"]["ada"]["yearly"] == {
            "2027": 8000 + 12000 + 600 + 320 + 12000 + 160 + 5000,
            "2028": 600.0 + 12000,
        }

    def test_base_fee_until_contract_end_without_retained(self) -> None:
        """Without retained servers the base fee runs to max(contract end, exit)."""
        catalog = small_catalog()
        catalog = catalog.model_copy(
            update={"servers": tuple(s for s in catalog.servers if s.id != "c")}
        )
        doc = report(catalog)
        assert comp_total(doc, "ada", "base_fee") == 6 * 1000  # contract ends June 2027

    def test_stay(self) -> None:
        """Staying: every server, base fee and changing licences for all 24 months."""
        doc = report()
        assert doc["stay"]["total"] == 24 * (2000 + 3000 + 50 + 80) + 24 * 1000 + 24 * 40


class TestCloud:
    def test_payg_components(self) -> None:
        """Every cloud component from March 2027 (22 months), hand-computed."""
        doc = report()
        months = 22
        assert comp_total(doc, "azure", "compute") == 200 * months
        assert comp_total(doc, "azure", "windows_licence") == 50 * months  # no SA: included
        assert comp_total(doc, "azure", "sql_licence") == 4 * 10 * months  # min 4 cores
        assert comp_total(doc, "azure", "disks") == (10 + 10 + 30) * months
        # a: 100 GB -> band <=500: 10 + 0.1*100; b: 500 GB -> 10 + 0.1*500
        assert comp_total(doc, "azure", "backup") == (20 + 60) * months
        assert comp_total(doc, "azure", "egress") == round((160 - 100) * 0.1 * months, 2)
        # VPN only in the migration month (no hybrid flows); logging + key vault for good
        assert comp_total(doc, "azure", "landing_zone") == 50 + 25 * months
        assert comp_total(doc, "azure", "saas") == 120 * months
        assert comp_total(doc, "azure", "migration_effort") == 16 * 100 + 24 * 100
        assert doc["providers"]["azure"]["total"] == 16612.0
        assert doc["providers"]["azure"]["one_time"] == 4000.0

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
        assert comp_total(doc, "azure", "windows_licence") == 50 * 22
        assert (
            doc["providers"]["azure"]["pricing_option"]
            == option.replace("savings-plan", "savings-plan-1y")
            if option == "savings-plan"
            else option
        )

    def test_hybrid_benefit_and_licence_mobility(self) -> None:
        """With Windows Server Software Assurance: no Windows licence on Azure (Hybrid
        Benefit), still included on AWS (no License Mobility for Windows Server). SQL Server
        stays licence-included on both: Windows Server SA does not cover SQL Server, and the
        catalog holds no SQL Server SA fact (b: SQL Standard on an S2, min 4 cores x 10 EUR
        a month x 22 months = 880 on each provider), with a warning naming the server."""
        catalog = small_catalog()
        servers = tuple(
            s.model_copy(
                update={
                    "licences": s.licences.model_copy(update={"windows_software_assurance": True})
                }
            )
            if s.id == "b"
            else s
            for s in catalog.servers
        )
        doc = report(catalog.model_copy(update={"servers": servers}))
        assert comp_total(doc, "azure", "windows_licence") == 0
        assert comp_total(doc, "aws", "windows_licence") == 50 * 22
        assert comp_total(doc, "azure", "sql_licence") == 4 * 10 * 22
        assert comp_total(doc, "aws", "sql_licence") == 4 * 10 * 22
        notes = [w["message"] for w in doc["warnings"] if w["code"] == "sql-licence-included"]
        assert len(notes) == 2 and all("(1: b)" in m for m in notes)

    def test_sql_software_assurance_brings_the_sql_licences(self) -> None:
        """With licences.sql_software_assurance the city's SQL Server licences move (Azure
        Hybrid Benefit for SQL, AWS License Mobility): no SQL licence charge, no warning."""
        catalog = small_catalog()
        servers = tuple(
            s.model_copy(
                update={
                    "licences": s.licences.model_copy(
                        update={"windows_software_assurance": True, "sql_software_assurance": True}
                    )
                }
            )
            if s.id == "b"
            else s
            for s in catalog.servers
        )
        doc = report(catalog.model_copy(update={"servers": servers}))
        assert comp_total(doc, "azure", "sql_licence") == 0
        assert comp_total(doc, "aws", "sql_licence") == 0
        assert not [w for w in doc["warnings"] if w["code"] == "sql-licence-included"]

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
        assert comp_total(doc, "azure", "landing_zone") == 75 * 22

    def test_unknown_price_is_a_warning(self) -> None:
        """An unknown price is left out with a warning naming the servers, never silently."""
        catalog = small_catalog()
        servers = tuple(
            s.model_copy(update={"licences": s.licences.model_copy(update={"sql": "enterprise"})})
            if s.id == "b"
            else s
            for s in catalog.servers
        )
        doc = report(catalog.model_copy(update={"servers": servers}))
        assert comp_total(doc, "azure", "sql_licence") == 0
        codes = [(w["code"], w["message"]) for w in doc["warnings"]]
        assert any(
            c == "price-unknown" and "SQL Server enterprise" in m and "b" in m for c, m in codes
        )


class TestSummary:
    def test_break_even_and_npv(self) -> None:
        """Break-even in July 2027 (hand-computed); NPV at 0% equals the total."""
        doc = report()
        assert doc["break_even"]["azure"] == "2027-07"
        assert doc["providers"]["azure"]["npv"] == doc["providers"]["azure"]["total"]
        assert doc["paths"]["azure"]["total"] == round(
            doc["providers"]["ada"]["total"] + doc["providers"]["azure"]["total"], 2
        )

    def test_npv_discounts(self) -> None:
        """A positive discount rate gives an NPV below the total."""
        doc = report(discount_rate=0.05)
        assert doc["providers"]["azure"]["npv"] < doc["providers"]["azure"]["total"]

    def test_sensitivity(self) -> None:
        """+-20% on price-book components only; effort and SaaS unchanged."""
        doc = report()
        priced = 16612.0 - 2640 - 4000
        assert doc["sensitivity"]["azure"]["low"] == round(priced * 0.8 + 6640, 2)
        assert doc["sensitivity"]["azure"]["high"] == round(priced * 1.2 + 6640, 2)

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
        """Notice over 2 months and an exit fee on/after 2027-01-12 are flagged."""
        doc = report()
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
        """cost.json, cost.csv and cost.xlsx are written, deterministic, formula-free."""
        catalog, plan = small_catalog(), small_plan()
        first = write_cost_outputs(catalog, plan, tmp_path / "one", options())
        second = write_cost_outputs(catalog, plan, tmp_path / "two", options())
        assert [p.name for p in first] == ["cost.json", "cost.csv", "cost.xlsx"]
        for a, b in zip(first[:2], second[:2], strict=True):
            assert a.read_bytes() == b.read_bytes()
        doc = json.loads(first[0].read_text(encoding="utf-8"))
        assert doc["schema_version"] == 1
        assert first[1].read_text().startswith("series,label,component,year,amount_eur\n")
        book = load_workbook(first[2])
        assert book.sheetnames == [
            "Summary",
            "Components",
            "Monthly",
            "Servers",
            "Price books",
            "Warnings",
            "Legal",
        ]
        for ws in book.worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    assert not (isinstance(value, str) and value.startswith(("=", "+", "@")))


class TestCli:
    def test_cost_with_plan(self, tmp_path: Path) -> None:
        """`utflytt cost --plan` prints the table and writes the three files."""
        plan_path = tmp_path / "plan.json"
        plan = small_plan({"dc01": 0, "eko-app01": 1, "eko-db01": 1})
        digest = load_catalog_with_digest("tests/data/small.yaml")[1]  # cost checks it
        plan = plan.model_copy(
            update={
                "servers": {k: v for k, v in plan.servers.items() if k not in ("c", "d")},
                "catalog_sha256": digest,
            }
        )
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
        assert "priced as westeurope" in result.output
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
