"""One spelling for every option: each command's shared options come from app/cli/options.py."""

from __future__ import annotations

import click

from app.cli import cli

SHARED = {
    "output": ["-o", "--output"],
    "plan_path": ["--plan"],
    "as_json": ["--json"],
    "langs": ["--lang"],
    "quiet": ["-q", "--quiet"],
    "verbose": ["-v", "--verbose"],
}


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += _commands(command, f"{prefix}{name} ")
        else:
            out.append((f"{prefix}{name}", command))
    return out


def test_every_shared_option_is_spelled_one_way() -> None:
    """-o/--output, --plan, --json, --lang, -q/--quiet, -v/--verbose everywhere; no --out."""
    seen: dict[str, set[str]] = {}
    for name, command in _commands(cli):
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            assert "--out" not in param.opts, name
            if param.name in SHARED:
                assert param.opts == SHARED[param.name], (name, param.opts)
                seen.setdefault(param.name, set()).add(name)
            for flag, dest in (("-o", "output"), ("--json", "as_json"), ("--plan", "plan_path")):
                if flag in param.opts:
                    assert param.name == dest, (name, param.opts)
    assert {"plan", "cost", "exit-plan", "graph", "waves export", "import rvtools"} <= seen[
        "output"
    ]
    assert "prices refresh" in seen["output"]
    assert {"validate", "plan", "cost", "diff", "preview"} <= seen["as_json"]
    assert {"plan", "init"} <= seen["quiet"]


def test_the_check_fires_on_a_stray_spelling() -> None:
    """A command with `--out` would fail the check above (the negative case)."""

    @click.command()
    @click.option("--out")
    def stray(out: str) -> None:  # pragma: no cover - never run
        """A command spelled the old way."""

    group = click.Group(commands={"stray": stray})
    spelled = [p.opts for _, c in _commands(group) for p in c.params]
    assert ["--out"] in spelled
