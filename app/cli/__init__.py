"""The ``utflytt`` command line: parse options, call one core function, print.

Core packages never import click. Every :class:`~migration.errors.UtflyttError` raised by a
command becomes ``Error: ...`` with exit code 1 here, in :class:`UtflyttGroup`; usage errors
exit with 2 (click's own convention).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from app.cli.options import catalog_argument, json_option
from migration import __version__
from migration.catalog import json_schema, load_catalog, summarise
from migration.catalog.capabilities import capability_warnings
from migration.errors import UtflyttError
from migration.fileio import dumps_json
from migration.tables import render_table

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class UtflyttGroup(click.Group):
    """A click group that turns domain errors into ``Error: ...`` and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UtflyttError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=UtflyttGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="utflytt")
def cli() -> None:
    """Plan and codify a move out of a hosting provider into cloud IaaS.

    A catalog (YAML or JSON, one file or a folder) describes the systems and servers to move.
    utflytt validates it, plans dependency-aware dated waves, sizes and prices them, writes
    Pulumi stacks per wave and an exit plan procurement can sign.

    \b
    Start with the bundled example:
        utflytt validate examples/mariehamn/catalog.yaml
        utflytt plan
    """


@cli.command()
@catalog_argument()
@json_option()
def validate(catalog: Path, as_json: bool) -> None:
    """Check a catalog and print its summary.

    Every problem is reported, sorted by file and line, with the field path and what was
    expected. Exit code 0 when the catalog is valid, 1 when it is not.

    \b
    Example:
        utflytt validate examples/mariehamn/catalog.yaml
        utflytt validate inventory/ --json
    """
    loaded = load_catalog(catalog)
    summary = summarise(loaded)
    warnings = capability_warnings(loaded, catalog)  # valid, worth a look: exit code 0
    if as_json:
        click.echo(dumps_json({"valid": True, "summary": summary, "warnings": warnings}), nl=False)
        return
    click.echo(format_summary(catalog, summary))
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def format_summary(path: Path, summary: dict[str, Any]) -> str:
    """Human-readable validation summary."""
    lines = [
        f"{path}: valid catalog",
        f"{summary['organisation']}, leaving {summary['provider']}: "
        f"{summary['systems']} systems, {summary['servers']} servers, "
        f"{summary['vcpu']} vCPU, {summary['memory_gb']:g} GB memory, "
        f"{summary['disk_gb']:g} GB disk",
        "",
    ]
    dispositions = sorted(
        set(summary["systems_by_disposition"]) | set(summary["servers_by_disposition"])
    )
    rows = [
        [
            d,
            summary["systems_by_disposition"].get(d, 0),
            summary["servers_by_disposition"].get(d, 0),
        ]
        for d in dispositions
    ]
    lines.append(render_table(["disposition", "systems", "servers"], rows))
    lines.append("")
    lines.append(
        render_table(["level", "systems"], [list(kv) for kv in summary["systems_by_level"].items()])
    )
    lines.append("")
    lines.append(
        render_table(
            ["environment", "servers"],
            [list(kv) for kv in summary["servers_by_environment"].items()],
        )
    )
    deps = summary["dependencies"]
    lines.append("")
    lines.append(
        f"dependencies: {deps['system']} between systems, {deps['server']} between servers, "
        f"{deps['latency_sensitive']} latency-sensitive"
    )
    return "\n".join(lines)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of catalog format v1.

    Point your editor at it for completion and checks while you write a catalog, e.g. with
    the YAML language server's modeline as the first line of the catalog:

    \b
        # yaml-language-server: $schema=catalog.schema.json
        utflytt schema > catalog.schema.json
    """
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True))


def _register_area_commands() -> None:
    from app.cli import cost, exitplan, importers, overlap, plan, preview, waves

    for module in (plan, waves, cost, preview, exitplan, importers, overlap):
        for command in module.COMMANDS:
            cli.add_command(command)


_register_area_commands()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="utflytt")


if __name__ == "__main__":  # pragma: no cover
    main()
