"""The AWS program: ``run(settings, plan)`` builds the foundation or one wave stack.

Called by ``stacks/program.py`` when the stack config says ``provider: aws``. Optional stack
config ``utflytt:aws`` (an object, see :class:`stacks.aws.layout.AwsOptions`) carries what the
plan cannot know: VM Import AMI ids, the old provider's VPN endpoint, pinned CIDRs, TLS
certificates.

Rehost images: VM Import (``aws ec2 import-image``) turns each exported disk into an AMI.
Either put its id into ``utflytt:aws.amis.<server-id>``, or tag the AMI
``utflytt:server=<server-id>`` and the wave stack finds it (``owners=["self"]``). Rebuild
and replatform servers get the newest publisher AMI for their OS (``layout.image_query``).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from migration.plan import Plan
from stacks.aws import layout
from stacks.aws.landing_zone import LandingZone, LandingZoneArgs
from stacks.aws.layout import AwsConfigError, AwsOptions
from stacks.aws.workload import (
    GroupIngress,
    GroupIngressArgs,
    PublicEntrance,
    PublicEntranceArgs,
    Server,
    ServerArgs,
    pick,
    server_address,
    web_targets,
)
from stacks.network.limits import aws_plan_layout
from stacks.network.rulesets import aws_groups_of
from stacks.references import require_outputs
from stacks.settings import StackSettings

__all__ = ["run", "WaveStack", "WaveStackArgs"]


def run(settings: StackSettings, plan: Plan) -> None:
    """Build the stack ``settings`` names; exports what the wave stacks (or users) read."""
    options = AwsOptions.from_config(pulumi.Config("utflytt").get_object("aws"))
    region = settings.region or layout.DEFAULT_REGION
    provider = aws.Provider(f"aws-{region}", region=region)
    opts = pulumi.ResourceOptions(provider=provider)
    if settings.kind == "foundation":
        zones = options.availability_zones or tuple(
            aws.get_availability_zones(
                state="available", opts=pulumi.InvokeOptions(provider=provider)
            ).names
        )
        lz = LandingZone(
            "landing-zone",
            LandingZoneArgs(
                plan=plan,
                options=options,
                availability_zones=tuple(sorted(zones)),
                extra_tags=dict(settings.tags),
                region=region,
            ),
            opts=opts,
        )
        pulumi.export("region", region)
        for key, value in lz.exports.items():
            pulumi.export(key, value)
        return
    if settings.wave is None:
        raise AwsConfigError(f"stack {settings.stack}: a wave stack needs a wave number")
    ref = pulumi.StackReference(settings.foundation_stack)
    foundation = require_outputs(  # one read of the reference, not one per output
        ref,
        (
            "network",
            "kmsKeyArn",
            "securityGroupIds",
            "prefixListIds",
            "instanceProfile",
            "albLogBucket",
        ),
    )
    wave = WaveStack(
        f"wave-{settings.wave:02d}",
        WaveStackArgs(
            plan=plan,
            wave=settings.wave,
            options=options,
            network=foundation["network"],
            kms_key_arn=foundation["kmsKeyArn"],
            security_group_ids=foundation["securityGroupIds"],
            prefix_list_ids=foundation["prefixListIds"],
            instance_profile=foundation["instanceProfile"],
            access_log_bucket=foundation["albLogBucket"],
            provider=provider,
            extra_tags=dict(settings.tags),
        ),
        opts=opts,
    )
    pulumi.export("instances", {sid: s.instance.id for sid, s in wave.servers.items()})
    pulumi.export("privateIps", {sid: s.instance.private_ip for sid, s in wave.servers.items()})
    pulumi.export(
        "loadBalancers", {sys_: e.load_balancer.dns_name for sys_, e in wave.entrances.items()}
    )


class WaveStackArgs:
    """What one wave needs: the plan, its number, and the foundation's outputs."""

    def __init__(
        self,
        *,
        plan: Plan,
        wave: int,
        options: AwsOptions,
        network: pulumi.Output[Any],
        kms_key_arn: pulumi.Input[str],
        security_group_ids: pulumi.Output[Any],
        prefix_list_ids: pulumi.Output[Any],
        instance_profile: pulumi.Input[str] | None = None,
        access_log_bucket: pulumi.Input[str] | None = None,
        provider: aws.Provider | None = None,
        extra_tags: dict[str, str] | None = None,
    ) -> None:
        self.instance_profile = instance_profile
        self.access_log_bucket = access_log_bucket
        self.plan = plan
        self.wave = wave
        self.options = options
        self.network = network
        self.kms_key_arn = kms_key_arn
        self.security_group_ids = security_group_ids
        self.prefix_list_ids = prefix_list_ids
        self.provider = provider
        self.extra_tags = extra_tags or {}


