"""The cyclic collector is paused around bulk work and comes back as it was found."""

from __future__ import annotations

import contextlib
import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.pipeline import PipelineOptions, run_plan
from migration.collector import collector_paused
from migration.errors import CatalogError
from migration.examples import EXAMPLE_CATALOG


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


class _Ring:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_paused_inside_and_on_again_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_on_again_after_an_error() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_found_off_stays_off() -> None:
    gc.disable()
    with collector_paused(collect_after=True):
        pass
    assert not gc.isenabled()


def test_nested_blocks_leave_it_to_the_outermost() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()  # the inner block found it off: it stays off
    assert gc.isenabled()


def test_collect_after_frees_the_blocks_cycles() -> None:
    with collector_paused(collect_after=True):
        ring = weakref.ref(_Ring())
        assert ring() is not None  # no collection inside the block
    assert ring() is None


def test_without_collect_after_the_cycles_wait() -> None:
    gc.collect()
    gc.disable()  # so that no automatic collection runs before the check
    try:
        with collector_paused():
            ring = weakref.ref(_Ring())
        assert ring() is not None
    finally:
        gc.enable()


def test_run_plan_runs_every_stage_with_the_collector_paused(tmp_path: Path) -> None:
    seen: dict[str, bool] = {}

    @contextlib.contextmanager
    def stage(name: str) -> Iterator[None]:
        seen[name] = gc.isenabled()
        yield

    run_plan(EXAMPLE_CATALOG, tmp_path / "build", PipelineOptions(formats=("md",)), stage=stage)
    assert {"load and validate", "plan waves", "cost", "plan.md", "plan.json"} <= set(seen)
    assert not any(seen.values()), seen
    assert gc.isenabled()


def test_run_plan_turns_the_collector_back_on_after_an_error(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("version: 1\nservers: []\n", encoding="utf-8")
    with pytest.raises(CatalogError):
        run_plan(catalog, tmp_path / "build")
    assert gc.isenabled()
