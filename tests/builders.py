"""Catalog and plan builders shared by the tests: one place, so a new required field or a
changed default is one edit.

Catalog side: :func:`system`, :func:`server`, :func:`dep` and :func:`ls` give catalog v1
records (dicts, so tests can add or break any field); :func:`document` and :func:`catalog`
put them together (no pilot unless asked, a contract ending 2027-12-31 unless told). Plan
side: :func:`plan` plans a catalog with small solver limits; :func:`hand_plan`,
:func:`wave` and :func:`planned_system` build a plan.json model by hand, for tests of what
reads plans (rendering, diffs, the quality panel).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from migration.catalog import Catalog
from migration.plan import Flow, NotMigrated, Plan, PlannedServer, PlannedSystem, Target, Wave
from waves import PlanOptions, plan_waves

START = date(2027, 2, 1)  # planning.start of every catalog built here (the model's default)


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


def ls(to: str, **extra: Any) -> dict[str, Any]:
    """A latency-sensitive dependency record."""
    return dep(to, latency_sensitive=True, **extra)


def document(
    systems: list[dict[str, Any]],
    servers: list[dict[str, Any]],
    ends: str | None = "2027-12-31",
    **planning: Any,
) -> dict[str, Any]:
    """A catalog v1 document (no pilot unless asked); ``ends=None``: no contract end."""
    settings: dict[str, Any] = {"start": START.isoformat(), "wave_days": 14, "pilot": False}
    settings.update(planning)
    contract: dict[str, Any] = {"provider": "ÅDA", "notice_months": 6}
    if ends is not None:
        contract["ends"] = ends
    return {
        "version": 1,
        "organisation": "Testby",
        "contract": contract,
        "planning": settings,
        "systems": systems,
        "servers": servers,
    }


def catalog(
    systems: list[dict[str, Any]],
    servers: list[dict[str, Any]],
    ends: str | None = "2027-12-31",
    **planning: Any,
) -> Catalog:
    """A valid catalog from system and server records (see :func:`document`)."""
    return Catalog.model_validate(document(systems, servers, ends, **planning))


def plan(cat: Catalog, **options: Any) -> Plan:
    """Plan with small solver limits."""
    return plan_waves(cat, "0" * 64, PlanOptions(deterministic_time=0.5, **options))


def waves_of(result: Plan) -> dict[str, int | None]:
    """Server id -> wave."""
    return {s: p.wave for s, p in result.servers.items()}


def planned_system(name: str, **extra: Any) -> PlannedSystem:
    """A plan's record of a low-criticality shared system."""
    fields: dict[str, Any] = {
        "name": name,
        "level": "shared",
        "sector": "it",
        "owner": "IT",
        "disposition": "rehost",
        "criticality": "low",
        "data_classification": "internal",
        "personal_data": False,
        **extra,
    }
    return PlannedSystem(**fields)


def wave(number: int, frozen: bool = False, start: date = START, days: int = 14) -> Wave:
    """Wave ``number`` on the slot grid from ``start``."""
    first = start + timedelta(days=days * number)
    return Wave(
        number=number,
        name=f"wave-{number:02d}",
        start=first,
        end=first + timedelta(days=days - 1),
        frozen=frozen,
    )


def flow(source: str, target: str, **extra: Any) -> Flow:
    """A plan flow from ``source`` (consumer) to ``target`` (provider)."""
    return Flow.model_validate({"from": source, "to": target, **extra})


def hand_plan(
    servers: Mapping[str, PlannedServer],
    waves: Iterable[int] = (0,),
    flows: Iterable[Flow] = (),
    retain: tuple[str, ...] = (),
    systems: Mapping[str, PlannedSystem] | None = None,
    catalog_sha256: str = "0" * 64,
) -> Plan:
    """A plan.json model built by hand: Azure, Sweden Central, no dates for notice/deadline."""
    return Plan(
        catalog_sha256=catalog_sha256,
        target=Target(provider="azure", region="swedencentral"),
        notice_date=None,
        deadline=None,
        waves=tuple(wave(k) for k in waves),
        not_migrated=NotMigrated(retain=retain),
        servers=dict(servers),
        systems=dict(systems or {}),
        flows=tuple(flows),
    )


def plan_cli(cat: Catalog, folder: Path) -> Result:
    """``utflytt plan <catalog.yaml> -o <folder>/out`` on ``cat`` written as YAML."""
    from app.cli import cli

    path = folder / "catalog.yaml"
    path.write_text(yaml.safe_dump(cat.model_dump(mode="json", by_alias=True)), "utf-8")
    return CliRunner().invoke(cli, ["plan", str(path), "-o", str(folder / "out")])
