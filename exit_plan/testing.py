"""A small, fixed catalog, plan and cost document for tests, goldens and screenshots.

Built in code (not by the planner or the cost model) so that the exit plan's tests do not
move when those change. Shipped with the package, like ``structlog.testing``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from migration.catalog import Catalog
from migration.plan import HybridFlow, NotMigrated, Plan, PlannedServer, Target, Warning_, Wave


def sample_catalog(system_name_override: dict[str, str] | None = None) -> Catalog:
    """Six systems, eight servers: every disposition, a citizen service, personal data."""
    names = {
        "ad": "Active Directory",
        "economy": "Ekonomisystem",
        "portal": "Invånarportal",
        "payroll": "Lönesystem",
        "old-archive": "Gammalt ärendearkiv",
        "gis": "Kartsystem",
    }
    names.update(system_name_override or {})

    def system(sid: str, **kw: Any) -> dict[str, Any]:
        base = {
            "id": sid,
            "name": names[sid],
            "level": "shared",
            "sector": "central-administration",
            "owner": "IT-enheten",
            "disposition": "rehost",
            "criticality": "medium",
            "data_classification": "internal",
            "personal_data": False,
        }
        return {**base, **kw}

    def server(sid: str, system_id: str, os: str, **kw: Any) -> dict[str, Any]:
        base = {
            "id": sid,
            "system": system_id,
            "role": "app",
            "os": os,
            "vcpu": 2,
            "memory_gb": 8,
            "disks_gb": [128],
            "monthly_cost": 100.0,
        }
        return {**base, **kw}

    document = {
        "version": 1,
        "organisation": "Testby stad",
        "currency": "EUR",
        "contract": {
            "provider": "ÅDA",
            "notice_months": 6,
            "ends": "2027-12-31",
            "monthly_base_fee": 1000.0,
            "exit_fee": 15000.0,
        },
        "source_networks": ["10.10.0.0/16"],
        "systems": [
            system("ad", foundation=True, criticality="critical", personal_data=True, rto_hours=4),
            system(
                "economy",
                owner="Ekonomiavdelningen",
                sector="finance",
                criticality="high",
                data_classification="confidential",
                personal_data=True,
                rto_hours=24,
                depends_on=[{"to": "ad", "ports": ["tcp/389"]}],
            ),
            system(
                "portal",
                level="citizen",
                owner="Kommunikationsenheten",
                criticality="high",
                personal_data=True,
                rto_hours=8,
                depends_on=[
                    {"to": "ad", "ports": ["tcp/636"]},
                    {"to": "gis", "ports": ["tcp/443"]},
                    {"to": "payroll", "ports": ["tcp/443"]},
                ],
            ),
            system(
                "payroll",
                disposition="repurchase",
                owner="Personalavdelningen",
                data_classification="confidential",
                personal_data=True,
            ),
            system("old-archive", disposition="retire", owner="Kansliet"),
            system(
                "gis",
                level="sector",
                disposition="retain",
                sector="planning",
                owner="Planeringsavdelningen",
            ),
        ],
        "servers": [
            server(
                "dc01",
                "ad",
                "windows-server-2019",
                role="infra",
                licences={"windows_software_assurance": True},
            ),
            server(
                "eko-app01",
                "economy",
                "windows-server-2019",
                licences={"windows_software_assurance": True},
            ),
            server(
                "eko-db01",
                "economy",
                "windows-server-2016",
                role="db",
                licences={"windows_software_assurance": True, "sql": "standard"},
            ),
            server("web01", "portal", "ubuntu-22.04", role="web"),
            server("pay01", "payroll", "windows-server-2012r2"),
            server("arch01", "old-archive", "windows-server-2012r2", role="file"),
            server("gis01", "gis", "windows-server-2012r2"),
            server("gis-db01", "gis", "rhel-8", role="db"),
        ],
    }
    return Catalog.model_validate(document)


def sample_plan() -> Plan:
    """Three waves on Azure, notice 2027-06-30, deadline 2027-12-31, four hybrid flows."""
    waves = (
        Wave(
            number=0,
            name="wave-00",
            start=date(2027, 2, 1),
            end=date(2027, 2, 14),
            systems=("ad",),
            servers=("dc01",),
            vcpu=2,
            reasons={"ad": "foundation system"},
        ),
        Wave(
            number=1,
            name="wave-01",
            start=date(2027, 3, 1),
            end=date(2027, 3, 14),
            systems=("portal",),
            servers=("web01",),
            vcpu=2,
            reasons={"portal": "pilot"},
        ),
        Wave(
            number=2,
            name="wave-02",
            start=date(2027, 9, 1),
            end=date(2027, 9, 14),
            systems=("economy",),
            servers=("eko-app01", "eko-db01"),
            vcpu=4,
            reasons={"economy": "after summer blackout"},
        ),
    )
    moved = {"dc01": 0, "web01": 1, "eko-app01": 2, "eko-db01": 2}
    catalog = sample_catalog()
    servers = {
        s.id: PlannedServer(
            wave=moved.get(s.id),
            sku="Standard_D2s_v5" if s.id in moved else None,
            readiness="ready" if s.id in moved else "unknown",
            system=s.system,
            os=s.os,
            disposition=catalog.system(s.system).disposition,
        )
        for s in catalog.servers
    }
    flows = (
        HybridFlow.model_validate(
            {
                "from": "eko-app01",
                "to": "dc01",
                "ports": ["tcp/389"],
                "from_wave": 2,
                "to_wave": 0,
                "days": 212,
            }
        ),
        HybridFlow.model_validate(
            {
                "from": "web01",
                "to": "dc01",
                "ports": ["tcp/636"],
                "from_wave": 1,
                "to_wave": 0,
                "days": 28,
            }
        ),
        HybridFlow.model_validate(
            {
                "from": "web01",
                "to": "gis01",
                "ports": ["tcp/443"],
                "from_wave": 1,
                "to_wave": None,
                "days": None,
                "kind": "retained",
            }
        ),
        HybridFlow.model_validate(
            {
                "from": "web01",
                "to": "pay01",
                "ports": ["tcp/443"],
                "from_wave": 1,
                "to_wave": None,
                "days": None,
                "kind": "repoint",
            }
        ),
    )
    return Plan(
        catalog_sha256="0" * 64,
        target=Target(provider="azure", region="swedencentral"),
        notice_date=date(2027, 6, 30),
        deadline=date(2027, 12, 31),
        waves=waves,
        not_migrated=NotMigrated(
            retain=("gis-db01", "gis01"), retire=("arch01",), repurchase=("pay01",)
        ),
        servers=servers,
        hybrid_flows=flows,
        warnings=(
            Warning_(
                code="repoint",
                message="web01 -> pay01 must be re-pointed",
                subjects=("web01", "pay01"),
            ),
        ),
        organisation="Testby stad",
        provider_name="ÅDA",
    )


def sample_cost() -> dict[str, Any]:
    """A cost document in the cost.json contract, with both legal flags.

    Shaped like ``migration.cost``'s output: ``providers`` are the parts of a move (ÅDA during
    the move, each cloud's own costs, one-time costs inside the yearly sums), ``stay`` the
    cost of staying, ``paths`` ÅDA + each cloud, and break-even compares a path with staying.
    """
    years = ["2027", "2028", "2029", "2030"]

    def series(label: str, yearly: list[float], one_time: float, **extra: Any) -> dict[str, Any]:
        cumulative, running = {}, 0.0
        for year, value in zip(years, yearly, strict=True):
            running += value
            cumulative[year] = running
        return {
            "label": label,
            "yearly": dict(zip(years, yearly, strict=True)),
            "cumulative": cumulative,
            "one_time": one_time,
            "npv": round(running * 0.9, 2),
            "total": running,
            "components": {},
            **extra,
        }

    ada = [30000.0, 8000.0, 8000.0, 8000.0]  # the 15000 exit fee is in 2027
    azure = [40000.0, 30000.0, 30000.0, 30000.0]  # 12000 migration effort in 2027
    aws = [45000.0, 52000.0, 52000.0, 52000.0]
    # cumulative: stay 60k 120k 180k 240k; ÅDA + Azure 70k 108k 146k 184k (below from
    # June 2028); ÅDA + AWS 75k 135k 195k 255k (never below)

    def path(label: str, cloud: list[float]) -> dict[str, Any]:
        doc = series(label, [a + c for a, c in zip(ada, cloud, strict=True)], 0.0)
        del doc["one_time"], doc["components"]
        return doc

    return {
        "schema_version": 1,
        "currency": "EUR",
        "years": [int(y) for y in years],
        "providers": {
            "ada": series("ÅDA", ada, 15000.0),
            "azure": series("Azure", azure, 12000.0, pricing_option="payg"),
            "aws": series("AWS", aws, 14000.0, pricing_option="payg"),
        },
        "stay": series("ÅDA (stay)", [60000.0] * 4, 0.0),
        "paths": {"azure": path("ÅDA + Azure", azure), "aws": path("ÅDA + AWS", aws)},
        "break_even": {"azure": "2028-06", "aws": None},
        "sensitivity": {
            "azure": {"low": 104000.0, "high": 156000.0},
            "aws": {"low": 160800.0, "high": 241200.0},
        },
        "assumptions": {"sensitivity": 0.2},
        "facts": {"exit_date": "2027-10-14"},
        "price_books": [
            {
                "provider": "azure",
                "region": "swedencentral",
                "source": "Azure Retail Prices API",
                "retrieved": "2026-11-20",
                "currency": "EUR",
                "note": None,
            },
            {
                "provider": "aws",
                "region": "eu-north-1",
                "source": "AWS Price List API",
                "retrieved": "2026-11-20",
                "currency": "EUR",
                "note": None,
            },
        ],
        "warnings": [{"code": "price-missing", "message": "No price for rhel-8 in eu-north-1"}],
        "legal_flags": [
            {
                "code": "notice-over-2-months",
                "message": "Notice period 6 months exceeds the Data Act's 2-month maximum",
                "source": "Data Act Art. 25(2)(d)",
            },
            {
                "code": "exit-fee-data-act",
                "message": "Exit fee 15000 EUR with the exit on or after 2027-01-12",
                "source": "Data Act Art. 29",
            },
        ],
    }
