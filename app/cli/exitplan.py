"""``utflytt exit-plan``: write the exit plan (checklist, runbooks, cost report)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from app.cli.options import (
    EXAMPLE_CATALOG,
    catalog_argument,
    json_option,
    lang_option,
    output_option,
    plan_option,
    server_detail_option,
)
from exit_plan import FORMATS, write_exit_plan
from migration.catalog.findings import load_final_catalog
from migration.errors import InputFileError
from migration.fileio import read_json_input
from migration.plan import read_plan_for


def read_cost(path: Path) -> dict[str, Any]:
    """Load cost.json as a dict; raise :class:`InputFileError` naming the file if invalid."""
    document = read_json_input(path, "cost model", "a cost.json", "invalid JSON")
    if not isinstance(document, dict) or document.get("schema_version") != 1:
        raise InputFileError(f"{path}: not a utflytt cost.json (expected schema_version 1)")
    if not isinstance(document.get("providers"), dict) or not isinstance(
        document.get("years"), list
    ):
        raise InputFileError(f"{path}: cost.json needs 'years' (list) and 'providers' (object)")
    return document


def _as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}") from None


@click.command(name="exit-plan")
@catalog_argument(required=False)
@plan_option()
@click.option(
    "--cost",
    "cost_path",
    type=click.Path(path_type=Path),
    default=None,
    help="cost.json written by `utflytt cost`; without it the cost section is left out.",
)
@lang_option()
@click.option(
    "--format",
    "formats",
    type=click.Choice(list(FORMATS)),
    multiple=True,
    help="Output format; repeat for several. Default: md, html and xlsx.",
)
@click.option(
    "--as-of",
    "as_of",
    callback=_as_of,
    default=None,
    metavar="YYYY-MM-DD",
    help="Date the document is made as of: items due before it are marked overdue. "
    "Default: today. Set it for reproducible files.",
)
@click.option(
    "--doc-version",
    default="1",
    show_default=True,
    help="The document's version, printed in its document control and exit-plan.json.",
)
@server_detail_option()
@output_option(help="Folder to write exit-plan.json and exit-plan.<lang>.<format> into.")
@json_option("Print the written paths as JSON.")
def exit_plan_command(
    catalog: Path | None,
    plan_path: Path,
    cost_path: Path | None,
    langs: tuple[str, ...],
    formats: tuple[str, ...],
    as_of: date | None,
    doc_version: str,
    server_detail: bool,
    output: Path,
    as_json: bool,
) -> None:
    """Write the exit plan procurement signs: decision summary, appendices, exit-plan.json.

    The summary carries document control (version, date, --as-of, catalog digest,
    approvers and signature lines), the legal timeline with the switching-request decision,
    the gates before wave 0, the risk register and the stressed-exit table; the appendix
    holds the full checklist (overdue items marked) and one runbook per wave. Legal-review
    flags come from the cost model. Nothing is written when an input is invalid.

    \b
    Example:
        utflytt exit-plan examples/mariehamn/catalog.yaml --plan build/plan.json \\
            --cost build/cost.json --lang sv --lang en --as-of 2026-12-05 -o build
    """
    catalog_path = catalog or EXAMPLE_CATALOG
    loaded, digest = load_final_catalog(catalog_path)
    plan = read_plan_for(plan_path, catalog_path, digest, catalog=loaded)
    cost = read_cost(cost_path) if cost_path is not None else None
    paths = write_exit_plan(
        loaded,
        plan,
        cost,
        output,
        langs=langs or ("sv",),
        formats=formats or FORMATS,
        as_of=as_of,
        version=doc_version,
        server_detail=server_detail,
    )
    if as_json:
        click.echo(json.dumps({"written": [str(p) for p in paths]}, indent=2))
        return
    for path in paths:
        click.echo(f"wrote {path}")
    if cost is None:
        click.echo("note: no --cost given; the cost section says so and is otherwise empty")


COMMANDS: list[click.Command] = [exit_plan_command]
