"""Which environment networks are joined is decided once (NetworkPolicy.joined_networks) and
both clouds build exactly that: Azure peers the spoke VNets, AWS the VPCs, each only where a
declared flow crosses environments (a test server using the prod directory)."""

from __future__ import annotations

from typing import Any

import pytest

from migration.plan import Plan
from stacks.config import settings_for_stack
from stacks.network.policy import network_policy
from stacks.testing import run_offline_full
from tests.builders import catalog, dep, plan, server, system

AZURE_PEERING = "azure-native:network:VirtualNetworkPeering"
AWS_PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"


def estate(target: str, crossing: bool) -> Plan:
    """AD in prod; lab with a prod and a test server, using AD only when ``crossing``."""
    uses_ad: dict[str, Any] = {"depends_on": [dep("ad", ports=["tcp/389"])]} if crossing else {}
    systems = [system("ad", foundation=True), system("lab", **uses_ad)]
    servers = [
        server("dc01", "ad", role="infra"),
        server("lab-app01", "lab"),
        server("lab-test01", "lab", environment="test"),
    ]
    region = "eu-north-1" if target == "aws" else "swedencentral"
    return plan(catalog(systems, servers, target=target, region=region))


def azure_joins(result: Plan) -> list[str]:
    run = run_offline_full(settings_for_stack(result, "foundation", "plan.json"), result)
    return sorted(
        r.inputs["virtualNetworkPeeringName"]
        for r in run.resources
        if r.type == AZURE_PEERING and "hub" not in r.inputs["virtualNetworkPeeringName"]
    )


def aws_joins(result: Plan) -> list[str]:
    from stacks.aws.moto_mocks import MotoMocks
    from stacks.aws.offline import aws_config, run_aws_offline

    with MotoMocks("eu-north-1") as mocks:
        run = run_aws_offline(
            settings_for_stack(result, "foundation", "plan.json"),
            result,
            mocks,
            aws_config({"availabilityZones": ["eu-north-1a"]}),
        )
        return sorted(r.inputs["tags"]["Name"] for r in run.resources if r.type == AWS_PEERING)


@pytest.mark.parametrize("crossing", [True, False])
def test_both_clouds_join_exactly_the_networks_a_flow_crosses(crossing: bool) -> None:
    azure, aws = estate("azure", crossing), estate("aws", crossing)
    expected = [("prod", "test")] if crossing else []
    assert network_policy(azure).joined_networks() == expected
    assert network_policy(aws).joined_networks() == expected
    assert azure_joins(azure) == (["prod-to-test", "test-to-prod"] if crossing else [])
    assert aws_joins(aws) == (["utflytt-prod-test"] if crossing else [])
