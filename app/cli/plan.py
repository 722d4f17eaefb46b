"""``utflytt plan``: plan dated waves and write the plan, costs, stack configs and exit plan.

Registered on the ``utflytt`` group by app.cli.
"""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.options import EXAMPLE_CATALOG
from migration.cost.model import OPTION_ALIASES, OPTIONS
from migration.fileio import dumps_json
from migration.tables import render_table

DEFAULT_OUT = Path("build")


@click.command()
@click.argument("catalog", type=click.Path(path_type=Path), required=False)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder for plan.json, plan.md, cost.* and exit-plan.*.",
)
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
@click.option(
    "--lang",
    "langs",
    type=click.Choice(["sv", "en"]),
    multiple=True,
    help="Exit-plan language; repeat for both (default: sv).",
)
@click.option(
    "--stack-config-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to write Pulumi.<stack>.yaml (default: stacks/config when run from the "
    "project root, where Pulumi.yaml is; otherwise none are written).",
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
@click.option("--json", "as_json", is_flag=True, help="Print plan.json to stdout.")
def plan(
    catalog: Path | None,
    out: Path,
    target: str | None,
    pins_file: Path | None,
    pricing_option: str,
    langs: tuple[str, ...],
    stack_config_dir: Path | None,
    retire: tuple[str, ...],
    what_if: str | None,
    as_json: bool,
) -> None:
    """Plan dependency-aware, dated migration waves, and everything that follows from them.

    Writes OUT/plan.json (the contract other commands read) and OUT/plan.md, the cost
    comparison (cost.json, cost.csv, cost.xlsx), the exit plan (exit-plan.sv.md/html/xlsx)
    and, from the project root, the Pulumi stack configs in stacks/config/. Prints the wave
    table. Without CATALOG, plans the bundled Mariehamn example. Nothing is written when the
    catalog is invalid or the plan cannot be made.

    \b
    Example:
        utflytt plan
        utflytt plan inventory/ -o build/ --target aws --lang sv --lang en
        utflytt plan catalog.yaml --pins build/pins.json
    """
    from app.pipeline import PipelineOptions, default_stack_config_dir, run_plan
    from migration.cost import CostOptions
    from waves import PlanOptions
    from waves.csvio import read_pins_json

    pins = read_pins_json(pins_file) if pins_file else {}
    options = PipelineOptions(
        plan=PlanOptions(target=target, pins=pins),
        cost=CostOptions(option=OPTION_ALIASES.get(pricing_option, pricing_option)),
        langs=langs or ("sv",),
        # a what-if never overwrites the real stack configs unless told where to write
        stack_config_dir=stack_config_dir
        or (None if retire or what_if else default_stack_config_dir()),
        retire=retire,
        what_if=what_if,
    )
    result = run_plan(catalog or EXAMPLE_CATALOG, out, options)
    planned = result.plan
    if as_json:
        click.echo(dumps_json(planned.to_json_dict()), nl=False)
        return
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
        for w in planned.waves
    ]
    click.echo(render_table(["wave", "start", "end", "systems", "servers", "vCPU", "frozen"], rows))
    click.echo("")
    click.echo(f"warnings: {len(planned.warnings)}")
    if result.what_if is not None:
        from app.cli.overlap import what_if_table

        click.echo("")
        click.echo(f"what-if: retired {', '.join(result.what_if.retired)}")
        click.echo(what_if_table(result.what_if))
    for path in result.written:
        click.echo(f"wrote {_shown(path)}")


def _shown(path: Path) -> Path:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return path.relative_to(Path.cwd()) if path.is_absolute() else path
    except ValueError:
        return path


COMMANDS: list[click.Command] = [plan]
