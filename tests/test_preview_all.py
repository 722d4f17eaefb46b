"""`utflytt preview --all`: every stack in one process, the foundation run once, a line per
stack, and exit 1 naming a failing stack (Azure under mocks, AWS under moto)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.errors import UtflyttError
from migration.fileio import write_json
from stacks import plancache, program
from stacks.aws.offline import aws_config
from stacks.config import stack_names
from stacks.harness.allstacks import failures_text, preview_all
from tests.aws_fixtures import small_plan
from tests.stacks_fixtures import make_plan

LINE = re.compile(
    r"^\[(?P<i>\d)/(?P<n>\d)\] (?P<stack>\S+) +(?P<count>[\d,]+) resources"
    r"(, \d+ warnings)? in \d+\.\d s$"
)


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    write_json(path, make_plan().to_json_dict())
    return path


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, fail: str | None = None) -> list[str]:
    """Wrap ``module.run`` to record the stacks it builds (and fail one of them)."""
    calls: list[str] = []
    real = module.run

    def run(settings: Any, plan: Any) -> Any:
        calls.append(settings.stack)
        if settings.stack == fail:
            raise UtflyttError(f"stack {fail}: broken on purpose")
        return real(settings, plan)

    monkeypatch.setattr(module, "run", run)
    return calls


def test_every_stack_is_previewed_and_the_foundation_computed_once(monkeypatch):
    """Azure: each stack built exactly once, in order, the foundation's exports reused by
    every wave; the network policy and address plan computed once for the whole run."""
    plan = make_plan()
    calls = _counting(monkeypatch, program)
    plancache.clear()
    seen: list[tuple[str, int, int]] = []
    results = preview_all(plan, on_start=lambda s, i, n: seen.append((s, i, n)))
    names = stack_names(plan)
    assert calls == names  # a single-stack preview of a wave would build the foundation too
    assert [r.stack for r in results] == names
    assert seen == [(s, i, len(names)) for i, s in enumerate(names, start=1)]
    assert all(r.ok and r.resources > 0 for r in results)
    assert plancache.MISSES["network_policy"] == 1
    assert plancache.MISSES["_admitted"] == 1  # the policy as Azure admits it, built on it
    assert plancache.MISSES["plan_addresses"] == 1
    assert plancache.HITS["_admitted"] >= len(names) - 2  # each wave stack after the first


def test_the_cli_prints_a_line_per_stack_and_a_total(plan_file):
    result = CliRunner().invoke(cli, ["preview", "--all", "--plan", str(plan_file)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    names = stack_names(make_plan())
    matches = [LINE.match(line) for line in lines[:-1]]
    assert all(matches), lines
    assert [m["stack"] for m in matches if m] == names
    assert [m["i"] for m in matches if m] == [str(i) for i in range(1, len(names) + 1)]
    total = sum(int(m["count"].replace(",", "")) for m in matches if m)
    assert re.fullmatch(
        rf"4 of 4 stacks previewed offline \(azure, mocks\): {total:,} resources, 0 failed, "
        r"\d+\.\d s",
        lines[-1],
    )


def test_json_has_one_summary_per_stack_and_no_timings(plan_file):
    result = CliRunner().invoke(cli, ["preview", "--all", "--plan", str(plan_file), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [s["stack"] for s in doc["stacks"]] == stack_names(make_plan())
    assert {s["status"] for s in doc["stacks"]} == {"ok"}
    assert doc["failed"] == []
    assert doc["resources"] == sum(s["resources"] for s in doc["stacks"])
    assert all(sum(s["counts"].values()) == s["resources"] for s in doc["stacks"])
    assert "seconds" not in result.output


def test_a_failing_wave_is_named_the_others_still_run_and_exit_is_1(plan_file, monkeypatch):
    calls = _counting(monkeypatch, program, fail="wave-01")
    result = CliRunner().invoke(cli, ["preview", "--all", "--plan", str(plan_file)])
    assert result.exit_code == 1
    assert calls == ["foundation", "wave-00", "wave-01", "wave-02"]
    lines = result.output.splitlines()
    assert re.fullmatch(
        r"\[3/4\] wave-01 +FAILED after \d+\.\d s: stack wave-01: broken on purpose", lines[2]
    )
    assert LINE.match(lines[3]) and "wave-02" in lines[3]
    assert lines[-1] == "Error: 1 of 4 stacks failed: wave-01: stack wave-01: broken on purpose"


def test_json_names_the_failing_stack_too(plan_file, monkeypatch):
    _counting(monkeypatch, program, fail="wave-02")
    result = CliRunner().invoke(cli, ["preview", "--all", "--plan", str(plan_file), "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["failed"] == ["wave-02"]
    assert doc["stacks"][-1] == {
        "stack": "wave-02",
        "status": "failed",
        "resources": 0,
        "counts": {},
        "warnings": [],
        "error": "stack wave-02: broken on purpose",
    }
    assert (
        result.stderr == "Error: 1 of 4 stacks failed: wave-02: stack wave-02: broken on purpose\n"
    )


def test_a_failing_foundation_stops_the_run(plan_file, monkeypatch):
    """Every wave reads the foundation's outputs: none is previewed without them."""
    calls = _counting(monkeypatch, program, fail="foundation")
    result = CliRunner().invoke(cli, ["preview", "--all", "--plan", str(plan_file)])
    assert result.exit_code == 1
    assert calls == ["foundation"]
    assert result.output.splitlines()[-1] == (
        "Error: 1 of 4 stacks failed: foundation: stack foundation: broken on purpose "
        "(3 wave stacks not previewed: they need the foundation)"
    )


