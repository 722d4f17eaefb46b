"""Pulumi mocks for pulumi-aws backed by moto's in-process EC2 (tests and offline preview).

Every EC2 resource a stack registers is created in moto with the boto3 call a deployment
would make (CreateVpc, CreateSubnet, RunInstances, ...), so that moto's own validation
applies: an invalid CIDR, a subnet outside its VPC, overlapping subnets, a duplicate
security group or an instance type the region does not offer fail with moto's
``ClientError``. Checks moto lacks are added here and raise :class:`MockCheckError` (a
``ClientError`` too): an availability zone of another region, an unknown region, security
group rule protocols and ports, the customer gateway address, VPN routes, ALB subnets.
Resources outside EC2 (KMS, IAM, CloudWatch Logs, Backup, ELBv2) are echoed with realistic
ids and ARNs. See docs/pulumi-testing.md ("AWS: mocks backed by moto").
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# moto reads this switch once, at import time (bool(os.environ.get(...))): set it before the
# first import of moto, and patch the setting as well in case moto was imported earlier.
os.environ.setdefault("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true")

# boto3/botocore ship no type information: typed as Any (mypy override in pyproject.toml)
import boto3  # noqa: E402
import moto.settings  # noqa: E402
import pulumi  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from moto import mock_aws  # noqa: E402

moto.settings.EC2_ENABLE_INSTANCE_TYPE_VALIDATION = True

ACCOUNT_ID = "123456789012"  # moto's default account
Handler = Callable[["MotoMocks", pulumi.runtime.MockResourceArgs, str], tuple[str, dict[str, Any]]]
_PROTOCOLS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "-1": "-1", "all": "-1"}


class MockCheckError(ClientError):  # type: ignore[misc]  # ClientError is Any (untyped botocore)
    """A check that moto does not make, failed; shaped like the AWS API error it stands for."""

    def __init__(self, code: str, message: str, operation: str) -> None:
        super().__init__(
            {"Error": {"Code": code, "Message": f"{message} (utflytt check)"}}, operation
        )


@dataclass
class RecordedResource:
    """One registered resource as the mock saw it (inputs resolved, numbers as floats)."""

    type: str
    name: str
    inputs: dict[str, Any]
    id: str
    state: dict[str, Any]
    region: str
    custom: bool = True
    urn: str | None = None  # filled in by stacks.aws.offline (engine-style URN)
    parent: str | None = None  # the parent's URN (None: the stack)
    order: int = 0  # program order (constructor calls), filled in by offline
    secret_paths: tuple[str, ...] = ()  # inputs that were Pulumi secrets, filled in by offline


@dataclass
class RecordedCall:
    """One provider function call (data source lookup)."""

    token: str
    args: dict[str, Any]
    result: dict[str, Any]


# --- publisher images that moto's bundled (2017) catalogue lacks ------------------------------

OS_IMAGE_SEEDS: tuple[tuple[str, str, str | None], ...] = (
    # (owner account, AMI name, platform); names match layout.image_query's patterns
    ("801119661308", "Windows_Server-2022-English-Full-Base-2026.10.08", "windows"),
    ("801119661308", "Windows_Server-2019-English-Full-Base-2026.10.08", "windows"),
    ("801119661308", "Windows_Server-2016-English-Full-Base-2026.10.08", "windows"),
    ("801119661308", "Windows_Server-2012-R2_RTM-English-64Bit-Base-2023.10.11", "windows"),
    ("099720109477", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261001", None),
    ("099720109477", "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20261001", None),
    ("099720109477", "ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-20250601", None),
    ("309956199498", "RHEL-9.6.0_HVM-20261001-x86_64-0-Hourly2-GP3", None),
    ("309956199498", "RHEL-8.10.0_HVM-20261001-x86_64-0-Hourly2-GP3", None),
    ("136693071363", "debian-12-amd64-20261001-2100", None),
)


def _fake_id(prefix: str, *parts: str) -> str:
    return f"{prefix}-0{hashlib.sha256('/'.join(parts).encode()).hexdigest()[:16]}"


def _i(value: Any) -> int:
    return int(value)  # protobuf Struct numbers arrive as floats


def _tag_specs(resource_type: str, tags: Mapping[str, str] | None) -> list[dict[str, Any]]:
    if not tags:
        return []
    return [
        {
            "ResourceType": resource_type,
            "Tags": [{"Key": k, "Value": str(v)} for k, v in sorted(tags.items())],
        }
    ]


class MotoMocks(pulumi.runtime.Mocks):
    """Mocks whose ``new_resource``/``call`` run against moto's in-process AWS.

    ``stack_outputs`` maps a StackReference name to the outputs it returns. Use one instance
    per moto session: the foundation stack and the wave stacks that reference it run against
    the same instance, so a wave's instances land in the foundation's (moto) subnets.
    """

    def __init__(
        self,
        default_region: str = "eu-north-1",
        *,
        stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
        seed_os_images: bool = True,
    ) -> None:
        self.default_region = default_region
        self.stack_outputs: dict[str, Mapping[str, Any]] = dict(stack_outputs or {})
        self.resources: list[RecordedResource] = []
        self.calls: list[RecordedCall] = []
        self._provider_regions: dict[str, str] = {}
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.RLock()
        self._mock = mock_aws()
        self._mock.start()
        self._seeded: set[str] = set()
        self._zone_cache: dict[str, list[str]] = {}
        self._seed = seed_os_images

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the moto session (all state is dropped)."""
        self._mock.stop()

    def __enter__(self) -> MotoMocks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ec2(self, region: str | None = None) -> Any:
        """A boto3 EC2 client on the moto session (for tests that inspect moto's state)."""
        return self._client("ec2", region or self.default_region)

    def _client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = boto3.client(service, region_name=region)
            if service == "ec2" and self._seed and region not in self._seeded:
                self._seed_images(region)
        return self._clients[key]

    def _seed_images(self, region: str) -> None:
        """Add current publisher images (moto's own catalogue is from 2017), as moto does."""
        from moto.ec2.models import ec2_backends
        from moto.ec2.models.amis import Ami

        self._seeded.add(region)
        backend = ec2_backends[ACCOUNT_ID][region]
        for owner, name, platform in OS_IMAGE_SEEDS:
            ami_id = _fake_id("ami", region, name)
            backend.amis[ami_id] = Ami(
                backend,
                ami_id,
                name=name,
                owner_id=owner,
                owner_alias="amazon",
                public=True,
                platform=platform,
                architecture="x86_64",
                virtualization_type="hvm",
                root_device_type="ebs",
                hypervisor="xen",
                root_device_name="/dev/sda1" if platform == "windows" else "/dev/xvda",
                creation_date=datetime(2026, 10, 1),
                region_name=region,
            )

    def import_image(
        self, server_id: str, region: str | None = None, *, platform: str | None = None
    ) -> str:
        """Stand-in for VM Import: register an AMI tagged ``utflytt:server=<id>``; its id."""
        ec2 = self.ec2(region)
        ami = ec2.register_image(
            Name=f"import-{server_id}",
            RootDeviceName="/dev/sda1",
            BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}],
        )["ImageId"]
        ec2.create_tags(Resources=[ami], Tags=[{"Key": "utflytt:server", "Value": server_id}])
        return str(ami)

    # -- pulumi.runtime.Mocks --------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        with self._lock:
            region = self._region_of(args)
            handler = _HANDLERS.get(args.typ)
            if handler is None:
                if args.typ.startswith("aws:ec2/") or args.typ.startswith("aws:vpc/"):
                    raise NotImplementedError(f"MotoMocks has no handler for {args.typ}")
                handler = _echo
            rid, state = handler(self, args, region)
            self.resources.append(
                RecordedResource(
                    args.typ,
                    args.name,
                    dict(args.inputs),
                    rid,
                    state,
                    region,
                    bool(args.custom) if args.custom is not None else True,
                )
            )
            return rid, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        with self._lock:
            region = self._provider_regions.get(_provider_id(args.provider), self.default_region)
            region = args.args.get("region") or region
            fn = _CALLS.get(args.token)
            if fn is None:
                raise NotImplementedError(f"MotoMocks has no answer for {args.token}")
            result = fn(self, args.args, region)
            self.calls.append(RecordedCall(args.token, dict(args.args), result))
            return result, []

    def _region_of(self, args: pulumi.runtime.MockResourceArgs) -> str:
        explicit = args.inputs.get("region") if args.typ.startswith("aws:") else None
        region = explicit or self._provider_regions.get(
            _provider_id(args.provider or ""), self.default_region
        )
        if args.typ.startswith("aws:"):
            _check_region(region, args.typ)
        return str(region)

    def _check_az(self, az: str | None, region: str, operation: str) -> None:
        """moto accepts an AZ of another region (us-east-1a in eu-north-1); AWS does not."""
        if az and az not in self._zones(region):
            raise MockCheckError(
                "InvalidParameterValue",
                f"Value ({az}) for parameter availabilityZone is invalid. "
                f"Subnets can currently only be created in the following availability zones: "
                f"{', '.join(self._zones(region))}.",
                operation,
            )

    def _zones(self, region: str) -> list[str]:
        if region not in self._zone_cache:
            zones = self._client("ec2", region).describe_availability_zones()
            self._zone_cache[region] = [z["ZoneName"] for z in zones["AvailabilityZones"]]
        return self._zone_cache[region]


