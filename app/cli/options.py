"""Options shared by every ``utflytt`` command, spelled one way everywhere.

A command module imports its decorators from here (never from :mod:`app.cli`, which imports
the command modules): the catalog argument, ``-o/--output``, ``--plan``, ``--json`` and
``--lang``, ``-q/--quiet`` and ``-v/--verbose``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from migration.examples import EXAMPLE_CATALOG

__all__ = [
    "DEFAULT_OUTPUT",
    "DEFAULT_PLAN",
    "EXAMPLE_CATALOG",
    "catalog_argument",
    "json_option",
    "lang_option",
    "output_option",
    "plan_option",
    "quiet_option",
    "verbose_option",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

DEFAULT_OUTPUT = Path("build")
"""Where every command writes unless told otherwise."""
DEFAULT_PLAN = DEFAULT_OUTPUT / "plan.json"
"""The plan.json that ``utflytt plan`` writes by default, read by the other commands."""


def catalog_argument(required: bool = True) -> Decorator:
    """The CATALOG argument (a YAML/JSON file or a folder of them)."""
    return click.argument("catalog", type=click.Path(path_type=Path), required=required)


def json_option(help: str = "Print JSON for machines.") -> Decorator:
    """``--json``: print machine-readable JSON instead of tables."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def output_option(
    help: str = "Folder to write into.", default: Path | None = DEFAULT_OUTPUT, **kwargs: Any
) -> Decorator:
    """``-o/--output``: the folder (or file, where a command says so) to write."""
    return click.option(
        "-o",
        "--output",
        "output",
        type=click.Path(path_type=Path),
        default=default,
        show_default=default is not None,
        help=help,
        **kwargs,
    )


def plan_option(
    help: str = "plan.json written by `utflytt plan`.", default: Path | None = DEFAULT_PLAN
) -> Decorator:
    """``--plan``: a plan.json to read instead of planning again."""
    return click.option(
        "--plan",
        "plan_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=default,
        show_default=default is not None,
        help=help,
    )


def lang_option(help: str = "Language; repeat for both (default: sv).") -> Decorator:
    """``--lang sv|en``, repeatable."""
    return click.option(
        "--lang", "langs", type=click.Choice(["sv", "en"]), multiple=True, help=help
    )


def quiet_option(help: str = "Print only the summary and errors.") -> Decorator:
    """``-q/--quiet``: the summary line(s) and errors, nothing else."""
    return click.option("-q", "--quiet", "quiet", is_flag=True, help=help)


def verbose_option(help: str = "Print every file written and every warning.") -> Decorator:
    """``-v/--verbose``: everything, e.g. each file written and each warning in full."""
    return click.option("-v", "--verbose", "verbose", is_flag=True, help=help)


def server_detail_option() -> Decorator:
    """``--server-detail``: per-server rows and runbook steps in the exit plan at any size."""
    return click.option(
        "--server-detail",
        "server_detail",
        is_flag=True,
        help="Exit plan: runbook steps and move order per server in every wave (by default a "
        "wave over 200 servers has them per system, environment and role, naming every "
        "server), and every server of per-server checklist items in the appendix (by default "
        "an item over 200 servers is shown per wave). exit-plan.json always has every server.",
    )
