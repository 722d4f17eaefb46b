"""``utflytt preview``: a stack's resources and their monthly prices, offline under mocks, or
the real engine's preview."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from app.cli.options import json_option, plan_option
from app.cli.progress import progress
from migration.errors import UtflyttError
from migration.fileio import dumps_json
from migration.plan import Plan, read_plan_for_stacks
from migration.pricing.book import find_book
from migration.pricing.resources import StackPrice, price_resources
from migration.tables import render_table
from stacks.settings import StackSettings

AWS_EXTRA = (
    "{subject}: previewing an AWS stack runs it against moto's in-process EC2, which "
    "the aws extra installs: pip install 'utflytt[aws]'"
)


@click.command()
@click.argument("stack", required=False)
@click.option(
    "--all",
    "every_stack",
    is_flag=True,
    help="Preview every stack (foundation, then each wave) in one process: a line per stack.",
)
@plan_option(help="The plan the stack is generated from.")
@click.option(
    "--prices",
    "books_dir",
    type=click.Path(path_type=Path),
    help="Folder of refreshed price books (searched before the bundled ones).",
)
@click.option(
    "--stack-config-dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Folder of the Pulumi.<stack>.yaml whose own utflytt: keys (utflytt:aws vpcCidrs, "
    "availabilityZones, amis, ...) each stack is previewed with (default: the stackConfigDir "
    "of the Pulumi project holding --plan, where `utflytt plan` wrote them).",
)
@json_option()
@click.option("--live", is_flag=True, help="Run the real `pulumi preview` (needs the Pulumi CLI).")
def preview(
    stack: str | None,
    every_stack: bool,
    plan_path: Path,
    books_dir: Path | None,
    stack_config_dir: Path | None,
    as_json: bool,
    live: bool,
) -> None:
    """Show every resource a stack (foundation or wave-NN) would create, and its price.

    Runs the Pulumi program in-process under mocks: no cloud account, no Pulumi CLI,
    nothing created; then prices each resource from the price books (EUR a month), names
    the types without a price, and totals the stack. --live hands over to the real engine
    (Pulumi Automation API), which needs the Pulumi CLI, a state backend login and cloud
    credentials.

    Each stack runs with the keys of its own Pulumi.<stack>.yaml that `utflytt plan` does
    not manage (utflytt:aws with vpcCidrs, availabilityZones, amis ...; secrets keep offline
    placeholders), read from the project holding the plan or --stack-config-dir: as a real
    `pulumi preview` of that stack would see them.

    --all previews every stack of the plan in one process (the foundation's outputs
    computed once and fed to every wave), prints a line per stack (resources, warnings,
    seconds) and exits 1 naming each stack that fails; with --json, one summary per stack.

    \b
    Example:
        utflytt preview wave-01
        utflytt preview foundation --plan build/plan.json --json
        utflytt preview --all
        utflytt preview foundation --stack-config-dir myproject/stacks
        utflytt preview wave-01 --live
    """
    from stacks import program
    from stacks.user_config import preview_configs

    if every_stack == (stack is not None):
        raise click.UsageError("give a STACK (foundation, wave-NN) or --all, not both")
    if live and stack_config_dir is not None:
        raise click.UsageError("--live reads the stack configs of the current Pulumi project")
    if every_stack:
        if live or books_dir is not None:
            raise click.UsageError("--all previews offline, without prices: drop --live/--prices")
        plan = read_plan_for_stacks(plan_path)
        configs = preview_configs(plan, plan_path, stack_config_dir)
        with configs.using():
            preview_every_stack(plan, plan_path, as_json, configs.stacks)
        return
    assert stack is not None
    if live:
        program.preview_live(stack, on_output=lambda line: click.echo(line, nl=False))
        return
    from stacks.config import settings_for_stack

    plan = read_plan_for_stacks(plan_path)
    settings = settings_for_stack(plan, stack, plan_path.as_posix())
    configs = preview_configs(plan, plan_path, stack_config_dir)
    with configs.using():
        if settings.provider == "aws":
            run, text = _preview_aws(settings, plan, stack, as_json, configs.stacks)
        else:
            from stacks.testing import render_preview, run_offline_full

            with progress(quiet=as_json) as step:
                step(f"previewing {stack} offline ({len(plan.servers)} servers in the plan)")
                run = run_offline_full(settings, plan, stack_configs=configs.stacks)
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


def preview_every_stack(
    plan: Plan,
    plan_path: Path,
    as_json: bool,
    stack_configs: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """``--all``: every stack in one process, a line per stack as it finishes; exit 1
    naming every stack that failed."""
    from stacks.harness.allstacks import all_stacks_json, failures_text, preview_all
    from stacks.harness.preview import render_stack_line, render_summary_line

    if plan.target.provider == "aws":
        _require_moto("every stack of the plan")
    with progress(total=len(plan.waves) + 1, quiet=as_json) as step:

        def started(stack: str, index: int, total: int) -> None:
            step(f"previewing {stack} ({index}/{total})")

        def done(summary: Any, index: int, total: int) -> None:
            if not as_json:
                click.echo(render_stack_line(summary, index, total))

        results = preview_all(
            plan,
            plan_path.as_posix(),
            stack_configs=stack_configs,
            on_start=started,
            on_done=done,
        )
    total = len(plan.waves) + 1
    if as_json:
        click.echo(dumps_json(all_stacks_json(plan, results)), nl=False)
    else:
        click.echo(render_summary_line(results, total, plan.target.provider))
    problem = failures_text(results, total)
    if problem:  # the document above already lists the failures: no second JSON document
        raise click.ClickException(problem)


def _require_moto(subject: str) -> None:
    """moto (and boto3) come with the aws extra, not with every install."""
    try:
        import moto  # noqa: F401
    except ImportError:
        raise UtflyttError(AWS_EXTRA.format(subject=subject)) from None


def _preview_aws(
    settings: StackSettings,
    plan: Plan,
    stack: str,
    as_json: bool,
    stack_configs: Mapping[str, Mapping[str, str]],
) -> tuple[Any, str]:
    """AWS: the foundation first, then the wave, in one moto session; moto's errors exit 1."""
    _require_moto(f"stack {stack}")
    from botocore.exceptions import ClientError

    from stacks.aws.layout import AwsConfigError
    from stacks.aws.preview import render_preview, run_aws_preview

    try:
        with progress(quiet=as_json) as step:
            step(f"previewing {stack} offline under moto")
            run = run_aws_preview(settings, plan, stack_configs=stack_configs)
    except (ClientError, AwsConfigError) as exc:
        raise UtflyttError(f"stack {stack}: {exc}") from None
    return run, render_preview(run, stack)


COMMANDS: list[click.Command] = [preview]