def _provider_id(ref: str) -> str:
    return ref.rsplit("::", 1)[-1] if ref else ""


@functools.cache
def _known_regions() -> frozenset[str]:
    return frozenset(boto3.session.Session().get_available_regions("ec2"))


def _check_region(region: str, typ: str) -> None:
    known = _known_regions()
    if region not in known:
        raise MockCheckError(
            "InvalidRegion", f"{typ}: unknown AWS region {region!r}", "ResolveEndpoint"
        )


def _check_protocol_ports(protocol: Any, from_port: Any, to_port: Any, operation: str) -> str:
    """AWS's rules for IpProtocol/FromPort/ToPort, which moto accepts without checking."""
    proto = str(protocol).lower()
    if proto not in _PROTOCOLS and not (proto.isdigit() and 0 <= int(proto) <= 255):
        raise MockCheckError(
            "InvalidParameterValue",
            f"Invalid value '{protocol}' for IP protocol. Unknown protocol.",
            operation,
        )
    number = _PROTOCOLS.get(proto, proto)
    if number in ("6", "17"):
        if from_port is None or to_port is None:
            raise MockCheckError(
                "InvalidParameterValue", f"{proto}: from_port and to_port are required", operation
            )
        low, high = _i(from_port), _i(to_port)
        if not (0 <= low <= 65535 and 0 <= high <= 65535) or low > high:
            raise MockCheckError(
                "InvalidParameterValue",
                f"Invalid {proto} port range {low}-{high}: expected 0-65535, from_port <= to_port",
                operation,
            )
    return proto if proto != "all" else "-1"


