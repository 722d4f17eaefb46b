"""The whole job of ``utflytt plan``: one catalog in; plan, costs, stack configs, exit plan out.

Data flows one way (docs/architecture.md): catalog -> sizing -> waves -> cost -> stack configs
and exit plan. Everything is computed first (existing stack configs read and checked too);
then the list of outputs is handed to :func:`migration.generation.write_generation`, which
writes them into a staging area (plan.json and the exit plan are rendered there, one file at
a time, so a 100k-server run never holds every rendering at once) and switches the whole
generation under a lock, all or nothing: invalid input, a failed step or rendering, a full
disk or a killed run leaves the previous build and stack configs exactly as they were.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from migration.allocations import Allocations, allocations_path, dumps_allocations, read_allocations
from migration.catalog import Catalog
from migration.catalog.findings import load_final_catalog
from migration.catalog.where import locate_plan_error
from migration.collector import collector_paused
from migration.cost import CostOptions, compare_costs
from migration.cost.comparison import CostReport
from migration.cost.outputs import to_csv, to_xlsx
from migration.errors import PlanError
from migration.fileio import json_bytes, json_object_writer
from migration.generation import Output, Payload, write_generation
from migration.plan import Plan
from migration.sizing import check_size_limits, size_catalog
from stacks import plancache
from stacks.allocate import with_allocations
from stacks.aws.layout import using_options
from stacks.baseline import with_baseline_warnings
from stacks.user_config import foundation_aws_options
from waves import PlanOptions, plan_waves
from waves.assemble import DEFAULT_REGIONS
from waves.markdown import render_plan_markdown

if TYPE_CHECKING:
    from migration.overlap import WhatIf
    from stacks.config import StackConfigSync

__all__ = ["PipelineOptions", "PipelineResult", "plan_catalog", "run_plan"]


Stage = Callable[[str], AbstractContextManager[object]]
"""A context manager factory entered around each named step of the run (bench/stages.py)."""


def no_stage(_name: str) -> AbstractContextManager[object]:
    """The default :data:`Stage`: nothing."""
    return contextlib.nullcontext()


@dataclass(frozen=True)
class PipelineOptions:
    """What to plan for and what to write."""

    plan: PlanOptions = field(default_factory=PlanOptions)
    cost: CostOptions = field(default_factory=CostOptions)
    langs: tuple[str, ...] = ("sv",)  # exit-plan languages; Swedish by default
    formats: tuple[str, ...] = ("md", "html", "xlsx")  # exit-plan formats
    stack_config_dir: Path | None = None  # where Pulumi.<stack>.yaml go; None: not written
    # where allocations.json is read from when no stack configs are written (a what-if of
    # a project: its plan.json keeps the project's addresses and names); never written
    allocations_dir: Path | None = None
    on_step: Callable[[str], None] | None = None  # progress: called as each step starts
    retire: tuple[str, ...] = ()  # what-if: plan with these systems retired
    what_if: str | None = None  # "overlap": also retire what `utflytt overlap` recommends
    server_detail: bool = False  # exit plan: per-server steps and rows at any size


@dataclass(frozen=True)
class PipelineResult:
    """The plan and cost report computed, and every file written."""

    catalog: Catalog
    plan: Plan
    cost: CostReport
    written: tuple[Path, ...]
    stacks: StackConfigSync | None = None  # stack configs written/unchanged/stale, if any
    what_if: WhatIf | None = None  # the comparison when systems were retired as a what-if
    allocations: Path | None = None  # allocations.json, when this run changed it


def plan_catalog(
    catalog: Catalog, digest: str, options: PlanOptions, *, stage: Stage | None = None
) -> Plan:
    """Size every server for the plan's target, plan the waves (sizes go into plan.json) and
    add the security baseline's warnings."""
    stage = stage or no_stage
    provider = options.target or catalog.planning.target
    region = options.region
    if region is None:
        region = (
            catalog.planning.region
            if provider == catalog.planning.target
            else DEFAULT_REGIONS[provider]
        )
    with stage("size"):
        check_size_limits(catalog)  # a server no size fits must not drop out of the totals
        sizing = size_catalog(catalog, provider, region)
    with stage("plan waves"):
        plan = plan_waves(catalog, digest, options=options, sizing=sizing)
    return with_baseline_warnings(plan)  # e.g. an RPO no backup schedule of the cloud meets


def run_plan(
    catalog_path: str | Path,
    out_dir: str | Path,
    options: PipelineOptions | None = None,
    *,
    stage: Stage | None = None,
) -> PipelineResult:
    """Plan, cost and document the catalog; write everything under ``out_dir``.

    ``stage(name)`` is entered around every step (bench/stages.py times them); by default
    it does nothing. The cyclic garbage collector is paused for the whole run and run once
    at its end (:mod:`migration.collector`: at 100k servers it would otherwise take a
    third of the run's time, rescanning millions of objects that form no cycles).
    """
    with collector_paused(collect_after=True):
        return _run_plan(catalog_path, out_dir, options, stage or no_stage)


