"""``utflytt plan``: plan dated waves and write the plan, costs, stack configs and exit plan.

Registered on the ``utflytt`` group by app.cli. It ends like ``terraform plan``: one summary,
the warnings (in full, or the first ten and where the rest are) and what happened to the
stack configs ("stack configs: 3 written, 8 unchanged, 1 stale").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from app.cli.options import (
    EXAMPLE_CATALOG,
    catalog_argument,
    json_option,
    lang_option,
    output_option,
    quiet_option,
    server_detail_option,
    verbose_option,
)
from app.cli.progress import progress
from migration.cost.model import OPTION_ALIASES, OPTIONS
from migration.fileio import dumps_json
from migration.tables import render_table

if TYPE_CHECKING:
    from app.pipeline import PipelineResult
    from migration.plan import Warning_
    from stacks.config import StackConfigSync

PIPELINE_STEPS = 4  # steps app.pipeline.run_plan reports: read, plan, cost, write
TOP_WARNINGS = 10  # warnings printed in full before "... and N more in plan.md"
STALE_HINT = "may still be deployed: `pulumi destroy` it first"


@click.command()
@catalog_argument(required=False)
@output_option(help="Folder for plan.json, plan.md, cost.* and exit-plan.*.")
@click.option(
    "--target",
    type=click.Choice(["azure", "aws"]),
    default=None,
    help="Cloud to plan for (default: the catalog's planning.target).",
)
@click.option(
    "--pins",
    "pins_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Pins from `utflytt waves pins` (JSON): servers held in the waves you chose.",
)
@click.option(
    "--option",
    "pricing_option",
    type=click.Choice([*OPTIONS, *OPTION_ALIASES]),
    default="payg",
    show_default=True,
    help="Cloud compute pricing option for the cost comparison.",
)
@lang_option(help="Exit-plan language; repeat for both (default: sv).")
@click.option(
    "--stack-config-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to write Pulumi.<stack>.yaml (default: the stackConfigDir of the Pulumi "
    "project beside CATALOG, made by `utflytt init`; without CATALOG, of the current "
    "folder's; otherwise none are written).",
)
@click.option(
    "--retire",
    "retire",
    multiple=True,
    metavar="SYSTEM",
    help="What-if: plan with this system retired (repeatable); stack configs are not "
    "written unless --stack-config-dir is given.",
)
@click.option(
    "--what-if",
    "what_if",
    type=click.Choice(["overlap"]),
    default=None,
    help="What-if: also retire every system `utflytt overlap` recommends retiring.",
)
@server_detail_option()
@json_option(help="Print plan.json to stdout.")
@quiet_option()
@verbose_option()
def plan(
    catalog: Path | None,
    output: Path,
    target: str | None,
    pins_file: Path | None,
    pricing_option: str,
    langs: tuple[str, ...],
    stack_config_dir: Path | None,
    retire: tuple[str, ...],
    what_if: str | None,
    server_detail: bool,
    as_json: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Plan dependency-aware, dated migration waves, and everything that follows from them.

    Writes OUTPUT/plan.json (the contract other commands read) and OUTPUT/plan.md, the cost
    comparison (cost.json, cost.csv, cost.xlsx), the exit plan (exit-plan.sv.md/html/xlsx)
    and the Pulumi stack configs of the project beside the catalog (`utflytt init`). Stack
    configs are merged (secrets and encryptionsalt kept) and never deleted. Prints the wave
    table and a summary. Without CATALOG, plans the bundled Mariehamn example. Nothing is
    written when the catalog is invalid or the plan cannot be made.

    \b
    Example:
        utflytt plan
        utflytt init myproject && cp catalog.yaml myproject/
        utflytt plan myproject/catalog.yaml -o myproject/build
        utflytt plan inventory/ -o build/ --target aws --lang sv --lang en
        utflytt plan catalog.yaml --pins build/pins.json
    """
    from app.pipeline import PipelineOptions, run_plan
    from migration.cost import CostOptions
    from stacks.project import find_project, project_stack_dir
    from waves import PlanOptions
    from waves.csvio import read_pin_file

    # a what-if never overwrites the real stack configs unless told where to write, but
    # keeps the project's allocations (its plan.json must not re-address what is deployed)
    project_dir = None
    if stack_config_dir is None:
        project = find_project(catalog)
        project_dir = project_stack_dir(project) if project is not None else None
    if not (retire or what_if):
        stack_config_dir = stack_config_dir or project_dir
    pins, origin = read_pin_file(pins_file) if pins_file else ({}, {})
    options = PipelineOptions(
        plan=PlanOptions(target=target, pins=pins, pin_origin=origin),
        cost=CostOptions(option=OPTION_ALIASES.get(pricing_option, pricing_option)),
        langs=langs or ("sv",),
        stack_config_dir=stack_config_dir,
        allocations_dir=project_dir,
        retire=retire,
        what_if=what_if,
        server_detail=server_detail,
    )
    with progress(total=PIPELINE_STEPS, quiet=quiet or as_json) as step:
        result = run_plan(catalog or EXAMPLE_CATALOG, output, replace(options, on_step=step))
    if as_json:
        click.echo(dumps_json(result.plan.to_json_dict()), nl=False)
        return
    if not quiet:
        click.echo(wave_table(result))
        click.echo("")
    click.echo(
        "\n".join(plan_summary(result, output, catalog, quiet=quiet, verbose=verbose)), nl=True
    )