_DESCRIPTION_RE = re.compile(r"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{0,255}$")


def _check_description(text: Any, what: str, operation: str) -> None:
    """AWS's character set for security group (rule) descriptions; moto accepts anything."""
    if text and not _DESCRIPTION_RE.match(str(text)):
        raise MockCheckError(
            "InvalidParameterValue",
            f"Invalid {what} {str(text)!r}: up to 255 characters, allowed are "
            "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
            operation,
        )


def _check_cidr(cidr: str, what: str, operation: str) -> None:
    try:
        ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        raise MockCheckError(
            "InvalidParameterValue",
            f"Value ({cidr}) for parameter {what} is invalid. This is not a valid CIDR block.",
            operation,
        ) from None


# --- handlers ---------------------------------------------------------------------------------


def _echo(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    """Non-EC2 resources: echo inputs, add a realistic id/ARN and the name."""
    service, kind = (
        args.typ.split(":")[1].split("/")[0],
        args.typ.split(":")[-1][0].lower() + args.typ.split(":")[-1][1:],
    )
    rid = _fake_id(kind.lower()[:8], region, args.typ, args.name)
    name = args.inputs.get("name") or args.name
    state = {**args.inputs, "name": name}
    if args.custom is not False and args.typ.startswith("aws:"):
        state.setdefault("arn", f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{kind}/{rid}")
    if args.typ == "aws:kms/key:Key":
        state["keyId"] = rid
    if args.typ == "aws:lb/loadBalancer:LoadBalancer":
        rid = state["arn"]
        state["dnsName"] = f"{name}-{rid[-8:]}.{region}.elb.amazonaws.com"
        _check_alb(m, args, region)
    if args.typ == "aws:lb/targetGroup:TargetGroup":
        rid = state["arn"]
    if args.typ == "pulumi:providers:aws":
        rid = f"provider-{args.name}"
        m._provider_regions[rid] = str(args.inputs.get("region") or m.default_region)
        _check_region(m._provider_regions[rid], args.typ)
    if args.typ == "pulumi:pulumi:StackReference":
        ref = args.resource_id or args.name
        if ref not in m.stack_outputs:
            raise KeyError(
                f"MotoMocks: no outputs for StackReference {ref!r}; "
                f"known: {sorted(m.stack_outputs)}"
            )
        return ref, {"name": ref, "outputs": dict(m.stack_outputs[ref]), "secretOutputNames": []}
    return rid, state


def _check_alb(m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str) -> None:
    op = "CreateLoadBalancer"
    ec2 = m._client("ec2", region)
    subnets = ec2.describe_subnets(SubnetIds=list(args.inputs.get("subnets") or []))["Subnets"]
    if (
        args.inputs.get("loadBalancerType", "application") == "application"
        and len({s["AvailabilityZone"] for s in subnets}) < 2
    ):
        raise MockCheckError(
            "ValidationError",
            "At least two subnets in two different Availability Zones must be specified",
            op,
        )
    groups = list(args.inputs.get("securityGroups") or [])
    if groups:
        ec2.describe_security_groups(GroupIds=groups)  # InvalidGroup.NotFound from moto


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
    ec2.create_route(
        RouteTableId=inp.get("routeTableId", ""),
        DestinationCidrBlock=dest,
        GatewayId=inp.get("gatewayId", ""),
    )
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


def _security_group(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    name = inp.get("name") or args.name
    _check_description(inp.get("description"), "group description", "CreateSecurityGroup")
    sg = ec2.create_security_group(
        GroupName=name,
        Description=inp.get("description", "Managed"),
        VpcId=inp.get("vpcId", ""),
        TagSpecifications=_tag_specs("security-group", inp.get("tags")),
    )
    gid = sg["GroupId"]
    for key, call in (
        ("ingress", ec2.authorize_security_group_ingress),
        ("egress", ec2.authorize_security_group_egress),
    ):
        perms = [
            _permission(rule, f"AuthorizeSecurityGroup{key.title()}") for rule in inp.get(key) or []
        ]
        if key == "egress":
            # pulumi-aws (like Terraform) revokes AWS's default allow-all egress on create
            ec2.revoke_security_group_egress(
                GroupId=gid,
                IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            )
        if perms:
            call(GroupId=gid, IpPermissions=perms)
    return gid, {
        **inp,
        "id": gid,
        "name": name,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:security-group/{gid}",
        "ownerId": ACCOUNT_ID,
    }


def _permission(rule: Mapping[str, Any], operation: str) -> dict[str, Any]:
    proto = _check_protocol_ports(
        rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"), operation
    )
    _check_description(rule.get("description"), "rule description", operation)
    perm: dict[str, Any] = {"IpProtocol": proto}
    if proto != "-1":
        perm.update(FromPort=_i(rule.get("fromPort", 0)), ToPort=_i(rule.get("toPort", 0)))
    if rule.get("cidrBlocks"):
        perm["IpRanges"] = [{"CidrIp": c} for c in rule["cidrBlocks"]]
    if rule.get("ipv6CidrBlocks"):
        perm["Ipv6Ranges"] = [{"CidrIpv6": c} for c in rule["ipv6CidrBlocks"]]
    if rule.get("securityGroups"):
        perm["UserIdGroupPairs"] = [{"GroupId": g} for g in rule["securityGroups"]]
    return perm


def _sg_rule(direction: str) -> Handler:
    def handler(
        m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
    ) -> tuple[str, dict[str, Any]]:
        ec2, inp = m._client("ec2", region), args.inputs
        op = f"AuthorizeSecurityGroup{direction}"
        proto = _check_protocol_ports(
            inp.get("ipProtocol"), inp.get("fromPort"), inp.get("toPort"), op
        )
        sources = [
            k
            for k in ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")
            if inp.get(k)
        ]
        if len(sources) != 1:
            raise MockCheckError(
                "InvalidParameterCombination",
                f"exactly one of cidr_ipv4, cidr_ipv6, prefix_list_id, "
                f"referenced_security_group_id is required, got {sources}",
                op,
            )
        perm: dict[str, Any] = {"IpProtocol": proto}
        if proto != "-1":
            perm.update(FromPort=_i(inp["fromPort"]), ToPort=_i(inp["toPort"]))
        _check_description(inp.get("description"), "rule description", op)
        desc = {"Description": inp["description"]} if inp.get("description") else {}
        if inp.get("cidrIpv4"):
            perm["IpRanges"] = [{"CidrIp": inp["cidrIpv4"], **desc}]
        elif inp.get("cidrIpv6"):
            perm["Ipv6Ranges"] = [{"CidrIpv6": inp["cidrIpv6"], **desc}]
        elif inp.get("prefixListId"):
            perm["PrefixListIds"] = [{"PrefixListId": inp["prefixListId"], **desc}]
        else:
            perm["UserIdGroupPairs"] = [{"GroupId": inp["referencedSecurityGroupId"], **desc}]
        call = (
            ec2.authorize_security_group_ingress
            if direction == "Ingress"
            else ec2.authorize_security_group_egress
        )
        out = call(GroupId=inp.get("securityGroupId", ""), IpPermissions=[perm])
        rules = out.get("SecurityGroupRules") or [{}]
        rid = rules[0].get("SecurityGroupRuleId") or _fake_id("sgr", args.name)
        return rid, {
            **inp,
            "id": rid,
            "securityGroupRuleId": rid,
            "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:security-group-rule/{rid}",
        }

    return handler


def _prefix_list(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    entries = inp.get("entries") or []
    max_entries = _i(inp.get("maxEntries", 0))
    if len(entries) > max_entries:
        raise MockCheckError(
            "PrefixListMaxEntriesExceeded",
            f"{len(entries)} entries but max entries {max_entries}",
            "CreateManagedPrefixList",
        )
    cidrs = [e["cidr"] for e in entries]
    if len(cidrs) != len(set(cidrs)):
        raise MockCheckError(
            "InvalidRequest", "a prefix list cannot hold one CIDR twice", "CreateManagedPrefixList"
        )
    for cidr in cidrs:
        _check_cidr(cidr, "prefix list entry", "CreateManagedPrefixList")
    out = ec2.create_managed_prefix_list(
        PrefixListName=inp.get("name") or args.name,
        AddressFamily=inp.get("addressFamily", "IPv4"),
        MaxEntries=max_entries,
        Entries=[
            {
                "Cidr": e["cidr"],
                **({"Description": e["description"]} if e.get("description") else {}),
            }
            for e in entries
        ],
        TagSpecifications=_tag_specs("prefix-list", inp.get("tags")),
    )["PrefixList"]
    pid = out["PrefixListId"]
    return pid, {**inp, "id": pid, "arn": out.get("PrefixListArn", ""), "version": 1}


def _instance(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    m._check_az(inp.get("availabilityZone"), region, "RunInstances")
    kwargs: dict[str, Any] = {
        "ImageId": inp.get("ami", ""),
        "InstanceType": inp.get("instanceType", ""),
        "MinCount": 1,
        "MaxCount": 1,
        "TagSpecifications": _tag_specs("instance", inp.get("tags")),
    }
    if inp.get("subnetId"):
        kwargs["SubnetId"] = inp["subnetId"]
    if inp.get("privateIp"):
        kwargs["PrivateIpAddress"] = inp["privateIp"]
    if inp.get("vpcSecurityGroupIds"):
        kwargs["SecurityGroupIds"] = list(inp["vpcSecurityGroupIds"])
    if inp.get("availabilityZone"):
        kwargs["Placement"] = {"AvailabilityZone": inp["availabilityZone"]}
    if inp.get("metadataOptions"):
        mo = inp["metadataOptions"]
        kwargs["MetadataOptions"] = {
            k: v
            for k, v in {
                "HttpTokens": mo.get("httpTokens"),
                "HttpEndpoint": mo.get("httpEndpoint"),
            }.items()
            if v
        }
    root = inp.get("rootBlockDevice")
    if root:
        device = "/dev/xvda"
        try:
            image = ec2.describe_images(ImageIds=[kwargs["ImageId"]])["Images"]
            device = image[0].get("RootDeviceName", device) if image else device
        except ClientError:
            pass
        ebs = {
            k: v
            for k, v in {
                "VolumeSize": _i(root["volumeSize"]) if root.get("volumeSize") else None,
                "VolumeType": root.get("volumeType"),
                "Encrypted": root.get("encrypted"),
                "KmsKeyId": root.get("kmsKeyId"),
                "DeleteOnTermination": True,
            }.items()
            if v is not None
        }
        kwargs["BlockDeviceMappings"] = [{"DeviceName": device, "Ebs": ebs}]
    inst = ec2.run_instances(**kwargs)["Instances"][0]
    iid = inst["InstanceId"]
    return iid, {
        **inp,
        "id": iid,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:instance/{iid}",
        "privateIp": inst.get("PrivateIpAddress", ""),
        "privateDns": inst.get("PrivateDnsName", ""),
        "publicIp": inst.get("PublicIpAddress", ""),
        "availabilityZone": inst["Placement"]["AvailabilityZone"],
        "primaryNetworkInterfaceId": inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
        if inst.get("NetworkInterfaces")
        else "",
        "instanceState": inst["State"]["Name"],
    }


def _volume(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    az = inp.get("availabilityZone", "")
    m._check_az(az, region, "CreateVolume")
    kwargs: dict[str, Any] = {
        "AvailabilityZone": az,
        "Size": _i(inp.get("size", 0)),
        "VolumeType": inp.get("type", "gp3"),
        "Encrypted": bool(inp.get("encrypted", False)),
        "TagSpecifications": _tag_specs("volume", inp.get("tags")),
    }
    if inp.get("kmsKeyId"):
        kwargs["KmsKeyId"] = inp["kmsKeyId"]
    vol = ec2.create_volume(**kwargs)
    vid = vol["VolumeId"]
    return vid, {**inp, "id": vid, "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:volume/{vid}"}


def _volume_attachment(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    ec2.attach_volume(
        Device=inp.get("deviceName", ""),
        InstanceId=inp.get("instanceId", ""),
        VolumeId=inp.get("volumeId", ""),
    )
    aid = f"vai-{abs(hash((inp.get('volumeId'), inp.get('instanceId')))) % 10**10}"
    return aid, {**inp, "id": aid}


_HANDLERS: dict[str, Handler] = {
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _subnet,
    "aws:ec2/internetGateway:InternetGateway": _internet_gateway,
    "aws:ec2/routeTable:RouteTable": _route_table,
    "aws:ec2/route:Route": _route,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _rt_association,
    "aws:ec2/customerGateway:CustomerGateway": _customer_gateway,
    "aws:ec2/vpnGateway:VpnGateway": _vpn_gateway,
    "aws:ec2/vpnConnection:VpnConnection": _vpn_connection,
    "aws:ec2/vpnConnectionRoute:VpnConnectionRoute": _vpn_connection_route,
    "aws:ec2/flowLog:FlowLog": _flow_log,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:ec2/managedPrefixList:ManagedPrefixList": _prefix_list,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _sg_rule("Ingress"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _sg_rule("Egress"),
    "aws:ec2/instance:Instance": _instance,
    "aws:ebs/volume:Volume": _volume,
    "aws:ec2/volumeAttachment:VolumeAttachment": _volume_attachment,
}


# --- provider functions (data sources) --------------------------------------------------------


def _get_azs(m: MotoMocks, args: Mapping[str, Any], region: str) -> dict[str, Any]:
    zones = m._client("ec2", region).describe_availability_zones()["AvailabilityZones"]
    return {
        "id": region,
        "names": [z["ZoneName"] for z in zones],
        "zoneIds": [z["ZoneId"] for z in zones],
        "groupNames": [region],
    }


def _get_ami(m: MotoMocks, args: Mapping[str, Any], region: str) -> dict[str, Any]:
    ec2 = m._client("ec2", region)
    kwargs: dict[str, Any] = {}
    if args.get("owners"):
        kwargs["Owners"] = list(args["owners"])
    filters = [{"Name": f["name"], "Values": list(f["values"])} for f in args.get("filters") or []]
    tag_filters = [f for f in filters if f["Name"].startswith("tag:")]
    if filters:
        kwargs["Filters"] = filters
    if tag_filters:
        # Same answer as DescribeImages with the tag filters, found through the tag index:
        # moto matches tag filters by scanning every tag for every image (seconds per lookup
        # once a wave has imported a few hundred images).
        candidates: set[str] | None = None
        for f in tag_filters:
            found = ec2.describe_tags(
                Filters=[
                    {"Name": "resource-type", "Values": ["image"]},
                    {"Name": "key", "Values": [f["Name"][4:]]},
                    {"Name": "value", "Values": f["Values"]},
                ]
            )["Tags"]
            ids = {t["ResourceId"] for t in found}
            candidates = ids if candidates is None else candidates & ids
        kwargs["Filters"] = [f for f in filters if f not in tag_filters]
        if not kwargs["Filters"]:
            del kwargs["Filters"]
        kwargs["ImageIds"] = sorted(candidates or ())
    images = ec2.describe_images(**kwargs)["Images"] if kwargs.get("ImageIds", True) else []
    if not images:
        # the provider's own words when a lookup matches nothing
        raise Exception(
            "Your query returned no results. Please change your search criteria "
            f"and try again. (aws:ec2/getAmi in {region}: {kwargs})"
        )
    if len(images) > 1 and not args.get("mostRecent"):
        raise Exception(
            "Your query returned more than one result. Please try a more specific "
            "search criteria, or set `most_recent` attribute to true."
        )
    image = sorted(images, key=lambda i: (i.get("CreationDate", ""), i["ImageId"]))[-1]
    return {
        "id": image["ImageId"],
        "imageId": image["ImageId"],
        "name": image.get("Name", ""),
        "ownerId": image.get("OwnerId", ""),
        "platform": image.get("Platform", ""),
        "rootDeviceName": image.get("RootDeviceName", ""),
        "architecture": image.get("Architecture", ""),
        "tags": {t["Key"]: t["Value"] for t in image.get("Tags", [])},
    }


_CALLS: dict[str, Callable[[MotoMocks, Mapping[str, Any], str], dict[str, Any]]] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _get_azs,
    "aws:ec2/getAmi:getAmi": _get_ami,
}

# Baseline resources handled in their own module (stacks.aws.management's SSM endpoints).
from stacks.aws.moto_endpoints import vpc_endpoint  # noqa: E402

_HANDLERS["aws:ec2/vpcEndpoint:VpcEndpoint"] = vpc_endpoint
