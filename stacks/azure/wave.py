"""A wave stack: per system and environment a subnet with its NSG (and, when citizen-facing,
an Application Gateway with WAF), per server a NIC, disks, the VM and its backup.

The landing zone's names and ids (application security groups included) come from the
foundation stack through a StackReference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from migration.catalog.models import Quotas
from migration.plan import Plan
from stacks import baseline
from stacks.azure import layout
from stacks.azure.entrance import HttpsGateway, HttpsGatewayArgs, certificate_secret_id
from stacks.azure.management import bastion_rule
from stacks.azure.network import GatewayRule, SystemNetwork, SystemNetworkArgs, pick
from stacks.azure.server import ServerVm, ServerVmArgs
from stacks.network.budgets import admitted_policy
from stacks.network.limits import citizen_units
from stacks.network.nicsplit import azure_nsgs
from stacks.network.rulesets import azure_asgs, unit_subnets
from stacks.references import require_outputs

# Foundation field -> the foundation stack's output it reads
_FOUNDATION_OUTPUTS = {
    "network_rg": "networkResourceGroup",
    "management_rg": "managementResourceGroup",
    "resource_groups": "resourceGroups",
    "spoke_vnet_names": "spokeVnetNames",
    "asg_ids": "applicationSecurityGroupIds",
    "recovery_vault_name": "recoveryVaultName",
    "backup_policy_ids": "backupPolicyIds",
    "storage_account_id": "migrationStorageAccountId",
    "storage_account_name": "migrationStorageAccountName",
    "key_vault_name": "keyVaultName",
    "workspace_id": "logAnalyticsWorkspaceId",
    "disk_encryption_set_id": "diskEncryptionSetId",
    "gateway_identity_id": "gatewayIdentityId",
}


@dataclass(frozen=True)
class Foundation:
    """The foundation outputs a wave stack uses (all Outputs of the StackReference)."""

    network_rg: pulumi.Output[str]
    management_rg: pulumi.Output[str]
    resource_groups: pulumi.Output[dict[str, str]]
    spoke_vnet_names: pulumi.Output[dict[str, str]]
    asg_ids: pulumi.Output[dict[str, str]]
    recovery_vault_name: pulumi.Output[str]
    backup_policy_ids: pulumi.Output[dict[str, str]]
    storage_account_id: pulumi.Output[str]
    storage_account_name: pulumi.Output[str]
    key_vault_name: pulumi.Output[str]
    workspace_id: pulumi.Output[str]
    disk_encryption_set_id: pulumi.Output[str]
    gateway_identity_id: pulumi.Output[str]

    @classmethod
    def from_reference(cls, ref: pulumi.StackReference) -> Foundation:
        """Read the outputs; a missing one fails the run naming it."""

        # one read of the reference, not one per output; a StackReference output is
        # untyped: the field annotations state what each holds
        outputs = require_outputs(ref, _FOUNDATION_OUTPUTS.values())
        return cls(**{name: outputs[key] for name, key in _FOUNDATION_OUTPUTS.items()})

    def rg_for(self, level: str) -> pulumi.Output[str]:
        """Resource-group name of a level."""
        return self.resource_groups.apply(lambda groups: groups[level])

    def spoke_for(self, environment: str) -> pulumi.Output[str]:
        """Name of the environment's spoke VNet."""
        return self.spoke_vnet_names.apply(lambda names: names[environment])

    def policy_for(self, bucket: str) -> pulumi.Output[str]:
        """Backup policy id of a bucket (see :func:`layout.backup_bucket`)."""
        return self.backup_policy_ids.apply(lambda ids: ids[bucket])


@dataclass(frozen=True)
class WaveStackArgs:
    """A wave: its number, the plan, where the foundation is, credentials for image builds."""

    plan: Plan
    wave: int
    region: str
    foundation_stack: str
    tags: dict[str, str]
    ssh_public_key: str | None = None
    tls_certificates: dict[str, str] = field(default_factory=dict)  # system -> KV secret id


