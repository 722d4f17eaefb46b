"""Logs and detection: diagnostic settings to Log Analytics, VNet flow logs with traffic
analytics, and Defender for Servers.

- :class:`Diagnostics`: one ``monitor.DiagnosticSetting`` per resource (all logs, all
  metrics) into the landing zone's Log Analytics workspace: key vault, recovery vault, VPN
  gateway (foundation) and every Application Gateway (wave stacks).
- :class:`FlowLogs`: a VNet flow log per virtual network, into a closed storage account,
  retained as long as the most sensitive data's logs (``stacks.baseline.LOG_RETENTION_DAYS``),
  with traffic analytics into the workspace. Azure creates the region's Network Watcher
  (``NetworkWatcher_<region>`` in ``NetworkWatcherRG``) with the first virtual network.
- :class:`Defender`: Defender for Servers Plan 2 on the subscription (vulnerability
  assessment, the monitoring agent's successor, and just-in-time VM access).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import monitor, network, security

DIAGNOSTIC_SETTING_NAME = "to-log-analytics"


@dataclass(frozen=True)
class DiagnosticsArgs:
    """Resources (label -> id) whose logs and metrics go to the workspace."""

    workspace_id: pulumi.Input[str]
    resources: Mapping[str, pulumi.Input[str]]


class Diagnostics(pulumi.ComponentResource):
    """All logs and metrics of each resource into Log Analytics."""

    def __init__(
        self, name: str, args: DiagnosticsArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("utflytt:azure:Diagnostics", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        for label, resource_id in sorted(args.resources.items()):
            monitor.DiagnosticSetting(
                f"{name}-{label}",
                name=DIAGNOSTIC_SETTING_NAME,
                resource_uri=resource_id,
                workspace_id=args.workspace_id,
                log_analytics_destination_type="Dedicated",
                logs=[monitor.DiagnosticsLogSettingsArgs(category_group="allLogs", enabled=True)],
                metrics=[
                    monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)
                ],
                opts=child,
            )
        self.register_outputs({})


@dataclass(frozen=True)
class FlowLogsArgs:
    """Virtual networks (label -> id) to log, and where the logs go."""

    networks: Mapping[str, pulumi.Input[str]]
    storage_account_id: pulumi.Input[str]
    workspace_resource_id: pulumi.Input[str]
    workspace_customer_id: pulumi.Input[str]
    location: str
    retention_days: int
    tags: dict[str, str]


class FlowLogs(pulumi.ComponentResource):
    """A VNet flow log (JSON v2, traffic analytics every 10 minutes) per virtual network."""

    def __init__(self, name: str, args: FlowLogsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("utflytt:azure:FlowLogs", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        for label, vnet_id in sorted(args.networks.items()):
            network.FlowLog(
                f"{name}-{label}",
                flow_log_name=f"fl-utflytt-{label}",
                network_watcher_name=f"NetworkWatcher_{args.location}",
                resource_group_name="NetworkWatcherRG",
                location=args.location,
                target_resource_id=vnet_id,
                storage_id=args.storage_account_id,
                enabled=True,
                format=network.FlowLogFormatParametersArgs(type="JSON", version=2),
                retention_policy=network.RetentionPolicyParametersArgs(
                    enabled=True, days=args.retention_days
                ),
                flow_analytics_configuration=network.TrafficAnalyticsPropertiesArgs(
                    network_watcher_flow_analytics_configuration=(
                        network.TrafficAnalyticsConfigurationPropertiesArgs(
                            enabled=True,
                            workspace_id=args.workspace_customer_id,
                            workspace_region=args.location,
                            workspace_resource_id=args.workspace_resource_id,
                            traffic_analytics_interval=10,
                        )
                    )
                ),
                tags=args.tags,
                opts=child,
            )
        self.register_outputs({})


class Defender(pulumi.ComponentResource):
    """Defender for Servers Plan 2 on the subscription."""

    def __init__(
        self,
        name: str,
        subscription_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("utflytt:azure:Defender", name, None, opts)
        self.pricing = security.Pricing(
            f"{name}-servers",
            pricing_name="VirtualMachines",
            pricing_tier=security.PricingTier.STANDARD,
            sub_plan="P2",
            scope_id=pulumi.Output.concat("subscriptions/", subscription_id),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
