"""A system × environment's subnet and its NSG: exactly the declared flows inbound (the
rules of :func:`stacks.network.rulesets.azure_rule_sets`, sources and destinations as
application security groups or static addresses), then deny-all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import network

from stacks import naming
from stacks.azure import layout
from stacks.network.rulesets import NsgRule

DENY_ALL_PRIORITY = 4096


@dataclass(frozen=True)
class GatewayRule:
    """A citizen-facing unit admits its Application Gateway subnet to the web servers."""

    source: str  # the gateway subnet
    destinations: tuple[str, ...]  # web servers' /32s
    port: str  # "443"


@dataclass(frozen=True)
class SystemNetworkArgs:
    """A unit's subnet and its NSG rules."""

    unit: layout.Unit
    rules: tuple[NsgRule, ...]
    asg_ids: pulumi.Output[Mapping[str, str]]
    network_rg: pulumi.Input[str]
    spoke_vnet_name: pulumi.Input[str]
    location: str
    tags: dict[str, str]
    gateway: GatewayRule | None = None
    admin_rule: network.SecurityRuleArgs | None = None  # Bastion (stacks.azure.management)


def _asgs(
    ids: pulumi.Output[Mapping[str, str]], names: tuple[str, ...]
) -> list[network.ApplicationSecurityGroupArgs] | None:
    if not names:
        return None
    return [network.ApplicationSecurityGroupArgs(id=pick(ids, name)) for name in names]


def pick(ids: pulumi.Output[Mapping[str, str]], name: str) -> pulumi.Output[str]:
    """The id of ``name`` in a foundation output map."""
    return ids.apply(lambda m: m[name])


def security_rule(rule: NsgRule, ids: pulumi.Output[Mapping[str, str]]) -> network.SecurityRuleArgs:
    """The NSG rule of one :class:`NsgRule`."""
    permit = rule.permit
    return network.SecurityRuleArgs(
        name=rule.name,
        priority=rule.priority,
        direction=network.SecurityRuleDirection.INBOUND,
        access=network.SecurityRuleAccess.ALLOW,
        protocol=rule.protocol,
        source_address_prefixes=list(rule.source_prefixes) or None,
        source_application_security_groups=_asgs(ids, rule.source_groups),
        source_port_range="*",
        destination_address_prefixes=list(rule.destination_prefixes) or None,
        destination_application_security_groups=_asgs(
            ids, (rule.destination_group,) if rule.destination_group else ()
        ),
        destination_port_ranges=list(rule.ports),
        description=(
            f"{', '.join(permit.sources) or f'{len(permit.consumers)} servers at the provider'}"
            f" -> {permit.destination}"
        )[:140]
        if permit
        else None,
    )


class SystemNetwork(pulumi.ComponentResource):
    """Subnet of one system and environment; its NSG admits exactly the declared flows."""

    def __init__(
        self, name: str, args: SystemNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("utflytt:azure:SystemNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rules = [security_rule(r, args.asg_ids) for r in args.rules]
        if args.gateway is not None:
            rules.append(
                network.SecurityRuleArgs(
                    name="in-application-gateway",
                    priority=100 + len(rules),
                    direction=network.SecurityRuleDirection.INBOUND,
                    access=network.SecurityRuleAccess.ALLOW,
                    protocol="Tcp",
                    source_address_prefix=args.gateway.source,
                    source_port_range="*",
                    destination_address_prefixes=list(args.gateway.destinations),
                    destination_port_ranges=[args.gateway.port],
                    description="Application Gateway -> web servers",
                )
            )
        if args.admin_rule is not None:
            rules.append(args.admin_rule)
        rules.append(
            network.SecurityRuleArgs(
                name="deny-all-inbound",
                priority=DENY_ALL_PRIORITY,
                direction=network.SecurityRuleDirection.INBOUND,
                access=network.SecurityRuleAccess.DENY,
                protocol=network.SecurityRuleProtocol.ASTERISK,
                source_address_prefix="*",
                source_port_range="*",
                destination_address_prefix="*",
                destination_port_range="*",
                description="everything not declared as a dependency",
            )
        )
        self.nsg = network.NetworkSecurityGroup(
            f"{name}-nsg",
            network_security_group_name=naming.azure_unit("nsg", args.unit.key),
            resource_group_name=args.network_rg,
            location=args.location,
            security_rules=rules,
            tags=args.tags,
            opts=child,
        )
        self.subnet = network.Subnet(
            f"{name}-snet",
            subnet_name=naming.azure_unit("snet", args.unit.key),
            resource_group_name=args.network_rg,
            virtual_network_name=args.spoke_vnet_name,
            address_prefix=args.unit.servers_cidr,
            network_security_group=network.NetworkSecurityGroupArgs(id=self.nsg.id),
            default_outbound_access=False,
            opts=child,
        )
        self.register_outputs({"subnetId": self.subnet.id, "nsgId": self.nsg.id})
