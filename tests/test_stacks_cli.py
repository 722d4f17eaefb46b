"""`utflytt preview`: exact errors and the offline listing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.fileio import write_json
from stacks import program
from tests.stacks_fixtures import make_plan


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    write_json(path, make_plan().to_json_dict())
    return path


def test_unknown_stack_is_an_error_listing_the_stacks(plan_file):
    """A stack the plan does not have: exit 1 and the valid names."""
    result = CliRunner().invoke(cli, ["preview", "wave-09", "--plan", str(plan_file)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: unknown stack 'wave-09': expected one of foundation, wave-00, wave-01, wave-02 "
        f"(from {plan_file.as_posix()})\n"
    )


def test_missing_plan_file_is_an_error(tmp_path):
    """No plan: exit 1 naming the file."""
    missing = tmp_path / "plan.json"
    result = CliRunner().invoke(cli, ["preview", "wave-01", "--plan", str(missing)])
    assert result.exit_code == 1
    assert result.output == f"Error: {missing}: cannot read plan: No such file or directory\n"


def test_live_without_a_pulumi_cli_says_so(monkeypatch):
    """--live with no `pulumi` on PATH: one line, exit 1."""
    monkeypatch.setattr(program, "pulumi_cli", lambda: None)
    result = CliRunner().invoke(cli, ["preview", "wave-01", "--live"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: --live needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/); "
        "none found. Without --live, utflytt previews offline.\n"
    )


def test_offline_preview_json_lists_every_resource_with_parent_and_inputs(plan_file):
    """The foundation's JSON: type, name, parent, inputs; secrets redacted; counts."""
    result = CliRunner().invoke(cli, ["preview", "foundation", "--plan", str(plan_file), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    by_name = {r["name"]: r for r in doc["resources"]}
    assert by_name["landing-zone"]["parent"] is None or by_name["landing-zone"]["parent"].endswith(
        "utflytt-foundation"
    )
    assert by_name["vnet-hub"]["parent"].endswith("utflytt:azure:LandingZone::landing-zone")
    assert by_name["vnet-hub"]["inputs"]["addressSpace"] == {"addressPrefixes": ["10.200.0.0/16"]}
    assert by_name["vpn-cn"]["inputs"]["sharedKey"] == "[secret]"
    assert doc["counts"]["azure-native:resources:ResourceGroup"] == 4
    assert sum(doc["counts"].values()) == len(
        [r for r in doc["resources"] if r["kind"] == "register"]
    )
