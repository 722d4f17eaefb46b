"""Wave graph, plan diff and the wave sheet (CSV export, edits back as pins).

Registered on the ``utflytt`` group by app.cli.
"""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.options import DEFAULT_PLAN, json_option, output_option, plan_option
from migration.fileio import dumps_json, write_atomic
from migration.plan import read_plan
from migration.tables import render_table


@click.command()
@click.argument(
    "plan_path",
    metavar="[PLAN.json]",
    type=click.Path(path_type=Path),
    required=False,
    default=DEFAULT_PLAN,
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="Mermaid for Markdown viewers, DOT for Graphviz.",
)
@click.option(
    "--wave",
    "wave",
    type=click.IntRange(min=0),
    default=None,
    help="Draw only wave N: its systems and their direct providers.",
)
@output_option(help="Write to FILE instead of printing.", default=None)
def graph(plan_path: Path, fmt: str, wave: int | None, output: Path | None) -> None:
    """Draw the plan's waves and dependencies (default build/plan.json).

    Systems per wave with their server counts, waves as subgraphs, dependency arrows from
    consumer to provider labelled with ports; latency-sensitive ones are thick. A whole
    estate is a tangle: --wave N draws one wave's systems and the providers they need.

    \b
    Example:
        utflytt graph --wave 3 > wave-03.mmd
        utflytt graph > waves.mmd
        utflytt graph build/plan.json --format dot -o build/waves.dot
        dot -Tsvg build/waves.dot -o build/waves.svg
    """
    from waves.render_graph import render_dot, render_mermaid

    plan = read_plan(plan_path)
    text = render_mermaid(plan, wave) if fmt == "mermaid" else render_dot(plan, wave)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"wrote {output}")


@click.command()
@click.argument("old", metavar="OLD.json", type=click.Path(path_type=Path))
@click.argument("new", metavar="NEW.json", type=click.Path(path_type=Path))
@json_option()
@click.option(
    "--exit-code",
    "exit_code",
    is_flag=True,
    help="Exit 1 when the plans differ (as `git diff --exit-code`), 0 when they are the same.",
)
def diff(old: Path, new: Path, as_json: bool, exit_code: bool) -> None:
    """Show what changed between two plans.

    Servers that changed wave, servers and waves added or removed, wave dates moved.
    Exit code 0 whenever both plans can be read; with --exit-code, 1 when they differ.

    \b
    Example:
        cp build/plan.json build/plan-before.json
        utflytt plan && utflytt diff build/plan-before.json build/plan.json
    """
    from waves.diff import diff_plans

    result = diff_plans(read_plan(old), read_plan(new))
    if as_json:
        click.echo(dumps_json(result.to_json()), nl=False)
    else:
        click.echo(result.render_text(), nl=False)
    if exit_code and not result.empty:
        raise SystemExit(1)


@click.group(name="waves")
def waves_group() -> None:
    """The wave sheet: export waves as CSV, read an edited sheet back as pins.

    \b
    Example:
        utflytt waves export build/plan.json -o build/waves.csv
        (edit the wave column in a spreadsheet, save as CSV UTF-8)
        utflytt waves pins build/waves.csv --plan build/plan.json -o build/pins.json
        utflytt plan --pins build/pins.json
    """


@waves_group.command(name="export")
@click.argument(
    "plan_path",
    metavar="[PLAN.json]",
    type=click.Path(path_type=Path),
    required=False,
    default=DEFAULT_PLAN,
)
@output_option(help="Write to FILE instead of printing.", default=None)
def waves_export(plan_path: Path, output: Path | None) -> None:
    """Write the wave assignment as CSV: one row per migrating server.

    Columns: server, system, environment, wave, start, end, frozen, reason. Edit the wave
    column, then turn the edits into pins with `utflytt waves pins`.

    \b
    Example:
        utflytt waves export build/plan.json -o build/waves.csv
    """
    from waves.csvio import export_csv

    text = export_csv(read_plan(plan_path))
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomic(output, text)
    rows = text.count("\n") - 1
    click.echo(f"wrote {output} ({rows} servers)")


@waves_group.command(name="pins")
@click.argument("sheet", metavar="EDITED.csv", type=click.Path(path_type=Path))
@plan_option(help="The plan the sheet was exported from.")
@output_option(help="Write the pins JSON here.", default=None)
@json_option(help="Print the pins as JSON.")
def waves_pins(sheet: Path, plan_path: Path, output: Path | None, as_json: bool) -> None:
    """Turn the edited wave column into pins for the next `utflytt plan --pins`.

    Only rows whose wave differs from the plan become pins. Every problem is reported with
    its row and column (unknown or duplicate servers, a wave that is not a whole number, a
    wave for a server that does not migrate); nothing is written then. The planner checks
    the pins against every rule when it re-plans.

    \b
    Example:
        utflytt waves pins build/waves.csv --plan build/plan.json -o build/pins.json
    """
    from waves.csvio import pins_json, read_pins_with_rows

    plan = read_plan(plan_path)
    pins, origin = read_pins_with_rows(sheet, plan)  # the rows go along, for error messages
    if output is not None:
        write_atomic(output, dumps_json(pins_json(pins, origin)))
    if as_json:
        click.echo(dumps_json(pins_json(pins, origin)), nl=False)
        return
    if not pins:
        click.echo("no edits: every wave matches the plan")
    else:
        rows = [
            [sid, plan.servers[sid].system, plan.servers[sid].wave, w] for sid, w in pins.items()
        ]
        click.echo(render_table(["server", "system", "planned", "pinned"], rows))
    if output is not None:
        click.echo(f"wrote {output} ({len(pins)} pin{'s' if len(pins) != 1 else ''})")


COMMANDS: list[click.Command] = [graph, diff, waves_group]
