"""One plan through both clouds: the rules each renders, read back, allow the same server
pairs and ports (the declared flows), and every server carries the same tags."""

from __future__ import annotations

from typing import Any

import pytest

from migration.plan import Plan, Target
from stacks.aws.moto_mocks import MotoMocks
from stacks.aws.offline import aws_config, run_aws_offline
from stacks.config import settings_for_stack, stack_names
from stacks.settings import StackSettings
from stacks.tags import REQUIRED_TAGS
from stacks.testing import run_offline_full
from tests.aws_fixtures import WAVE_SERVERS, small_plan
from tests.network_allowed import aws_allowed, azure_allowed, declared

pytestmark = pytest.mark.slow
REGION = "eu-north-1"
TAG_KEYS = (*REQUIRED_TAGS, "environment")


def azure_plan() -> Plan:
    return small_plan(target=Target(provider="azure", region="swedencentral"))


@pytest.fixture(scope="module")
def azure() -> tuple[set[Any], dict[str, dict[str, str]]]:
    plan = azure_plan()
    runs = {"foundation": run_offline_full(settings_for_stack(plan, "foundation", "p"), plan)}
    for stack in stack_names(plan)[1:]:
        runs[stack] = run_offline_full(
            settings_for_stack(plan, stack, "p"),
            plan,
            stack_outputs={"foundation": runs["foundation"].outputs},
        )
    allowed, wide = azure_allowed(plan, runs)
    assert wide == []
    tags = {
        r.inputs["tags"]["server"]: {k: r.inputs["tags"].get(k, "") for k in TAG_KEYS}
        for run in runs.values()
        for r in run.resources
        if r.type == "azure-native:compute:VirtualMachine"
    }
    return allowed, tags


@pytest.fixture(scope="module")
def aws() -> tuple[set[Any], dict[str, dict[str, str]]]:
    plan = small_plan()
    with MotoMocks(REGION) as mocks:
        ami = mocks.import_image("eko-app01")
        config = aws_config(
            {
                "amis": {s: ami for s in ("dc01", "dc02", "eko-db01", "eko-test01")},
                "vpnPeerIp": "203.0.113.5",  # required with source networks (stacks.baseline)
                "certificateArns": {"portal": "arn:aws:acm:eu-north-1:123456789012:certificate/p"},
            }
        )
        foundation = run_aws_offline(
            StackSettings("foundation", "foundation", "aws", REGION, "p"), plan, mocks, config
        )
        mocks.stack_outputs["foundation"] = foundation.outputs
        for n in WAVE_SERVERS:
            settings = StackSettings(f"wave-{n:02d}", "wave", "aws", REGION, "p", wave=n)
            run_aws_offline(settings, plan, mocks, config)
        ec2 = mocks.ec2()
        allowed, wide = aws_allowed(plan, ec2)
        assert wide == []
        tags: dict[str, dict[str, str]] = {}
        for page in ec2.get_paginator("describe_instances").paginate():
            for reservation in page["Reservations"]:
                for inst in reservation["Instances"]:
                    found = {t["Key"]: t["Value"] for t in inst.get("Tags", [])}
                    tags[found["server"]] = {k: found.get(k, "") for k in TAG_KEYS}
    return allowed, tags


def test_both_clouds_allow_the_same_declared_flows(azure, aws) -> None:
    assert azure[0] == aws[0] == declared(small_plan())


def test_both_clouds_tag_every_server_alike(azure, aws) -> None:
    assert azure[1] == aws[1]
    assert azure[1]["eko-app01"]["wave"] == "wave-02"
    assert set(azure[1]) == {s for s, p in small_plan().servers.items() if p.wave is not None}


def test_aws_rules_spread_over_shards_still_allow_exactly_the_flows() -> None:
    """With 2 rules per security group (``planning.quotas``), the busiest groups' rules
    spread over shards that the foundation creates and their instances join: read back
    from moto, the allowed set is still the declared flows and no instance passes 5."""
    plan = small_plan().model_copy(update={"quotas": {"aws_rules_per_security_group": 2}})
    with MotoMocks(REGION) as mocks:
        ami = mocks.import_image("eko-app01")
        config = aws_config(
            {
                "amis": {s: ami for s in ("dc01", "dc02", "eko-db01", "eko-test01")},
                "vpnPeerIp": "203.0.113.5",
                "certificateArns": {"portal": "arn:aws:acm:eu-north-1:123456789012:certificate/p"},
            }
        )
        foundation = run_aws_offline(
            StackSettings("foundation", "foundation", "aws", REGION, "p"), plan, mocks, config
        )
        mocks.stack_outputs["foundation"] = foundation.outputs
        assert {"ad.prod.1+4", "economy.prod.db+2"} <= set(foundation.outputs["securityGroupIds"])
        for n in WAVE_SERVERS:
            settings = StackSettings(f"wave-{n:02d}", "wave", "aws", REGION, "p", wave=n)
            run_aws_offline(settings, plan, mocks, config)
        ec2 = mocks.ec2()
        allowed, wide = aws_allowed(plan, ec2)
        attached = {
            next(t["Value"] for t in inst["Tags"] if t["Key"] == "server"): len(
                inst["SecurityGroups"]
            )
            for page in ec2.get_paginator("describe_instances").paginate()
            for reservation in page["Reservations"]
            for inst in reservation["Instances"]
        }
    assert wide == [] and allowed == declared(plan)
    assert attached["dc01"] == 4 and max(attached.values()) <= 5
