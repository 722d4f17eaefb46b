"""The safety net at the command boundary: every failure is one ``Error:`` line, exit 1."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import app.pipeline
from app.cli import cli
from tests.test_catalog_bounds import BASE


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_an_unexpected_exception_is_one_line_and_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(app.pipeline, "run_plan", boom)
    code, output = _run("plan")
    assert code == 1
    assert output == (
        "Error: unexpected RuntimeError: boom (a bug in utflytt: please report it with the "
        "output of `utflytt --debug ...`)\n"
    )


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(app.pipeline, "run_plan", boom)
    result = CliRunner().invoke(cli, ["--debug", "plan"])
    assert isinstance(result.exception, RuntimeError)


def test_an_os_error_names_the_path_and_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "build/cost.xlsx")

    monkeypatch.setattr(app.pipeline, "run_plan", full)
    assert _run("plan") == (
        1,
        "Error: build/cost.xlsx: cannot access: No space left on device\n",
    )


def test_output_folder_that_is_a_device(tmp_path: Path) -> None:
    catalog = tmp_path / "c.yaml"
    catalog.write_text(BASE, encoding="utf-8")
    assert _run("plan", str(catalog), "-o", "/dev/full") == (
        1,
        "Error: /dev/full: cannot write: not a folder\n",
    )


def test_validate_dev_zero_does_not_read_forever() -> None:
    assert _run("validate", "/dev/zero") == (
        1,
        "Error: catalog is invalid (1 error)\n/dev/zero: not a regular file\n",
    )


def test_binary_plan_given_to_diff(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    code, output = _run("diff", str(plan), str(plan))
    assert code == 1
    assert output == f"Error: {plan}: not a plan.json (binary byte at offset 0)\n"


def test_catalog_folder_holding_its_own_output_plans_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`plan inv -o inv/build` used to read build/plan.json back as catalog input."""
    monkeypatch.chdir(tmp_path)  # no Pulumi.yaml here: no stack configs written
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "catalog.yaml").write_text(BASE, encoding="utf-8")
    out = inv / "build"
    assert _run("plan", str(inv), "-o", str(out))[0] == 0
    first = (out / "plan.json").read_bytes()
    code, output = _run("plan", str(inv), "-o", str(out))
    assert code == 0, output
    assert (out / "plan.json").read_bytes() == first


def test_warnings_are_grouped_by_code_with_counts_and_first_examples() -> None:
    from app.cli.plan import _warning_lines
    from migration.plan import Warning_

    warnings = [Warning_(code="latency-split", message=f"split {i}") for i in range(11)]
    warnings.append(Warning_(code="no-pilot", message="no pilot"))
    assert _warning_lines(warnings, Path("build"), verbose=False) == [
        "Warnings (12 in 2 kinds; the first of each kind in build/plan.md, all in plan.json, "
        "or run with -v):",
        "  latency-split: 11, e.g. split 0",
        "  no-pilot: 1, e.g. no pilot",
        "",
    ]
    assert len(_warning_lines(warnings, Path("build"), verbose=True)) == 14
