"""``utflytt exit-plan``: write the exit plan (checklist, runbooks, cost report)."""

from __future__ import annotations

import json
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
)
from exit_plan import FORMATS, write_exit_plan
from migration.catalog.findings import load_final_catalog
from migration.errors import InputFileError
from migration.plan import read_plan

STALE_PLAN = """\
{plan} was made from another catalog than {catalog}
(catalog SHA-256 {actual}, plan says {expected}).
Run `utflytt plan {catalog}` again, then retry."""


def read_cost(path: Path) -> dict[str, Any]:
    """Load cost.json as a dict; raise :class:`InputFileError` naming the file if invalid."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read cost model: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path}: not a cost.json (binary byte at offset {exc.start})"
        ) from None
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    if not isinstance(document, dict) or document.get("schema_version") != 1:
        raise InputFileError(f"{path}: not a utflytt cost.json (expected schema_version 1)")
    if not isinstance(document.get("providers"), dict) or not isinstance(
        document.get("years"), list
    ):
        raise InputFileError(f"{path}: cost.json needs 'years' (list) and 'providers' (object)")
    return document


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
@output_option(help="Folder to write exit-plan.<lang>.<format> into.")
@json_option(help="Print the written paths as JSON.")
def exit_plan_command(
    catalog: Path | None,
    plan_path: Path,
    cost_path: Path | None,
    langs: tuple[str, ...],
    formats: tuple[str, ...],
    output: Path,
    as_json: bool,
) -> None:
    """Write the exit plan procurement signs: checklist, runbooks and costs.

    Every checklist item is dated from the plan's notice date, waves and deadline, has an
    owner role, the evidence to keep and its legal or guidance source. Legal-review flags
    come from the cost model. Nothing is written when an input is invalid.

    \b
    Example:
        utflytt exit-plan examples/mariehamn/catalog.yaml --plan build/plan.json \\
            --cost build/cost.json --lang sv --lang en -o build
    """
    catalog_path = catalog or EXAMPLE_CATALOG
    loaded, digest = load_final_catalog(catalog_path)
    plan = read_plan(plan_path)
    if plan.catalog_sha256 != digest:
        raise InputFileError(
            STALE_PLAN.format(
                plan=plan_path,
                catalog=catalog_path,
                actual=digest[:12],
                expected=plan.catalog_sha256[:12],
            )
        )
    cost = read_cost(cost_path) if cost_path is not None else None
    paths = write_exit_plan(
        loaded, plan, cost, output, langs=langs or ("sv",), formats=formats or FORMATS
    )
    if as_json:
        click.echo(json.dumps({"written": [str(p) for p in paths]}, indent=2))
        return
    for path in paths:
        click.echo(f"wrote {path}")
    if cost is None:
        click.echo("note: no --cost given; the cost section says so and is otherwise empty")


COMMANDS: list[click.Command] = [exit_plan_command]
