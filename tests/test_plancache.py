"""Per-plan caching (stacks.plancache) and moto's fast tag lookup (stacks.aws.moto_speed)."""

from __future__ import annotations

from typing import Any

import pytest

from stacks import plancache
from stacks.aws import moto_speed
from stacks.network.policy import network_policy
from tests.stacks_fixtures import make_plan


def test_one_computation_per_plan_object_and_a_new_one_for_another_plan():
    calls: list[Any] = []

    @plancache.per_plan
    def derive(plan: Any, n: int = 0) -> tuple[int, int]:
        calls.append((plan, n))
        return (len(calls), n)

    plan = make_plan()
    assert derive(plan) is derive(plan)
    assert derive(plan, 1) == (2, 1)  # another argument value: computed
    equal = make_plan()  # equal, but another object: a plan is cached by identity
    assert derive(equal) == (3, 0)
    assert len(calls) == 3
    for i in range(plancache.ENTRIES + 1):  # bounded: the oldest entry goes
        derive(plan, 100 + i)
    assert derive(plan) == (len(calls), 0) and len(calls) == plancache.ENTRIES + 5


def test_the_network_policy_is_computed_once_per_plan():
    plancache.clear()
    plan = make_plan()
    assert network_policy(plan) is network_policy(plan)
    assert plancache.MISSES["network_policy"] == 1
    assert plancache.HITS["network_policy"] == 1
    plancache.clear()
    assert network_policy(plan) == network_policy(make_plan())


@pytest.fixture
def ec2() -> Any:
    from stacks.aws.moto_mocks import MotoMocks

    with MotoMocks("eu-north-1", seed_os_images=False) as mocks:
        yield mocks.ec2()


def test_fast_tag_lookup_equals_motos_own(ec2):
    """The same tags, order and resource type as moto's describe_tags-based lookup."""
    from moto.ec2.models import ec2_backends

    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    for i in range(3):
        ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=f"10.1.{i}.0/24",
            TagSpecifications=[
                {
                    "ResourceType": "subnet",
                    "Tags": [{"Key": "b", "Value": str(i)}, {"Key": "a", "Value": "x"}],
                }
            ],
        )
    backend = ec2_backends["123456789012"]["eu-north-1"]
    subnets: list[Any] = [
        s for zone in backend.subnets.values() for s in zone.values() if s.vpc_id == vpc
    ]
    assert len(subnets) == 3
    subnets.append(backend.vpcs[vpc])
    moto_speed.uninstall()
    try:
        expected = [s.get_tags() for s in subnets]
        moto_speed.install()
        assert [s.get_tags() for s in subnets] == expected
        assert any(tags for tags in expected)
    finally:
        moto_speed.install()


def test_moto_still_rejects_a_subnet_outside_its_vpc_with_the_fast_lookup(ec2):
    from botocore.exceptions import ClientError

    moto_speed.install()
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    with pytest.raises(ClientError, match="InvalidSubnet.Range"):
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.2.0.0/24")
