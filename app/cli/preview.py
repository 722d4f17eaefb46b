"""``utflytt preview``: a stack's resources and their monthly prices, offline under mocks, or
the real engine's preview."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from app.cli.options import json_option, plan_option
from app.cli.progress import progress
from migration.errors import UtflyttError
from migration.fileio import dumps_json
from migration.plan import Plan, read_plan
from migration.pricing.book import find_book
from migration.pricing.resources import StackPrice, price_resources
from migration.tables import render_table
from stacks.settings import StackSettings

AWS_EXTRA = (
    "stack {stack}: previewing an AWS stack runs it against moto's in-process EC2, which "
    "the aws extra installs: pip install 'utflytt[aws]'"
)


@click.command()
@click.argument("stack")
@plan_option(help="The plan the stack is generated from.")
@click.option(
    "--prices",
    "books_dir",
    type=click.Path(path_type=Path),
    help="Folder of refreshed price books (searched before the bundled ones).",
)
@json_option()
@click.option("--live", is_flag=True, help="Run the real `pulumi preview` (needs the Pulumi CLI).")
def preview(stack: str, plan_path: Path, books_dir: Path | None, as_json: bool, live: bool) -> None:
    """Show every resource a stack (foundation or wave-NN) would create, and its price.

    Runs the Pulumi program in-process under mocks: no cloud account, no Pulumi CLI,
    nothing created; then prices each resource from the price books (EUR a month), names
    the types without a price, and totals the stack. --live hands over to the real engine
    (Pulumi Automation API), which needs the Pulumi CLI, a state backend login and cloud
    credentials.

    \b
    Example:
        utflytt preview wave-01
        utflytt preview foundation --plan build/plan.json --json
        utflytt preview wave-01 --live
    """
    from stacks import program

    if live:
        program.preview_live(stack, on_output=lambda line: click.echo(line, nl=False))
        return
    from stacks.config import settings_for_stack

    plan = read_plan(plan_path)
    settings = settings_for_stack(plan, stack, plan_path.as_posix())
    if settings.provider == "aws":
        run, text = _preview_aws(settings, plan, stack, as_json)
    else:
        from stacks.testing import render_preview, run_offline_full

        with progress(quiet=as_json) as step:
            step(f"previewing {stack} offline ({len(plan.servers)} servers in the plan)")
            run = run_offline_full(settings, plan)
        text = render_preview(run, stack)
    book = find_book(settings.provider, settings.region or plan.target.region, books_dir)
    priced = price_resources(
        book, [(r.type, r.name, r.inputs) for r in run.resources if r.kind == "register"]
    )
    if as_json:
        from stacks.testing import preview_json

        doc = preview_json(run, stack, plan)
        doc["prices"] = {**priced.to_json_dict(), "book": book.path.name}
        click.echo(dumps_json(doc), nl=False)
        return
    click.echo(text)
    click.echo(render_prices(priced, stack, book.label()))


def render_prices(priced: StackPrice, stack: str, source: str) -> str:
    """Monthly price per priced resource, the stack's total and what is not priced."""
    rows = [
        [r.type, r.name, f"{r.monthly_eur:,.2f}", r.detail]
        for r in priced.resources
        if r.status == "priced" and r.monthly_eur is not None
    ]
    lines = ["", f"Monthly prices (EUR, pay-as-you-go; {source}):", ""]
    lines.append(render_table(["type", "name", "EUR/month", "priced as"], rows))
    usage = sorted({r.type for r in priced.resources if r.status == "usage"})
    if usage:
        lines.append("")
        lines.append("billed by usage (in the cost model, not here): " + ", ".join(usage))
    total = f"{priced.monthly_eur:,.2f}"
    if priced.unpriced_types:
        lines.append("")
        lines.append("NOT PRICED (the total is a lower bound): " + ", ".join(priced.unpriced_types))
        total = "≥" + total
    lines.append("")
    lines.append(f"{stack}: {total} EUR a month")
    return "\n".join(lines)


def _preview_aws(settings: StackSettings, plan: Plan, stack: str, as_json: bool) -> tuple[Any, str]:
    """AWS: the foundation first, then the wave, in one moto session; moto's errors exit 1."""
    try:  # moto (and boto3) come with the aws extra, not with every install
        import moto  # noqa: F401
        from botocore.exceptions import ClientError
    except ImportError:
        raise UtflyttError(AWS_EXTRA.format(stack=stack)) from None

    from stacks.aws.layout import AwsConfigError
    from stacks.aws.preview import render_preview, run_aws_preview

    try:
        with progress(quiet=as_json) as step:
            step(f"previewing {stack} offline under moto")
            run = run_aws_preview(settings, plan)
    except (ClientError, AwsConfigError) as exc:
        raise UtflyttError(f"stack {stack}: {exc}") from None
    return run, render_preview(run, stack)


COMMANDS: list[click.Command] = [preview]
