"""Closed storage: the landing zone's storage accounts and key vault are reachable only
through private endpoints in the hub, resolved by private DNS zones linked to hub and spoke.

Their ``publicNetworkAccess`` is ``Disabled`` (set where they are built); this component adds
the way in: a subnet for private endpoints (a /24 of the hub, ``stacks.baseline.hub_subnets``),
one private endpoint per resource and sub-resource, and the ``privatelink`` DNS zones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import network, privatedns

from stacks import baseline

# sub-resource (group id) -> its private DNS zone
PRIVATE_DNS_ZONES = {
    "blob": "privatelink.blob.core.windows.net",
    "vault": "privatelink.vaultcore.azure.net",
}


@dataclass(frozen=True)
class Endpoint:
    """One resource to reach privately: its id and sub-resource (``blob``, ``vault``)."""

    resource_id: pulumi.Input[str]
    group_id: str


@dataclass(frozen=True)
class PrivateAccessArgs:
    """The hub, the networks that resolve the private names, and what to reach."""

    resource_group_name: pulumi.Input[str]
    hub_name: pulumi.Input[str]
    hub_cidr: str
    linked_networks: Mapping[str, pulumi.Input[str]]  # label -> virtual network id
    endpoints: Mapping[str, Endpoint]  # label -> endpoint
    location: str
    tags: dict[str, str]
    after: tuple[pulumi.Resource, ...] = ()  # subnets of the hub are created one at a time


class PrivateAccess(pulumi.ComponentResource):
    """Private endpoints (in the hub) and private DNS for closed storage and key vaults."""

    def __init__(
        self, name: str, args: PrivateAccessArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("utflytt:azure:PrivateAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.subnet = network.Subnet(
            f"{name}-snet",
            subnet_name="snet-private-endpoints",
            resource_group_name=args.resource_group_name,
            virtual_network_name=args.hub_name,
            address_prefix=baseline.hub_subnets(args.hub_cidr)["endpoints"],
            private_endpoint_network_policies="Enabled",
            default_outbound_access=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.after)),
        )
        zones: dict[str, privatedns.PrivateZone] = {}
        for group in sorted({e.group_id for e in args.endpoints.values()}):
            zone_name = PRIVATE_DNS_ZONES[group]
            zones[group] = privatedns.PrivateZone(
                f"{name}-zone-{group}",
                private_zone_name=zone_name,
                resource_group_name=args.resource_group_name,
                location="global",
                tags=args.tags,
                opts=child,
            )
            for label, vnet_id in sorted(args.linked_networks.items()):
                privatedns.VirtualNetworkLink(
                    f"{name}-zone-{group}-{label}",
                    virtual_network_link_name=f"link-{label}",
                    private_zone_name=zones[group].name,
                    resource_group_name=args.resource_group_name,
                    location="global",
                    registration_enabled=False,
                    virtual_network=privatedns.SubResourceArgs(id=vnet_id),
                    tags=args.tags,
                    opts=child,
                )
        for label, endpoint in sorted(args.endpoints.items()):
            pe = network.PrivateEndpoint(
                f"{name}-{label}",
                private_endpoint_name=f"pe-{label}",
                resource_group_name=args.resource_group_name,
                location=args.location,
                subnet=network.SubnetArgs(id=self.subnet.id),
                private_link_service_connections=[
                    network.PrivateLinkServiceConnectionArgs(
                        name=label,
                        private_link_service_id=endpoint.resource_id,
                        group_ids=[endpoint.group_id],
                    )
                ],
                tags=args.tags,
                opts=child,
            )
            network.PrivateDnsZoneGroup(
                f"{name}-{label}-dns",
                private_dns_zone_group_name="default",
                private_endpoint_name=pe.name,
                resource_group_name=args.resource_group_name,
                private_dns_zone_configs=[
                    network.PrivateDnsZoneConfigArgs(
                        name=endpoint.group_id, private_dns_zone_id=zones[endpoint.group_id].id
                    )
                ],
                opts=child,
            )
        self.register_outputs({"subnetId": self.subnet.id})
