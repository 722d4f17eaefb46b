"""Progress on long work (import, plan at scale, preview): a rich bar on stderr.

Shown only in a terminal and never with ``--quiet`` or ``--json``; stdout stays clean for
pipes and CI logs stay free of redraws. Commands pass the step callback into the library
(``PipelineOptions.on_step``) or call it around one long call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

Step = Callable[[str], None]


def _nothing(step: str) -> None:
    """The step callback when no progress is shown."""


@contextmanager
def progress(
    total: int | None = None, quiet: bool = False, console: Console | None = None
) -> Iterator[Step]:
    """Yield ``step(description)``: each call advances the bar (of ``total`` steps)."""
    console = console or Console(stderr=True)
    if quiet or not console.is_terminal:
        yield _nothing
        return
    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if total:
        columns.append(BarColumn())
    columns.append(TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("starting", total=total)
        started = False

        def step(description: str) -> None:
            nonlocal started
            bar.update(task, description=description, advance=1 if started else 0)
            started = True

        yield step
