"""Click commands for this area; registered on the `utflytt` group by migration.cli."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