class WaveStack(pulumi.ComponentResource):
    """Everything one wave moves, on the foundation's network."""

    def __init__(self, name: str, args: WaveStackArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("utflytt:azure:WaveStack", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        plan = args.plan
        addressing = layout.plan_addresses(plan)
        policy = admitted_policy(plan)  # what `utflytt plan` checked
        nsgs = azure_nsgs(  # the NSGs `utflytt plan` checked (split units included)
            policy,
            Quotas.model_validate(plan.quotas),
            citizen_units(plan),
            addressing.server_ips,
            unit_subnets(addressing),
        )
        asg_names = set(azure_asgs(policy))
        ref = pulumi.StackReference(args.foundation_stack, opts=child)
        foundation = Foundation.from_reference(ref)
        from pulumi_azure_native import authorization

        client = authorization.get_client_config_output()
        servers = set(layout.wave_servers(plan, args.wave))
        units = [u for u in addressing.units if servers.intersection(u.servers)]
        vm_ids: dict[str, pulumi.Output[str]] = {}
        gateways: dict[str, pulumi.Output[str]] = {}
        for unit in units:
            system = plan.systems[unit.system]
            tags = layout.system_tags(plan, unit.system, args.wave, args.tags, unit.environment)
            spoke = foundation.spoke_for(unit.environment)
            citizen = baseline.has_public_entrance(system, unit.environment) and bool(
                unit.gateway_cidr
            )
            backends = tuple(addressing.server_ips[s] for s in layout.gateway_backends(plan, unit))
            net = SystemNetwork(
                unit.key,
                SystemNetworkArgs(
                    unit=unit,
                    rules=nsgs.subnet.get(unit.key, ()),
                    nic_rules=nsgs.nic.get(unit.key, {}),
                    asg_ids=foundation.asg_ids,
                    network_rg=foundation.network_rg,
                    spoke_vnet_name=spoke,
                    location=args.region,
                    tags=tags,
                    gateway=GatewayRule(
                        unit.gateway_cidr,
                        tuple(f"{ip}/32" for ip in backends),
                        layout.GATEWAY_BACKEND_PORT.split("/")[1],
                    )
                    if citizen
                    else None,
                    admin_rule=bastion_rule(addressing.hub),
                ),
                opts=child,
            )
            rg = foundation.rg_for(system.level)
            if citizen:
                gw = HttpsGateway(
                    f"{unit.key}-gateway",
                    HttpsGatewayArgs(
                        unit=unit,
                        backend_ips=backends,
                        network_rg=foundation.network_rg,
                        resource_group=rg,
                        spoke_vnet_name=spoke,
                        subscription_id=client.subscription_id,
                        location=args.region,
                        certificate_secret_id=certificate_secret_id(
                            unit.system,
                            foundation.key_vault_name,
                            args.tls_certificates.get(unit.system),
                        ),
                        identity_id=foundation.gateway_identity_id,
                        workspace_id=foundation.workspace_id,
                        tags=tags,
                    ),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[net.subnet]),
                )
                gateways[unit.key] = gw.gateway.id
            for sid in unit.servers:
                if sid not in servers:
                    continue
                server_tags = dict(tags)
                server_tags["server"] = sid
                nic_group = nsgs.nic_group_of(unit.key, policy.group_of[sid])
                vm = ServerVm(
                    sid,
                    ServerVmArgs(
                        server_id=sid,
                        plan=plan,
                        ip=addressing.server_ips[sid],
                        subnet_id=net.subnet.id,
                        nsg_id=net.nic_nsgs[nic_group].id if nic_group else None,
                        asg_ids=[
                            pick(foundation.asg_ids, g)
                            for g in policy.groups_of(sid)
                            if g in asg_names
                        ],
                        resource_group=rg,
                        foundation=foundation,
                        location=args.region,
                        tags=server_tags,
                        ssh_public_key=args.ssh_public_key,
                    ),
                    opts=child,
                )
                vm_ids[sid] = vm.vm.id
        self.outputs: dict[str, pulumi.Input[object]] = {
            "wave": args.wave,
            "vmIds": vm_ids,
            "gatewayIds": gateways,
            "privateIps": {sid: addressing.server_ips[sid] for sid in sorted(servers)},
        }
        self.register_outputs(self.outputs)