class WaveStack(pulumi.ComponentResource):
    """Every server of the wave, its firewall, and the citizen systems' load balancers."""

    def __init__(
        self, name: str, args: WaveStackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("utflytt:aws:WaveStack", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        plan, number, network = args.plan, args.wave, args.network
        invoke = pulumi.InvokeOptions(provider=args.provider, parent=self)
        members = [sid for sid, s in layout.migrating_servers(plan).items() if s.wave == number]
        policy, rule_sets, security_groups = aws_plan_layout(plan)
        sg_ids = args.security_group_ids
        self.servers: dict[str, Server] = {}
        for sid in members:
            server = plan.servers[sid]
            planned_system = plan.systems.get(server.system)
            instance_type = args.options.instance_types.get(sid) or server.sku
            if not instance_type:
                raise AwsConfigError(
                    f"server {sid}: no instance type (plan sku is empty; set "
                    f"utflytt:aws.instanceTypes.{sid})"
                )
            address = _server_address(network, plan, sid)
            env = server.environment
            self.servers[sid] = Server(
                sid,
                ServerArgs(
                    server_id=sid,
                    server=server,
                    instance_type=instance_type,
                    ami=_ami(sid, server.os, server.disposition, args.options, invoke),
                    vpc_id=_vpc_value(network, env, "vpcId"),
                    subnet_id=address.apply(lambda a: a["subnetId"]),
                    private_ip=address.apply(lambda a: a["ip"]),
                    kms_key_arn=args.kms_key_arn,
                    instance_profile=args.instance_profile,
                    backup_tier=layout.backup_tier(
                        planned_system.rpo_hours if planned_system else None,
                        planned_system.data_classification if planned_system else "internal",
                    )[0],
                    security_group_ids=tuple(
                        pick(sg_ids, g) for g in aws_groups_of(policy, security_groups, sid)
                    ),
                    group=policy.group_of[sid],
                    tags={
                        **layout.system_tags(plan, server.system, number, env),
                        **args.extra_tags,
                    },
                ),
                opts=child,
            )
        for group in sorted(g for g, w in policy.group_wave.items() if w == number):
            found = policy.groups[group]
            for sg in security_groups.get(group, (group,)):
                if not rule_sets.get(sg) or found.system not in plan.systems:
                    continue
                GroupIngress(
                    f"{sg}-ingress",
                    GroupIngressArgs(
                        group=sg,
                        rules=rule_sets[sg],
                        security_group_ids=sg_ids,
                        prefix_list_ids=args.prefix_list_ids,
                        tags={
                            **layout.system_tags(plan, found.system, number, found.environment),
                            **args.extra_tags,
                        },
                    ),
                    opts=child,
                )
        self.entrances: dict[str, PublicEntrance] = {}
        for system in layout.citizen_systems(plan):
            targets = web_targets(plan, number, system)
            if not targets:
                continue
            self.entrances[system] = PublicEntrance(
                f"{system}-entrance",
                PublicEntranceArgs(
                    system=system,
                    vpc_id=_vpc_value(network, "prod", "vpcId"),
                    vpc_cidr=_vpc_value(network, "prod", "vpcCidr"),
                    public_subnet_ids=_vpc_value(network, "prod", "publicSubnetIds"),
                    targets=tuple(self.servers[t] for t in targets),
                    certificate_arn=args.options.certificate_arns.get(system),
                    access_log_bucket=args.access_log_bucket,
                    tags={**layout.system_tags(plan, system, number, "prod"), **args.extra_tags},
                ),
                opts=child,
            )
        self.register_outputs({"servers": sorted(self.servers)})


def _vpc_value(network: pulumi.Output[Any], env: str, key: str) -> pulumi.Output[Any]:
    """``key`` of environment ``env``'s VPC in the foundation's ``network`` output."""
    return network.apply(lambda n: n[env][key])


def _server_address(
    network: pulumi.Output[Any], plan: Plan, server_id: str
) -> pulumi.Output[dict[str, str]]:
    """Subnet id, AZ and fixed private address of a server (see :func:`server_address`)."""
    return network.apply(lambda n: server_address(n, plan, server_id))


def _ami(
    server_id: str,
    os_slug: str,
    disposition: str,
    options: AwsOptions,
    invoke: pulumi.InvokeOptions,
) -> pulumi.Input[str]:
    """Rehost: the VM Import AMI (config, else tagged ``utflytt:server``); else the OS image."""
    if disposition == "rehost":
        if server_id in options.amis:
            return options.amis[server_id]
        return aws.ec2.get_ami_output(
            owners=["self"],
            most_recent=True,
            filters=[aws.ec2.GetAmiFilterArgs(name="tag:utflytt:server", values=[server_id])],
            opts=invoke,
        ).id
    query = layout.image_query(os_slug)
    return aws.ec2.get_ami_output(
        owners=list(query.owners),
        most_recent=True,
        filters=[
            aws.ec2.GetAmiFilterArgs(name="name", values=[query.name]),
            aws.ec2.GetAmiFilterArgs(name="architecture", values=["x86_64"]),
        ],
        opts=invoke,
    ).id
