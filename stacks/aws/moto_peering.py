"""MotoMocks handlers for what joins or reserves address space: VPC peering connections,
subnet CIDR reservations, and the check that a security group rule references a group of
another VPC only across an active peering (AWS refuses it otherwise; moto does not check)."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

import pulumi

from stacks.aws.moto_checks import ACCOUNT_ID, MockCheckError, _check_cidr, _tag_specs

if TYPE_CHECKING:
    from stacks.aws.moto_mocks import MotoMocks


def vpc_peering(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    """CreateVpcPeeringConnection (and, with ``autoAccept``, its acceptance) in moto. AWS
    puts a peering of VPCs whose CIDRs overlap in state ``failed``; moto does not check."""
    ec2, inp = m._client("ec2", region), args.inputs
    ids = [str(inp.get("vpcId", "")), str(inp.get("peerVpcId", ""))]
    vpcs = ec2.describe_vpcs(VpcIds=ids)["Vpcs"]  # unknown VPC: InvalidVpcID.NotFound
    nets = [ipaddress.ip_network(v["CidrBlock"]) for v in vpcs]
    if len(nets) == 2 and nets[0].overlaps(nets[1]):
        raise MockCheckError(
            "VpcPeeringConnectionFailed",
            f"overlapping CIDRs: the VPCs to peer have {nets[0]} and {nets[1]}",
            "CreateVpcPeeringConnection",
        )
    pcx = ec2.create_vpc_peering_connection(
        VpcId=ids[0],
        PeerVpcId=ids[1],
        TagSpecifications=_tag_specs("vpc-peering-connection", inp.get("tags")),
    )["VpcPeeringConnection"]
    pid = pcx["VpcPeeringConnectionId"]
    status = "pending-acceptance"
    if inp.get("autoAccept"):
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pid)
        status = "active"
    return pid, {
        **inp,
        "id": pid,
        "acceptStatus": status,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:vpc-peering-connection/{pid}",
    }


def subnet_cidr_reservation(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    """CreateSubnetCidrReservation in moto (which checks the block is inside the subnet and
    overlaps no other reservation)."""
    ec2, inp = m._client("ec2", region), args.inputs
    cidr = str(inp.get("cidrBlock", ""))
    _check_cidr(cidr, "cidrBlock", "CreateSubnetCidrReservation")
    out = ec2.create_subnet_cidr_reservation(
        SubnetId=inp.get("subnetId", ""),
        Cidr=cidr,
        ReservationType=inp.get("reservationType", ""),
        **({"Description": inp["description"]} if inp.get("description") else {}),
    )["SubnetCidrReservation"]
    rid = out["SubnetCidrReservationId"]
    return rid, {**inp, "id": rid, "ownerId": ACCOUNT_ID}


def check_peered(ec2: Any, group_id: str, referenced_id: str, operation: str) -> None:
    """A rule of ``group_id`` may reference ``referenced_id`` only in the same VPC or across
    an active peering of the two VPCs."""
    if group_id == referenced_id:  # a group admitting its own members
        return
    groups = ec2.describe_security_groups(GroupIds=[group_id, referenced_id])["SecurityGroups"]
    vpcs = {g["GroupId"]: g.get("VpcId", "") for g in groups}
    here, there = vpcs.get(group_id, ""), vpcs.get(referenced_id, "")
    if here == there:
        return
    peerings = ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
    for pcx in peerings:
        ends = {pcx["RequesterVpcInfo"]["VpcId"], pcx["AccepterVpcInfo"]["VpcId"]}
        if ends == {here, there} and pcx["Status"]["Code"] == "active":
            return
    raise MockCheckError(
        "InvalidGroup.NotFound",
        f"You have specified two resources that belong to different networks: "
        f"{group_id} ({here}) and {referenced_id} ({there}) are not in peered VPCs",
        operation,
    )