@pytest.mark.parametrize(
    "args",
    [["preview"], ["preview", "wave-01", "--all"], ["preview", "--all", "--live"]],
)
def test_stack_or_all_is_a_usage_error(args, plan_file):
    result = CliRunner().invoke(cli, [*args, "--plan", str(plan_file)])
    assert result.exit_code == 2
    assert "Error:" in result.output


def test_failures_text_is_none_when_all_passed():
    assert failures_text([], 3) is None


# ------------------------------------------------------------------------------------ AWS


def test_aws_every_stack_in_one_moto_session_with_the_foundation_run_once(monkeypatch):
    from stacks.aws import program as aws_program

    plan = small_plan()
    calls = _counting(monkeypatch, aws_program)
    results = preview_all(plan, config=aws_config({"vpnPeerIp": "203.0.113.5"}))
    assert calls == stack_names(plan)
    assert all(r.ok for r in results), [r.error for r in results]
    by_stack = {r.stack: r for r in results}
    assert by_stack["wave-01"].counts["aws:ec2/instance:Instance"] == 1
    assert by_stack["foundation"].counts["aws:ec2/subnet:Subnet"] > 0


def test_aws_moto_still_rejects_what_a_deployment_would(monkeypatch):
    """An instance type the region does not offer fails its wave (named), not the others."""
    plan = small_plan()
    config = aws_config({"vpnPeerIp": "203.0.113.5", "instanceTypes": {"lib-web01": "t2.micro"}})
    results = preview_all(plan, config=config)
    failed = [r for r in results if not r.ok]
    assert [r.stack for r in failed] == ["wave-01"]
    assert "t2.micro" in (failed[0].error or "")
    assert [r.stack for r in results] == stack_names(plan)


def test_aws_an_invalid_vpc_cidr_fails_the_foundation():
    plan = small_plan()
    config = aws_config({"vpnPeerIp": "203.0.113.5", "vpcCidrs": {"prod": "10.300.0.0/16"}})
    results = preview_all(plan, config=config)
    assert [r.stack for r in results] == ["foundation"]
    assert "10.300.0.0/16" in (results[0].error or "")
