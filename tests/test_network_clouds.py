"""One plan through both clouds: the rules each renders, read back, allow the same server
pairs and ports (the declared flows), and every server carries the same tags. The one
difference allowed: a permit from consumers still at the provider that AWS had to
summarise to fit its rules per security group (``network-summarised`` warning) may admit
the other servers its prefixes cover, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from migration.plan import Flow, NotMigrated, Plan, Target
from stacks.aws.moto_mocks import MotoMocks
from stacks.aws.offline import aws_config, run_aws_offline
from stacks.network.admission import is_summary
from stacks.network.budgets import admitted_policy
from stacks.settings import StackSettings
from stacks.tags import REQUIRED_TAGS
from tests.aws_fixtures import WAVE_SERVERS, small_plan
from tests.network_allowed import (
    aws_allowed,
    azure_allowed,
    declared,
    run_azure_stacks,
    summarised,
)

pytestmark = pytest.mark.slow
REGION = "eu-north-1"
TAG_KEYS = (*REQUIRED_TAGS, "environment")


def azure_plan() -> Plan:
    return small_plan(target=Target(provider="azure", region="swedencentral"))


@pytest.fixture(scope="module")
def azure() -> tuple[set[Any], dict[str, dict[str, str]]]:
    plan = azure_plan()
    runs = run_azure_stacks(plan)
    allowed, wide = azure_allowed(plan, runs)
    assert wide == []
    tags = {
        r.inputs["tags"]["server"]: {k: r.inputs["tags"].get(k, "") for k in TAG_KEYS}
        for run in runs.values()
        for r in run.resources
        if r.type == "azure-native:compute:VirtualMachine"
    }
    return allowed, tags


def run_aws_stacks(plan: Plan, mocks: MotoMocks) -> dict[str, Any]:
    """Every AWS stack of ``plan`` run in ``mocks`` (the foundation first, its outputs
    passed to the waves); the foundation's outputs."""
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
    return dict(foundation.outputs)


@pytest.fixture(scope="module")
def aws() -> tuple[set[Any], dict[str, dict[str, str]]]:
    plan = small_plan()
    with MotoMocks(REGION) as mocks:
        run_aws_stacks(plan, mocks)
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
    plan = small_plan()
    assert azure[0] == declared(plan)
    beyond, _ = summarised(plan, admitted_policy(plan))
    assert beyond == set()  # nothing summarised here: AWS must match exactly
    assert aws[0] - declared(plan) <= beyond and aws[0] == declared(plan)


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
        outputs = run_aws_stacks(plan, mocks)
        assert {"ad.prod.1+4", "economy.prod.db+2"} <= set(outputs["securityGroupIds"])
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


def summarising_plan() -> Plan:
    """The small plan with 20 more retained archive servers at odd addresses of
    10.10.20.0/26 reaching eko-db01 on tcp/1433, one more at 10.10.20.2 that reaches
    nothing, and 6 rules per security group: a prefix list of 21 /32s cannot fit one
    security group, and 21 single rules not the instance's five."""
    base = small_plan()
    servers = dict(base.servers)
    flows = list(base.flows)
    retained = ["arch01"]
    for i in range(20):
        sid = f"arch{i + 2:02d}"
        servers[sid] = base.servers["arch01"].model_copy(update={"ip": f"10.10.20.{2 * i + 1}"})
        flows.append(Flow.model_validate({"from": sid, "to": "eko-db01", "ports": ["tcp/1433"]}))
        retained.append(sid)
    servers["arch-idle"] = base.servers["arch01"].model_copy(update={"ip": "10.10.20.2"})
    return small_plan(
        servers=servers,
        flows=tuple(flows),
        not_migrated=NotMigrated(retain=(*retained, "arch-idle"), retire=("crm01",)),
        quotas={"aws_rules_per_security_group": 6},
    )


def test_aws_differs_only_inside_the_permit_it_summarised() -> None:
    """AWS summarises the 21 retained consumers of eko-db01 into fewer prefixes (warned);
    read back from moto it allows every declared flow, and beyond them only the idle
    archive server its first merged prefix covers, to eko-db01 on tcp/1433. Azure admits
    the 21 /32s exactly."""
    plan = summarising_plan()
    policy = admitted_policy(plan)
    assert [w.split()[0] for w in policy.warnings if is_summary(w)] == ["economy.prod.db"]
    azure = plan.model_copy(update={"target": Target(provider="azure", region="swedencentral")})
    assert not [w for w in admitted_policy(azure).warnings if is_summary(w)]
    with MotoMocks(REGION) as mocks:
        run_aws_stacks(plan, mocks)
        allowed, wide = aws_allowed(plan, mocks.ec2())
    beyond, prefixes = summarised(plan, policy)
    assert declared(plan) <= allowed
    assert allowed - declared(plan) == {("arch-idle", "eko-db01", "tcp/1433")}
    assert allowed - declared(plan) <= beyond
    assert wide and {w.partition(": ")[2] for w in wide} <= prefixes
