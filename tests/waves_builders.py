"""Small catalog and plan builders shared by the planner's rule, pin and contract tests."""

from __future__ import annotations

from typing import Any

from migration.catalog import Catalog
from migration.plan import Plan
from waves import PlanOptions, plan_waves


def system(system_id: str, **extra: Any) -> dict[str, Any]:
    """A migrating, medium-criticality system record."""
    return {
        "id": system_id,
        "name": system_id.title(),
        "level": "sector",
        "sector": "it",
        "owner": "IT",
        "disposition": "rehost",
        "criticality": "medium",
        "data_classification": "internal",
        "personal_data": False,
        **extra,
    }


def server(server_id: str, system_id: str, **extra: Any) -> dict[str, Any]:
    """A 2-vCPU prod server record."""
    return {
        "id": server_id,
        "system": system_id,
        "role": "app",
        "os": "ubuntu-22.04",
        "vcpu": 2,
        "memory_gb": 4,
        "disks_gb": [64],
        **extra,
    }


def dep(to: str, **extra: Any) -> dict[str, Any]:
    """A dependency record."""
    return {"to": to, **extra}


def catalog(
    systems: list[dict[str, Any]],
    servers: list[dict[str, Any]],
    ends: str = "2027-12-31",
    **planning: Any,
) -> Catalog:
    """A valid catalog (no pilot unless asked) from system and server records."""
    settings: dict[str, Any] = {"start": "2027-02-01", "wave_days": 14, "pilot": False}
    settings.update(planning)
    return Catalog.model_validate(
        {
            "version": 1,
            "organisation": "Testby",
            "contract": {"provider": "ÅDA", "notice_months": 6, "ends": ends},
            "planning": settings,
            "systems": systems,
            "servers": servers,
        }
    )


def plan(cat: Catalog, **options: Any) -> Plan:
    """Plan with small solver limits."""
    return plan_waves(cat, "0" * 64, PlanOptions(deterministic_time=0.5, **options))


def waves_of(result: Plan) -> dict[str, int | None]:
    """Server id -> wave."""
    return {s: p.wave for s, p in result.servers.items()}
