"""One run, one generation: a failed, full, read-only, killed or concurrent run never leaves
a half-changed build. Every test plans once (generation A), then makes a second run fail in
one way and asserts that every file of generation A survives byte for byte."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import migration.generation as generation
from app.pipeline import PipelineOptions, run_plan
from migration.errors import InputFileError, OutputError
from migration.generation import (
    JOURNAL_NAME,
    KILL_AFTER_ENV,
    PREVIOUS_NAME,
    STAGING_NAME,
    recover,
    write_generation,
)
from tests.test_bench_generator import estate

ROOT = Path(__file__).resolve().parent.parent
INTERNAL = {STAGING_NAME, PREVIOUS_NAME, JOURNAL_NAME}


def _catalog(path: Path, organisation: str, n: int = 30) -> Path:
    document = estate.generate(n, 5)
    document["organisation"] = organisation
    path.write_text(json.dumps(document, default=str), encoding="utf-8")
    return path


def _snapshot(*folders: Path) -> dict[str, bytes]:
    """Every visible file under the folders (utflytt's own lock and journal excluded)."""
    found: dict[str, bytes] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not (set(path.relative_to(folder).parts) & INTERNAL):
                found[str(path)] = path.read_bytes()
    return found


def _leftovers(*folders: Path) -> list[str]:
    return sorted(
        str(p)
        for folder in folders
        for p in folder.rglob("*")
        if p.name in INTERNAL or p.name.endswith(".tmp")
    )


@pytest.fixture()
def world(tmp_path: Path) -> dict[str, Path]:
    """Generation A written by catalog A into build/ and stacks/config/; catalog B ready."""
    out, stacks = tmp_path / "build", tmp_path / "stacks" / "config"
    a = _catalog(tmp_path / "a.json", "Alpha kommun")
    b = _catalog(tmp_path / "b.json", "Beta stad", n=45)
    run_plan(a, out, PipelineOptions(stack_config_dir=stacks))
    return {"out": out, "stacks": stacks, "a": a, "b": b, "root": tmp_path}


def _options(world: dict[str, Path]) -> PipelineOptions:
    return PipelineOptions(stack_config_dir=world["stacks"])


def test_second_run_replaces_the_whole_generation(world: dict[str, Path]) -> None:
    before = _snapshot(world["out"], world["stacks"])
    run_plan(world["b"], world["out"], _options(world))
    after = _snapshot(world["out"], world["stacks"])
    assert after != before
    assert "Beta stad" in (world["out"] / "plan.md").read_text(encoding="utf-8")
    assert b"Alpha kommun" not in b"".join(after.values())
    assert _leftovers(world["out"], world["stacks"]) == []


def test_broken_stack_config_is_found_before_anything_is_written(world: dict[str, Path]) -> None:
    broken = world["stacks"] / "Pulumi.wave-01.yaml"
    broken.write_text("config: [unclosed\n", encoding="utf-8")
    before = _snapshot(world["out"], world["stacks"])
    with pytest.raises(InputFileError, match=r"Pulumi.wave-01.yaml:2:1: not valid YAML"):
        run_plan(world["b"], world["out"], _options(world))
    assert _snapshot(world["out"], world["stacks"]) == before


@pytest.mark.parametrize("fail_at", [1, 4, 9, 15])
def test_full_disk_while_staging_keeps_the_previous_generation(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    before = _snapshot(world["out"], world["stacks"])
    real = generation._write_file
    calls = {"n": 0}

    def full_disk(path: Path, payload: object, like: object, direct: bool = True) -> None:
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, payload, like, direct)  # type: ignore[arg-type]

    monkeypatch.setattr(generation, "_write_file", full_disk)
    with pytest.raises(OutputError, match="cannot write: No space left on device") as info:
        run_plan(world["b"], world["out"], _options(world))
    assert str(world["root"]) in str(info.value)
    assert _snapshot(world["out"], world["stacks"]) == before
    assert _leftovers(world["out"], world["stacks"]) == []


@pytest.mark.parametrize("fail_at", [1, 6, 12])
def test_failed_rename_during_the_switch_rolls_back(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    before = _snapshot(world["out"], world["stacks"])
    real = os.replace
    calls = {"n": 0}

    def flaky(src: str | Path, dst: str | Path) -> None:
        if STAGING_NAME in str(src):
            calls["n"] += 1
            if calls["n"] == fail_at:
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dst))
        real(src, dst)

    monkeypatch.setattr("migration.generation.os.replace", flaky)
    with pytest.raises(OutputError, match="Read-only file system"):
        run_plan(world["b"], world["out"], _options(world))
    monkeypatch.setattr("migration.generation.os.replace", real)
    assert _snapshot(world["out"], world["stacks"]) == before
    assert _leftovers(world["out"], world["stacks"]) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_stack_config_folder(world: dict[str, Path]) -> None:
    before = _snapshot(world["out"], world["stacks"])
    world["stacks"].chmod(0o555)
    try:
        with pytest.raises(OutputError, match="Permission denied"):
            run_plan(world["b"], world["out"], _options(world))
    finally:
        world["stacks"].chmod(0o755)
    assert _snapshot(world["out"], world["stacks"]) == before


