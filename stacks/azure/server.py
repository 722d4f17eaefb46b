"""One migrating server on Azure: NIC (static IP, its application security groups), OS and
data disks, the VM and its backup protection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
from pulumi_azure_native import compute, network, recoveryservices

from migration.plan import Plan
from stacks import baseline, naming
from stacks.azure import layout
from stacks.azure.management import (
    ADMIN_USERNAME,
    AdminPassword,
    AdminPasswordArgs,
    EntraLogin,
    EntraLoginArgs,
)
from stacks.names import computer_name_of

if TYPE_CHECKING:
    from stacks.azure.wave import Foundation

_DISK_ENCRYPTION = compute.EncryptionArgs(
    type=compute.EncryptionType.ENCRYPTION_AT_REST_WITH_PLATFORM_KEY
)


@dataclass(frozen=True)
class ServerVmArgs:
    """One migrating server: where it lands and what it is."""

    server_id: str
    plan: Plan
    ip: str
    subnet_id: pulumi.Input[str]
    asg_ids: list[pulumi.Output[str]]  # the application security groups its NIC joins
    resource_group: pulumi.Input[str]
    foundation: Foundation
    location: str
    tags: dict[str, str]
    ssh_public_key: str | None
    nsg_id: pulumi.Input[str] | None = None  # its group's NIC NSG (a split unit's servers)


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
            network_interface_name=naming.azure_nic(sid),
            resource_group_name=rg,
            location=args.location,
            ip_configurations=[
                network.NetworkInterfaceIPConfigurationArgs(
                    name="ipconfig1",
                    primary=True,
                    subnet=network.SubnetArgs(id=args.subnet_id),
                    private_ip_allocation_method=network.IPAllocationMethod.STATIC,
                    private_ip_address=args.ip,
                    application_security_groups=[
                        network.ApplicationSecurityGroupArgs(id=asg) for asg in args.asg_ids
                    ]
                    or None,
                )
            ],
            network_security_group=network.NetworkSecurityGroupArgs(id=args.nsg_id)
            if args.nsg_id is not None
            else None,
            tags=args.tags,
            opts=child,
        )
        rehost = srv.disposition == "rehost"
        cmk = baseline.needs_customer_key(system.data_classification)
        encryption = (
            compute.EncryptionArgs(
                type=compute.EncryptionType.ENCRYPTION_AT_REST_WITH_CUSTOMER_KEY,
                disk_encryption_set_id=args.foundation.disk_encryption_set_id,
            )
            if cmk
            else _DISK_ENCRYPTION
        )
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
                disk_name=naming.azure_disk(sid, index),
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
                    name=naming.azure_disk(sid, 0),
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
            os_profile = _os_profile(
                sid, image.os_type, password, args.ssh_public_key, computer_name_of(args.plan, sid)
            )

        security = compute.SecurityProfileArgs(
            encryption_at_host=True,
            security_type=compute.SecurityTypes.TRUSTED_LAUNCH if trusted else None,
            uefi_settings=(
                compute.UefiSettingsArgs(secure_boot_enabled=True, v_tpm_enabled=True)
                if trusted
                else None
            ),
        )
        vm_name = naming.azure_vm(sid)
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
    sid: str,
    ostype: str,
    password: pulumi.Input[str] | None,
    ssh_key: str | None,
    windows_name: str,
) -> compute.OSProfileArgs:
    if ostype == "Windows":
        if password is None:
            raise layout.LayoutError(f"server {sid}: a Windows image needs an admin password")
        return compute.OSProfileArgs(
            computer_name=windows_name,
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
        computer_name=naming.azure_linux_computer_name(sid),
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
