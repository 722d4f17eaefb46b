"""VPC peering between environments, only where a declared flow crosses them.

Which environment networks must be joined is the provider-neutral
:meth:`stacks.network.policy.NetworkPolicy.joined_networks` (Azure peers the same pairs of
spoke VNets). On AWS each pair is one VPC peering connection in the same account and
region (accepted at creation) plus a route each way in the VPCs' private route tables.
Peering rather than a transit gateway: the landing zone has no transit gateway (each VPC
has its own VPN gateway to the old provider), a handful of environment pairs stays far below
the 50 active peerings per VPC, and only a same-region peering lets a security group rule
reference the other VPC's security group by id, which is how the network policy admits a
test server to the prod domain controllers and nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class VpcRef:
    """What a peering needs of one environment's network."""

    vpc_id: pulumi.Input[str]
    cidr: str
    route_table_id: pulumi.Input[str]


@dataclass(frozen=True)
class NetworkJoinsArgs:
    """The environment pairs to join and each environment's network."""

    pairs: tuple[tuple[str, str], ...]
    vpcs: dict[str, VpcRef]
    tags: dict[str, str] = field(default_factory=dict)


class NetworkJoins(pulumi.ComponentResource):
    """One VPC peering connection and two routes per joined pair of environments."""

    def __init__(
        self, name: str, args: NetworkJoinsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("utflytt:aws:NetworkJoins", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.peerings: dict[tuple[str, str], aws.ec2.VpcPeeringConnection] = {}
        for a, b in args.pairs:
            if a not in args.vpcs or b not in args.vpcs:
                continue
            here, there = args.vpcs[a], args.vpcs[b]
            peering = aws.ec2.VpcPeeringConnection(
                f"peer-{a}-{b}",
                vpc_id=here.vpc_id,
                peer_vpc_id=there.vpc_id,
                auto_accept=True,
                tags={**args.tags, "Name": f"utflytt-{a}-{b}"},
                opts=child,
            )
            for local, remote, label in (
                (here, there, f"{a}-to-{b}"),
                (there, here, f"{b}-to-{a}"),
            ):
                aws.ec2.Route(
                    f"peer-{label}",
                    route_table_id=local.route_table_id,
                    destination_cidr_block=remote.cidr,
                    vpc_peering_connection_id=peering.id,
                    opts=child,
                )
            self.peerings[(a, b)] = peering
        self.register_outputs({})
