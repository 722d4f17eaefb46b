"""The bundled example planned for AWS: the foundation and every wave stack, under moto.

One module-scoped run: the example (examples/mariehamn) planned with target aws in
eu-north-1 and sized to EC2 types offered there, then the foundation and every wave stack
in one moto session (waves land in the foundation's subnets), with moto's instance-type
validation on. Every stack must pass the same security invariants as Azure
(``stacks.security.check`` with ``provider="aws"``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import moto.settings
import pytest

from migration.catalog import load_catalog_with_digest
from migration.plan import Plan
from migration.sizing import size_catalog
from stacks import security
from stacks.aws import layout
from stacks.aws.moto_mocks import MotoMocks
from stacks.aws.offline import AwsRun, aws_config, run_aws_offline
from stacks.aws.preview import preview_config
from stacks.config import settings_for_stack, stack_names
from waves import PlanOptions, plan_waves

REGION = "eu-north-1"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mariehamn" / "catalog.yaml"


@dataclass
class ExampleRun:
    plan: Plan
    mocks: MotoMocks
    runs: dict[str, AwsRun]
    seconds: dict[str, float]


@pytest.fixture(scope="module")
def example():
    """Plan the example for AWS, then run the foundation once and every wave stack."""
    catalog, sha = load_catalog_with_digest(EXAMPLE)
    plan = plan_waves(
        catalog,
        sha,
        PlanOptions(target="aws", region=REGION),
        sizing=size_catalog(catalog, "aws", REGION),
    )
    with MotoMocks(REGION) as mocks:
        config = preview_config(plan, mocks, aws_config({"vpnPeerIp": "203.0.113.5"}))
        runs: dict[str, AwsRun] = {}
        seconds: dict[str, float] = {}
        for stack in stack_names(plan):
            start = time.perf_counter()
            runs[stack] = run_aws_offline(
                settings_for_stack(plan, stack, "build/plan.json"), plan, mocks, config
            )
            seconds[stack] = round(time.perf_counter() - start, 2)
            if stack == "foundation":
                mocks.stack_outputs["foundation"] = runs[stack].outputs
        yield ExampleRun(plan, mocks, runs, seconds)


def test_the_example_is_planned_for_aws_in_eu_north_1(example):
    """Target aws/eu-north-1, every migrating server sized to an EC2 type."""
    plan = example.plan
    assert (plan.target.provider, plan.target.region) == ("aws", REGION)
    migrating = layout.migrating_servers(plan)
    assert len(migrating) > 100 and len(plan.waves) > 3
    assert all(s.sku and "." in s.sku for s in migrating.values())


def test_every_stack_ran_with_instance_type_validation_on(example):
    """The foundation and one stack per wave; moto validated the instance types."""
    assert moto.settings.EC2_ENABLE_INSTANCE_TYPE_VALIDATION
    assert list(example.runs) == stack_names(example.plan)
    print("seconds per stack:", example.seconds, "total", round(sum(example.seconds.values()), 1))


def test_every_stack_passes_the_security_invariants(example):
    """No public IP outside citizen ALBs, no world ingress on instances, encrypted EBS,
    every resource tagged, EU region: nothing reported for any stack."""
    found = {
        stack: [
            str(v)
            for v in security.check(run.resources, region=REGION, provider="aws", plan=example.plan)
        ]
        for stack, run in example.runs.items()
    }
    assert {stack: v for stack, v in found.items() if v} == {}


def test_every_migrating_server_runs_in_moto_as_planned(example):
    """Each wave's servers are moto instances of the planned, region-offered type, in a
    private subnet at the address the foundation planned, without a public IP, with
    encrypted volumes."""
    ec2 = example.mocks.ec2()
    offered = {
        o["InstanceType"]
        for page in ec2.get_paginator("describe_instance_type_offerings").paginate(
            LocationType="region"
        )
        for o in page["InstanceTypeOfferings"]
    }
    instances = {
        t["Value"]: i
        for r in ec2.get_paginator("describe_instances").paginate()
        for res in r["Reservations"]
        for i in res["Instances"]
        for t in i.get("Tags", [])
        if t["Key"] == "server"
    }
    plan = example.plan
    network = example.runs["foundation"].outputs["network"]
    assert sorted(instances) == sorted(layout.migrating_servers(plan))
    for sid, inst in instances.items():
        server = plan.servers[sid]
        assert inst["InstanceType"] == server.sku in offered, sid
        assert "PublicIpAddress" not in inst, sid
        vpc = network[server.environment]
        placed = vpc["servers"][sid]
        assert inst["SubnetId"] == vpc["subnets"][placed["subnet"]]["id"], sid
        assert inst["PrivateIpAddress"] == placed["ip"], sid
        tags = {t["Key"]: t["Value"] for t in inst["Tags"]}
        assert tags["wave"] == f"wave-{server.wave:02d}", sid
    volumes = [
        v for page in ec2.get_paginator("describe_volumes").paginate() for v in page["Volumes"]
    ]
    assert volumes and all(v["Encrypted"] for v in volumes)


def test_rendered_rule_units_are_what_the_limit_check_counts(example):
    """Per security group, the rendered inbound rules (a prefix list weighing its max
    entries, a citizen web group's load-balancer rule included) add up to exactly the count
    ``utflytt plan`` checks against the quota."""
    from stacks.network.limits import rule_set_counts

    rules = [
        r
        for run in example.runs.values()
        for r in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    ]
    entries = {
        r.id: int(r.inputs["maxEntries"])
        for r in example.runs["foundation"].of_type("aws:ec2/managedPrefixList:ManagedPrefixList")
    }
    groups = {
        r.id: r.inputs["tags"]["Name"]  # the group, or a shard of its rules
        for r in example.runs["foundation"].of_type("aws:ec2/securityGroup:SecurityGroup")
        if "network-group" in r.inputs["tags"]  # not the VPC endpoints' group
    }
    inbound: dict[str, int] = {}
    for r in rules:  # moto's DescribeSecurityGroupRules takes ~40 s here: count the records
        group = groups.get(r.inputs["securityGroupId"])
        if group is not None:
            weight = entries.get(r.inputs.get("prefixListId", ""), 1)
            inbound[f"sg {group}"] = inbound.get(f"sg {group}", 0) + weight
    counted = {
        c.rule_set: c.count
        for c in rule_set_counts(example.plan)
        if c.what == "inbound rules" and c.count
    }
    assert inbound == counted  # the load balancer's rule on a web group is in both


def test_only_citizen_systems_have_an_internet_facing_load_balancer(example):
    """Every ALB is a citizen system's, in the prod VPC's public subnets."""
    public = set(example.runs["foundation"].outputs["network"]["prod"]["publicSubnetIds"])
    citizen = set(layout.citizen_systems(example.plan))
    albs = [
        r for run in example.runs.values() for r in run.of_type("aws:lb/loadBalancer:LoadBalancer")
    ]
    assert albs
    for alb in albs:
        assert alb.inputs["tags"]["system"] in citizen
        assert set(alb.inputs["subnets"]) == public


# --- small, fast checks of what the example needed -----------------------------------------


def test_rule_descriptions_outside_the_aws_character_set_fail():
    """AWS rejects '>' in a rule description (moto does not): the mock's own check."""
    from botocore.exceptions import ClientError

    from stacks.aws.moto_mocks import _check_description

    _check_description("eko-app01 to eko-db01 tcp/1433 (hybrid until wave-03)", "d", "op")
    with pytest.raises(ClientError, match="Invalid rule description 'a -> b'"):
        _check_description("a -> b", "rule description", "AuthorizeSecurityGroupIngress")


def test_stacks_security_check_dispatches_to_the_aws_rules():
    """provider="aws": the AWS rule names and the baseline's (no instance profile); a stack
    region outside the EU is reported."""
    from stacks.aws.moto_mocks import RecordedResource

    vm = RecordedResource(
        "aws:ec2/instance:Instance",
        "vm",
        {"associatePublicIpAddress": True, "rootBlockDevice": {"encrypted": False}, "tags": {}},
        "i-1",
        {},
        REGION,
    )
    rules = {v.rule for v in security.check([vm], region="us-east-1", provider="aws")}
    assert rules == {"no-public-ip", "ebs-encrypted", "tagged", "region", "management-access"}
