"""``write_plan``: catalog file in, plan.json and plan.md out (what ``utflytt plan`` runs).

Nothing is written unless the catalog is valid and the plan can be made; each file is
written atomically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migration.catalog import load_catalog_with_digest
from migration.fileio import dumps_json, write_atomic
from migration.plan import Plan
from waves.markdown import render_plan_markdown
from waves.planner import PlanOptions, plan_waves

__all__ = ["PlanOutputs", "write_plan"]


@dataclass(frozen=True)
class PlanOutputs:
    """The plan and the files written for it."""

    plan: Plan
    plan_json: Path
    plan_md: Path


def write_plan(
    catalog_path: str | Path,
    out_dir: str | Path,
    options: PlanOptions = PlanOptions(),  # noqa: B008 - frozen, safe as a default
    sizing: Mapping[str, Any] | None = None,
) -> PlanOutputs:
    """Plan the catalog at ``catalog_path`` and write ``plan.json`` and ``plan.md``."""
    catalog, digest = load_catalog_with_digest(catalog_path)
    plan = plan_waves(catalog, digest, options=options, sizing=sizing)
    out = Path(out_dir)
    json_text = dumps_json(plan.to_json_dict())
    md_text = render_plan_markdown(plan)
    plan_json = write_atomic(out / "plan.json", json_text)
    plan_md = write_atomic(out / "plan.md", md_text)
    return PlanOutputs(plan=plan, plan_json=plan_json, plan_md=plan_md)
