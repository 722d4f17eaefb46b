"""The AWS wave stack: per server a security group, an EC2 instance and encrypted EBS volumes;
ingress rules from the declared flows only; an ALB for citizen-facing systems."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from migration.plan import Plan, PlannedServer
from stacks import baseline, naming
from stacks.aws import layout
from stacks.network.rulesets import SgRule

_DEVICES = "fghijklmnop"


@dataclass(frozen=True)
class ServerArgs:
    """One migrating server in its subnet, with its image, type, key and tags."""

    server_id: str
    server: PlannedServer
    instance_type: str
    ami: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    subnet_id: pulumi.Input[str]
    private_ip: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    backup_tier: str
    security_group_ids: tuple[pulumi.Input[str], ...]  # its own group's first, then clients
    group: str = ""  # its own network group
    tags: dict[str, str] = field(default_factory=dict)
    instance_profile: pulumi.Input[str] | None = None  # SSM (stacks.aws.management)


class Server(pulumi.ComponentResource):
    """Instance without public IP in its network groups' security groups, data volumes."""

    def __init__(
        self, name: str, args: ServerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("utflytt:aws:Server", name, None, opts)
        self.server_id = args.server_id
        child = pulumi.ResourceOptions(parent=self)
        tags = {**args.tags, "server": args.server_id}
        self.security_group_id = args.security_group_ids[0]
        self.group = args.group
        disks = list(args.server.disks_gb) or [64.0]
        self.instance = aws.ec2.Instance(
            f"{name}-vm",
            ami=args.ami,
            instance_type=args.instance_type,
            subnet_id=args.subnet_id,
            private_ip=args.private_ip,
            vpc_security_group_ids=list(args.security_group_ids),
            associate_public_ip_address=False,
            iam_instance_profile=args.instance_profile,
            monitoring=True,
            ebs_optimized=True,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                http_tokens="required", http_endpoint="enabled"
            ),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                volume_size=math.ceil(disks[0]),
                volume_type="gp3",
                encrypted=True,
                kms_key_id=args.kms_key_arn,
                delete_on_termination=True,
                tags={**tags, "Name": f"{args.server_id}-os"},
            ),
            tags={**tags, "Name": args.server_id, "backup-tier": args.backup_tier},
            opts=child,
        )
        self.volumes: list[aws.ebs.Volume] = []
        for i, size in enumerate(disks[1:]):
            volume = aws.ebs.Volume(
                f"{name}-data{i + 1}",
                availability_zone=self.instance.availability_zone,
                size=math.ceil(size),
                type="gp3",
                encrypted=True,
                kms_key_id=args.kms_key_arn,
                tags={**tags, "Name": f"{args.server_id}-data{i + 1}"},
                opts=child,
            )
            aws.ec2.VolumeAttachment(
                f"{name}-data{i + 1}-attach",
                device_name=f"/dev/sd{_DEVICES[i]}",
                volume_id=volume.id,
                instance_id=self.instance.id,
                opts=child,
            )
            self.volumes.append(volume)
        self.register_outputs(
            {"instanceId": self.instance.id, "privateIp": self.instance.private_ip}
        )


@dataclass(frozen=True)
class GroupIngressArgs:
    """The inbound rules of one group's security group (see ``aws_rule_sets``)."""

    group: str
    rules: tuple[SgRule, ...]
    security_group_ids: pulumi.Output[Mapping[str, str]]
    prefix_list_ids: pulumi.Output[Mapping[str, str]]
    tags: dict[str, str] = field(default_factory=dict)


