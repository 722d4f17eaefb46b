"""Security invariants of AWS stacks, checked over the resources a run registered.

The same rules as for Azure (docs/architecture.md, "Stacks"): no public IP outside citizen-facing
systems' load balancers, no inbound rule from the whole internet on an instance, every EBS
volume encrypted, every taggable resource tagged, the region in the EU.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from stacks import baseline

REQUIRED_TAGS = baseline.REQUIRED_TAGS
WORLD = frozenset({"0.0.0.0/0", "::/0"})
# pulumi-aws resources without a `tags` argument
UNTAGGABLE = frozenset(
    {
        "pulumi:providers:aws",
        "pulumi:pulumi:StackReference",
        "aws:ec2/route:Route",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/vpnConnectionRoute:VpnConnectionRoute",
        "aws:ec2/subnetCidrReservation:SubnetCidrReservation",
        "aws:ec2/volumeAttachment:VolumeAttachment",
        "aws:kms/alias:Alias",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:backup/selection:Selection",
        "aws:lb/targetGroupAttachment:TargetGroupAttachment",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    }
)


class Recorded(Protocol):
    """What a check needs of a recorded resource (``RecordedResource`` or the Azure harness's)."""

    type: str
    name: str
    inputs: dict[str, Any]


@dataclass(frozen=True)
class Violation:
    """One broken invariant, naming the resource."""

    check: str
    resource: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.resource}: {self.message}"


def _id(r: Recorded) -> str:
    return getattr(r, "id", None) or r.name


def _tags(r: Recorded) -> Mapping[str, Any]:
    return r.inputs.get("tags") or {}


def check_region(resources: Iterable[Recorded]) -> list[Violation]:
    """Providers and resource-level ``region`` overrides are EU regions."""
    out = []
    for r in resources:
        region = r.inputs.get("region")
        if region is None and r.type == "pulumi:providers:aws":
            out.append(Violation("region-eu", r.name, "provider without an explicit region"))
        elif region is not None and not str(region).startswith("eu-"):
            out.append(Violation("region-eu", r.name, f"region {region} is outside the EU"))
    return out


def check_public_exposure(resources: Iterable[Recorded]) -> list[Violation]:
    """No public IP anywhere, except internet-facing ALBs of citizen-level systems."""
    out = []
    for r in resources:
        if (
            r.type == "aws:ec2/instance:Instance"
            and r.inputs.get("associatePublicIpAddress") is not False
        ):
            out.append(
                Violation(
                    "no-public-ip",
                    r.name,
                    "instance does not set associate_public_ip_address=False",
                )
            )
        elif r.type == "aws:ec2/subnet:Subnet" and r.inputs.get("mapPublicIpOnLaunch"):
            out.append(Violation("no-public-ip", r.name, "subnet maps public IPs on launch"))
        elif r.type in ("aws:ec2/eip:Eip", "aws:ec2/natGateway:NatGateway"):
            out.append(Violation("no-public-ip", r.name, f"{r.type} holds a public IP"))
        elif r.type in (
            "aws:lb/loadBalancer:LoadBalancer",
            "aws:alb/loadBalancer:LoadBalancer",
        ) and not r.inputs.get("internal", False):
            if _tags(r).get("level") != "citizen":
                out.append(
                    Violation(
                        "no-public-ip",
                        r.name,
                        "internet-facing load balancer of a non-citizen system",
                    )
                )
            elif r.inputs.get("loadBalancerType", "application") != "application":
                out.append(Violation("no-public-ip", r.name, "public entrance is not an ALB"))
    return out


def check_world_ingress(resources: Iterable[Recorded]) -> list[Violation]:
    """No security group that an instance uses admits 0.0.0.0/0 or ::/0.

    Only the security groups of citizen systems' ALBs may, and no instance may use one.
    """
    resources = list(resources)
    alb_groups = {
        g
        for r in resources
        if r.type == "aws:lb/loadBalancer:LoadBalancer" and _tags(r).get("level") == "citizen"
        for g in r.inputs.get("securityGroups", [])
    }
    instance_groups = {
        g
        for r in resources
        if r.type == "aws:ec2/instance:Instance"
        for g in r.inputs.get("vpcSecurityGroupIds", [])
    }
    out = []
    for g in sorted(alb_groups & instance_groups):
        out.append(Violation("no-world-ingress", g, "an instance uses a load balancer's group"))
    for r in resources:
        if r.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
            cidrs = {r.inputs.get("cidrIpv4"), r.inputs.get("cidrIpv6")} & WORLD
            group = r.inputs.get("securityGroupId")
            if cidrs and group not in alb_groups:
                out.append(
                    Violation(
                        "no-world-ingress",
                        r.name,
                        f"{sorted(str(c) for c in cidrs)} admitted to {group}",
                    )
                )
        elif r.type == "aws:ec2/securityGroup:SecurityGroup":
            for rule in r.inputs.get("ingress") or []:
                cidrs = set(rule.get("cidrBlocks", [])) | set(rule.get("ipv6CidrBlocks", []))
                if cidrs & WORLD and _id(r) not in alb_groups:
                    out.append(
                        Violation(
                            "no-world-ingress",
                            r.name,
                            f"inline rule admits {sorted(cidrs & WORLD)}",
                        )
                    )
    return out


def check_encryption(resources: Iterable[Recorded]) -> list[Violation]:
    """Every EBS volume (root, inline and standalone) is encrypted with a customer KMS key."""
    out = []
    for r in resources:
        disks: list[tuple[str, Mapping[str, Any]]] = []
        if r.type == "aws:ebs/volume:Volume":
            disks.append((r.name, r.inputs))
        elif r.type == "aws:ec2/instance:Instance":
            disks.append((f"{r.name} root", r.inputs.get("rootBlockDevice") or {}))
            disks += [
                (f"{r.name} {d.get('deviceName')}", d)
                for d in r.inputs.get("ebsBlockDevices") or []
            ]
        for label, disk in disks:
            if disk.get("encrypted") is not True:
                out.append(Violation("ebs-encrypted", label, "volume is not encrypted"))
            elif not disk.get("kmsKeyId"):
                out.append(Violation("ebs-encrypted", label, "volume has no KMS key"))
    return out


def check_tags(resources: Iterable[Recorded]) -> list[Violation]:
    """Every taggable AWS resource carries the required tags (non-empty)."""
    out = []
    for r in resources:
        if not r.type.startswith("aws:") or r.type in UNTAGGABLE:
            continue
        tags = _tags(r)
        missing = [k for k in REQUIRED_TAGS if not str(tags.get(k, "")).strip()]
        if missing:
            out.append(Violation("tagged", f"{r.type} {r.name}", f"missing {', '.join(missing)}"))
    return out


def check_all(resources: Iterable[Recorded]) -> list[Violation]:
    """Every invariant; an empty list means the stack is safe by these rules."""
    items = list(resources)
    return [
        *check_region(items),
        *check_public_exposure(items),
        *check_world_ingress(items),
        *check_encryption(items),
        *check_tags(items),
    ]
