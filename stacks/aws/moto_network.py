"""MotoMocks handlers for the network: VPC, subnets, gateways, routes, VPN and flow logs.

Each creates the resource in moto's EC2 with the boto3 call a deployment would make, so that
moto's own validation applies; checks moto lacks raise ``MockCheckError``.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

import pulumi
from botocore.exceptions import ClientError

from stacks.aws.moto_checks import ACCOUNT_ID, MockCheckError, _check_cidr, _i, _tag_specs

if TYPE_CHECKING:
    from stacks.aws.moto_mocks import MotoMocks


def _vpc(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    vpc = ec2.create_vpc(
        CidrBlock=inp.get("cidrBlock", ""), TagSpecifications=_tag_specs("vpc", inp.get("tags"))
    )["Vpc"]
    vid = vpc["VpcId"]
    for attr in ("enableDnsSupport", "enableDnsHostnames"):
        if attr in inp:
            ec2.modify_vpc_attribute(
                VpcId=vid, **{attr[0].upper() + attr[1:]: {"Value": bool(inp[attr])}}
            )
    sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vid]}])
    rt = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]}])
    return vid, {
        **inp,
        "id": vid,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:vpc/{vid}",
        "ownerId": vpc["OwnerId"],
        "dhcpOptionsId": vpc.get("DhcpOptionsId", ""),
        "defaultSecurityGroupId": sg["SecurityGroups"][0]["GroupId"],
        "mainRouteTableId": rt["RouteTables"][0]["RouteTableId"],
    }


def _subnet(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    az = inp.get("availabilityZone")
    m._check_az(az, region, "CreateSubnet")
    kwargs: dict[str, Any] = {"VpcId": inp.get("vpcId", ""), "CidrBlock": inp.get("cidrBlock", "")}
    if az:
        kwargs["AvailabilityZone"] = az
    sn = ec2.create_subnet(TagSpecifications=_tag_specs("subnet", inp.get("tags")), **kwargs)[
        "Subnet"
    ]
    if inp.get("mapPublicIpOnLaunch"):
        ec2.modify_subnet_attribute(SubnetId=sn["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    sid = sn["SubnetId"]
    return sid, {
        **inp,
        "id": sid,
        "availabilityZone": sn["AvailabilityZone"],
        "availabilityZoneId": sn.get("AvailabilityZoneId", ""),
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:subnet/{sid}",
    }


def _internet_gateway(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    igw = ec2.create_internet_gateway(
        TagSpecifications=_tag_specs("internet-gateway", inp.get("tags"))
    )["InternetGateway"]
    gid = igw["InternetGatewayId"]
    if inp.get("vpcId"):
        ec2.attach_internet_gateway(InternetGatewayId=gid, VpcId=inp["vpcId"])
    return gid, {**inp, "id": gid}


def _route_table(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    rt = ec2.create_route_table(
        VpcId=inp.get("vpcId", ""), TagSpecifications=_tag_specs("route-table", inp.get("tags"))
    )
    rid = rt["RouteTable"]["RouteTableId"]
    for vgw in inp.get("propagatingVgws") or []:
        ec2.enable_vgw_route_propagation(RouteTableId=rid, GatewayId=vgw)
    return rid, {**inp, "id": rid}


def _route(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    dest = inp.get("destinationCidrBlock", "")
    _check_cidr(dest, "destinationCidrBlock", "CreateRoute")
    target = (
        {"VpcPeeringConnectionId": inp["vpcPeeringConnectionId"]}
        if inp.get("vpcPeeringConnectionId")
        else {"GatewayId": inp.get("gatewayId", "")}
    )
    ec2.create_route(RouteTableId=inp.get("routeTableId", ""), DestinationCidrBlock=dest, **target)
    rid = f"r-{inp.get('routeTableId')}{abs(hash(dest)) % 10**10}"
    return rid, {**inp, "id": rid}


def _rt_association(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    aid = ec2.associate_route_table(
        RouteTableId=inp.get("routeTableId", ""), SubnetId=inp.get("subnetId", "")
    )["AssociationId"]
    return aid, {**inp, "id": aid}


def _customer_gateway(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    ip = str(inp.get("ipAddress", ""))
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        raise MockCheckError(
            "InvalidParameterValue", f"Invalid IP address: {ip!r}", "CreateCustomerGateway"
        ) from None
    rfc1918 = any(
        addr in ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
    )
    if (
        addr.version != 4
        or rfc1918
        or addr.is_loopback
        or addr.is_multicast
        or addr.is_link_local
        or addr.is_unspecified
    ):
        raise MockCheckError(
            "InvalidParameterValue",
            f"The customer gateway IP address {ip} must be a public IPv4 address",
            "CreateCustomerGateway",
        )
    cgw = ec2.create_customer_gateway(
        Type=inp.get("type", "ipsec.1"),
        PublicIp=ip,
        BgpAsn=_i(inp.get("bgpAsn", 65000)),
        TagSpecifications=_tag_specs("customer-gateway", inp.get("tags")),
    )["CustomerGateway"]
    return cgw["CustomerGatewayId"], {**inp, "id": cgw["CustomerGatewayId"]}


def _vpn_gateway(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    m._check_az(inp.get("availabilityZone"), region, "CreateVpnGateway")
    vgw = ec2.create_vpn_gateway(
        Type="ipsec.1",
        TagSpecifications=_tag_specs("vpn-gateway", inp.get("tags")),
        **({"AmazonSideAsn": _i(inp["amazonSideAsn"])} if inp.get("amazonSideAsn") else {}),
    )["VpnGateway"]
    gid = vgw["VpnGatewayId"]
    if inp.get("vpcId"):
        ec2.attach_vpn_gateway(VpcId=inp["vpcId"], VpnGatewayId=gid)
    return gid, {**inp, "id": gid}


def _vpn_connection(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    conn = ec2.create_vpn_connection(
        Type=inp.get("type", "ipsec.1"),
        CustomerGatewayId=inp.get("customerGatewayId", ""),
        VpnGatewayId=inp.get("vpnGatewayId", ""),
        Options={"StaticRoutesOnly": bool(inp.get("staticRoutesOnly", False))},
        TagSpecifications=_tag_specs("vpn-connection", inp.get("tags")),
    )["VpnConnection"]
    cid = conn["VpnConnectionId"]
    return cid, {
        **inp,
        "id": cid,
        "tunnel1Address": "203.0.113.11",
        "tunnel2Address": "203.0.113.12",
    }


def _vpn_connection_route(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    dest, cid = str(inp.get("destinationCidrBlock", "")), str(inp.get("vpnConnectionId", ""))
    _check_cidr(dest, "destinationCidrBlock", "CreateVpnConnectionRoute")
    ec2.describe_vpn_connections(VpnConnectionIds=[cid])  # InvalidVpnConnectionID.NotFound
    return f"{dest}:{cid}", {**inp, "id": f"{dest}:{cid}"}


def _flow_log(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    dest_type = inp.get("logDestinationType", "cloud-watch-logs")
    kwargs: dict[str, Any] = {
        "ResourceType": "VPC",
        "ResourceIds": [inp.get("vpcId", "")],
        "TrafficType": inp.get("trafficType", ""),
        "LogDestinationType": dest_type,
        "LogDestination": inp.get("logDestination", ""),
    }
    if inp.get("iamRoleArn"):
        kwargs["DeliverLogsPermissionArn"] = inp["iamRoleArn"]
    out = ec2.create_flow_logs(**kwargs)
    if out.get("Unsuccessful"):
        err = out["Unsuccessful"][0]["Error"]
        raise ClientError({"Error": err}, "CreateFlowLogs")
    fid = out["FlowLogIds"][0]
    return fid, {**inp, "id": fid}
