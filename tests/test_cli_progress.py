"""Progress on stderr: shown in a terminal, never when quiet or piped."""

from __future__ import annotations

import io

from rich.console import Console

from app.cli.progress import progress


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=80), out


def test_progress_shows_each_step_in_a_terminal() -> None:
    """In a terminal the step description is drawn."""
    console, out = _console(True)
    with progress(total=2, console=console) as step:
        step("reading the catalog")
        step("planning 3 servers")
    assert "planning 3 servers" in out.getvalue()


def test_progress_is_silent_when_quiet_or_not_a_terminal() -> None:
    """--quiet, --json or a pipe: not one character."""
    for terminal, quiet in ((True, True), (False, False)):
        console, out = _console(terminal)
        with progress(total=2, quiet=quiet, console=console) as step:
            step("reading the catalog")
        assert out.getvalue() == ""
