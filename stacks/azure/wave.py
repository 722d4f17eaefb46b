"""A wave stack: per system and environment a subnet with its NSG (and, when citizen-facing,
an Application Gateway with WAF), per server a NIC, disks, the VM and its backup.

The landing zone's names and ids come from the foundation stack through a StackReference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_azure_native import compute, network, recoveryservices

from migration.plan import Plan
from stacks import baseline
from stacks.azure import layout
from stacks.azure.entrance import HttpsGateway, HttpsGatewayArgs, certificate_secret_id
from stacks.azure.management import (
    ADMIN_USERNAME,
    AdminPassword,
    AdminPasswordArgs,
    EntraLogin,
    EntraLoginArgs,
    bastion_rule,
)

_DISK_ENCRYPTION = compute.EncryptionArgs(
    type=compute.EncryptionType.ENCRYPTION_AT_REST_WITH_PLATFORM_KEY
)


@dataclass(frozen=True)
class Foundation:
    """The foundation outputs a wave stack uses (all Outputs of the StackReference)."""

    network_rg: pulumi.Output[str]
    management_rg: pulumi.Output[str]
    resource_groups: pulumi.Output[dict[str, str]]
    spoke_vnet_name: pulumi.Output[str]
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

        def req(key: str) -> pulumi.Output[Any]:
            # A StackReference output is untyped; the field annotations state what it holds.
            return ref.require_output(key)

        return cls(
            network_rg=req("networkResourceGroup"),
            management_rg=req("managementResourceGroup"),
            resource_groups=req("resourceGroups"),
            spoke_vnet_name=req("spokeVnetName"),
            recovery_vault_name=req("recoveryVaultName"),
            backup_policy_ids=req("backupPolicyIds"),
            storage_account_id=req("migrationStorageAccountId"),
            storage_account_name=req("migrationStorageAccountName"),
            key_vault_name=req("keyVaultName"),
            workspace_id=req("logAnalyticsWorkspaceId"),
            disk_encryption_set_id=req("diskEncryptionSetId"),
            gateway_identity_id=req("gatewayIdentityId"),
        )

    def rg_for(self, level: str) -> pulumi.Output[str]:
        """Resource-group name of a level."""
        return self.resource_groups.apply(lambda groups: groups[level])

    def policy_for(self, bucket: str) -> pulumi.Output[str]:
        """Backup policy id of a bucket (see :func:`layout.backup_bucket`)."""
        return self.backup_policy_ids.apply(lambda ids: ids[bucket])


@dataclass(frozen=True)
class SystemNetworkArgs:
    """A unit's subnet and its NSG rules."""

    unit: layout.Unit
    rules: tuple[layout.RuleSpec, ...]
    network_rg: pulumi.Input[str]
    spoke_vnet_name: pulumi.Input[str]
    location: str
    tags: dict[str, str]
    admin_rule: network.SecurityRuleArgs | None = None  # Bastion (stacks.azure.management)


