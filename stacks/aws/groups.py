"""The network policy's groups on AWS, in the foundation stack: one security group per
group (in its environment's VPC, outbound open, inbound added by the wave that holds the
group's servers), and one managed prefix list per permit from many servers still at the
old provider (a permit from a few: one rule per address). Wave stacks reference both by id
through the foundation's outputs."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from stacks.naming import aws_security_group
from stacks.network.policy import NetworkPolicy
from stacks.network.rulesets import prefix_list_name, prefix_list_permits


def sg_name(group: str) -> str:
    """AWS name of a group's security group (:func:`stacks.naming.aws_security_group`)."""
    return aws_security_group(group)


@dataclass(frozen=True)
class NetworkGroupsArgs:
    """The policy and the VPC of each environment."""

    policy: NetworkPolicy
    vpc_ids: dict[str, pulumi.Input[str]]
    tags: dict[str, str] = field(default_factory=dict)
    # group -> its security groups (itself, then the shards of its inbound rules)
    security_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    prefix_lists: int = 100  # planning.quotas.aws_prefix_lists_per_region


class NetworkGroups(pulumi.ComponentResource):
    """Security groups of every cloud group, prefix lists of every provider permit."""

    def __init__(
        self, name: str, args: NetworkGroupsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("utflytt:aws:NetworkGroups", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        policy = args.policy
        self.security_groups: dict[str, aws.ec2.SecurityGroup] = {}
        for group in policy.cloud_groups():
            env = policy.groups[group].environment
            if env not in args.vpc_ids:
                continue
            tags = {**args.tags, "environment": env, "network-group": group}
            for sg_key in args.security_groups.get(group, (group,)):
                what = "declared dependencies only" if sg_key == group else "more of its rules"
                self.security_groups[sg_key] = aws.ec2.SecurityGroup(
                    f"sg-{sg_key}",
                    name=sg_name(sg_key),
                    vpc_id=args.vpc_ids[env],
                    description=f"utflytt group {group}: {what}"[:255],
                    tags={**tags, "Name": sg_key},
                    opts=child,
                )
            sg = self.security_groups[group]
            aws.vpc.SecurityGroupEgressRule(
                f"sg-{group}-egress",
                security_group_id=sg.id,
                ip_protocol="-1",
                cidr_ipv4="0.0.0.0/0",
                description="outbound",
                tags=tags,
                opts=child,
            )
        self.prefix_lists: dict[str, aws.ec2.ManagedPrefixList] = {}
        listed = prefix_list_permits(policy, args.prefix_lists)
        for permit in policy.permits:
            if permit not in listed:
                continue
            name = prefix_list_name(permit)
            self.prefix_lists[name] = aws.ec2.ManagedPrefixList(
                name,
                name=name,
                address_family="IPv4",
                max_entries=len(permit.addresses),
                entries=[
                    aws.ec2.ManagedPrefixListEntryArgs(cidr=cidr, description="at the provider")
                    for cidr in permit.addresses
                ],
                tags={**args.tags, "network-group": permit.destination},
                opts=child,
            )
        self.register_outputs({})

    @property
    def exports(self) -> dict[str, dict[str, pulumi.Output[str]]]:
        """``securityGroupIds`` and ``prefixListIds`` for the wave stacks."""
        return {
            "securityGroupIds": {g: sg.id for g, sg in self.security_groups.items()},
            "prefixListIds": {n: pl.id for n, pl in self.prefix_lists.items()},
        }