class GroupIngress(pulumi.ComponentResource):
    """Exactly the declared ports from the declared consumers, nothing else inbound."""

    def __init__(
        self, name: str, args: GroupIngressArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("utflytt:aws:GroupIngress", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        target = pick(args.security_group_ids, args.group)
        for r in args.rules:
            source = r.source_group or r.prefix_list or r.cidr or ""
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-{layout.short_hash(r.port, source)}",
                security_group_id=target,
                ip_protocol=r.protocol,
                from_port=r.from_port,
                to_port=r.to_port,
                referenced_security_group_id=(
                    pick(args.security_group_ids, r.source_group) if r.source_group else None
                ),
                prefix_list_id=pick(args.prefix_list_ids, r.prefix_list) if r.prefix_list else None,
                cidr_ipv4=r.cidr if r.cidr and ":" not in r.cidr else None,
                cidr_ipv6=r.cidr if r.cidr and ":" in r.cidr else None,
                description=_description(f"{source} to {args.group} {r.port}"),
                tags=args.tags,
                opts=child,
            )
        self.register_outputs({})


def pick(ids: pulumi.Output[Mapping[str, str]], name: str) -> pulumi.Output[str]:
    """The id of ``name`` in a foundation output map."""
    return ids.apply(lambda m: m[name])


def _description(text: str) -> str:
    """AWS rule descriptions allow a-zA-Z0-9 spaces ._-:/()#,@[]+=&;{}!$* (255 at most)."""
    return re.sub(r"[^a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]", "-", text)[:255]


@dataclass(frozen=True)
class PublicEntranceArgs:
    """A citizen-facing system's internet entrance: an ALB in the public subnets."""

    system: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    public_subnet_ids: pulumi.Input[list[str]]
    targets: tuple[Server, ...]
    certificate_arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    access_log_bucket: pulumi.Input[str] | None = None


class PublicEntrance(pulumi.ComponentResource):
    """The only public endpoint: HTTPS with a modern TLS policy (``stacks.baseline``) and the
    system's ACM certificate, HTTP :80 only redirecting; access logs to the landing zone's
    bucket; the web tier behind it on :80."""

    def __init__(
        self, name: str, args: PublicEntranceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("utflytt:aws:PublicEntrance", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = args.tags
        if not args.certificate_arn:
            raise baseline.CertificateMissingError(
                f"system {args.system} has a public entrance, which listens on HTTPS only: set "
                f"utflytt:aws.certificateArns.{args.system} to its ACM certificate's ARN"
            )
        sg = aws.ec2.SecurityGroup(
            f"{name}-alb-sg",
            name=naming.aws_alb_security_group(args.system),
            vpc_id=args.vpc_id,
            description=f"{args.system}: public load balancer",
            tags={**tags, "Name": f"{args.system}-alb"},
            opts=child,
        )
        for port in (443, 80):  # 80 only redirects to 443
            for family, cidr in (("v4", "0.0.0.0/0"), ("v6", "::/0")):
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-alb-in-{family}" if port == 443 else f"{name}-alb-in-{port}-{family}",
                    security_group_id=sg.id,
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    description=f"public {port}",
                    tags=tags,
                    opts=child,
                    **({"cidr_ipv4": cidr} if family == "v4" else {"cidr_ipv6": cidr}),
                )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-alb-out",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=layout.ALB_TARGET_PORT,
            to_port=layout.ALB_TARGET_PORT,
            cidr_ipv4=args.vpc_cidr,
            description="to the web tier",
            tags=tags,
            opts=child,
        )
        self.load_balancer = aws.lb.LoadBalancer(
            f"{name}-alb",
            name=naming.aws_load_balancer(args.system),
            internal=False,
            load_balancer_type="application",
            security_groups=[sg.id],
            subnets=args.public_subnet_ids,
            drop_invalid_header_fields=True,
            access_logs=(
                aws.lb.LoadBalancerAccessLogsArgs(
                    bucket=args.access_log_bucket, prefix=args.system, enabled=True
                )
                if args.access_log_bucket is not None
                else None
            ),
            tags=tags,
            opts=child,
        )
        group = aws.lb.TargetGroup(
            f"{name}-tg",
            name=naming.aws_target_group(args.system),
            port=layout.ALB_TARGET_PORT,
            protocol="HTTP",
            target_type="instance",
            vpc_id=args.vpc_id,
            health_check=aws.lb.TargetGroupHealthCheckArgs(path="/", matcher="200-399"),
            tags=tags,
            opts=child,
        )
        admitted: set[str] = set()
        for target in args.targets:
            tname = target.server_id
            aws.lb.TargetGroupAttachment(
                f"{name}-{tname}",
                target_group_arn=group.arn,
                target_id=target.instance.id,
                port=layout.ALB_TARGET_PORT,
                opts=child,
            )
            if target.group in admitted:
                continue  # one rule per security group: a second would be a duplicate
            admitted.add(target.group)
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-{tname}-from-alb",
                security_group_id=target.security_group_id,
                ip_protocol="tcp",
                from_port=layout.ALB_TARGET_PORT,
                to_port=layout.ALB_TARGET_PORT,
                referenced_security_group_id=sg.id,
                description=f"{args.system} load balancer",
                tags=tags,
                opts=child,
            )
        forward = [aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=group.arn)]
        aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=self.load_balancer.arn,
            port=443,
            protocol="HTTPS",
            certificate_arn=args.certificate_arn,
            ssl_policy=baseline.TLS_POLICY["aws"],
            default_actions=forward,
            tags=tags,
            opts=child,
        )
        aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=self.load_balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS", port="443", status_code="HTTP_301"
                    ),
                )
            ],
            tags=tags,
            opts=child,
        )
        self.register_outputs({"dnsName": self.load_balancer.dns_name})


def web_targets(plan: Plan, wave: int, system: str) -> list[str]:
    """The prod servers of a citizen system in this wave that sit behind its ALB.

    Web-role servers if the system has any, else all its prod servers in the wave.
    """
    prod = [
        sid
        for sid, s in layout.migrating_servers(plan).items()
        if s.system == system and s.wave == wave and s.environment == "prod"
    ]
    web = [sid for sid in prod if plan.servers[sid].role == "web"]
    return web or prod


def server_address(network: dict[str, Any], plan: Plan, server_id: str) -> dict[str, str]:
    """Subnet id, AZ and fixed private address of a server, from the foundation's network
    (the foundation lays out every address: :mod:`stacks.aws.addresses`)."""
    server = plan.servers[server_id]
    vpc = network[server.environment]
    placed = vpc.get("servers", {}).get(server_id)
    if placed is None:
        raise layout.AwsConfigError(
            f"server {server_id}: the foundation stack has no address for it; update the "
            "foundation (pulumi up -s foundation) after re-planning, then this wave"
        )
    subnet = vpc["subnets"][placed["subnet"]]
    return {"subnetId": subnet["id"], "az": subnet["az"], "ip": placed["ip"]}