class SystemNetwork(pulumi.ComponentResource):
    """Subnet of one system and environment; its NSG admits exactly the declared flows."""

    def __init__(
        self, name: str, args: SystemNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("utflytt:azure:SystemNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rules = [
            network.SecurityRuleArgs(
                name=r.name,
                priority=r.priority,
                direction=network.SecurityRuleDirection.INBOUND,
                access=network.SecurityRuleAccess.ALLOW,
                protocol=r.protocol,
                source_address_prefixes=list(r.sources),
                source_port_range="*",
                destination_address_prefix=r.destination,
                destination_port_ranges=list(r.ports),
                description=f"{r.consumer} -> {r.provider}",
            )
            for r in args.rules
        ]
        if args.admin_rule is not None:
            rules.append(args.admin_rule)
        rules.append(
            network.SecurityRuleArgs(
                name="deny-all-inbound",
                priority=4096,
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
            network_security_group_name=f"nsg-{args.unit.key}",
            resource_group_name=args.network_rg,
            location=args.location,
            security_rules=rules,
            tags=args.tags,
            opts=child,
        )
        self.subnet = network.Subnet(
            f"{name}-snet",
            subnet_name=f"snet-{args.unit.key}",
            resource_group_name=args.network_rg,
            virtual_network_name=args.spoke_vnet_name,
            address_prefix=args.unit.servers_cidr,
            network_security_group=network.NetworkSecurityGroupArgs(id=self.nsg.id),
            default_outbound_access=False,
            opts=child,
        )
        self.register_outputs({"subnetId": self.subnet.id, "nsgId": self.nsg.id})


@dataclass(frozen=True)
class ServerVmArgs:
    """One migrating server: where it lands and what it is."""

    server_id: str
    plan: Plan
    ip: str
    subnet_id: pulumi.Input[str]
    resource_group: pulumi.Input[str]
    foundation: Foundation
    location: str
    tags: dict[str, str]
    ssh_public_key: str | None


class ServerVm(pulumi.ComponentResource):
    """NIC, OS and data disks, the VM (boot diagnostics, trusted launch when the OS has it,
    encryption at host) and its backup protection."""

    def __init__(self, name: str, args: ServerVmArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("utflytt:azure:ServerVm", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        sid = args.server_id
        srv = args.plan.servers[sid]
        system = args.plan.systems[srv.system]
        size, fell_back = layout.vm_size(srv)
        if fell_back:
            pulumi.log.warn(f"server {sid}: plan has no size; using default {size}", self)
        ostype = layout.os_type(srv.os)
        trusted = layout.trusted_launch(srv.os)
        disk_sku = (
            compute.DiskStorageAccountTypes.PREMIUM_LRS
            if srv.environment == "prod"
            else compute.DiskStorageAccountTypes.STANDARD_SS_D_LRS
        )
        rg = args.resource_group
        nic = network.NetworkInterface(
            f"{name}-nic",
            network_interface_name=f"nic-{sid}",
            resource_group_name=rg,
            location=args.location,
            ip_configurations=[
                network.NetworkInterfaceIPConfigurationArgs(
                    name="ipconfig1",
                    primary=True,
                    subnet=network.SubnetArgs(id=args.subnet_id),
                    private_ip_allocation_method=network.IPAllocationMethod.STATIC,
                    private_ip_address=args.ip,
                )
            ],
            tags=args.tags,
            opts=child,
        )
        rehost = srv.disposition == "rehost"
        sizes = list(srv.disks_gb) or [128.0]

        def vhd(index: int) -> pulumi.Output[str]:
            return pulumi.Output.concat(
                "https://",
                args.foundation.storage_account_name,
                f".blob.core.windows.net/vhds/{sid}-disk{index}.vhd",
            )

        def disk(index: int, size: float) -> compute.Disk:
            os_disk = index == 0
            if rehost:
                creation = compute.CreationDataArgs(
                    create_option=compute.DiskCreateOption.IMPORT_,
                    source_uri=vhd(index),
                    storage_account_id=args.foundation.storage_account_id,
                )
            else:
                creation = compute.CreationDataArgs(create_option=compute.DiskCreateOption.EMPTY)
            return compute.Disk(
                f"{name}-disk{index}",
                disk_name=f"disk-{sid}-{'os' if os_disk else f'data{index}'}",
                resource_group_name=rg,
                location=args.location,
                disk_size_gb=layout.disk_gb(size),
                sku=compute.DiskSkuArgs(name=disk_sku),
                creation_data=creation,
                encryption=encryption,
                network_access_policy=compute.NetworkAccessPolicy.DENY_ALL,
                public_network_access=compute.PublicNetworkAccess.DISABLED,
                os_type=(
                    compute.OperatingSystemTypes.WINDOWS
                    if ostype == "Windows"
                    else compute.OperatingSystemTypes.LINUX
                )
                if os_disk
                else None,
                hyper_v_generation=(
                    (compute.HyperVGeneration.V2 if trusted else compute.HyperVGeneration.V1)
                    if os_disk
                    else None
                ),
                tags=args.tags,
                opts=child,
            )

        cmk = baseline.needs_customer_key(system.data_classification)
        encryption = (
            compute.EncryptionArgs(
                type=compute.EncryptionType.ENCRYPTION_AT_REST_WITH_CUSTOMER_KEY,
                disk_encryption_set_id=args.foundation.disk_encryption_set_id,
            )
            if cmk
            else _DISK_ENCRYPTION
        )
        first_data = 1
        os_disk_resource = disk(0, sizes[0]) if rehost else None
        data_disks = [disk(i, s) for i, s in enumerate(sizes[first_data:], start=first_data)]

        if rehost:
            assert os_disk_resource is not None
            storage_profile = compute.StorageProfileArgs(
                os_disk=compute.OSDiskArgs(
                    create_option=compute.DiskCreateOptionTypes.ATTACH,
                    os_type=(
                        compute.OperatingSystemTypes.WINDOWS
                        if ostype == "Windows"
                        else compute.OperatingSystemTypes.LINUX
                    ),
                    managed_disk=compute.ManagedDiskParametersArgs(id=os_disk_resource.id),
                    delete_option=compute.DiskDeleteOptionTypes.DETACH,
                ),
                data_disks=_attachments(data_disks),
            )
            os_profile = None
        else:
            image = layout.marketplace_image(sid, srv.os)
            storage_profile = compute.StorageProfileArgs(
                image_reference=compute.ImageReferenceArgs(
                    publisher=image.publisher, offer=image.offer, sku=image.sku, version="latest"
                ),
                os_disk=compute.OSDiskArgs(
                    name=f"disk-{sid}-os",
                    create_option=compute.DiskCreateOptionTypes.FROM_IMAGE,
                    disk_size_gb=layout.disk_gb(sizes[0]),
                    managed_disk=compute.ManagedDiskParametersArgs(
                        storage_account_type=disk_sku,
                        disk_encryption_set=(
                            compute.DiskEncryptionSetParametersArgs(
                                id=args.foundation.disk_encryption_set_id
                            )
                            if cmk
                            else None
                        ),
                    ),
                    delete_option=compute.DiskDeleteOptionTypes.DETACH,
                ),
                data_disks=_attachments(data_disks),
            )
            password = None
            if image.os_type == "Windows":
                password = AdminPassword(
                    f"{name}-admin",
                    AdminPasswordArgs(
                        server_id=sid,
                        key_vault_name=args.foundation.key_vault_name,
                        key_vault_resource_group=args.foundation.management_rg,
                        tags=args.tags,
                    ),
                    opts=child,
                ).result
            os_profile = _os_profile(sid, image.os_type, password, args.ssh_public_key)

        security = compute.SecurityProfileArgs(
            encryption_at_host=True,
            security_type=compute.SecurityTypes.TRUSTED_LAUNCH if trusted else None,
            uefi_settings=(
                compute.UefiSettingsArgs(secure_boot_enabled=True, v_tpm_enabled=True)
                if trusted
                else None
            ),
        )
        vm_name = f"vm-{sid}"
        self.vm = compute.VirtualMachine(
            f"{name}-vm",
            vm_name=vm_name,
            resource_group_name=rg,
            location=args.location,
            hardware_profile=compute.HardwareProfileArgs(vm_size=size),
            network_profile=compute.NetworkProfileArgs(
                network_interfaces=[compute.NetworkInterfaceReferenceArgs(id=nic.id, primary=True)]
            ),
            storage_profile=storage_profile,
            os_profile=os_profile,
            security_profile=security,
            identity=compute.VirtualMachineIdentityArgs(
                type=compute.ResourceIdentityType.SYSTEM_ASSIGNED
            ),
            diagnostics_profile=compute.DiagnosticsProfileArgs(
                boot_diagnostics=compute.BootDiagnosticsArgs(enabled=True)
            ),
            license_type=("Windows_Server" if ostype == "Windows" and rehost else None),
            tags=args.tags,
            opts=child,
        )
        EntraLogin(
            f"{name}-entra",
            EntraLoginArgs(
                vm_name=self.vm.name,
                resource_group_name=rg,
                location=args.location,
                windows=ostype == "Windows",
                tags=args.tags,
            ),
            opts=child,
        )
        bucket = layout.backup_bucket(system.rpo_hours, system.data_classification)
        container = pulumi.Output.concat("iaasvmcontainer;iaasvmcontainerv2;", rg, ";", vm_name)
        recoveryservices.ProtectedItem(
            f"{name}-backup",
            vault_name=args.foundation.recovery_vault_name,
            resource_group_name=args.foundation.management_rg,
            fabric_name="Azure",
            container_name=container,
            protected_item_name=pulumi.Output.concat("vm;iaasvmcontainerv2;", rg, ";", vm_name),
            location=args.location,
            properties=recoveryservices.AzureIaaSComputeVMProtectedItemArgs(
                protected_item_type="Microsoft.Compute/virtualMachines",
                source_resource_id=self.vm.id,
                policy_id=args.foundation.policy_for(bucket),
            ),
            tags=args.tags,
            opts=child,
        )
        self.register_outputs({"vmId": self.vm.id, "privateIp": args.ip})


def _attachments(disks: list[compute.Disk]) -> list[compute.DataDiskArgs]:
    return [
        compute.DataDiskArgs(
            lun=lun,
            create_option=compute.DiskCreateOptionTypes.ATTACH,
            managed_disk=compute.ManagedDiskParametersArgs(id=d.id),
            delete_option=compute.DiskDeleteOptionTypes.DETACH,
        )
        for lun, d in enumerate(disks)
    ]


def _os_profile(
    sid: str, ostype: str, password: pulumi.Input[str] | None, ssh_key: str | None
) -> compute.OSProfileArgs:
    if ostype == "Windows":
        if password is None:
            raise layout.LayoutError(f"server {sid}: a Windows image needs an admin password")
        return compute.OSProfileArgs(
            computer_name=sid[:15],
            admin_username=ADMIN_USERNAME,
            admin_password=password,
            windows_configuration=compute.WindowsConfigurationArgs(
                enable_automatic_updates=True, provision_vm_agent=True
            ),
        )
    if ssh_key is None:
        raise layout.LayoutError(
            f"server {sid} is built from a Linux image: set utflytt:sshPublicKey "
            '(pulumi config set utflytt:sshPublicKey "$(cat ~/.ssh/id_ed25519.pub)")'
        )
    return compute.OSProfileArgs(
        computer_name=sid[:63],
        admin_username=ADMIN_USERNAME,
        linux_configuration=compute.LinuxConfigurationArgs(
            disable_password_authentication=True,
            provision_vm_agent=True,
            ssh=compute.SshConfigurationArgs(
                public_keys=[
                    compute.SshPublicKeyArgs(
                        path=f"/home/{ADMIN_USERNAME}/.ssh/authorized_keys", key_data=ssh_key
                    )
                ]
            ),
        ),
    )


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
            net = SystemNetwork(
                unit.key,
                SystemNetworkArgs(
                    unit=unit,
                    rules=tuple(layout.unit_rules(plan, addressing, unit)),
                    network_rg=foundation.network_rg,
                    spoke_vnet_name=foundation.spoke_vnet_name,
                    location=args.region,
                    tags=tags,
                    admin_rule=bastion_rule(addressing.hub),
                ),
                opts=child,
            )
            rg = foundation.rg_for(system.level)
            if baseline.has_public_entrance(system, unit.environment):
                backends = tuple(
                    addressing.server_ips[s] for s in layout.gateway_backends(plan, unit)
                )
                gw = HttpsGateway(
                    f"{unit.key}-gateway",
                    HttpsGatewayArgs(
                        unit=unit,
                        backend_ips=backends,
                        network_rg=foundation.network_rg,
                        resource_group=rg,
                        spoke_vnet_name=foundation.spoke_vnet_name,
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
                vm = ServerVm(
                    sid,
                    ServerVmArgs(
                        server_id=sid,
                        plan=plan,
                        ip=addressing.server_ips[sid],
                        subnet_id=net.subnet.id,
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
