"""Management access without open admin ports: Azure Bastion in the hub, Entra ID login on
every VM, and one generated admin password per image-built Windows VM, kept in Key Vault.

- :class:`Bastion` (foundation): ``AzureBastionSubnet`` (a /26 of the hub), a Standard
  public IP and a Standard-SKU Bastion with native-client tunnelling, so that admins connect
  with ``az network bastion rdp|ssh --auth-type AAD`` (Entra ID, MFA and Conditional Access
  apply). Just-in-time access comes with Defender for Servers Plan 2
  (:mod:`stacks.azure.monitoring`). No VM has a public IP or an admin port open to anything
  but the Bastion subnet (:func:`bastion_rule`).
- :class:`EntraLogin` (wave): the ``AADLoginForWindows`` / ``AADSSHLoginForLinux`` extension.
- :class:`AdminPassword` (wave): a ``random.RandomPassword`` per VM, stored as the Key Vault
  secret ``admin-<server>`` and handed to the VM only as a Pulumi secret; there is no shared
  ``utflytt:adminPassword``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_random as random
from pulumi_azure_native import compute, keyvault, network

from stacks import baseline, naming

BASTION_SUBNET = "AzureBastionSubnet"  # the name Azure requires
BASTION_RULE_PRIORITY = 4095  # just above the explicit deny-all (4096)
ADMIN_USERNAME = "utflyttadmin"


def static_public_ip(
    name: str,
    ip_name: str,
    resource_group_name: pulumi.Input[str],
    location: str,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> network.PublicIPAddress:
    """A Standard, static public IP (Bastion, Application Gateway)."""
    return network.PublicIPAddress(
        name,
        public_ip_address_name=ip_name,
        resource_group_name=resource_group_name,
        location=location,
        sku=network.PublicIPAddressSkuArgs(name=network.PublicIPAddressSkuName.STANDARD),
        public_ip_allocation_method=network.IPAllocationMethod.STATIC,
        tags=tags,
        opts=opts,
    )


def bastion_rule(hub_cidr: str) -> network.SecurityRuleArgs:
    """The one inbound admin rule of a VM subnet: RDP and SSH from the Bastion subnet only."""
    return network.SecurityRuleArgs(
        name="allow-bastion-admin",
        priority=BASTION_RULE_PRIORITY,
        direction=network.SecurityRuleDirection.INBOUND,
        access=network.SecurityRuleAccess.ALLOW,
        protocol="Tcp",
        source_address_prefix=baseline.hub_subnets(hub_cidr)["bastion"],
        source_port_range="*",
        destination_address_prefix="*",
        destination_port_ranges=[str(p) for p in sorted(baseline.ADMIN_PORTS)],
        description="admin access through Azure Bastion (Entra ID login)",
    )


@dataclass(frozen=True)
class BastionArgs:
    """Where the Bastion goes: the hub network and its address range."""

    resource_group_name: pulumi.Input[str]
    hub_name: pulumi.Input[str]
    hub_cidr: str
    location: str
    region_abbreviation: str
    tags: dict[str, str]
    after: tuple[pulumi.Resource, ...] = ()  # subnets of the hub are created one at a time


class Bastion(pulumi.ComponentResource):
    """Azure Bastion (Standard, tunnelling for native clients) in the hub."""

    def __init__(self, name: str, args: BastionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("utflytt:azure:Bastion", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.subnet = network.Subnet(
            f"{name}-snet",
            subnet_name=BASTION_SUBNET,
            resource_group_name=args.resource_group_name,
            virtual_network_name=args.hub_name,
            address_prefix=baseline.hub_subnets(args.hub_cidr)["bastion"],
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.after)),
        )
        pip = static_public_ip(
            f"{name}-pip",
            f"pip-utflytt-bastion-{args.region_abbreviation}",
            args.resource_group_name,
            args.location,
            args.tags,
            child,
        )
        self.host = network.BastionHost(
            f"{name}-host",
            bastion_host_name=f"bas-utflytt-{args.region_abbreviation}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=network.SkuArgs(name=network.BastionHostSkuName.STANDARD),
            enable_tunneling=True,
            enable_shareable_link=False,
            ip_configurations=[
                network.BastionHostIPConfigurationArgs(
                    name="default",
                    subnet=network.SubResourceArgs(id=self.subnet.id),
                    public_ip_address=network.SubResourceArgs(id=pip.id),
                )
            ],
            tags=args.tags,
            opts=child,
        )
        self.register_outputs({"bastionId": self.host.id})


@dataclass(frozen=True)
class EntraLoginArgs:
    """The VM that gets Entra ID login."""

    vm_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    location: str
    windows: bool
    tags: dict[str, str]


class EntraLogin(pulumi.ComponentResource):
    """Entra ID sign-in on a VM (through Bastion), instead of a local account."""

    def __init__(self, name: str, args: EntraLoginArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("utflytt:azure:EntraLogin", name, None, opts)
        extension = "AADLoginForWindows" if args.windows else "AADSSHLoginForLinux"
        self.extension = compute.VirtualMachineExtension(
            f"{name}-ext",
            vm_extension_name=extension,
            vm_name=args.vm_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            publisher="Microsoft.Azure.ActiveDirectory",
            type=extension,
            type_handler_version="2.0" if args.windows else "1.0",
            auto_upgrade_minor_version=True,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


@dataclass(frozen=True)
class AdminPasswordArgs:
    """One VM's local admin password and the Key Vault that keeps it."""

    server_id: str
    key_vault_name: pulumi.Input[str]
    key_vault_resource_group: pulumi.Input[str]
    tags: dict[str, str]


class AdminPassword(pulumi.ComponentResource):
    """A generated password for one VM (``result``, a secret), kept in Key Vault."""

    def __init__(
        self, name: str, args: AdminPasswordArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("utflytt:azure:AdminPassword", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        password = random.RandomPassword(
            f"{name}-value",
            length=24,
            special=True,
            min_lower=2,
            min_upper=2,
            min_numeric=2,
            min_special=2,
            override_special="!#%*()-_=+[]{}:?",
            opts=child,
        )
        self.result: pulumi.Output[str] = pulumi.Output.secret(password.result)
        self.secret = keyvault.Secret(
            f"{name}-kv",
            secret_name=naming.azure_admin_secret(args.server_id),
            vault_name=args.key_vault_name,
            resource_group_name=args.key_vault_resource_group,
            properties=keyvault.SecretPropertiesArgs(
                value=self.result, content_type=f"local admin password of {args.server_id}"
            ),
            tags=args.tags,
            opts=child,
        )
        self.register_outputs({"secretName": self.secret.name})
