"""``utflytt preview``: a stack's resources, offline under mocks, or the real engine's."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.options import json_option, plan_option
from app.cli.progress import progress
from migration.errors import UtflyttError
from migration.fileio import dumps_json
from migration.plan import Plan, read_plan
from stacks.settings import StackSettings


@click.command()
@click.argument("stack")
@plan_option(help="The plan the stack is generated from.")
@json_option()
@click.option("--live", is_flag=True, help="Run the real `pulumi preview` (needs the Pulumi CLI).")
def preview(stack: str, plan_path: Path, as_json: bool, live: bool) -> None:
    """Show every resource a stack (foundation or wave-NN) would create.

    Runs the Pulumi program in-process under mocks: no cloud account, no Pulumi CLI,
    nothing created. --live hands over to the real engine (Pulumi Automation API), which
    needs the Pulumi CLI, a state backend login and cloud credentials.

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
        _preview_aws(settings, plan, stack, as_json)
        return
    from stacks.testing import preview_json, render_preview, run_offline_full

    with progress(quiet=as_json) as step:
        step(f"previewing {stack} offline ({len(plan.servers)} servers in the plan)")
        run = run_offline_full(settings, plan)
    if as_json:
        click.echo(dumps_json(preview_json(run, stack)), nl=False)
    else:
        click.echo(render_preview(run, stack))


def _preview_aws(settings: StackSettings, plan: Plan, stack: str, as_json: bool) -> None:
    """AWS: the foundation first, then the wave, in one moto session; moto's errors exit 1."""
    from botocore.exceptions import ClientError

    from stacks.aws.layout import AwsConfigError
    from stacks.aws.preview import render_preview, run_aws_preview
    from stacks.testing import preview_json

    try:
        with progress(quiet=as_json) as step:
            step(f"previewing {stack} offline under moto")
            run = run_aws_preview(settings, plan)
    except (ClientError, AwsConfigError) as exc:
        raise UtflyttError(f"stack {stack}: {exc}") from None
    if as_json:
        click.echo(dumps_json(preview_json(run, stack)), nl=False)
    else:
        click.echo(render_preview(run, stack))


COMMANDS: list[click.Command] = [preview]
