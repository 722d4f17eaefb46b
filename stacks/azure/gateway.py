"""A citizen-facing system's only way in from the internet: an Application Gateway (WAF_v2)
with one public IP, in its own subnet, forwarding HTTPS to the web servers."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import network

from stacks.azure import layout


@dataclass(frozen=True)
class CitizenGatewayArgs:
    """Application Gateway (WAF_v2) in front of a citizen-facing unit's web servers."""

    unit: layout.Unit
    backend_ips: tuple[str, ...]
    network_rg: pulumi.Input[str]
    resource_group: pulumi.Input[str]
    spoke_vnet_name: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    location: str
    tags: dict[str, str]


class CitizenGateway(pulumi.ComponentResource):
    """The only way in from the internet: one public IP on a WAF-protected gateway.

    Listens on HTTP/80 (the TLS certificate from Key Vault is added once the city's
    certificate is there; see README) and forwards HTTPS/443 to the web servers.
    """

    def __init__(
        self, name: str, args: CitizenGatewayArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("utflytt:azure:CitizenGateway", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        key = args.unit.key
        nsg = network.NetworkSecurityGroup(
            f"{name}-nsg",
            network_security_group_name=f"nsg-agw-{key}",
            resource_group_name=args.network_rg,
            location=args.location,
            security_rules=[
                _allow("allow-internet-http", 100, "Internet", ["80", "443"]),
                _allow("allow-gateway-manager", 110, "GatewayManager", ["65200-65535"]),
                _allow("allow-azure-lb", 120, "AzureLoadBalancer", ["*"]),
            ],
            tags=args.tags,
            opts=child,
        )
        subnet = network.Subnet(
            f"{name}-snet",
            subnet_name=f"snet-agw-{key}",
            resource_group_name=args.network_rg,
            virtual_network_name=args.spoke_vnet_name,
            address_prefix=args.unit.gateway_cidr,
            network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id),
            opts=child,
        )
        pip = network.PublicIPAddress(
            f"{name}-pip",
            public_ip_address_name=f"pip-agw-{key}",
            resource_group_name=args.resource_group,
            location=args.location,
            sku=network.PublicIPAddressSkuArgs(name=network.PublicIPAddressSkuName.STANDARD),
            public_ip_allocation_method=network.IPAllocationMethod.STATIC,
            tags=args.tags,
            opts=child,
        )
        waf = network.WebApplicationFirewallPolicy(
            f"{name}-waf",
            policy_name=f"waf-{key}",
            resource_group_name=args.resource_group,
            location=args.location,
            managed_rules=network.ManagedRulesDefinitionArgs(
                managed_rule_sets=[
                    network.ManagedRuleSetArgs(rule_set_type="OWASP", rule_set_version="3.2")
                ]
            ),
            policy_settings=network.PolicySettingsArgs(
                mode=network.WebApplicationFirewallMode.PREVENTION, state="Enabled"
            ),
            tags=args.tags,
            opts=child,
        )
        agw_name = f"agw-{key}"
        prefix = pulumi.Output.concat(
            "/subscriptions/",
            args.subscription_id,
            "/resourceGroups/",
            args.resource_group,
            "/providers/Microsoft.Network/applicationGateways/",
            agw_name,
        )

        def sub(kind: str, item: str) -> network.SubResourceArgs:
            return network.SubResourceArgs(id=pulumi.Output.concat(prefix, f"/{kind}/{item}"))

        self.gateway = network.ApplicationGateway(
            f"{name}-agw",
            application_gateway_name=agw_name,
            resource_group_name=args.resource_group,
            location=args.location,
            sku=network.ApplicationGatewaySkuArgs(
                name=network.ApplicationGatewaySkuName.WA_F_V2,
                tier=network.ApplicationGatewayTier.WA_F_V2,
                capacity=2,
            ),
            firewall_policy=network.SubResourceArgs(id=waf.id),
            gateway_ip_configurations=[
                network.ApplicationGatewayIPConfigurationArgs(
                    name="gateway", subnet=network.SubResourceArgs(id=subnet.id)
                )
            ],
            frontend_ip_configurations=[
                network.ApplicationGatewayFrontendIPConfigurationArgs(
                    name="public", public_ip_address=network.SubResourceArgs(id=pip.id)
                )
            ],
            frontend_ports=[network.ApplicationGatewayFrontendPortArgs(name="http", port=80)],
            backend_address_pools=[
                network.ApplicationGatewayBackendAddressPoolArgs(
                    name="web",
                    backend_addresses=[
                        network.ApplicationGatewayBackendAddressArgs(ip_address=ip)
                        for ip in args.backend_ips
                    ],
                )
            ],
            backend_http_settings_collection=[
                network.ApplicationGatewayBackendHttpSettingsArgs(
                    name="https",
                    port=443,
                    protocol=network.ApplicationGatewayProtocol.HTTPS,
                    request_timeout=60,
                )
            ],
            http_listeners=[
                network.ApplicationGatewayHttpListenerArgs(
                    name="http",
                    frontend_ip_configuration=sub("frontendIPConfigurations", "public"),
                    frontend_port=sub("frontendPorts", "http"),
                    protocol=network.ApplicationGatewayProtocol.HTTP,
                )
            ],
            request_routing_rules=[
                network.ApplicationGatewayRequestRoutingRuleArgs(
                    name="web",
                    priority=100,
                    rule_type=network.ApplicationGatewayRequestRoutingRuleType.BASIC,
                    http_listener=sub("httpListeners", "http"),
                    backend_address_pool=sub("backendAddressPools", "web"),
                    backend_http_settings=sub("backendHttpSettingsCollection", "https"),
                )
            ],
            tags=args.tags,
            opts=child,
        )
        self.register_outputs({"gatewayId": self.gateway.id, "publicIpId": pip.id})


def _allow(name: str, priority: int, source: str, ports: list[str]) -> network.SecurityRuleArgs:
    return network.SecurityRuleArgs(
        name=name,
        priority=priority,
        direction=network.SecurityRuleDirection.INBOUND,
        access=network.SecurityRuleAccess.ALLOW,
        protocol=network.SecurityRuleProtocol.ASTERISK if ports == ["*"] else "Tcp",
        source_address_prefix=source,
        source_port_range="*",
        destination_address_prefix="*",
        destination_port_ranges=ports,
    )