def test_read_only_output_file_system(world: dict[str, Path], tmp_path: Path) -> None:
    """/proc is read-only for everyone, root included: the error names the path and reason."""
    with pytest.raises(OutputError, match=r"^/proc/utflytt-test: cannot write: "):
        write_generation([(Path("/proc/utflytt-test/plan.json"), "{}")])


def _kill_run(world: dict[str, Path], kill_after: int) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from app.pipeline import PipelineOptions, run_plan
        run_plan({str(world["b"])!r}, {str(world["out"])!r},
                 PipelineOptions(stack_config_dir=Path({str(world["stacks"])!r})))
        """
    )
    env = {**os.environ, KILL_AFTER_ENV: str(kill_after), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )


# 17 outputs of the 45-server plan: kills at 1 and 10 hit staging, 19 and 24 the renames
@pytest.mark.parametrize(
    ("kill_after", "switching"), [(1, False), (10, False), (19, True), (24, True)]
)
def test_killed_run_leaves_or_restores_the_previous_generation(
    world: dict[str, Path], kill_after: int, switching: bool
) -> None:
    before = _snapshot(world["out"], world["stacks"])
    result = _kill_run(world, kill_after)
    assert result.returncode == -9, result.stderr
    journal = (world["out"] / JOURNAL_NAME).exists()
    assert journal is switching
    if not journal:  # killed while staging: nothing visible changed
        assert _snapshot(world["out"], world["stacks"]) == before
    else:  # killed mid-switch: the next run (or recover) rolls back first
        assert _snapshot(world["out"], world["stacks"]) != before
    assert recover(world["out"]) is journal
    recover(world["stacks"])
    assert _snapshot(world["out"], world["stacks"]) == before
    assert _leftovers(world["out"], world["stacks"]) == []


def test_a_kill_mid_switch_is_rolled_back_before_anything_reads_the_plan(
    world: dict[str, Path],
) -> None:
    """Pulumi's program and every command read plan.json through read_plan: they see A."""
    from migration.plan import read_plan

    before = _snapshot(world["out"], world["stacks"])
    assert _kill_run(world, 20).returncode == -9
    assert _snapshot(world["out"], world["stacks"]) != before  # half-switched on disk
    assert read_plan(world["out"] / "plan.json").organisation == "Alpha kommun"
    assert _snapshot(world["out"], world["stacks"]) == before
    assert not (world["out"] / JOURNAL_NAME).exists()


def test_a_kill_mid_switch_is_rolled_back_by_the_next_run(world: dict[str, Path]) -> None:
    assert _kill_run(world, 20).returncode == -9
    assert (world["out"] / JOURNAL_NAME).exists()
    run_plan(world["a"], world["out"], _options(world))  # same catalog as generation A
    text = b"".join(_snapshot(world["out"], world["stacks"]).values())
    assert b"Beta stad" not in text
    assert _leftovers(world["out"], world["stacks"]) == []


def test_second_run_fails_clearly_while_the_first_holds_the_lock(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(world["out"], world["stacks"])
    monkeypatch.setattr(generation, "LOCK_WAIT_SECONDS", 0.2)
    holder = os.open(world["stacks"], os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        with pytest.raises(OutputError, match="config: another utflytt run is writing here"):
            run_plan(world["b"], world["out"], _options(world))
    finally:
        os.close(holder)
    assert _snapshot(world["out"], world["stacks"]) == before


def test_two_concurrent_runs_never_mix_their_outputs(world: dict[str, Path]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "UTFLYTT_LOCK_WAIT": "120"}
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                "plan",
                str(catalog),
                "-o",
                str(world["out"]),
                "--stack-config-dir",
                str(world["stacks"]),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        for catalog in (world["a"], world["b"])
    ]
    errors = [run.communicate(timeout=180)[1] for run in runs]  # also closes the pipes
    assert [run.returncode for run in runs] == [0, 0], errors
    text = b"".join(_snapshot(world["out"]).values()).decode("utf-8", "replace")
    assert ("Alpha kommun" in text) != ("Beta stad" in text)


def test_orphan_temp_files_of_old_writers_are_cleaned(world: dict[str, Path]) -> None:
    orphan = world["out"] / ".plan.json.abc123.tmp"
    orphan.write_text("half", encoding="utf-8")
    run_plan(world["a"], world["out"], _options(world))
    assert not orphan.exists()


def test_a_rendering_that_fails_changes_nothing(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in a renderer of the exit plan (which renders in the write phase, after
    plan.json and others are staged) leaves generation A intact."""
    import exit_plan

    def broken(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("renderer bug")

    before = _snapshot(world["out"], world["stacks"])
    monkeypatch.setattr(exit_plan, "stream_html", broken)
    with pytest.raises(RuntimeError, match="renderer bug"):
        run_plan(world["b"], world["out"], _options(world))
    assert _snapshot(world["out"], world["stacks"]) == before
    assert _leftovers(world["out"], world["stacks"]) == []
