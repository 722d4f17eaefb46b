"""The ``utflytt`` command line: parse options, call one core function, print.

Core packages never import click. Every :class:`~migration.errors.UtflyttError` raised by a
command becomes ``Error: ...`` with exit code 1 here, in :class:`UtflyttGroup`; usage errors
exit with 2 (click's own convention). It is also the safety net: any other exception (an
OSError, a bug) becomes one ``Error: ...`` line with exit code 1, never a traceback, unless
``utflytt --debug`` asks for the traceback. A closed stdout (a broken pipe: ``utflytt
validate ... | head -1``) is no error: exit 1 with no message, as click's main does.
"""

from __future__ import annotations

import errno
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from app.cli.options import catalog_argument, json_option, verbose_option
from migration import __version__
from migration.catalog import json_schema, load_catalog, summarise
from migration.catalog.capabilities import capability_issues
from migration.catalog.contract_dates import contract_date_issues
from migration.catalog.networks import OUTSIDE_CODE, outside_source_network_issues
from migration.errors import CatalogError, Issue, UtflyttError, describe_os_error
from migration.fileio import dumps_json
from migration.tables import render_table

if TYPE_CHECKING:
    from migration.catalog.findings import Findings

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class UtflyttGroup(click.Group):
    """A click group that turns every error into ``Error: ...`` and exit code 1.

    With ``--json`` a domain error is also printed to stdout as JSON, so CI always has
    something to parse: ``{"valid": false, "errors": [{file, line, column, path, message}]}``
    for an invalid catalog, ``{"error": message, "errors": [...]}`` for any other error.
    """

    def invoke(self, ctx: click.Context) -> Any:
        as_json = "--json" in [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except UtflyttError as exc:
            if as_json:
                click.echo(dumps_json(error_json(exc)), nl=False)
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            if ctx.meta.get(DEBUG_KEY) or stdout_closed(exc):
                raise  # a closed stdout: click's main exits 1 quietly, as `| head` expects
            raise click.ClickException(describe_unexpected(exc)) from None


DEBUG_KEY = "utflytt.debug"


def stdout_closed(exc: BaseException) -> bool:
    """True when the reader of our output went away (``utflytt ... | head -1``): a broken
    pipe is no error of the command, and gets no message (click's main exits 1 quietly)."""
    return isinstance(exc, OSError) and exc.errno == errno.EPIPE


def describe_unexpected(exc: BaseException) -> str:
    """One line for an exception that is not a domain error (I/O, resources, a bug)."""
    if isinstance(exc, OSError):
        return describe_os_error(exc)
    if isinstance(exc, MemoryError):
        return "out of memory (is the input far larger than expected?)"
    if isinstance(exc, RecursionError):
        return "input nested too deeply to process"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    detail = f": {first[:300]}" if first else ""
    return (
        f"unexpected {type(exc).__name__}{detail} (a bug in utflytt: please report it with "
        "the output of `utflytt --debug ...`)"
    )


def error_json(exc: UtflyttError) -> dict[str, Any]:
    """A domain error as JSON: every issue with file, line, column, path and message."""
    issues = getattr(exc, "issues", None) or []
    errors = [error_json_issue(issue) for issue in issues]
    if isinstance(exc, CatalogError):
        return {"valid": False, "errors": errors}
    return {"error": str(exc).split("\n", 1)[0], "errors": errors}


@click.group(cls=UtflyttGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="utflytt")
@click.option("--debug", is_flag=True, help="Show the full traceback of an unexpected error.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Plan and codify a move out of a hosting provider into cloud IaaS.

    A catalog (YAML or JSON, one file or a folder) describes the systems and servers to move.
    utflytt validates it, plans dependency-aware dated waves, sizes and prices them, writes
    Pulumi stacks per wave and an exit plan procurement can sign.

    \b
    Start with the bundled example:
        utflytt validate examples/mariehamn/catalog.yaml
        utflytt plan
    """
    ctx.meta[DEBUG_KEY] = debug


@cli.command()
@catalog_argument()
@json_option()
@click.option(
    "--strict",
    is_flag=True,
    help="Also fail (exit 1) on placeholders and systems whose dependencies are unknown.",
)
@verbose_option(help="List every placeholder (default: the first 20).")
def validate(catalog: Path, as_json: bool, strict: bool, verbose: bool) -> None:
    """Check a catalog and print its summary and what remains to fill in.

    Every problem is reported, sorted by file and line, with the field path and what was
    expected. Then the findings of a valid catalog that is not finished (an import draft):
    placeholders (TODO values, lines marked '# PLACEHOLDER') and systems with no dependency
    declared ("dependencies unknown"). Exit code 0 when the catalog is valid, 1 when it is
    not, or with --strict when findings remain. --json prints JSON on failure too.

    \b
    Example:
        utflytt validate examples/mariehamn/catalog.yaml
        utflytt validate draft.yaml --strict
        utflytt validate inventory/ --json
    """
    from migration.catalog.findings import find_findings
    from stacks.naming_check import PROVIDERS, check_catalog_names, name_check_error

    loaded = load_catalog(catalog)
    # the cloud names and tag values its target's stacks derive: `plan` must not fail later
    target = loaded.planning.target
    check_catalog_names(loaded, catalog, [target])
    summary = summarise(loaded)
    findings = find_findings(loaded, catalog)
    # valid, but worth a look (exit code stays 0): file:line:column: field: message
    warning_issues = [
        *contract_date_issues(loaded, catalog),
        *capability_issues(loaded, catalog),
    ]
    # one group, however many (an estate half outside its source networks has thousands)
    outside = outside_source_network_issues(loaded, catalog)
    notes = [str(issue) for issue in warning_issues]
    for provider in (p for p in PROVIDERS if p != target):  # the second supplier's rules
        other = name_check_error(loaded, catalog, [provider])
        if other is not None:  # `plan --target <provider>` would refuse it
            notes.append(f"with --target {provider}: {other}")
            warning_issues += [
                replace(i, message=f"with --target {provider}: {i.message}") for i in other.issues
            ]
    failed = strict and bool(findings)
    outside_notes = [str(issue) for issue in outside]
    if as_json:
        notes += outside_notes
        warning_issues += outside
        document: dict[str, Any] = {
            "valid": not failed,
            "summary": summary,
            "warnings": notes,
            # the same warnings' places, as error objects (file, line, column, path, message)
            "warning_issues": [error_json_issue(i) for i in warning_issues],
            "findings": {
                "placeholders": [error_json_issue(i) for i in findings.placeholders],
                "dependencies_unknown": [
                    error_json_issue(i) for i in findings.dependencies_unknown
                ],
                "latency_cycles": [error_json_issue(i) for i in findings.latency_cycles],
            },
        }
        if failed:
            document["errors"] = [
                error_json_issue(i)
                for i in sorted((*findings.placeholders, *findings.dependencies_unknown))
            ]
        click.echo(dumps_json(document), nl=False)
    else:
        click.echo(format_summary(catalog, summary))
        for note in notes:
            click.echo(f"warning: {note}", err=True)
        for line in _warning_group(OUTSIDE_CODE, outside_notes, verbose):
            click.echo(line, err=True)
        lines = format_findings(findings, verbose)
        click.echo("\n".join(lines), nl=bool(lines))
    if failed:
        raise click.ClickException(
            f"catalog is not final (--strict): {len(findings.placeholders)} placeholder"
            f"{_s(len(findings.placeholders))}, {len(findings.dependencies_unknown)} system"
            f"{_s(len(findings.dependencies_unknown))} with dependencies unknown"
        )


LISTED_FINDINGS = 20  # placeholder lines printed before "... N more (-v lists all)"


def error_json_issue(issue: Issue) -> dict[str, Any]:
    """One issue as JSON."""
    return {
        "file": issue.file,
        "line": issue.line,
        "column": issue.column,
        "path": issue.path,
        "message": issue.message,
    }


def _warning_group(code: str, notes: list[str], verbose: bool) -> list[str]:
    """One code's warnings: each when few (or -v), else a count and the first ones."""
    if len(notes) <= LISTED_FINDINGS or verbose:
        return [f"warning: {note}" for note in notes]
    return [
        f"warning: {code}: {len(notes)} warnings, the first {LISTED_FINDINGS}:",
        *(f"warning: {note}" for note in notes[:LISTED_FINDINGS]),
        f"... and {len(notes) - LISTED_FINDINGS} more (-v or --json lists all)",
    ]


def format_findings(findings: Findings, verbose: bool = False) -> list[str]:
    """Warnings for placeholders and unknown dependencies, with their lines."""
    lines: list[str] = []
    for items, head in (
        (
            findings.placeholders,
            "placeholder{s} remain (fill in each value, then delete its '# PLACEHOLDER')",
        ),
        (
            findings.dependencies_unknown,
            "system{s} with dependencies unknown (declare depends_on, or confirm it stands alone)",
        ),
    ):
        if not items:
            continue
        lines += ["", f"Warning: {len(items)} " + head.format(s=_s(len(items))) + ":"]
        shown = items if verbose else items[:LISTED_FINDINGS]
        lines += [str(issue) for issue in shown]
        if len(shown) < len(items):
            lines.append(f"... and {len(items) - len(shown)} more (-v or --json lists all)")
    if findings.latency_cycles:
        lines += ["", "Note: latency-sensitive cycles (each moves as one group):"]
        lines += [str(issue) for issue in findings.latency_cycles]
    return lines


def _amount(value: float) -> str:
    """1234567.0 -> '1,234,567', 12.5 -> '12.5' (never 1.23457e+06)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def format_summary(path: Path, summary: dict[str, Any]) -> str:
    """Human-readable validation summary."""
    lines = [
        f"{path}: valid catalog",
        f"{summary['organisation']}, leaving {summary['provider']}: "
        f"{summary['systems']} systems, {summary['servers']} servers, "
        f"{summary['vcpu']:,} vCPU, {_amount(summary['memory_gb'])} GB memory, "
        f"{_amount(summary['disk_gb'])} GB disk",
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
    from app.cli import allocations, cost, exitplan, importers, init, overlap, plan, preview, waves

    for module in (init, plan, waves, cost, preview, exitplan, importers, overlap, allocations):
        for command in module.COMMANDS:
            cli.add_command(command)


_register_area_commands()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="utflytt")


if __name__ == "__main__":  # pragma: no cover
    main()
