"""``utflytt import``: RVTools, Azure Migrate CSV and dependency exports into catalog v1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from app.cli.options import json_option, output_option
from app.cli.progress import progress
from migration.errors import InputFileError
from migration.fileio import dumps_json, write_atomic
from migration.importers.azure_migrate import read_azure_migrate
from migration.importers.catalog_writer import CatalogDraft, DraftOptions, build_catalog
from migration.importers.common import ImportResult
from migration.importers.dependencies import import_dependencies
from migration.importers.grouping import GROUP_BY, GroupingRule
from migration.importers.rvtools import read_rvtools


@click.group(name="import")
def import_group() -> None:
    """Import real inventories: RVTools, Azure Migrate CSV, dependency exports.

    \b
    Example:
        utflytt import rvtools RVTools_export.xlsx -o catalog.yaml
        utflytt import dependencies dependencies.csv --into catalog.yaml
        utflytt plan catalog.yaml
    """


def _draft_options(fn: Any) -> Any:
    for decorator in reversed(
        (
            output_option(help="Catalog YAML to write.", default=None, required=True),
            click.option("--force", is_flag=True, help="Replace OUTPUT if it exists."),
            click.option("--organisation", help="Organisation name (else a placeholder)."),
            click.option("--provider", help="Hosting provider being left (else a placeholder)."),
            json_option(help="Print the report as JSON."),
        )
    ):
        fn = decorator(fn)
    return fn


def _rule(by: str, pattern: str | None) -> GroupingRule:
    try:
        return GroupingRule(by, pattern)  # type: ignore[arg-type]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--pattern'") from None


def _write(
    result: ImportResult,
    rule: GroupingRule,
    output: Path,
    organisation: str | None,
    provider: str | None,
    command: str,
    as_json: bool,
) -> None:
    draft: CatalogDraft = build_catalog(result, rule, DraftOptions(organisation, provider, command))
    write_atomic(output, draft.text)
    report = draft.report
    if as_json:
        click.echo(
            dumps_json(
                {
                    "output": str(output),
                    "format": report.detected.format,
                    "header_generation": report.detected.header_generation,
                    "sheets": list(report.detected.sheets),
                    "systems": report.systems,
                    "servers": report.servers,
                    "placeholders": list(report.placeholders),
                    "powered_off": list(report.powered_off),
                    "unknown_os": [list(pair) for pair in report.unknown_os],
                    "skipped": [list(pair) for pair in report.detected.skipped],
                    "warnings": list(report.detected.warnings),
                }
            ),
            nl=False,
        )
        return
    click.echo("\n".join(report.lines()))
    click.echo(
        f"\nWrote {output}. Next: fill in the placeholders, then "
        f"`utflytt validate {output}` and `utflytt plan {output}`."
    )


def _import(
    source: Path,
    reader: Callable[[Path, str], ImportResult],
    rule: GroupingRule,
    output: Path,
    force: bool,
    organisation: str | None,
    provider: str | None,
    command: str,
    as_json: bool,
) -> None:
    """Check the output, read the export (with progress) and write the catalog draft."""
    _check_output(output, force)
    with progress(quiet=as_json) as step:
        step(f"reading {source}")
        result = reader(source, str(source))
    _write(result, rule, output, organisation, provider, command, as_json)


def _check_output(output: Path, force: bool) -> None:
    if output.exists() and not force:
        raise InputFileError(
            f"{output} exists; pass --force to replace it (to add dependencies to a catalog, "
            "use `utflytt import dependencies`)"
        )


@import_group.command(name="rvtools")
@click.argument("source", type=click.Path(path_type=Path))
@_draft_options
@click.option(
    "--group-by",
    type=click.Choice(GROUP_BY),
    default="folder",
    show_default=True,
    help="Which VM field names its provisional system.",
)
@click.option(
    "--pattern",
    help="Regular expression applied to that field; its group "
    "'system' (or first group) is the system.",
)
def rvtools(
    source: Path,
    output: Path,
    force: bool,
    organisation: str | None,
    provider: str | None,
    as_json: bool,
    group_by: str,
    pattern: str | None,
) -> None:
    """Import an RVTools export (.xlsx, or a folder of its CSV files) as a catalog draft.

    Reads vInfo, vDisk, vPartition and vNetwork; skips templates and SRM placeholders;
    flags powered-off VMs. What the export cannot know is filled with placeholders marked
    '# PLACEHOLDER' and listed in the report.

    \b
    Example:
        utflytt import rvtools RVTools_export.xlsx -o catalog.yaml
        utflytt import rvtools csv-export/ -o catalog.yaml --group-by name-pattern \\
            --pattern '^(?P<system>[a-z]+)-'
    """
    _import(source, read_rvtools, _rule(group_by, pattern), output, force,
            organisation, provider, "utflytt import rvtools", as_json)  # fmt: skip


@import_group.command(name="azure-migrate")
@click.argument("source", type=click.Path(path_type=Path))
@_draft_options
@click.option(
    "--pattern",
    help="Regular expression on the server name; its group 'system' "
    "(or first group) is the system.",
)
def azure_migrate(
    source: Path,
    output: Path,
    force: bool,
    organisation: str | None,
    provider: str | None,
    as_json: bool,
    pattern: str | None,
) -> None:
    """Import an Azure Migrate import-template CSV as a catalog draft.

    Headers match without '*', case or unit suffixes; up to 20 disks; the utilisation
    percentages become cpu_p95 and memory_p95.

    \b
    Example:
        utflytt import azure-migrate AzureMigrateImport.csv -o catalog.yaml
    """
    _import(source, read_azure_migrate, _rule("name-pattern", pattern), output, force,
            organisation, provider, "utflytt import azure-migrate", as_json)  # fmt: skip


@import_group.command(name="dependencies")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--into",
    "catalog",
    type=click.Path(path_type=Path),
    required=True,
    help="Catalog YAML file to merge the dependencies into (edited in place).",
)
@json_option(help="Print the report as JSON.")
def dependencies(source: Path, catalog: Path, as_json: bool) -> None:
    """Merge an Azure Migrate dependency export into a catalog, keeping hand edits.

    Each connection becomes a server dependency with its ports and a weight (the number of
    time slots it was seen in). Unknown hosts and self-connections are reported. Only the
    changed server entries change in the file; comments and key order stay.

    \b
    Example:
        utflytt import dependencies dependencies.csv --into catalog.yaml
    """
    with progress(quiet=as_json) as step:
        step(f"merging {source} into {catalog}")
        report = import_dependencies(source, catalog, str(source))
    if as_json:
        click.echo(
            dumps_json(
                {
                    "rows": report.rows,
                    "edges": [
                        {
                            "from": e.source,
                            "to": e.target,
                            "ports": list(e.ports),
                            "weight": e.weight,
                            "processes": list(e.processes),
                        }
                        for e in report.edges
                    ],
                    "added": [list(p) for p in report.added],
                    "updated": [list(p) for p in report.updated],
                    "unchanged": report.unchanged,
                    "unknown_hosts": [list(p) for p in report.unknown_hosts],
                    "self_connections": [list(p) for p in report.self_connections],
                }
            ),
            nl=False,
        )
        return
    click.echo("\n".join(report.lines()))


COMMANDS: list[click.Command] = [import_group]
