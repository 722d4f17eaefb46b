"""Golden files of overlap.<lang>.md, and the one command to refresh them.

    .venv/bin/python -m tests.golden_overlap --regenerate

The input is the small planted catalog of :func:`planted` (two overlap groups, a partial
overlap, a retained and a repurchased system), analysed and re-planned with every
recommendation exactly as ``utflytt overlap`` does.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

from app.overlap import plan_what_if
from app.pipeline import plan_catalog
from migration.catalog import Catalog
from migration.cost import CostOptions, compare_costs
from migration.overlap import OverlapReport, WhatIf, analyse_overlap, render_overlap_markdown
from tests.builders import server, system
from waves import PlanOptions

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests" / "golden" / "overlap"
LANGS = ("sv", "en")
REGENERATE = ".venv/bin/python -m tests.golden_overlap --regenerate"
OPTIONS = PlanOptions(deterministic_time=0.5)


def _server(server_id: str, system_id: str, cost: float, role: str = "app") -> dict[str, Any]:
    return server(server_id, system_id, role=role, monthly_cost=cost)


def planted() -> Catalog:
    """Two planted groups (room-booking, citizen-messaging) and systems that share nothing."""
    systems = [
        system("ad", foundation=True, capabilities=["custom-directory"]),
        system(
            "booking-a",
            name="Bokning av lokaler | idrott",
            sector="leisure",
            criticality="high",
            vendor="Havsörn Ab",
            users=2400,
            capabilities=["room-booking", "payments"],
            monthly_licence_cost=300,
        ),
        system(
            "booking-b",
            name="Gästhamnsbokning",
            sector="harbour",
            capabilities=["room-booking"],
            monthly_licence_cost=100,
        ),
        system(
            "old-booking",
            name="Gamla lokalbokningen",
            sector="leisure",
            disposition="retire",
            capabilities=["room-booking"],
        ),
        system(
            "sms-a",
            disposition="repurchase",
            capabilities=["citizen-messaging"],
            monthly_licence_cost=30,
            saas_monthly_cost=50,
        ),
        system(
            "sms-b",
            disposition="retain",
            vendor="Havsörn Ab",
            capabilities=["citizen-messaging"],
            monthly_licence_cost=20,
        ),
        system("gis", sector="technical", capabilities=["gis"]),
        system("portal", capabilities=["e-services"], depends_on=[{"to": "booking-b"}]),
    ]
    servers = [
        _server("dc01", "ad", 60),
        _server("bka01", "booking-a", 100),
        _server("bka02", "booking-a", 120, role="db"),
        _server("bkb01", "booking-b", 90),
        _server("old01", "old-booking", 40),
        _server("smsa01", "sms-a", 40),
        _server("smsb01", "sms-b", 80),
        _server("gis01", "gis", 70),
        _server("portal01", "portal", 50),
    ]
    return Catalog.model_validate(
        {
            "version": 1,
            "organisation": "Testby",
            "contract": {"provider": "ÅDA", "notice_months": 6, "ends": "2027-12-31"},
            "planning": {"start": "2027-02-01", "wave_days": 14, "pilot": False},
            "systems": systems,
            "servers": servers,
        }
    )


@cache
def inputs() -> tuple[OverlapReport, WhatIf | None]:
    """The planted catalog analysed, and the what-if of following every recommendation."""
    catalog = planted()
    plan = plan_catalog(catalog, "0" * 64, OPTIONS)
    report = compare_costs(catalog, plan)
    overlap = analyse_overlap(catalog, plan, report)
    run = plan_what_if(catalog, "0" * 64, (plan, report), overlap.retire, OPTIONS, CostOptions())
    return overlap, run.what_if


def golden_path(lang: str) -> Path:
    """Where the golden Markdown in ``lang`` lives."""
    return GOLDEN_DIR / f"planted.{lang}.md"


def render(lang: str) -> str:
    """overlap.<lang>.md of the planted catalog."""
    overlap, what_if = inputs()
    return render_overlap_markdown(overlap, lang, what_if)


def regenerate() -> list[Path]:
    """Rewrite every golden file."""
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in LANGS:
        path = golden_path(lang)
        path.write_bytes(render(lang).encode("utf-8"))
        written.append(path)
    return written


if __name__ == "__main__":
    if sys.argv[1:] != ["--regenerate"]:
        sys.exit(f"usage: {REGENERATE}")
    for path in regenerate():
        print(f"wrote {path}")
