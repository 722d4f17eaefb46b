"""Dispatch a stack to its provider's program, and hand a preview to the real engine.

``stacks.azure.run`` builds Azure stacks; ``stacks.aws.program.run`` (imported lazily, so
that an Azure run never loads pulumi-aws) builds AWS stacks.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from migration.errors import UtflyttError
from migration.plan import Plan
from stacks.settings import StackSettings

REPO_ROOT = Path(__file__).resolve().parent.parent


class LivePreviewError(UtflyttError):
    """``--live`` was asked for but the real Pulumi engine cannot run here."""


def run(settings: StackSettings, plan: Plan) -> dict[str, Any]:
    """Build the stack's resources for its provider; return its exports (may be empty)."""
    if settings.provider == "azure":
        from stacks import azure

        return dict(azure.run(settings, plan))
    if settings.provider == "aws":
        from stacks.aws import program as aws_program

        aws_program.run(settings, plan)  # exports via pulumi.export, returns nothing
        return {}
    raise UtflyttError(f"stack {settings.stack}: unknown provider {settings.provider!r}")


def pulumi_cli() -> str | None:
    """Path of the ``pulumi`` CLI on PATH, or None."""
    return shutil.which("pulumi")


def preview_live(stack: str, on_output: Callable[[str], Any], work_dir: Path = REPO_ROOT) -> None:
    """Run the real ``pulumi preview`` of ``stack`` via the Automation API.

    Needs the Pulumi CLI on PATH and a login (``pulumi login``) to the state backend, plus
    Azure credentials (``az login``); raises :class:`LivePreviewError` without a CLI.
    """
    if pulumi_cli() is None:
        raise LivePreviewError(
            "--live needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/); "
            "none found. Without --live, utflytt previews offline."
        )
    from pulumi import automation

    try:
        workspace_stack = automation.select_stack(stack_name=stack, work_dir=str(work_dir))
    except automation.errors.StackNotFoundError:
        workspace_stack = automation.create_stack(stack_name=stack, work_dir=str(work_dir))
    workspace_stack.preview(on_output=on_output)
