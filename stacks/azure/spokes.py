"""The landing zone's spokes and application security groups.

One spoke VNet per environment (prod and non-prod never share a network), each peered with
the hub (and through it, during the hybrid period, with the old provider); two spokes are
peered with each other only where a declared flow crosses them (a test server using the
prod domain controllers: :meth:`stacks.network.policy.NetworkPolicy.joined_networks`, the
decision AWS's VPC peering follows too). Every group of the network policy that Azure
addresses by an application security group gets one here, so that any wave stack can
reference it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import network

from stacks.naming import azure_asg
from stacks.network.addresses import Addressing
from stacks.network.policy import NetworkPolicy
from stacks.network.rulesets import azure_asgs


def asg_name(group: str) -> str:
    """Azure name of a group's ASG (:func:`stacks.naming.azure_asg`)."""
    return azure_asg(group)


@dataclass(frozen=True)
class SpokesArgs:
    """What the spokes need: the address plan, the policy and the hub."""

    addressing: Addressing
    policy: NetworkPolicy
    hub: network.VirtualNetwork
    resource_group_name: pulumi.Input[str]
    location: str
    region_abbreviation: str
    gateway_transit: bool
    tags: dict[str, str]


class Spokes(pulumi.ComponentResource):
    """Spoke VNets, their peerings and the application security groups."""

    def __init__(self, name: str, args: SpokesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("utflytt:azure:Spokes", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rg, abbr = args.resource_group_name, args.region_abbreviation
        self.vnets: dict[str, network.VirtualNetwork] = {}
        for env, cidr in args.addressing.spokes.items():
            vnet = network.VirtualNetwork(
                f"vnet-spoke-{env}",
                virtual_network_name=f"vnet-utflytt-{env}-{abbr}",
                resource_group_name=rg,
                location=args.location,
                address_space=network.AddressSpaceArgs(address_prefixes=[cidr]),
                tags={**args.tags, "environment": env},
                opts=child,
            )
            self.vnets[env] = vnet
            self._peer(f"hub-to-{env}", args.hub, vnet, rg, transit=args.gateway_transit)
            self._peer(f"{env}-to-hub", vnet, args.hub, rg, remote_gateway=args.gateway_transit)
        for a, b in args.policy.joined_networks():
            if a in self.vnets and b in self.vnets:
                self._peer(f"{a}-to-{b}", self.vnets[a], self.vnets[b], rg)
                self._peer(f"{b}-to-{a}", self.vnets[b], self.vnets[a], rg)
        self.asgs = {
            group: network.ApplicationSecurityGroup(
                f"asg-{group}",
                application_security_group_name=asg_name(group),
                resource_group_name=rg,
                location=args.location,
                tags={**args.tags, "network-group": group},
                opts=child,
            )
            for group in azure_asgs(args.policy)
        }
        self.register_outputs(
            {
                "spokeVnetNames": {env: v.name for env, v in self.vnets.items()},
                "applicationSecurityGroupIds": {g: a.id for g, a in self.asgs.items()},
            }
        )

    def _peer(
        self,
        label: str,
        local: network.VirtualNetwork,
        remote: network.VirtualNetwork,
        rg: pulumi.Input[str],
        *,
        transit: bool = False,
        remote_gateway: bool = False,
    ) -> None:
        network.VirtualNetworkPeering(
            f"peer-{label}",
            virtual_network_peering_name=label,
            resource_group_name=rg,
            virtual_network_name=local.name,
            remote_virtual_network=network.SubResourceArgs(id=remote.id),
            allow_virtual_network_access=True,
            allow_forwarded_traffic=True,
            allow_gateway_transit=transit,
            use_remote_gateways=remote_gateway,
            opts=pulumi.ResourceOptions(parent=self),
        )
