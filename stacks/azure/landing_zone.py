"""The foundation stack's landing zone: resource groups, hub and spokes, hybrid VPN, logging,
backup, Key Vault and the storage account that receives the rehosted servers' VHDs."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import (
    authorization,
    keyvault,
    network,
    operationalinsights,
    recoveryservices,
    resources,
    storage,
)

from stacks import baseline
from stacks.azure import layout
from stacks.azure.foundation_baseline import (
    FoundationBaseline,
    FoundationBaselineArgs,
    closed_storage_account,
)
from stacks.azure.spokes import Spokes, SpokesArgs
from stacks.network.policy import network_policy


@dataclass(frozen=True)
class HybridVpnArgs:
    """Site-to-site VPN to the old provider's networks for the hybrid period."""

    resource_group_name: pulumi.Input[str]
    location: str
    gateway_subnet_id: pulumi.Input[str]
    source_networks: tuple[str, ...]
    peer_address: str
    shared_key: pulumi.Input[str]
    tags: dict[str, str]
    region: str


class HybridVpn(pulumi.ComponentResource):
    """VPN gateway (its public IP is the tunnel endpoint), local network gateway, connection."""

    def __init__(self, name: str, args: HybridVpnArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("utflytt:azure:HybridVpn", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        abbr = layout.region_abbreviation(args.region)
        pip = network.PublicIPAddress(
            f"{name}-pip",
            public_ip_address_name=f"pip-utflytt-vpn-{abbr}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=network.PublicIPAddressSkuArgs(name=network.PublicIPAddressSkuName.STANDARD),
            public_ip_allocation_method=network.IPAllocationMethod.STATIC,
            zones=["1", "2", "3"],
            tags=args.tags,
            opts=child,
        )
        self.gateway = network.VirtualNetworkGateway(
            f"{name}-vgw",
            virtual_network_gateway_name=f"vgw-utflytt-{abbr}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            gateway_type=network.VirtualNetworkGatewayType.VPN,
            vpn_type=network.VpnType.ROUTE_BASED,
            sku=network.VirtualNetworkGatewaySkuArgs(
                name=network.VirtualNetworkGatewaySkuName.VPN_GW1_AZ,
                tier=network.VirtualNetworkGatewaySkuTier.VPN_GW1_AZ,
            ),
            ip_configurations=[
                network.VirtualNetworkGatewayIPConfigurationArgs(
                    name="default",
                    subnet=network.SubResourceArgs(id=args.gateway_subnet_id),
                    public_ip_address=network.SubResourceArgs(id=pip.id),
                    private_ip_allocation_method=network.IPAllocationMethod.DYNAMIC,
                )
            ],
            tags=args.tags,
            opts=child,
        )
        local = network.LocalNetworkGateway(
            f"{name}-lgw",
            local_network_gateway_name=f"lgw-utflytt-source-{abbr}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            gateway_ip_address=args.peer_address,
            local_network_address_space=network.AddressSpaceArgs(
                address_prefixes=list(args.source_networks)
            ),
            tags=args.tags,
            opts=child,
        )
        network.VirtualNetworkGatewayConnection(
            f"{name}-cn",
            virtual_network_gateway_connection_name=f"cn-utflytt-source-{abbr}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            connection_type=network.VirtualNetworkGatewayConnectionType.IPSEC,
            connection_protocol=network.VirtualNetworkGatewayConnectionProtocol.IK_EV2,
            virtual_network_gateway1=network.VirtualNetworkGatewayArgs(id=self.gateway.id),
            local_network_gateway2=network.LocalNetworkGatewayArgs(id=local.id),
            shared_key=args.shared_key,
            tags=args.tags,
            opts=child,
        )
        self.register_outputs({"gatewayId": self.gateway.id})


@dataclass(frozen=True)
class LandingZoneArgs:
    """Everything the landing zone needs: the plan and the foundation's settings."""

    plan: object  # migration.plan.Plan (kept loose: dataclass of a pydantic model)
    region: str
    tags: dict[str, str] = field(default_factory=dict)
    vpn_peer_address: str | None = None
    vpn_shared_key: pulumi.Input[str] | None = None


class LandingZone(pulumi.ComponentResource):
    """Resource groups by level, hub + spoke VNets, VPN, Log Analytics, backup, Key Vault."""

    def __init__(
        self, name: str, args: LandingZoneArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("utflytt:azure:LandingZone", name, None, opts)
        from migration.plan import Plan

        plan = args.plan
        assert isinstance(plan, Plan)
        child = pulumi.ResourceOptions(parent=self)
        region = args.region
        abbr = layout.region_abbreviation(region)
        tags = layout.landing_zone_tags(plan, args.tags)
        addressing = layout.plan_addresses(plan)

        def group(key: str) -> resources.ResourceGroup:
            return resources.ResourceGroup(
                f"rg-{key}",
                resource_group_name=layout.rg_name(key, region),
                location=region,
                tags=tags,
                opts=child,
            )

        net_rg = group("network")
        mgmt_rg = group("management")
        level_rgs = {level: group(level) for level in layout.levels_used(plan)}

        hub = network.VirtualNetwork(
            "vnet-hub",
            virtual_network_name=f"vnet-utflytt-hub-{abbr}",
            resource_group_name=net_rg.name,
            location=region,
            address_space=network.AddressSpaceArgs(address_prefixes=[addressing.hub]),
            tags=tags,
            opts=child,
        )
        gateway_subnet = network.Subnet(
            "snet-gateway",
            subnet_name="GatewaySubnet",  # the name Azure requires for VPN gateways
            resource_group_name=net_rg.name,
            virtual_network_name=hub.name,
            address_prefix=addressing.gateway_subnet,
            opts=child,
        )
        vpn: HybridVpn | None = None
        peer = baseline.require_vpn_peer(plan, args.vpn_peer_address, "utflytt:vpnPeerAddress")
        if peer is not None:
            if args.vpn_shared_key is None:
                raise layout.LayoutError(
                    "the plan has source_networks, so the foundation builds a VPN: set "
                    "the secret utflytt:vpnSharedKey (pulumi config set --secret ...)"
                )
            vpn = HybridVpn(
                "vpn",
                HybridVpnArgs(
                    resource_group_name=net_rg.name,
                    location=region,
                    gateway_subnet_id=gateway_subnet.id,
                    source_networks=tuple(plan.source_networks),
                    peer_address=peer,
                    shared_key=args.vpn_shared_key,
                    tags=tags,
                    region=region,
                ),
                opts=child,
            )
        spokes = Spokes(
            "spokes",
            SpokesArgs(
                addressing=addressing,
                policy=network_policy(plan),
                hub=hub,
                resource_group_name=net_rg.name,
                location=region,
                region_abbreviation=abbr,
                gateway_transit=vpn is not None,
                tags=tags,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[vpn.gateway]) if vpn else child,
        )

        workspace = operationalinsights.Workspace(
            "log",
            workspace_name=f"log-utflytt-{abbr}",
            resource_group_name=mgmt_rg.name,
            location=region,
            sku=operationalinsights.WorkspaceSkuArgs(
                name=operationalinsights.WorkspaceSkuNameEnum.PER_GB2018
            ),
            retention_in_days=baseline.log_retention_days(baseline.highest_classification(plan)),
            tags=tags,
            opts=child,
        )
        vault = recoveryservices.Vault(
            "rsv",
            vault_name=f"rsv-utflytt-{abbr}",
            resource_group_name=mgmt_rg.name,
            location=region,
            sku=recoveryservices.SkuArgs(name=recoveryservices.SkuName.RS0, tier="Standard"),
            properties=recoveryservices.VaultPropertiesArgs(public_network_access="Disabled"),
            tags=tags,
            opts=child,
        )
        policies = {
            bucket: _backup_policy(bucket, vault.name, mgmt_rg.name, region, tags, child)
            for bucket in layout.backup_buckets(plan)
        }
        client = authorization.get_client_config_output()
        kv = keyvault.Vault(
            "kv",
            vault_name=layout.key_vault_name(plan, region),
            resource_group_name=mgmt_rg.name,
            location=region,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=client.tenant_id,
                sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName.STANDARD),
                enable_rbac_authorization=True,
                enable_soft_delete=True,
                enable_purge_protection=True,
                soft_delete_retention_in_days=90,
                public_network_access="Disabled",
            ),
            tags=tags,
            opts=child,
        )
        account = closed_storage_account(
            "st-migration", layout.storage_account_name(plan), mgmt_rg.name, region, tags, child
        )
        storage.BlobContainer(
            "vhds",
            container_name="vhds",
            account_name=account.name,
            resource_group_name=mgmt_rg.name,
            public_access=storage.PublicAccess.NONE,
            opts=child,
        )

        diagnosed: dict[str, pulumi.Input[str]] = {"kv": kv.id, "rsv": vault.id}
        if vpn is not None:
            diagnosed["vpn"] = vpn.gateway.id
        base = FoundationBaseline(
            "baseline",
            FoundationBaselineArgs(
                organisation=plan.organisation,
                log_storage_account=plan.allocations.azure.names.get("log_storage_account", ""),
                classification=baseline.highest_classification(plan),
                region=region,
                region_abbreviation=abbr,
                network_rg=net_rg.name,
                management_rg=mgmt_rg.name,
                subscription_id=client.subscription_id,
                hub_name=hub.name,
                hub_cidr=addressing.hub,
                networks={"hub": hub.id, **{f"spoke-{e}": v.id for e, v in spokes.vnets.items()}},
                workspace_id=workspace.id,
                workspace_customer_id=workspace.customer_id,
                key_vault_id=kv.id,
                key_vault_name=kv.name,
                diagnosed=diagnosed,
                storage_accounts={"st-migration": account.id},
                tags=tags,
                hub_subnets=(gateway_subnet,),
            ),
            opts=child,
        )
        self.outputs: dict[str, pulumi.Input[object]] = {
            **base.outputs,
            "keyVaultName": kv.name,
            "location": region,
            "resourceGroups": {level: rg.name for level, rg in level_rgs.items()},
            "networkResourceGroup": net_rg.name,
            "managementResourceGroup": mgmt_rg.name,
            "hubVnetId": hub.id,
            "spokeVnetNames": {env: v.name for env, v in spokes.vnets.items()},
            "spokeVnetIds": {env: v.id for env, v in spokes.vnets.items()},
            "applicationSecurityGroupIds": {g: a.id for g, a in spokes.asgs.items()},
            "logAnalyticsWorkspaceId": workspace.id,
            "recoveryVaultName": vault.name,
            "backupPolicyIds": {bucket: p.id for bucket, p in policies.items()},
            "keyVaultId": kv.id,
            "migrationStorageAccountId": account.id,
            "migrationStorageAccountName": account.name,
        }
        self.register_outputs(self.outputs)


def _backup_policy(
    bucket: str,
    vault_name: pulumi.Input[str],
    rg_name: pulumi.Input[str],
    region: str,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> recoveryservices.ProtectionPolicy:
    """An enhanced (V2) Azure VM policy: hourly every N h, or daily; retention from the
    bucket's data classification (``stacks.baseline.BACKUP_RETENTION_DAYS``).

    Enhanced policies are what trusted-launch VMs require, so every bucket uses one.
    """
    tier, classification = bucket.rsplit("-", 1)
    if tier == "daily":
        schedule = recoveryservices.SimpleSchedulePolicyV2Args(
            schedule_policy_type="SimpleSchedulePolicyV2",
            schedule_run_frequency="Daily",
            daily_schedule=recoveryservices.DailyScheduleArgs(
                schedule_run_times=["2027-01-01T01:00:00Z"]
            ),
        )
    else:
        interval = int(tier.removeprefix("hourly-").removesuffix("h"))
        schedule = recoveryservices.SimpleSchedulePolicyV2Args(
            schedule_policy_type="SimpleSchedulePolicyV2",
            schedule_run_frequency="Hourly",
            hourly_schedule=recoveryservices.HourlyScheduleArgs(
                interval=interval,
                schedule_window_start_time="2027-01-01T00:00:00Z",
                schedule_window_duration=24,
            ),
        )
    return recoveryservices.ProtectionPolicy(
        f"bkpol-{bucket}",
        policy_name=f"bkpol-utflytt-{bucket}",
        vault_name=vault_name,
        resource_group_name=rg_name,
        location=region,
        properties=recoveryservices.AzureIaaSVMProtectionPolicyArgs(
            backup_management_type="AzureIaasVM",
            policy_type="V2",
            schedule_policy=schedule,
            retention_policy=recoveryservices.LongTermRetentionPolicyArgs(
                retention_policy_type="LongTermRetentionPolicy",
                daily_schedule=recoveryservices.DailyRetentionScheduleArgs(
                    retention_times=["2027-01-01T01:00:00Z"],
                    retention_duration=recoveryservices.RetentionDurationArgs(
                        count=baseline.backup_retention_days(classification),
                        duration_type="Days",
                    ),
                ),
            ),
            time_zone="UTC",
        ),
        tags=tags,
        opts=opts,
    )
