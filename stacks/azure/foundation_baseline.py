"""The landing zone's operations and security baseline on Azure, as one component.

:class:`FoundationBaseline` adds to the hub and the management resources the landing zone
built: Bastion (:mod:`stacks.azure.management`), customer-managed keys and the gateways'
identity (:mod:`stacks.azure.keys`), private endpoints for the key vault and the storage
accounts (:mod:`stacks.azure.private_access`), diagnostic settings, VNet flow logs into a
closed log storage account and Defender for Servers (:mod:`stacks.azure.monitoring`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import storage

from stacks import baseline
from stacks.azure.keys import CustomerKeys, CustomerKeysArgs, GatewayIdentity
from stacks.azure.layout import log_storage_account_name as log_storage_account_name
from stacks.azure.management import Bastion, BastionArgs
from stacks.azure.monitoring import Defender, Diagnostics, DiagnosticsArgs, FlowLogs, FlowLogsArgs
from stacks.azure.private_access import Endpoint, PrivateAccess, PrivateAccessArgs


def closed_storage_account(
    name: str,
    account_name: pulumi.Input[str],
    resource_group_name: pulumi.Input[str],
    location: str,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> storage.StorageAccount:
    """A StorageV2 account with no public network access, no shared keys, TLS 1.2."""
    return storage.StorageAccount(
        name,
        account_name=account_name,
        resource_group_name=resource_group_name,
        location=location,
        kind=storage.Kind.STORAGE_V2,
        sku=storage.SkuArgs(name=storage.SkuName.STANDARD_LRS),
        allow_blob_public_access=False,
        allow_shared_key_access=False,
        enable_https_traffic_only=True,
        minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
        public_network_access=CLOSED,
        network_rule_set=closed_network(),
        tags=tags,
        opts=opts,
    )


def closed_network() -> storage.NetworkRuleSetArgs:
    """The firewall of a closed storage account: deny all, trusted Azure services aside
    (with ``public_network_access=CLOSED``, only private endpoints reach it)."""
    return storage.NetworkRuleSetArgs(
        default_action=storage.DefaultAction.DENY, bypass="AzureServices"
    )


CLOSED = storage.PublicNetworkAccess.DISABLED


@dataclass(frozen=True)
class FoundationBaselineArgs:
    """What the landing zone built that the baseline attaches to."""

    organisation: str | None
    classification: str  # the most sensitive data the landing zone serves
    region: str
    region_abbreviation: str
    network_rg: pulumi.Input[str]
    management_rg: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    hub_name: pulumi.Input[str]
    hub_cidr: str
    networks: Mapping[str, pulumi.Input[str]]  # label -> VNet id (flow logs, DNS links)
    workspace_id: pulumi.Input[str]
    workspace_customer_id: pulumi.Input[str]
    key_vault_id: pulumi.Input[str]
    key_vault_name: pulumi.Input[str]
    diagnosed: Mapping[str, pulumi.Input[str]]  # label -> id of a resource to diagnose
    storage_accounts: Mapping[str, pulumi.Input[str]]  # label -> id (private endpoint)
    tags: dict[str, str]
    hub_subnets: tuple[pulumi.Resource, ...] = ()  # existing hub subnets, created first
    log_storage_account: str = ""  # the name kept in allocations.json ("" derive it)


class FoundationBaseline(pulumi.ComponentResource):
    """Bastion, keys, private endpoints, diagnostics, flow logs and Defender."""

    def __init__(
        self, name: str, args: FoundationBaselineArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("utflytt:azure:FoundationBaseline", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = args.tags
        bastion = Bastion(
            "bastion",
            BastionArgs(
                resource_group_name=args.network_rg,
                hub_name=args.hub_name,
                hub_cidr=args.hub_cidr,
                location=args.region,
                region_abbreviation=args.region_abbreviation,
                tags=tags,
                after=args.hub_subnets,
            ),
            opts=child,
        )
        key_args = CustomerKeysArgs(
            key_vault_id=args.key_vault_id,
            key_vault_name=args.key_vault_name,
            resource_group_name=args.management_rg,
            subscription_id=args.subscription_id,
            location=args.region,
            region_abbreviation=args.region_abbreviation,
            tags=tags,
        )
        keys = CustomerKeys("cmk", key_args, opts=child)
        gateway_identity = GatewayIdentity("agw-identity", key_args, opts=child)
        logs = closed_storage_account(
            "st-logs",
            args.log_storage_account or log_storage_account_name(args.organisation, args.region),
            args.management_rg,
            args.region,
            tags,
            child,
        )
        endpoints = {"kv": Endpoint(args.key_vault_id, "vault")}
        endpoints.update({label: Endpoint(i, "blob") for label, i in args.storage_accounts.items()})
        endpoints["st-logs"] = Endpoint(logs.id, "blob")
        PrivateAccess(
            "private",
            PrivateAccessArgs(
                resource_group_name=args.network_rg,
                hub_name=args.hub_name,
                hub_cidr=args.hub_cidr,
                linked_networks=args.networks,
                endpoints=endpoints,
                location=args.region,
                tags=tags,
                after=(bastion.subnet,),
            ),
            opts=child,
        )
        Diagnostics(
            "diag",
            DiagnosticsArgs(workspace_id=args.workspace_id, resources=args.diagnosed),
            opts=child,
        )
        FlowLogs(
            "flow-logs",
            FlowLogsArgs(
                networks=args.networks,
                storage_account_id=logs.id,
                workspace_resource_id=args.workspace_id,
                workspace_customer_id=args.workspace_customer_id,
                location=args.region,
                retention_days=baseline.log_retention_days(args.classification),
                tags=tags,
            ),
            opts=child,
        )
        Defender("defender", args.subscription_id, opts=child)
        self.outputs: dict[str, pulumi.Input[object]] = {
            "diskEncryptionSetId": keys.disk_encryption_set.id,
            "gatewayIdentityId": gateway_identity.identity.id,
        }
        self.register_outputs(self.outputs)
