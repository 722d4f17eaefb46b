"""The AWS landing zone (foundation stack): VPCs (address plan: :mod:`stacks.aws.addresses`),
subnets, VPC peering where a declared flow crosses environments, VPN, flow logs, KMS, AWS
Backup."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from migration.plan import Plan
from stacks import baseline
from stacks.aws import layout
from stacks.aws.addresses import VpcPlan
from stacks.aws.groups import NetworkGroups, NetworkGroupsArgs
from stacks.aws.layout import AwsOptions
from stacks.aws.management import SsmAccess, SsmEndpoints, SsmEndpointsArgs
from stacks.aws.monitoring import LogsArgs, Monitoring, account_of
from stacks.aws.peering import NetworkJoins, NetworkJoinsArgs, VpcRef
from stacks.network import plan_quotas
from stacks.network.limits import aws_plan_layout

_ASSUME = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "SERVICE"}}
    ],
}


def _assume(service: str) -> str:
    return json.dumps(_ASSUME).replace("SERVICE", service)


@dataclass(frozen=True)
class EnvironmentNetworkArgs:
    """One environment's network: VPC, subnets, routes, VPN to the source networks, flow log."""

    vpc: VpcPlan
    source_networks: tuple[str, ...]
    customer_gateway_id: pulumi.Input[str] | None
    flow_log_group_arn: pulumi.Input[str]
    flow_log_role_arn: pulumi.Input[str]
    tags: dict[str, str] = field(default_factory=dict)


class EnvironmentNetwork(pulumi.ComponentResource):
    """VPC of one environment: a private subnet per AZ for every server (its static range
    reserved), public subnets only for a citizen-facing system's load balancer."""

    def __init__(
        self, name: str, args: EnvironmentNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("utflytt:aws:EnvironmentNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags, plan = args.tags, args.vpc
        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=plan.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={**tags, "Name": f"utflytt-{plan.environment}"},
            opts=child,
        )
        self.subnets: dict[str, aws.ec2.Subnet] = {}
        for spec in plan.subnets:
            subnet = aws.ec2.Subnet(
                spec.name,
                vpc_id=self.vpc.id,
                cidr_block=spec.cidr,
                availability_zone=spec.az,
                map_public_ip_on_launch=False,
                tags={**tags, "Name": spec.name, "tier": spec.tier},
                opts=child,
            )
            self.subnets[spec.key] = subnet
            for i, block in enumerate(spec.static):
                aws.ec2.SubnetCidrReservation(
                    f"{spec.name}-static-{i}",
                    subnet_id=subnet.id,
                    cidr_block=block,
                    reservation_type="explicit",
                    description="utflytt: static server addresses",
                    opts=child,
                )
        self.private_route_table = aws.ec2.RouteTable(
            f"{name}-private-rt",
            vpc_id=self.vpc.id,
            tags={**tags, "Name": f"{name}-private"},
            opts=child,
        )
        private_rt = self.private_route_table
        for spec in plan.private():
            aws.ec2.RouteTableAssociation(
                f"{spec.name}-rta",
                route_table_id=private_rt.id,
                subnet_id=self.subnets[spec.key].id,
                opts=child,
            )
        public = plan.public()
        if public:
            igw = aws.ec2.InternetGateway(
                f"{name}-igw", vpc_id=self.vpc.id, tags={**tags, "Name": f"{name}-igw"}, opts=child
            )
            public_rt = aws.ec2.RouteTable(
                f"{name}-public-rt",
                vpc_id=self.vpc.id,
                tags={**tags, "Name": f"{name}-public"},
                opts=child,
            )
            aws.ec2.Route(
                f"{name}-public-default",
                route_table_id=public_rt.id,
                destination_cidr_block="0.0.0.0/0",
                gateway_id=igw.id,
                opts=child,
            )
            for spec in public:
                aws.ec2.RouteTableAssociation(
                    f"{spec.name}-rta",
                    route_table_id=public_rt.id,
                    subnet_id=self.subnets[spec.key].id,
                    opts=child,
                )
        self.vpn_connection: aws.ec2.VpnConnection | None = None
        if args.source_networks and args.customer_gateway_id is not None:
            vgw = aws.ec2.VpnGateway(
                f"{name}-vgw", vpc_id=self.vpc.id, tags={**tags, "Name": f"{name}-vgw"}, opts=child
            )
            self.vpn_connection = aws.ec2.VpnConnection(
                f"{name}-vpn",
                customer_gateway_id=args.customer_gateway_id,
                vpn_gateway_id=vgw.id,
                type="ipsec.1",
                static_routes_only=True,
                tags={**tags, "Name": f"{name}-to-source"},
                opts=child,
            )
            for i, cidr in enumerate(args.source_networks):
                aws.ec2.VpnConnectionRoute(
                    f"{name}-vpn-route-{i}",
                    destination_cidr_block=cidr,
                    vpn_connection_id=self.vpn_connection.id,
                    opts=child,
                )
                aws.ec2.Route(
                    f"{name}-to-source-{i}",
                    route_table_id=private_rt.id,
                    destination_cidr_block=cidr,
                    gateway_id=vgw.id,
                    opts=child,
                )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=args.flow_log_group_arn,
            iam_role_arn=args.flow_log_role_arn,
            tags={**tags, "Name": f"{name}-flow-log"},
            opts=child,
        )
        self.outputs: dict[str, Any] = {
            "vpcId": self.vpc.id,
            "vpcCidr": plan.cidr,
            "publicSubnetIds": [self.subnets[s.key].id for s in public],
            "subnets": {
                s.key.split("/", 1)[1]: {"id": self.subnets[s.key].id, "az": s.az, "cidr": s.cidr}
                for s in plan.subnets
            },
            "servers": {
                sid: {"subnet": p.subnet.split("/", 1)[1], "ip": p.ip}
                for sid, p in plan.servers.items()
            },
        }
        self.register_outputs({"vpcId": self.vpc.id})

    def vpc_ref(self) -> VpcRef:
        """What a peering needs of this network: VPC, CIDR and private route table."""
        return VpcRef(self.vpc.id, self.outputs["vpcCidr"], self.private_route_table.id)