def _run_plan(
    catalog_path: str | Path, out_dir: str | Path, options: PipelineOptions | None, stage: Stage
) -> PipelineResult:
    from app.overlap import plan_extras
    from exit_plan import LANGS, exit_plan_payloads
    from migration.errors import UtflyttError
    from stacks.naming_check import check_catalog_names
    from stacks.network import check_plan

    for lang in (options or PipelineOptions()).langs:
        if lang not in LANGS:
            raise UtflyttError(f"unknown exit-plan language {lang!r}; expected one of sv, en")

    opts = options or PipelineOptions()
    step = opts.on_step or (lambda _: None)
    step("reading the catalog")
    with stage("load and validate"):
        catalog, digest = load_final_catalog(catalog_path)
    gc.freeze()  # the catalog lives for the whole run: the collection at its end skips it
    # every cloud name and tag value the target's stacks derive, before anything is planned
    with stage("cloud names"):
        check_catalog_names(catalog, catalog_path, [opts.plan.target or catalog.planning.target])
    step(f"planning {len(catalog.servers)} servers")
    try:
        plan = plan_catalog(catalog, digest, opts.plan, stage=stage)
    except PlanError as exc:  # name the catalog lines of what the error is about
        raise locate_plan_error(exc, catalog_path) from None
    # allocations.json: every subnet, IP and name already handed out is kept (stacks.allocate)
    kept_in = opts.stack_config_dir or opts.allocations_dir
    previous = read_allocations(allocations_path(kept_in)) if kept_in else Allocations()
    # AWS: the VPCs are laid out with the foundation stack config's utflytt:aws (vpcCidrs,
    # zones, pins), as the foundation stack will lay them out
    aws = foundation_aws_options(kept_in if plan.target.provider == "aws" else None)
    with stage("allocations"), using_options(aws):
        plan = with_allocations(plan, previous)
    with stage("network limits"), using_options(aws):  # raises before anything is written
        plan = check_plan(plan, catalog.planning.quotas)
    gc.freeze()  # nor the plan: at 100k servers a full collection walks millions of objects
    step("comparing costs")
    with stage("cost"):
        report = compare_costs(catalog, plan, opts.cost)
    with stage("overlap and what-if"):
        extras = plan_extras(catalog, digest, (plan, report), opts)  # overlap, what-if
    if extras.plan is not plan:  # a what-if planned again: its allocations, from the same file
        with using_options(aws):
            extras = replace(extras, plan=with_allocations(extras.plan, previous))
    catalog, plan, report = extras.catalog, extras.plan, extras.cost
    step("writing plan.md, cost and exit plan")

    out = Path(out_dir)
    # plan.json is streamed from the one Plan model in the write phase: its JSON document
    # exists only while it is written, never beside the other renderings
    outputs: list[Output] = [(out / "plan.json", _timed(stage, "plan.json", plan_json(plan)))]
    with stage("plan.md"):
        outputs.append((out / "plan.md", render_plan_markdown(plan, catalog) + extras.plan_md))
    with stage("cost.json, cost.csv"):
        outputs.append((out / "cost.json", json_bytes(report.to_json_dict())))
        outputs.append((out / "cost.csv", to_csv(report)))
    with stage("cost.xlsx"):
        outputs.append((out / "cost.xlsx", to_xlsx(report, catalog, plan, extras.sheets)))
    outputs.extend((out / name, text) for name, text in extras.files)
    # the exit plan is rendered in the write phase, one file at a time, each language's
    # report assembled for its first file and dropped after its last (exit_plan_payloads):
    # at 100k servers its renderings never all sit in memory beside the plan
    payloads = exit_plan_payloads(
        catalog,
        plan,
        report,
        opts.langs,
        opts.formats,
        server_detail=opts.server_detail,
        overlap=extras.overlap,
        stage=stage,
    )
    outputs.extend((out / name, _timed(stage, name, write)) for name, write in payloads)
    stacks = None
    allocations: list[Output] = []
    if opts.stack_config_dir is not None:
        from stacks.config import render_stack_configs
        from stacks.project import plan_path_for

        with stage("stack configs"):
            plan_path = plan_path_for(out / "plan.json", opts.stack_config_dir)
            stacks = render_stack_configs(plan, plan_path, opts.stack_config_dir)
            outputs.extend(stacks.outputs)
            allocations = _changed_allocations(plan, opts.stack_config_dir)
            outputs.extend(allocations)
    # what the checks and the stack configs derived from the plan (network policy, address
    # plans, layouts) is not read again: freed before the exit plan is assembled in the
    # write phase (about 40 MB at 100k servers)
    plancache.clear()
    with stage("write"):
        written = write_generation(
            outputs, folders=[opts.stack_config_dir] if opts.stack_config_dir is not None else []
        )
    return PipelineResult(
        catalog=catalog,
        plan=plan,
        cost=report,
        written=tuple(written),
        stacks=stacks,
        what_if=extras.what_if,
        allocations=allocations[0][0] if allocations else None,
    )


def _changed_allocations(plan: Plan, stack_config_dir: Path) -> list[Output]:
    """allocations.json when its text changes (sorted keys: same allocations, same bytes)."""
    path = allocations_path(stack_config_dir)
    text = dumps_allocations(plan.allocations)
    with contextlib.suppress(OSError, UnicodeDecodeError):
        if path.read_text(encoding="utf-8") == text:
            return []
    return [(path, text)]


def plan_json(plan: Plan) -> Callable[[IO[bytes]], None]:
    """plan.json streamed into a file member by member (canonical JSON, the bytes
    :func:`dumps_json` would write)."""
    return json_object_writer(plan.json_keys(), plan.json_member)


def _timed(stage: Stage, name: str, payload: Payload) -> Payload:
    """A streamed payload whose rendering is timed as its own stage when it is written."""
    if not callable(payload):
        return payload
    write = payload

    def timed(handle: IO[bytes]) -> None:
        with stage(name):
            write(handle)

    return timed


def written_summary(paths: Sequence[Path]) -> list[str]:
    """One ``wrote PATH`` line per file, in the order written."""
    return [f"wrote {path}" for path in paths]
