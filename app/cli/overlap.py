"""``utflytt overlap``: which systems do the same job, what to keep, what retiring saves.

Registered on the ``utflytt`` group by app.cli.
"""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.options import (
    EXAMPLE_CATALOG,
    catalog_argument,
    json_option,
    lang_option,
    output_option,
)
from migration.fileio import dumps_json
from migration.overlap import WhatIf
from migration.tables import render_table


@click.command()
@catalog_argument(required=False)
@output_option(help="Folder for overlap.json and overlap.<lang>.md.")
@json_option(help="Print overlap.json to stdout.")
@lang_option(help="Language of overlap.<lang>.md; repeat for both (default: sv).")
@click.option(
    "--vocabulary", is_flag=True, help="Print the bundled capability vocabulary and exit."
)
def overlap(
    catalog: Path | None, output: Path, as_json: bool, langs: tuple[str, ...], vocabulary: bool
) -> None:
    """Find systems that share a declared capability; say what to keep and what to retire.

    For each capability declared by two or more systems: the systems with their costs today
    and after the move, the one to keep and why, the ones to retire, the yearly saving and
    what retiring them changes in the migration (servers, waves, dependencies to re-point).
    Every recommendation is then planned and costed again to show the whole difference.
    Name-, vendor- and role-based hints for catalogs without capabilities are listed
    separately and never counted. Without CATALOG, analyses the bundled Mariehamn example.

    \b
    Example:
        utflytt overlap
        utflytt overlap inventory/ -o build/ --lang sv --lang en
        utflytt overlap --vocabulary
    """
    if vocabulary:
        from migration.catalog.capabilities import vocabulary as bundled

        rows = [[c.id, c.domain, c.sv, c.en] for c in bundled().values()]
        click.echo(render_table(["capability", "domain", "sv", "en"], rows))
        return
    from app.overlap import OverlapRunOptions, run_overlap

    result = run_overlap(
        catalog or EXAMPLE_CATALOG, output, OverlapRunOptions(langs=langs or ("sv",))
    )
    report = result.report
    if as_json:
        document = report.to_json_dict()
        document["what_if"] = result.what_if.to_json_dict() if result.what_if else None
        click.echo(dumps_json(document), nl=False)
        return
    totals = report.totals
    rows = [
        [g.capability, g.keep or "", ", ".join(g.retire), f"{g.savings_eur_per_year:,.0f}"]
        for g in report.groups
        if g.retire
    ]
    click.echo(
        f"{totals['groups']} capability groups, {totals['groups_with_retirements']} with "
        f"systems to retire; {len(report.suggestions)} hints (not counted)"
    )
    if not totals["systems_with_capabilities"]:
        click.echo(
            "no system declares capabilities: add `capabilities` to the catalog "
            "(the list: utflytt overlap --vocabulary)"
        )
    if rows:
        click.echo("")
        click.echo(render_table(["capability", "keep", "retire", "EUR, first year"], rows))
    bound = "" if totals["complete"] else " (at least: not every part is priced)"
    click.echo("")
    click.echo(
        f"retire {totals['systems_to_retire']} systems: {totals['savings_first_year_eur']:,.0f} "
        f"EUR in the first year, {totals['run_savings_eur_per_year']:,.0f} EUR/year after"
        f"{bound}"
    )
    if result.what_if:
        click.echo("")
        click.echo(what_if_table(result.what_if))
    for path in result.written:
        click.echo(f"wrote {path}")


def what_if_table(what_if: WhatIf) -> str:
    """The what-if comparison as a table (shared with ``utflytt plan --retire``)."""
    from migration.overlap.render import format_row

    rows = [[row.metric, *format_row(row, "en")] for row in what_if.rows]
    note = (
        f"\n{what_if.provider}, run cost of {what_if.year}; licences of kept systems are not "
        "in the cost model (unchanged on every path)"
    )
    return render_table(["", "catalog", "what-if", "difference"], rows) + note


COMMANDS: list[click.Command] = [overlap]
