"""The whole job of ``utflytt plan``: one catalog in; plan, costs, stack configs, exit plan out.

Data flows one way (DESIGN.md): catalog -> sizing -> waves -> cost -> stack configs and exit
plan. Everything is computed in memory first; only when every step has succeeded are the
files written, each atomically, so invalid input or a failed step writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from migration.catalog import Catalog, load_catalog_with_digest
from migration.cost import CostOptions, compare_costs
from migration.cost.model import CostReport
from migration.cost.outputs import to_csv, to_xlsx
from migration.fileio import dumps_json, write_atomic
from migration.plan import Plan
from migration.sizing import size_catalog
from stacks.baseline import with_baseline_warnings
from waves import PlanOptions, plan_waves
from waves.assemble import DEFAULT_REGIONS
from waves.markdown import render_plan_markdown

if TYPE_CHECKING:
    from exit_plan.data import Lang

__all__ = ["PipelineOptions", "PipelineResult", "plan_catalog", "run_plan"]


@dataclass(frozen=True)
class PipelineOptions:
    """What to plan for and what to write."""

    plan: PlanOptions = field(default_factory=PlanOptions)
    cost: CostOptions = field(default_factory=CostOptions)
    langs: tuple[str, ...] = ("sv",)  # exit-plan languages; Swedish by default
    formats: tuple[str, ...] = ("md", "html", "xlsx")  # exit-plan formats
    stack_config_dir: Path | None = None  # where Pulumi.<stack>.yaml go; None: not written


@dataclass(frozen=True)
class PipelineResult:
    """The plan and cost report computed, and every file written."""

    catalog: Catalog
    plan: Plan
    cost: CostReport
    written: tuple[Path, ...]


def plan_catalog(catalog: Catalog, digest: str, options: PlanOptions) -> Plan:
    """Size every server for the plan's target, plan the waves (sizes go into plan.json) and
    add the security baseline's warnings."""
    provider = options.target or catalog.planning.target
    region = options.region
    if region is None:
        region = (
            catalog.planning.region
            if provider == catalog.planning.target
            else DEFAULT_REGIONS[provider]
        )
    sizing = size_catalog(catalog, provider, region)
    plan = plan_waves(catalog, digest, options=options, sizing=sizing)
    return with_baseline_warnings(plan)  # e.g. an RPO no backup schedule of the cloud meets


def run_plan(
    catalog_path: str | Path, out_dir: str | Path, options: PipelineOptions | None = None
) -> PipelineResult:
    """Plan, cost and document the catalog; write everything under ``out_dir``."""
    from exit_plan import LANGS, render_exit_plan
    from exit_plan.data import load_checklist
    from migration.errors import UtflyttError

    for lang in (options or PipelineOptions()).langs:
        if lang not in LANGS:
            raise UtflyttError(f"unknown exit-plan language {lang!r}; expected one of sv, en")

    opts = options or PipelineOptions()
    catalog, digest = load_catalog_with_digest(catalog_path)
    plan = plan_catalog(catalog, digest, opts.plan)
    report = compare_costs(catalog, plan, opts.cost)
    cost_document = report.to_json_dict()

    out = Path(out_dir)
    payloads: list[tuple[Path, str | bytes]] = [
        (out / "plan.json", dumps_json(plan.to_json_dict())),
        (out / "plan.md", render_plan_markdown(plan)),
        (out / "cost.json", dumps_json(cost_document)),
        (out / "cost.csv", to_csv(report)),
        (out / "cost.xlsx", to_xlsx(report, catalog, plan)),
    ]
    checklist = load_checklist()
    for lang in opts.langs:
        for fmt in opts.formats:
            payload = render_exit_plan(
                catalog, plan, cost_document, cast("Lang", lang), fmt, checklist
            )
            payloads.append((out / f"exit-plan.{lang}.{fmt}", payload))

    written = [write_atomic(path, data) for path, data in payloads]
    if opts.stack_config_dir is not None:
        from stacks.config import write_stack_configs

        plan_path = _relative_to(out / "plan.json", opts.stack_config_dir.parent.parent)
        written.extend(write_stack_configs(plan, plan_path, opts.stack_config_dir))
    return PipelineResult(catalog=catalog, plan=plan, cost=report, written=tuple(written))


def _relative_to(path: Path, root: Path) -> str:
    """``path`` as the Pulumi program will see it from the project root (posix, relative)."""
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_posix()


def default_stack_config_dir(cwd: Path | None = None) -> Path | None:
    """``stacks/config`` when run from a Pulumi project root (Pulumi.yaml present), else None."""
    root = cwd or Path.cwd()
    if (root / "Pulumi.yaml").is_file():
        return root / "stacks" / "config"
    return None


def written_summary(paths: Sequence[Path]) -> list[str]:
    """One ``wrote PATH`` line per file, in the order written."""
    return [f"wrote {path}" for path in paths]