def wave_table(result: PipelineResult) -> str:
    """The table of waves: dates, systems, servers, vCPU, frozen."""
    rows = [
        [
            w.number,
            w.start.isoformat(),
            w.end.isoformat(),
            len(w.systems),
            len(w.servers),
            w.vcpu,
            "yes" if w.frozen else "",
        ]
        for w in result.plan.waves
    ]
    return render_table(["wave", "start", "end", "systems", "servers", "vCPU", "frozen"], rows)


def plan_summary(
    result: PipelineResult,
    output: Path,
    catalog: Path | None,
    quiet: bool = False,
    verbose: bool = False,
) -> list[str]:
    """The closing lines of ``utflytt plan``: warnings, stale stacks, one summary, stacks."""
    plan = result.plan
    lines: list[str] = []
    if not quiet:
        lines += _warning_lines(plan.warnings, output, verbose)
        if verbose:
            lines += [f"wrote {_shown(path)}" for path in result.written]
    stacks = result.stacks
    if stacks is not None and stacks.stale:
        lines.append(f"Stale stack configs ({STALE_HINT}):")
        lines += [f"  {_shown(path)}" for path in stacks.stale]
    moving = sum(len(w.servers) for w in plan.waves)
    waves = len(plan.waves)
    configs = (len(stacks.written) if stacks else 0) + (result.allocations is not None)
    lines.append(
        f"Plan: {moving} server{_s(moving)} in {waves} wave{_s(waves)}, "
        f"{plan.waves[0].start} to {plan.waves[-1].end}; "
        f"{len(plan.warnings)} warning{_s(len(plan.warnings))}; "
        f"{len(result.written) - configs} files in "
        f"{_shown(output)}/"
    )
    if result.what_if is not None:
        from app.cli.overlap import what_if_table

        lines += ["", f"what-if: retired {', '.join(result.what_if.retired)}"]
        lines.append(what_if_table(result.what_if))
    lines.append(_stacks_line(stacks, catalog))
    if result.allocations is not None:
        lines.append(f"allocations: updated {_shown(result.allocations)}")
    return lines


def _warning_lines(warnings: Sequence[Warning_], output: Path, verbose: bool) -> list[str]:
    """Every warning when few (or -v); else grouped by code with counts and first examples."""
    if not warnings:
        return []
    if verbose or len(warnings) <= TOP_WARNINGS:
        return [f"Warnings ({len(warnings)}):", *(f"  {w.code}: {w.message}" for w in warnings), ""]
    from migration.warning_groups import group_by_code

    groups = group_by_code(warnings, lambda w: w.code, examples=1)
    lines = [
        f"Warnings ({len(warnings)} in {len(groups)} kinds; the first of each kind in "
        f"{_shown(output / 'plan.md')}, all in plan.json, or run with -v):"
    ]
    for group in groups:
        lines.append(f"  {group.code}: {group.count}, e.g. {group.examples[0].message}")
    return [*lines, ""]


def _stacks_line(stacks: StackConfigSync | None, catalog: Path | None) -> str:
    if stacks is None:
        where = "beside the catalog" if catalog is not None else "here for the bundled example"
        return (
            f"stack configs: none written (no Pulumi project {where}; create one with "
            "`utflytt init DIR`, or pass --stack-config-dir)"
        )
    return f"{stacks.summary()} ({_shown(stacks.directory)})"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _shown(path: Path) -> Path:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return path.relative_to(Path.cwd()) if path.is_absolute() else path
    except ValueError:
        return path


COMMANDS: list[click.Command] = [plan]
