"""``utflytt cost`` and ``utflytt prices refresh``: thin click layer over migration.cost."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from app.cli.options import (
    EXAMPLE_CATALOG,
    catalog_argument,
    json_option,
    output_option,
    plan_option,
)
from migration.catalog.findings import load_final_catalog
from migration.cost.comparison import compare_costs
from migration.cost.options import (
    OPTION_ALIASES,
    OPTIONS,
    CostOptions,
    parse_set,
    with_assumptions,
)
from migration.cost.outputs import render_text, write_report
from migration.fileio import dumps_json
from migration.plan import Plan, read_plan_for


def _plan_for(catalog_path: Path, plan_path: Path | None) -> tuple[Any, Plan]:
    catalog, digest = load_final_catalog(catalog_path)
    if plan_path is not None:  # a plan of another catalog would price the wrong estate
        return catalog, read_plan_for(plan_path, catalog_path, digest, catalog=catalog)
    from app.pipeline import plan_catalog
    from migration.catalog.where import locate_plan_error
    from migration.errors import PlanError
    from stacks.naming_check import check_catalog_names
    from waves import PlanOptions

    # planned here as `plan` plans it: a catalog whose cloud names plan refuses is refused
    check_catalog_names(catalog, catalog_path, [catalog.planning.target])
    try:
        return catalog, plan_catalog(catalog, digest, PlanOptions())
    except PlanError as exc:
        raise locate_plan_error(exc, catalog_path) from None


@click.command()
@catalog_argument(required=False)
@plan_option(help="A plan.json; without it the catalog is planned first.", default=None)
@click.option(
    "--option",
    "option",
    default=None,
    type=click.Choice([*OPTIONS, *OPTION_ALIASES]),
    help="Cloud compute pricing option (default payg; savings-plan = savings-plan-1y).",
)
@click.option(
    "--set",
    "assumptions",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set an assumption (repeatable), e.g. --set discount_rate=0.04; "
    "the Assumptions sheet of cost.xlsx lists every key.",
)
@output_option(help="Folder for cost.json, cost.csv and cost.xlsx.")
@click.option(
    "--prices",
    "books_dir",
    type=click.Path(path_type=Path),
    help="Folder of refreshed price books (searched before the bundled ones).",
)
@click.option(
    "--reconcile",
    is_flag=True,
    help="Also price the generated stacks offline and reconcile them with the model "
    "(cost.json reconciliation; takes a while).",
)
@json_option(help="Print cost.json instead of tables.")
def cost(
    catalog: Path | None,
    plan_path: Path | None,
    option: str | None,
    assumptions: tuple[str, ...],
    output: Path,
    books_dir: Path | None,
    reconcile: bool,
    as_json: bool,
) -> None:
    """Compare the cost of staying at ÅDA with moving to Azure and to AWS.

    Prints the yearly totals (a total that leaves out an unpriced item is marked as a lower
    bound, ≥), break-even months, optimisations, price books, legal-review flags and
    warnings, and writes cost.json, cost.csv and cost.xlsx. Assumptions come from the
    defaults, the catalog's cost: section and --set, in that order.

    \b
    Example:
        utflytt cost examples/mariehamn/catalog.yaml --plan build/plan.json -o build
        utflytt cost --option reserved-3y --set ada_fee_until=contract-end --json
    """
    catalog_obj, plan = _plan_for(catalog or EXAMPLE_CATALOG, plan_path)
    options = CostOptions(books_dir=books_dir)
    values: dict[str, str] = parse_set(assumptions)
    if option is not None:
        values["option"] = option
    if values:
        options = with_assumptions(options, values, "--set", "--set")
    report = compare_costs(catalog_obj, plan, options)
    if reconcile:
        from app.reconcile import apply
        from app.reconcile import reconcile as run_reconcile

        where = (plan_path or output / "plan.json").as_posix()
        apply(report.document, run_reconcile(plan, where, report.to_json_dict(), books_dir))
    paths = write_report(report, catalog_obj, plan, output)
    if as_json:
        click.echo(dumps_json(report.to_json_dict()), nl=False)
        return
    click.echo(render_text(report), nl=False)
    click.echo("wrote " + ", ".join(str(p) for p in paths))


@click.group()
def prices() -> None:
    """Price books: dated, sourced price data for sizing and cost."""


@prices.command()
@click.option("--provider", type=click.Choice(["azure", "aws"]), required=True)
@click.option("--region", required=True, help="Provider region, e.g. swedencentral, eu-north-1.")
@output_option(help="Folder for the new book (pass to `cost --prices`).", default=Path("prices"))
@click.option(
    "--eur-per-usd",
    type=float,
    help="The ECB reference rate of the day as EUR per USD (1 / the ECB's USD per EUR).",
)
@click.option(
    "--fx-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date of the EUR/USD rate (default: today).",
)
@click.option(
    "--currency",
    type=click.Choice(["USD", "EUR"]),
    default="USD",
    show_default=True,
    help="Azure only: currency to request (USD is Microsoft's source of truth).",
)
@click.option("--base-url", help="Price API base URL (for mirrors and tests).")
def refresh(
    provider: str,
    region: str,
    output: Path,
    eur_per_usd: float | None,
    fx_date: Any,
    currency: str,
    base_url: str | None,
) -> None:
    """Fetch current prices and write a new dated price book.

    Every meter the cost model uses. Azure: the Retail Prices API (VM sizes, Premium and
    Standard SSD, VPN gateway, SQL Server / RHEL / SLES licences, backup, Bastion, Log
    Analytics, Key Vault, public IP, Application Gateway, egress); AWS: the public price list
    files (EC2 with licences and snapshots, Savings Plans, VPC, ELB, KMS, CloudWatch, data
    transfer). Needs network access.

    \b
    Example:
        utflytt prices refresh --provider azure --region swedencentral \\
            --eur-per-usd 0.8807 --fx-date 2026-09-30
        utflytt cost --prices prices
    """
    from migration.pricing.refresh import refresh_book
    from migration.regions import region_problem

    problem = region_problem(provider, region)  # the same list a catalog's region is held to
    if problem is not None:
        raise click.BadParameter(problem, param_hint="'--region'")
    if currency == "USD" and eur_per_usd is None:
        raise click.UsageError(
            "--eur-per-usd is required for USD prices (the ECB reference "
            "rate of the day, e.g. 0.92)"
        )
    path = refresh_book(
        provider,
        region,
        output,
        retrieved=date.today(),
        eur_per_usd=eur_per_usd,
        fx_date=fx_date.date() if fx_date else None,
        base_url=base_url,
        currency=currency,
    )
    click.echo(f"wrote {path}")


COMMANDS: list[click.Command] = [cost, prices]
