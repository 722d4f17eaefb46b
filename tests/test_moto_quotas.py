"""The moto-backed AWS preview honours the plan's raised rules-per-security-group quota
(moto hard-codes AWS's default, 60), for its own session only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError
from click.testing import CliRunner

from app.cli import cli
from stacks.aws import preview
from stacks.aws.moto_mocks import MotoMocks
from tests.builders import dep, document, server, system

LIMIT_EXCEEDED = "RulesPerSecurityGroupLimitExceeded"


def _authorize(mocks: MotoMocks, rules: int) -> None:
    """``rules`` inbound rules (one CIDR each) on a new VPC security group, one call each."""
    ec2 = mocks.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
    for n in range(rules):
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": f"10.10.{n // 250}.{n % 250}/32"}],
                }
            ],
        )


def _refused(mocks: MotoMocks, rules: int) -> str:
    with pytest.raises(ClientError) as caught:
        _authorize(mocks, rules)
    return str(caught.value.response["Error"]["Code"])


def test_the_default_quota_refuses_the_61st_rule() -> None:
    with MotoMocks("eu-north-1", seed_os_images=False) as mocks:
        _authorize(mocks, 60)
    with MotoMocks("eu-north-1", seed_os_images=False) as mocks:
        assert _refused(mocks, 61) == LIMIT_EXCEEDED


def test_a_raised_quota_allows_up_to_it_and_no_further() -> None:
    with MotoMocks("eu-north-1", seed_os_images=False, rules_per_security_group=120) as mocks:
        _authorize(mocks, 120)
    with MotoMocks("eu-north-1", seed_os_images=False, rules_per_security_group=120) as mocks:
        assert _refused(mocks, 121) == LIMIT_EXCEEDED


def test_the_raise_ends_with_its_session() -> None:
    """moto's own limit is back once the raised session closes (even after an error)."""
    with pytest.raises(RuntimeError):
        with MotoMocks("eu-north-1", seed_os_images=False, rules_per_security_group=120):
            raise RuntimeError("stack failed")
    with MotoMocks("eu-north-1", seed_os_images=False) as mocks:
        assert _refused(mocks, 61) == LIMIT_EXCEEDED


def test_a_lowered_quota_is_enforced_too() -> None:
    with MotoMocks("eu-north-1", seed_os_images=False, rules_per_security_group=10) as mocks:
        assert _refused(mocks, 11) == LIMIT_EXCEEDED


# --- a plan made with the quota raised ------------------------------------------------------


def _estate(consumers: int) -> dict[str, Any]:
    """One database and ``consumers`` systems that each reach it on their own port: as many
    rules on the database's security group (nothing to merge)."""
    systems = [system("db")] + [
        system(f"c{i:02d}", depends_on=[dep("db", ports=[f"tcp/{5000 + i}"])])
        for i in range(consumers)
    ]
    servers = [server("db01", "db", ip="10.10.0.4", role="db")] + [
        server(f"c{i:02d}-app01", f"c{i:02d}", ip=f"10.10.1.{i + 10}") for i in range(consumers)
    ]
    doc = document(
        systems,
        servers,
        target="aws",
        region="eu-north-1",
        quotas={"aws_rules_per_security_group": 120},
    )
    doc["source_networks"] = ["10.10.0.0/16"]
    return doc


@pytest.fixture(scope="module")
def raised_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """plan.json of the estate (planned with the raise) and the database's wave stack."""
    folder = tmp_path_factory.mktemp("raised")
    catalog = folder / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(_estate(70)), "utf-8")
    result = CliRunner().invoke(cli, ["plan", str(catalog), "-o", str(folder / "build")])
    assert result.exit_code == 0, result.output
    plan_file = folder / "build" / "plan.json"
    plan = json.loads(plan_file.read_text("utf-8"))
    assert plan["quotas"] == {"aws_rules_per_security_group": 120}
    return plan_file, f"wave-{plan['servers']['db01']['wave']:02d}"


@pytest.mark.slow
def test_a_plan_with_the_raise_previews(raised_plan: tuple[Path, str]) -> None:
    """The database's group holds more than 60 inbound rules (the plan says so), and moto
    creates them all, as an account with the raise would."""
    plan_file, stack = raised_plan
    result = CliRunner().invoke(cli, ["preview", stack, "--plan", str(plan_file), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    db = next(r for r in doc["rule_sets"] if r["rule_set"] == "sg db.prod")
    assert db["limit"] == 120 and db["count"] > 60
    ingress = doc["counts"]["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"]
    assert ingress > 60


@pytest.mark.slow
def test_the_same_rules_at_moto_s_default_fail(
    raised_plan: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same plan previewed in a moto session at the default quota (as an account
    without the raise): moto refuses the 61st rule, exit 1 with AWS's error."""
    plan_file, stack = raised_plan
    monkeypatch.setattr(preview, "plan_mocks", lambda plan, region=None: MotoMocks("eu-north-1"))
    result = CliRunner().invoke(cli, ["preview", stack, "--plan", str(plan_file)])
    assert result.exit_code == 1
    assert result.output.endswith(
        f"Error: stack {stack}: An error occurred ({LIMIT_EXCEEDED}) when calling the "
        "AuthorizeSecurityGroupIngress operation: The maximum number of rules per security "
        "group has been reached.\n"
    )
