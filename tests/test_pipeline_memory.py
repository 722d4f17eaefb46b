"""What ``utflytt plan`` derives for its checks and stack configs is not kept for the write
phase (the exit plan is assembled there: at 100k servers it must find the memory free)."""

from __future__ import annotations

import exit_plan.assemble
from app.pipeline import PipelineOptions, run_plan
from migration.examples import EXAMPLE_CATALOG
from stacks import plancache


def test_the_plan_cache_is_empty_when_the_exit_plan_is_assembled(tmp_path, monkeypatch):
    held: list[int] = []
    build = exit_plan.assemble.build_report

    def counting(*args, **kwargs):
        held.append(sum(len(cache) for cache in plancache._CACHES))
        return build(*args, **kwargs)

    monkeypatch.setattr("exit_plan.build_report", counting)
    run_plan(
        EXAMPLE_CATALOG,
        tmp_path / "build",
        PipelineOptions(stack_config_dir=tmp_path / "stacks", formats=("md",)),
    )
    assert held == [0]
    assert plancache.MISSES.get("network_policy", 0) == 0  # the counts went with them
