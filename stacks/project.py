"""The user's Pulumi project: found beside a catalog, or scaffolded by ``utflytt init``.

A project is a folder holding ``Pulumi.yaml``. Its stack configs live in the folder named by
``stackConfigDir`` (Pulumi's own key; the project folder when absent). ``utflytt plan`` writes
stack configs only into the project it is pointed at, never into one it happens to run in.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from migration.errors import InputFileError
from migration.examples import EXAMPLE_CATALOG
from migration.fileio import write_atomic

__all__ = [
    "PROJECT_FILE",
    "Scaffold",
    "find_project",
    "init_project",
    "plan_stack_dir",
    "plan_path_for",
    "project_stack_dir",
]

PROJECT_FILE = "Pulumi.yaml"
STACK_DIR = "stacks"

_PULUMI_YAML = """\
# Pulumi project created by `utflytt init`. The program is utflytt's own (see __main__.py):
# it reads the stack config Pulumi.<stack>.yaml in {stack_dir}/, then the plan named there.
name: {name}
description: Landing zone and per-wave stacks generated from a utflytt plan.
runtime:
  name: python
  options:
    toolchain: pip
stackConfigDir: {stack_dir}
"""

_MAIN = '''\
"""Pulumi program: builds the stack named by its stack config from the utflytt plan."""

from pathlib import Path

from stacks.__main__ import main

main(Path(__file__).resolve().parent)
'''

_GITIGNORE = """\
# utflytt outputs: regenerate with `utflytt plan`
build/
.venv/
__pycache__/
# Stack configs ({stack_dir}/Pulumi.*.yaml) are yours: commit them. Secrets in them are
# encrypted (`pulumi config set --secret`), and encryptionsalt must be kept.
# Commit {stack_dir}/allocations.json too: it keeps deployed subnets, IPs and names stable.
"""

_README = """\
# {name}: moving out with utflytt

1. Describe your estate in `catalog.yaml` (or import it: `utflytt import rvtools ...`).
2. `utflytt validate catalog.yaml --strict` until no error, placeholder or unknown
   dependency remains.
3. `utflytt plan catalog.yaml` writes `build/` (plan, cost, exit plan) and the stack
   configs `{stack_dir}/Pulumi.<stack>.yaml`. Re-planning keeps your secrets and
   `encryptionsalt`, and never deletes a stack config: a stack the plan no longer has is
   reported as stale (it may still be deployed: `pulumi destroy` it first). Commit
   `{stack_dir}/allocations.json` with them: every re-plan keeps the subnets, private IPs
   and names recorded there (`utflytt allocations release SYSTEM` gives a removed
   system's back).
4. With the Pulumi CLI, and the Python environment where utflytt is installed active:

       pulumi stack select foundation --create && pulumi up
       pulumi stack select wave-00 --create && pulumi up   # then wave-01, ... in order
"""

_NAME_RE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Scaffold:
    """Files ``init_project`` created, and those that existed and were left alone."""

    project: Path
    created: tuple[Path, ...]
    kept: tuple[Path, ...]


def find_project(catalog: Path | None, cwd: Path | None = None) -> Path | None:
    """The project a plan's stack configs belong to, or None.

    With a catalog: ``Pulumi.yaml`` in the catalog file's folder (for a catalog folder: in
    that folder or its parent). Without one (the bundled example): the current folder's, but
    only when the example lives inside it (this repository's root, as ``make plan`` runs),
    so the example never lands in a user's project. Never searched further up, so a catalog
    elsewhere never writes into this repository.
    """
    if catalog is None:
        root = (cwd or Path.cwd()).resolve()
        if not EXAMPLE_CATALOG.resolve().is_relative_to(root):
            return None
        candidates = [root]
    elif catalog.is_dir():
        candidates = [catalog, catalog.resolve().parent]
    else:
        candidates = [catalog.resolve().parent]
    for folder in candidates:
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def project_stack_dir(project: Path) -> Path:
    """The project's stack-config folder: Pulumi.yaml's ``stackConfigDir``, else the project."""
    path = project / PROJECT_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputFileError(f"{path}: cannot read the Pulumi project: {exc}") from None
    folder = data.get("stackConfigDir") if isinstance(data, dict) else None
    return project / folder if isinstance(folder, str) and folder else project


def plan_stack_dir(plan_file: Path) -> Path | None:
    """The stack-config folder of the project a plan.json belongs to, or None: the nearest
    folder at or above the plan's with ``Pulumi.yaml`` (as ``utflytt:planPath`` is made
    relative to it, :func:`plan_path_for`), then its ``stackConfigDir``."""
    start = plan_file.resolve().parent
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return project_stack_dir(folder)
    return None


def init_project(directory: str | Path, name: str | None = None) -> Scaffold:
    """Scaffold a Pulumi project in ``directory``; existing files are never overwritten."""
    project = Path(directory)
    project_name = name or _NAME_RE.sub("-", project.resolve().name).strip("-") or "utflytt"
    files = {
        PROJECT_FILE: _PULUMI_YAML.format(name=project_name, stack_dir=STACK_DIR),
        "__main__.py": _MAIN,
        ".gitignore": _GITIGNORE.format(stack_dir=STACK_DIR),
        "README.md": _README.format(name=project_name, stack_dir=STACK_DIR),
    }
    created: list[Path] = []
    kept: list[Path] = []
    for relative, text in files.items():
        path = project / relative
        if path.exists():
            kept.append(path)
            continue
        write_atomic(path, text)
        created.append(path)
    stack_dir = project / STACK_DIR
    if stack_dir.is_dir():
        kept.append(stack_dir)
    else:
        stack_dir.mkdir(parents=True)
        created.append(stack_dir)
    return Scaffold(project, tuple(created), tuple(kept))


def plan_path_for(plan_file: Path, stack_dir: Path) -> str:
    """``utflytt:planPath``: the plan relative to the project holding ``stack_dir``.

    The project is the nearest folder at or above ``stack_dir`` with ``Pulumi.yaml``; without
    one the path is absolute (the program then reads it from wherever it runs).
    """
    start = stack_dir.resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            try:
                return Path(os.path.relpath(plan_file.resolve(), folder)).as_posix()
            except ValueError:  # another drive on Windows
                break
    return plan_file.resolve().as_posix()
