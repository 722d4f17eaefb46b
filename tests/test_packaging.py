"""The built wheel plans and previews the bundled example from an empty folder.

Builds the wheel from a copy of the source (offline: no build isolation, no index), installs
it with ``--no-deps`` into a temporary folder whose dependencies come from this environment,
and runs ``utflytt plan`` and ``utflytt preview`` where no checkout is in reach.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.plan import read_plan

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("app", "migration", "waves", "stacks", "exit_plan")
FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md")
SMALL = Path(__file__).parent / "data" / "small.yaml"


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The wheel installed into a folder of its own; the environment that runs it."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "Pulumi.*.yaml")
    for name in SOURCES:
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    generated = source / "stacks" / "config" / "Pulumi.wave-99.yaml"  # as `make plan` leaves
    generated.parent.mkdir(parents=True, exist_ok=True)
    generated.write_text("config: {}\n", encoding="utf-8")
    for name in FILES:
        shutil.copy(ROOT / name, source / name)
    (source / "examples" / "mariehamn").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "mariehamn" / "catalog.yaml", source / "examples/mariehamn")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    pip = [sys.executable, "-m", "pip"]
    wheels = base / "dist"
    build = _run(
        [
            *pip,
            "wheel",
            str(source),
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(wheels),
        ],
        base,
        env,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("utflytt-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "migration/examples/mariehamn/catalog.yaml" in names
    assert not [n for n in names if n.startswith("stacks/config/")]  # no user's configs
    site = base / "site"
    install = _run(
        [*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)], base, env
    )
    assert install.returncode == 0, install.stderr
    env["PYTHONPATH"] = str(site)  # before this environment's site-packages (and any checkout)
    return site, env


@pytest.mark.slow
def test_the_wheel_plans_and_previews_the_example_from_an_empty_folder(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """`utflytt plan` then `utflytt preview wave-01`, with no checkout in reach."""
    site, env = installed
    empty = tmp_path / "empty"
    empty.mkdir()
    where = _run(
        [sys.executable, "-c", "import migration.examples as e; print(e.EXAMPLE_CATALOG)"],
        empty,
        env,
    )
    assert where.stdout.strip() == str(site / "migration/examples/mariehamn/catalog.yaml")
    planned = _run([sys.executable, "-m", "app", "plan"], empty, env)
    assert planned.returncode == 0, planned.stderr
    assert "files in build/" in planned.stdout
    plan = json.loads((empty / "build" / "plan.json").read_text(encoding="utf-8"))
    assert len(plan["servers"]) > 100 and plan["target"]["provider"] == "azure"
    assert not (empty / "stacks").exists()  # no stack configs outside a project
    shown = _run([sys.executable, "-m", "app", "preview", "wave-01"], empty, env)
    assert shown.returncode == 0, shown.stderr
    assert "to create" in shown.stdout


def test_aws_preview_without_moto_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the aws extra, an AWS preview is one clear error, not an ImportError."""
    monkeypatch.chdir(tmp_path)  # outside the project: no stack configs written into it
    runner = CliRunner()
    out = tmp_path / "build"
    args = ["plan", str(SMALL), "-o", str(out), "--target", "aws"]
    assert runner.invoke(cli, args).exit_code == 0
    assert read_plan(out / "plan.json").target.provider == "aws"
    monkeypatch.setitem(sys.modules, "moto", None)  # import moto now raises ImportError
    result = runner.invoke(cli, ["preview", "wave-01", "--plan", str(out / "plan.json")])
    assert result.exit_code == 1
    assert result.output == (
        "Error: stack wave-01: previewing an AWS stack runs it against moto's in-process EC2, "
        "which the aws extra installs: pip install 'utflytt[aws]'\n"
    )
