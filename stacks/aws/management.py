"""Management access without open admin ports on AWS: Systems Manager.

- :class:`SsmAccess` (foundation): the role every instance assumes
  (``AmazonSSMManagedInstanceCore``, ``CloudWatchAgentServerPolicy``) and its instance profile,
  which every instance of every wave gets (Session Manager shells and port forwarding, Fleet
  Manager RDP, patching, inventory): nobody needs SSH or RDP open, a key pair or a bastion.
- :class:`SsmEndpoints` (per VPC): interface endpoints for ``ssm``, ``ssmmessages`` and
  ``ec2messages`` (private DNS on), one subnet per availability zone, behind a security group
  that admits HTTPS from the VPC only; instances reach SSM without an internet route.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

SSM_SERVICES = ("ssm", "ssmmessages", "ec2messages")
INSTANCE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
)


def endpoint_service(region: str, service: str) -> str:
    """The endpoint service name of an AWS service in a region."""
    return f"com.amazonaws.{region}.{service}"


class SsmAccess(pulumi.ComponentResource):
    """The instance role and profile that puts every instance under Systems Manager."""

    def __init__(
        self, name: str, tags: dict[str, str], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("utflytt:aws:SsmAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"Service": "ec2.amazonaws.com"},
                        }
                    ],
                }
            ),
            tags=tags,
            opts=child,
        )
        for i, policy in enumerate(INSTANCE_POLICIES):
            aws.iam.RolePolicyAttachment(
                f"{name}-policy-{i}", role=role.name, policy_arn=policy, opts=child
            )
        self.profile = aws.iam.InstanceProfile(
            f"{name}-profile", name="utflytt-ssm-instance", role=role.name, tags=tags, opts=child
        )
        self.register_outputs({"instanceProfile": self.profile.name})


@dataclass(frozen=True)
class SsmEndpointsArgs:
    """One VPC and a subnet per availability zone for the endpoints' interfaces."""

    region: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    subnet_ids: Mapping[str, pulumi.Input[str]]  # availability zone -> subnet id
    tags: dict[str, str] = field(default_factory=dict)


class SsmEndpoints(pulumi.ComponentResource):
    """Interface endpoints for Systems Manager in one VPC, reachable from the VPC on 443."""

    def __init__(
        self, name: str, args: SsmEndpointsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("utflytt:aws:SsmEndpoints", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            name=f"{name}-endpoints",
            vpc_id=args.vpc_id,
            description="VPC interface endpoints: HTTPS from the VPC",
            tags={**args.tags, "Name": f"{name}-endpoints"},
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-sg-https",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=args.vpc_cidr,
            description="HTTPS from the VPC",
            tags=args.tags,
            opts=child,
        )
        subnets = [args.subnet_ids[az] for az in sorted(args.subnet_ids)]
        for service in SSM_SERVICES:
            aws.ec2.VpcEndpoint(
                f"{name}-{service}",
                vpc_id=args.vpc_id,
                service_name=endpoint_service(args.region, service),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=subnets,
                security_group_ids=[group.id],
                tags={**args.tags, "Name": f"{name}-{service}"},
                opts=child,
            )
        self.register_outputs({})
