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


def _run_entry_point(config_file: Path, stack: str) -> list[Any]:
    config, secret_keys = load_stack_config(config_file)
    config = {**config, **PLACEHOLDER_CONFIG, **PLACEHOLDER_SECRETS}  # as set with the CLI
    mocks = OfflineMocks()
    monitor = RecordingMonitor(mocks, {})
    pulumi.runtime.set_all_config(config, [*secret_keys, *PLACEHOLDER_SECRETS])
    pulumi.runtime.set_mocks(mocks, project="utflytt", stack=stack, preview=False, monitor=monitor)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def body() -> None:
        runpy.run_path(str(ROOT / "stacks" / "__main__.py"), run_name="__main__")

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
