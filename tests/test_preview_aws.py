"""`utflytt preview` for AWS plans: the foundation then the wave, in one moto session."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.fileio import write_json
from tests.aws_fixtures import small_plan


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    write_json(path, small_plan().to_json_dict())
    return path


WAVE_01 = """\
Previewing wave-01 (offline, under moto-backed mocks: nothing is created)

      Type                             Name             Key inputs
      pulumi:pulumi:Stack              utflytt-wave-01
+       pulumi:providers:aws           aws-eu-north-1   eu-north-1
read    pulumi:pulumi:StackReference   foundation       8 outputs
+       utflytt:aws:WaveStack          wave-01
+         utflytt:aws:Server           lib-web01
+           aws:ec2/instance:Instance  lib-web01-vm     t3.medium, 10.100.235.13, 32 GB gp3

Resources per type:
    aws:ec2/instance:Instance      1
    pulumi:providers:aws           1
    utflytt:aws:Server             1
    utflytt:aws:WaveStack          1
    + to create                    4
"""


def test_wave_preview_runs_the_foundation_first_and_prints_the_tree(plan_file):
    """wave-01 of an AWS plan: the StackReference is answered by the foundation's moto run,
    the instance sits at its fixed address in a private subnet."""
    result = CliRunner().invoke(cli, ["preview", "wave-01", "--plan", str(plan_file)])
    assert result.exit_code == 0, result.output
    tree, prices = result.output.split("\nMonthly prices (EUR", 1)
    assert tree == WAVE_01
    assert "aws price list (stored public sources) eu-north-1" in prices
    assert prices.rstrip().endswith("EUR a month")


def test_foundation_preview_json_lists_the_landing_zone(plan_file):
    """foundation --json: the Azure document's shape, AWS resources with parents."""
    result = CliRunner().invoke(cli, ["preview", "foundation", "--plan", str(plan_file), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert set(doc) == {"stack", "resources", "counts", "warnings", "prices", "rule_sets"}
    # one per network group, and one per VPC for its Systems Manager endpoints
    assert doc["counts"]["aws:ec2/securityGroup:SecurityGroup"] == 8 + 2
    assert {"rule_set": "vpc prod", "what": "security groups", "count": 7, "limit": 2500} in (
        doc["rule_sets"]
    )
    assert doc["prices"]["book"] == "aws-eu-north-1-2026-12.json"
    assert {r["status"] for r in doc["prices"]["resources"]} <= {
        "priced",
        "free",
        "usage",
        "unpriced",
    }
    assert doc["stack"] == "foundation"
    by_name = {r["name"]: r for r in doc["resources"]}
    assert by_name["prod-vpc"]["inputs"]["cidrBlock"] == "10.100.0.0/16"
    assert by_name["prod-vpc"]["parent"].endswith(
        "utflytt:aws:LandingZone$utflytt:aws:EnvironmentNetwork::prod"
    )
    assert by_name["landing-zone"]["parent"].endswith("pulumi:pulumi:Stack::utflytt-foundation")
    assert doc["counts"]["aws:ec2/vpc:Vpc"] == 2
    # prod: 3 public + 3 private; test: 3 private (one per AZ and tier, not per system)
    assert doc["counts"]["aws:ec2/subnet:Subnet"] == 9
    assert {"rule_set": "vpc prod", "what": "subnets", "count": 6, "limit": 200} in (
        doc["rule_sets"]
    )
    assert sum(doc["counts"].values()) == len(doc["resources"])
    # offline, the VPN peer is a placeholder (TEST-NET-1); a real run without one stops
    assert by_name["landing-zone-source-cgw"]["inputs"]["ipAddress"] == "192.0.2.10"
    assert doc["warnings"] == []


def test_citizen_wave_preview_shows_the_https_only_alb(plan_file):
    """wave-03: the portal's internet-facing ALB, web servers, HTTPS and the HTTP redirect
    (offline, with a placeholder certificate)."""
    result = CliRunner().invoke(cli, ["preview", "wave-03", "--plan", str(plan_file)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(
        "aws:lb/loadBalancer:LoadBalancer" in line and "application, internet-facing" in line
        for line in lines
    )
    assert any("portal-web01-vm" in line and "m6i.large" in line for line in lines)
    listeners = [
        line.split()[2:]
        for line in lines
        if line.startswith("+") and "aws:lb/listener:Listener " in line
    ]
    assert listeners == [
        ["portal-entrance-https", "HTTPS", ":443"],
        ["portal-entrance-http", "HTTP", ":80"],
    ]
    assert "Warnings:" not in lines
