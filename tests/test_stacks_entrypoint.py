"""The Pulumi entry point (stacks/__main__.py) builds a stack from its generated stack config.

`pulumi preview` runs this file; no CLI exists here, so the test runs it the way the
language host does (runpy on the file, config from Pulumi.<stack>.yaml) under mocks.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pulumi

from app.pipeline import plan_catalog
from migration.catalog import load_catalog_with_digest
from migration.fileio import write_json
from stacks.config import load_stack_config, write_stack_configs
from stacks.testing import PLACEHOLDER_CONFIG, PLACEHOLDER_SECRETS, OfflineMocks, RecordingMonitor
from waves import PlanOptions

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "data" / "small.yaml"


def _run_entry_point(
    config_file: Path, stack: str, program: Path = ROOT / "stacks" / "__main__.py"
) -> list[Any]:
    config, secret_keys = load_stack_config(config_file)
    config = {**config, **PLACEHOLDER_CONFIG, **PLACEHOLDER_SECRETS}  # as set with the CLI
    mocks = OfflineMocks()
    monitor = RecordingMonitor(mocks, {})
    pulumi.runtime.set_all_config(config, [*secret_keys, *PLACEHOLDER_SECRETS])
    pulumi.runtime.set_mocks(mocks, project="utflytt", stack=stack, preview=False, monitor=monitor)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def body() -> None:
        runpy.run_path(str(program), run_name="__main__")

    body()
    return list(monitor.records)


def test_entry_point_builds_the_foundation_from_its_stack_config(tmp_path: Path) -> None:
    """From the generated Pulumi.foundation.yaml alone, __main__.py builds the landing zone."""
    catalog, digest = load_catalog_with_digest(SMALL)
    plan = plan_catalog(catalog, digest, PlanOptions())
    plan_path = tmp_path / "build" / "plan.json"
    write_json(plan_path, plan.to_json_dict())
    write_stack_configs(plan, plan_path.as_posix(), tmp_path / "stacks" / "config")
    records = _run_entry_point(
        tmp_path / "stacks" / "config" / "Pulumi.foundation.yaml", "foundation"
    )
    types = {row[1] for row in records}
    assert "utflytt:azure:LandingZone" in types
    assert "azure-native:network:VirtualNetwork" in types
    assert "azure-native:recoveryservices:Vault" in types
    assert not any(t == "azure-native:compute:VirtualMachine" for t in types)


def test_a_project_made_by_init_builds_its_stack_from_its_own_plan(tmp_path: Path) -> None:
    """`utflytt init` + `utflytt plan` in a folder elsewhere: its __main__.py builds the
    foundation from the plan named (relative to the project) in its own stack config."""
    from click.testing import CliRunner

    from app.cli import cli

    project = tmp_path / "mystad"
    assert CliRunner().invoke(cli, ["init", str(project)]).exit_code == 0
    (project / "catalog.yaml").write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    args = ["plan", str(project / "catalog.yaml"), "-o", str(project / "build"), "-q"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    config = project / "stacks" / "Pulumi.foundation.yaml"
    assert "utflytt:planPath: build/plan.json" in config.read_text(encoding="utf-8")
    records = _run_entry_point(config, "foundation", program=project / "__main__.py")
    assert "utflytt:azure:LandingZone" in {row[1] for row in records}