@dataclass(frozen=True)
class BackupPlansArgs:
    """AWS Backup: a vault encrypted with the landing zone's key and one plan per RPO tier."""

    kms_key_arn: pulumi.Input[str]
    tiers: dict[str, str]  # tier -> cron schedule (layout.backup_tiers); retention from its
    # classification suffix (stacks.baseline.BACKUP_RETENTION_DAYS)
    tags: dict[str, str] = field(default_factory=dict)


class BackupPlans(pulumi.ComponentResource):
    """Instances tagged ``backup-tier=<tier>`` are backed up on that tier's schedule."""

    def __init__(
        self, name: str, args: BackupPlansArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("utflytt:aws:BackupPlans", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.vault = aws.backup.Vault(
            f"{name}-vault",
            name="utflytt",
            kms_key_arn=args.kms_key_arn,
            tags=args.tags,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=_assume("backup.amazonaws.com"),
            tags=args.tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-role-policy",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
            opts=child,
        )
        for tier, schedule in sorted(args.tiers.items()):
            plan = aws.backup.Plan(
                f"{name}-{tier}",
                name=f"utflytt-{tier}",
                rules=[
                    aws.backup.PlanRuleArgs(
                        rule_name=tier,
                        target_vault_name=self.vault.name,
                        schedule=schedule,
                        start_window=60,
                        completion_window=360,
                        lifecycle=aws.backup.PlanRuleLifecycleArgs(
                            delete_after=baseline.backup_retention_days(tier.rsplit("-", 1)[1])
                        ),
                    )
                ],
                tags={**args.tags, "backup-tier": tier},
                opts=child,
            )
            aws.backup.Selection(
                f"{name}-{tier}-selection",
                name=f"utflytt-{tier}",
                plan_id=plan.id,
                iam_role_arn=role.arn,
                selection_tags=[
                    aws.backup.SelectionSelectionTagArgs(
                        type="STRINGEQUALS", key="backup-tier", value=tier
                    )
                ],
                opts=child,
            )
        self.register_outputs({"vaultName": self.vault.name})


@dataclass(frozen=True)
class LandingZoneArgs:
    """The whole foundation, derived from the plan and the ``utflytt:aws`` stack config."""

    plan: Plan
    options: AwsOptions
    availability_zones: tuple[str, ...]
    extra_tags: dict[str, str] = field(default_factory=dict)
    region: str = layout.DEFAULT_REGION


class LandingZone(pulumi.ComponentResource):
    """KMS key, flow-log sink, customer gateway, one network per environment, backup."""

    def __init__(
        self, name: str, args: LandingZoneArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("utflytt:aws:LandingZone", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        plan, options = args.plan, args.options
        tags = {**layout.foundation_tags(plan), **args.extra_tags}
        self.key = aws.kms.Key(
            f"{name}-key",
            description="utflytt: EBS, backup vault",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            tags=tags,
            opts=child,
        )
        aws.kms.Alias(
            f"{name}-key-alias", name="alias/utflytt", target_key_id=self.key.key_id, opts=child
        )
        retention = baseline.log_retention_days(baseline.highest_classification(plan))
        monitoring = Monitoring(
            f"{name}-monitoring",
            LogsArgs(
                region=args.region,
                account_id=account_of(self.key.arn),
                retention_days=retention,
                tags=tags,
            ),
            opts=child,
        )
        ssm = SsmAccess(f"{name}-ssm", tags, opts=child)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name="/utflytt/vpc-flow-logs",
            retention_in_days=retention,
            kms_key_id=monitoring.logs_key.arn,
            tags=tags,
            opts=child,
        )
        flow_role = aws.iam.Role(
            f"{name}-flow-log-role",
            assume_role_policy=_assume("vpc-flow-logs.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-log-policy",
            role=flow_role.id,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Resource": "*",
                            "Action": [
                                "logs:CreateLogStream",
                                "logs:PutLogEvents",
                                "logs:DescribeLogGroups",
                                "logs:DescribeLogStreams",
                            ],
                        }
                    ],
                }
            ),
            opts=child,
        )
        cgw = None
        peer = baseline.require_vpn_peer(plan, options.vpn_peer_ip, "utflytt:aws.vpnPeerIp")
        if peer is not None:
            cgw = aws.ec2.CustomerGateway(
                f"{name}-source-cgw",
                type="ipsec.1",
                bgp_asn=str(options.vpn_bgp_asn),
                ip_address=peer,
                tags={**tags, "Name": f"{plan.provider_name or 'source'} VPN endpoint"},
                opts=child,
            )
        self.networks: dict[str, EnvironmentNetwork] = {}
        addressing = layout.address_plan(plan, options, args.availability_zones)
        for env, vpc in addressing.vpcs.items():
            self.networks[env] = EnvironmentNetwork(
                env,
                EnvironmentNetworkArgs(
                    vpc=vpc,
                    source_networks=plan.source_networks,
                    customer_gateway_id=cgw.id if cgw is not None else None,
                    flow_log_group_arn=log_group.arn,
                    flow_log_role_arn=flow_role.arn,
                    tags={**layout.foundation_tags(plan, env), **args.extra_tags},
                ),
                opts=child,
            )
            SsmEndpoints(
                f"{env}-endpoints",
                SsmEndpointsArgs(
                    region=args.region,
                    vpc_id=self.networks[env].vpc.id,
                    vpc_cidr=vpc.cidr,
                    subnet_ids={s.az: self.networks[env].subnets[s.key].id for s in vpc.private()},
                    tags={**layout.foundation_tags(plan, env), **args.extra_tags},
                ),
                opts=child,
            )
        policy, _, security_groups = aws_plan_layout(plan)
        NetworkJoins(
            f"{name}-joins",
            NetworkJoinsArgs(
                pairs=tuple(policy.joined_networks()),
                vpcs={env: net.vpc_ref() for env, net in self.networks.items()},
                tags=tags,
            ),
            opts=child,
        )
        self.groups = NetworkGroups(
            f"{name}-groups",
            NetworkGroupsArgs(
                policy=policy,
                vpc_ids={env: net.vpc.id for env, net in self.networks.items()},
                tags=tags,
                security_groups=security_groups,
                prefix_lists=plan_quotas(plan).aws_prefix_lists_per_region,
            ),
            opts=child,
        )
        self.backup = BackupPlans(
            f"{name}-backup",
            BackupPlansArgs(kms_key_arn=self.key.arn, tiers=layout.backup_tiers(plan), tags=tags),
            opts=child,
        )
        self.exports: dict[str, Any] = {
            "kmsKeyArn": self.key.arn,
            "backupVault": self.backup.vault.name,
            "network": {env: net.outputs for env, net in self.networks.items()},
            **self.groups.exports,
            "instanceProfile": ssm.profile.name,
            "albLogBucket": monitoring.access_logs.id,
        }
        self.register_outputs({"kmsKeyArn": self.key.arn})
