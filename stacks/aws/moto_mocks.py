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

This module holds :class:`MotoMocks` and its tables of handlers; the handlers and checks
live in sibling modules by concept (``moto_checks``, ``moto_echo``, ``moto_network``,
``moto_security``, ``moto_compute``, ``moto_lookups``) and are re-exported here.
"""

from __future__ import annotations

import contextlib
import os
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
from moto import mock_aws  # noqa: E402

from stacks.aws import moto_quotas  # noqa: E402

# The handlers and checks live in sibling modules, one per concept; the names tests and
# other modules import from here are re-exported.
from stacks.aws.moto_checks import _DESCRIPTION_RE as _DESCRIPTION_RE  # noqa: E402
from stacks.aws.moto_checks import _PROTOCOLS as _PROTOCOLS  # noqa: E402
from stacks.aws.moto_checks import ACCOUNT_ID as ACCOUNT_ID  # noqa: E402
from stacks.aws.moto_checks import Handler as Handler  # noqa: E402
from stacks.aws.moto_checks import MockCheckError as MockCheckError  # noqa: E402
from stacks.aws.moto_checks import _check_cidr as _check_cidr  # noqa: E402
from stacks.aws.moto_checks import _check_description as _check_description  # noqa: E402
from stacks.aws.moto_checks import _check_protocol_ports as _check_protocol_ports  # noqa: E402
from stacks.aws.moto_checks import _check_region as _check_region  # noqa: E402
from stacks.aws.moto_checks import _fake_id as _fake_id  # noqa: E402
from stacks.aws.moto_checks import _i as _i  # noqa: E402
from stacks.aws.moto_checks import _known_regions as _known_regions  # noqa: E402
from stacks.aws.moto_checks import _provider_id as _provider_id  # noqa: E402
from stacks.aws.moto_checks import _tag_specs as _tag_specs  # noqa: E402
from stacks.aws.moto_compute import _instance as _instance  # noqa: E402
from stacks.aws.moto_compute import _volume as _volume  # noqa: E402
from stacks.aws.moto_compute import _volume_attachment as _volume_attachment  # noqa: E402
from stacks.aws.moto_echo import _check_alb as _check_alb  # noqa: E402
from stacks.aws.moto_echo import _echo as _echo  # noqa: E402
from stacks.aws.moto_endpoints import vpc_endpoint  # noqa: E402
from stacks.aws.moto_lookups import _get_ami as _get_ami  # noqa: E402
from stacks.aws.moto_lookups import _get_azs as _get_azs  # noqa: E402
from stacks.aws.moto_network import _customer_gateway as _customer_gateway  # noqa: E402
from stacks.aws.moto_network import _flow_log as _flow_log  # noqa: E402
from stacks.aws.moto_network import _internet_gateway as _internet_gateway  # noqa: E402
from stacks.aws.moto_network import _route as _route  # noqa: E402
from stacks.aws.moto_network import _route_table as _route_table  # noqa: E402
from stacks.aws.moto_network import _rt_association as _rt_association  # noqa: E402
from stacks.aws.moto_network import _subnet as _subnet  # noqa: E402
from stacks.aws.moto_network import _vpc as _vpc  # noqa: E402
from stacks.aws.moto_network import _vpn_connection as _vpn_connection  # noqa: E402
from stacks.aws.moto_network import _vpn_connection_route as _vpn_connection_route  # noqa: E402
from stacks.aws.moto_network import _vpn_gateway as _vpn_gateway  # noqa: E402
from stacks.aws.moto_peering import subnet_cidr_reservation, vpc_peering  # noqa: E402
from stacks.aws.moto_quotas import MOTO_RULES_PER_VPC_GROUP  # noqa: E402
from stacks.aws.moto_security import _permission as _permission  # noqa: E402
from stacks.aws.moto_security import _prefix_list as _prefix_list  # noqa: E402
from stacks.aws.moto_security import _security_group as _security_group  # noqa: E402
from stacks.aws.moto_security import _sg_rule as _sg_rule  # noqa: E402

moto.settings.EC2_ENABLE_INSTANCE_TYPE_VALIDATION = True


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


class MotoMocks(pulumi.runtime.Mocks):
    """Mocks whose ``new_resource``/``call`` run against moto's in-process AWS.

    ``stack_outputs`` maps a StackReference name to the outputs it returns;
    ``rules_per_security_group`` is the account's quota (a plan's raised
    ``aws_rules_per_security_group``; moto's 60 again after :meth:`close`). Use one instance
    per moto session: the foundation stack and the wave stacks that reference it run against
    the same instance, so a wave's instances land in the foundation's (moto) subnets.
    """

    def __init__(
        self,
        default_region: str = "eu-north-1",
        *,
        stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
        seed_os_images: bool = True,
        rules_per_security_group: int = MOTO_RULES_PER_VPC_GROUP,
    ) -> None:
        self.default_region = default_region
        self.stack_outputs: dict[str, Mapping[str, Any]] = dict(stack_outputs or {})
        self.resources: list[RecordedResource] = []
        self.calls: list[RecordedCall] = []
        self._provider_regions: dict[str, str] = {}
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.RLock()
        # the account's quota (a plan's raised planning.quotas), for this session only
        self._quota = contextlib.ExitStack()
        self._quota.enter_context(moto_quotas.rules_per_security_group(rules_per_security_group))
        self._mock = mock_aws()
        self._mock.start()
        self._seeded: set[str] = set()
        self._zone_cache: dict[str, list[str]] = {}
        self._seed = seed_os_images

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the moto session (all state is dropped) and restore moto's own limits."""
        self._mock.stop()
        self._quota.close()

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
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": vpc_peering,
    "aws:ec2/subnetCidrReservation:SubnetCidrReservation": subnet_cidr_reservation,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:ec2/managedPrefixList:ManagedPrefixList": _prefix_list,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _sg_rule("Ingress"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _sg_rule("Egress"),
    "aws:ec2/instance:Instance": _instance,
    "aws:ebs/volume:Volume": _volume,
    "aws:ec2/volumeAttachment:VolumeAttachment": _volume_attachment,
    # baseline resources (stacks.aws.management's SSM endpoints)
    "aws:ec2/vpcEndpoint:VpcEndpoint": vpc_endpoint,
}


_CALLS: dict[str, Callable[[MotoMocks, Mapping[str, Any], str], dict[str, Any]]] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _get_azs,
    "aws:ec2/getAmi:getAmi": _get_ami,
}
