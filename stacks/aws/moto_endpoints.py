"""MotoMocks handler for VPC endpoints (the baseline's SSM endpoints), run against moto's EC2:
the VPC, the subnets and the security groups must exist, as AWS requires."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

if TYPE_CHECKING:
    from stacks.aws.moto_mocks import MotoMocks


def vpc_endpoint(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    """CreateVpcEndpoint in moto; its id and state."""
    from stacks.aws.moto_mocks import ACCOUNT_ID, _tag_specs

    ec2, inp = m._client("ec2", region), args.inputs
    kwargs: dict[str, Any] = {
        "VpcId": inp.get("vpcId", ""),
        "ServiceName": inp.get("serviceName", ""),
        "VpcEndpointType": inp.get("vpcEndpointType", "Gateway"),
        "TagSpecifications": _tag_specs("vpc-endpoint", inp.get("tags")),
    }
    if inp.get("subnetIds"):
        kwargs["SubnetIds"] = list(inp["subnetIds"])
        ec2.describe_subnets(SubnetIds=kwargs["SubnetIds"])  # unknown subnet: ClientError
    if inp.get("securityGroupIds"):
        kwargs["SecurityGroupIds"] = list(inp["securityGroupIds"])
        ec2.describe_security_groups(GroupIds=kwargs["SecurityGroupIds"])
    if inp.get("privateDnsEnabled") is not None:
        kwargs["PrivateDnsEnabled"] = bool(inp["privateDnsEnabled"])
    endpoint = ec2.create_vpc_endpoint(**kwargs)["VpcEndpoint"]
    eid = endpoint["VpcEndpointId"]
    return eid, {
        **inp,
        "id": eid,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:vpc-endpoint/{eid}",
        "state": endpoint.get("State", "available"),
    }
