"""A public entrance on Azure: an Application Gateway (WAF_v2) that listens on HTTPS only.

The only way in from the internet, for the systems and environments
``stacks.baseline.has_public_entrance`` allows (citizen-facing prod; test/dev only when the
catalog lists them in ``public_environments``):

- HTTPS on :443 with the TLS policy ``stacks.baseline.TLS_POLICY["azure"]`` (TLS 1.2+,
  forward-secret ciphers) and the certificate from Key Vault, read by the landing zone's
  gateway identity. Its secret id is ``utflytt:tlsCertificates.<system>`` when set, else the
  versionless ``https://<landing-zone vault>.vault.azure.net/secrets/tls-<system>`` (import
  the city's certificate there before ``pulumi up``);
- HTTP on :80 only answers with a permanent redirect to HTTPS;
- WAF (OWASP 3.2, prevention) and all logs and metrics into Log Analytics.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import network

from stacks import baseline, naming
from stacks.azure import layout
from stacks.azure.management import static_public_ip
from stacks.azure.monitoring import Diagnostics, DiagnosticsArgs


def certificate_secret_id(
    system: str, key_vault_name: pulumi.Input[str], configured: str | None
) -> pulumi.Input[str]:
    """The Key Vault secret id of a system's TLS certificate (config, else the convention)."""
    if configured:
        return configured
    return pulumi.Output.concat(
        "https://", key_vault_name, f".vault.azure.net/secrets/{naming.azure_tls_secret(system)}"
    )


@dataclass(frozen=True)
class HttpsGatewayArgs:
    """Application Gateway (WAF_v2) in front of a unit's web servers."""

    unit: layout.Unit
    backend_ips: tuple[str, ...]
    network_rg: pulumi.Input[str]
    resource_group: pulumi.Input[str]
    spoke_vnet_name: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    location: str
    certificate_secret_id: pulumi.Input[str]
    identity_id: pulumi.Input[str]
    workspace_id: pulumi.Input[str]
    tags: dict[str, str]


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


class HttpsGateway(pulumi.ComponentResource):
    """Public IP, WAF policy and an HTTPS-only Application Gateway (HTTP redirects)."""

    def __init__(
        self, name: str, args: HttpsGatewayArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("utflytt:azure:HttpsGateway", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        key = args.unit.key
        nsg = network.NetworkSecurityGroup(
            f"{name}-nsg",
            network_security_group_name=naming.azure_unit("nsg-agw", key),
            resource_group_name=args.network_rg,
            location=args.location,
            security_rules=[
                _allow("allow-internet-https", 100, "Internet", ["443", "80"]),
                _allow("allow-gateway-manager", 110, "GatewayManager", ["65200-65535"]),
                _allow("allow-azure-lb", 120, "AzureLoadBalancer", ["*"]),
            ],
            tags=args.tags,
            opts=child,
        )
        subnet = network.Subnet(
            f"{name}-snet",
            subnet_name=naming.azure_unit("snet-agw", key),
            resource_group_name=args.network_rg,
            virtual_network_name=args.spoke_vnet_name,
            address_prefix=args.unit.gateway_cidr,
            network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id),
            opts=child,
        )
        pip = static_public_ip(
            f"{name}-pip",
            naming.azure_unit("pip-agw", key),
            args.resource_group,
            args.location,
            args.tags,
            child,
        )
        waf = network.WebApplicationFirewallPolicy(
            f"{name}-waf",
            policy_name=naming.azure_unit("waf", key),
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
        agw_name = naming.azure_unit("agw", key)
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

        public = sub("frontendIPConfigurations", "public")
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
            identity=network.ManagedServiceIdentityArgs(
                type=network.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[args.identity_id],
            ),
            firewall_policy=network.SubResourceArgs(id=waf.id),
            ssl_policy=network.ApplicationGatewaySslPolicyArgs(
                policy_type=network.ApplicationGatewaySslPolicyType.PREDEFINED,
                policy_name=baseline.TLS_POLICY["azure"],
            ),
            ssl_certificates=[
                network.ApplicationGatewaySslCertificateArgs(
                    name="tls", key_vault_secret_id=args.certificate_secret_id
                )
            ],
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
            frontend_ports=[
                network.ApplicationGatewayFrontendPortArgs(name="https", port=443),
                network.ApplicationGatewayFrontendPortArgs(name="http", port=80),
            ],
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
                    name="https",
                    frontend_ip_configuration=public,
                    frontend_port=sub("frontendPorts", "https"),
                    protocol=network.ApplicationGatewayProtocol.HTTPS,
                    ssl_certificate=sub("sslCertificates", "tls"),
                ),
                network.ApplicationGatewayHttpListenerArgs(
                    name="http",
                    frontend_ip_configuration=public,
                    frontend_port=sub("frontendPorts", "http"),
                    protocol=network.ApplicationGatewayProtocol.HTTP,
                ),
            ],
            redirect_configurations=[
                network.ApplicationGatewayRedirectConfigurationArgs(
                    name="http-to-https",
                    redirect_type=network.ApplicationGatewayRedirectType.PERMANENT,
                    target_listener=sub("httpListeners", "https"),
                    include_path=True,
                    include_query_string=True,
                )
            ],
            request_routing_rules=[
                network.ApplicationGatewayRequestRoutingRuleArgs(
                    name="web",
                    priority=100,
                    rule_type=network.ApplicationGatewayRequestRoutingRuleType.BASIC,
                    http_listener=sub("httpListeners", "https"),
                    backend_address_pool=sub("backendAddressPools", "web"),
                    backend_http_settings=sub("backendHttpSettingsCollection", "https"),
                ),
                network.ApplicationGatewayRequestRoutingRuleArgs(
                    name="http-to-https",
                    priority=200,
                    rule_type=network.ApplicationGatewayRequestRoutingRuleType.BASIC,
                    http_listener=sub("httpListeners", "http"),
                    redirect_configuration=sub("redirectConfigurations", "http-to-https"),
                ),
            ],
            tags=args.tags,
            opts=child,
        )
        Diagnostics(
            f"{name}-diag",
            DiagnosticsArgs(workspace_id=args.workspace_id, resources={"agw": self.gateway.id}),
            opts=child,
        )
        self.register_outputs({"gatewayId": self.gateway.id, "publicIpId": pip.id})
