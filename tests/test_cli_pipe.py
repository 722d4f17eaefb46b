"""A reader that closes our stdout (``utflytt validate ... | head -1``) is no error: the
command exits quietly, as cat and grep do, with no "Error: ... Broken pipe" and no traceback.
Real subprocesses: the broken pipe only exists between processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "mariehamn" / "catalog.yaml"


def _run_with_stdout_closed(*args: str) -> tuple[int, str]:
    """Run ``python -m app ARGS`` whose stdout reader has gone before anything is written."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes away, as `head` does after its first line
    stderr = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    return process.wait(timeout=120), stderr


@pytest.mark.parametrize(
    "args",
    [
        ("validate", str(EXAMPLE)),
        ("validate", str(EXAMPLE), "--json"),
        ("schema",),
    ],
    ids=["validate", "validate-json", "schema"],
)
def test_a_closed_stdout_exits_quietly(args: tuple[str, ...]) -> None:
    code, stderr = _run_with_stdout_closed(*args)
    assert stderr == ""
    assert code == 1  # click's convention for a broken pipe: not 0 (the output was cut)


def test_an_invalid_catalog_still_says_so_on_stderr(tmp_path: Path) -> None:
    """Only the broken pipe is silenced: an error goes to stderr, which is still open."""
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("version: 2\n", encoding="utf-8")
    code, stderr = _run_with_stdout_closed("validate", str(catalog))
    assert code == 1
    assert stderr.startswith("Error: catalog is invalid (")


def test_a_shell_pipe_into_a_reader_that_has_gone(tmp_path: Path) -> None:
    """The shell's own form, `utflytt validate ... | true`: `true` is gone long before Python
    has started and writes (a reader that reads a little first, as `head -1`, races with our
    writes; the subprocess tests above close the pipe deterministically)."""
    script = (
        f'"{sys.executable}" -m app validate "{EXAMPLE}" 2>"{tmp_path / "err"}" | true; '
        'echo "${PIPESTATUS[0]}"'
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert result.stdout == "1\n"
    assert (tmp_path / "err").read_text(encoding="utf-8") == ""
