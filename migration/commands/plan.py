"""``utflytt plan``: plan dated waves and write plan.json and plan.md.

Registered on the ``utflytt`` group by migration.cli.
"""

from __future__ import annotations

from pathlib import Path

import click

from migration.fileio import dumps_json
from migration.tables import render_table

DEFAULT_OUT = Path("build")


def _example_catalog() -> Path:
    from migration.cli import EXAMPLE_CATALOG  # lazily: migration.cli imports this module

    return EXAMPLE_CATALOG


@click.command()
@click.argument("catalog", type=click.Path(path_type=Path), required=False)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder for plan.json and plan.md.",
)
@click.option(
    "--target",
    type=click.Choice(["azure", "aws"]),
    default=None,
    help="Cloud to plan for (default: the catalog's planning.target).",
)
@click.option("--json", "as_json", is_flag=True, help="Print plan.json to stdout.")
def plan(catalog: Path | None, out: Path, target: str | None, as_json: bool) -> None:
    """Plan dependency-aware, dated migration waves.

    Writes OUT/plan.json (the contract other commands read) and OUT/plan.md, and prints
    the wave table. Without CATALOG, plans the bundled Mariehamn example.

    \b
    Example:
        utflytt plan
        utflytt plan inventory/ -o build/ --target aws
    """
    from waves import PlanOptions, write_plan

    outputs = write_plan(catalog or _example_catalog(), out, PlanOptions(target=target))
    result = outputs.plan
    if as_json:
        click.echo(dumps_json(result.to_json_dict()), nl=False)
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
        for w in result.waves
    ]
    click.echo(render_table(["wave", "start", "end", "systems", "servers", "vCPU", "frozen"], rows))
    click.echo("")
    click.echo(f"warnings: {len(result.warnings)}")
    click.echo(f"wrote {outputs.plan_json}")
    click.echo(f"wrote {outputs.plan_md}")


COMMANDS: list[click.Command] = [plan]
