"""Pulumi program entry (``Pulumi.yaml``: ``main: stacks/``).

The Python language host runs this file with ``stacks/`` as the working directory and as
``sys.path[0]``, so the repository root is put on ``sys.path`` first; then the stack config
is validated, the plan named there is read, and the provider's program builds the stack.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pulumi  # noqa: E402

from migration.errors import UtflyttError  # noqa: E402
from migration.plan import read_plan_for_stacks  # noqa: E402
from stacks import program  # noqa: E402
from stacks.config import read_settings  # noqa: E402


def main(root: Path = ROOT) -> None:
    """Read settings and plan, build the stack, export its outputs.

    ``root`` is the folder a relative ``utflytt:planPath`` is read from: this repository, or
    the user's project (``utflytt init`` writes a ``__main__.py`` that passes its folder).
    """
    try:
        settings = read_settings(pulumi.runtime, stack=pulumi.get_stack())
        plan_path = Path(settings.plan_path)
        if not plan_path.is_absolute():
            plan_path = root / plan_path
        plan = read_plan_for_stacks(plan_path)
        exports = program.run(settings, plan)
    except UtflyttError as exc:  # a clean one-line error instead of a traceback
        raise pulumi.RunError(str(exc)) from None
    for key, value in exports.items():
        pulumi.export(key, value)


if __name__ == "__main__":  # run by the Pulumi language host (runpy)
    main()
