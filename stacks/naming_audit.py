"""Every name a stack run actually gave its resources, checked against its provider's rule.

:mod:`stacks.naming_check` checks what a catalog will give rise to; this module checks what
an offline run (``stacks.testing``, the AWS preview) recorded: each resource's own name,
its tag values, and the names nested in it (an NSG's rules, a VM's computer name and OS
disk). Resources the program leaves to Pulumi's auto-naming get their logical name plus a
``-`` and 7 random characters, which must fit too. The tests run it over every stack of the
example and of generated estates with 63-character ids, on both clouds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from stacks import naming
from stacks.naming import NameRule

AUTONAME_SUFFIX = 8  # "-" and 7 random characters (Pulumi's auto-naming)

# resource type -> (input holding its name, rule)
NAME_INPUTS: dict[str, tuple[str, NameRule]] = {
    "azure-native:resources:ResourceGroup": ("resourceGroupName", naming.AZURE_RESOURCE_GROUP),
    "azure-native:network:VirtualNetwork": ("virtualNetworkName", naming.AZURE_VIRTUAL_NETWORK),
    "azure-native:network:Subnet": ("subnetName", naming.AZURE_SUBNET),
    "azure-native:network:NetworkSecurityGroup": ("networkSecurityGroupName", naming.AZURE_NSG),
    "azure-native:network:ApplicationSecurityGroup": (
        "applicationSecurityGroupName",
        naming.AZURE_ASG,
    ),
    "azure-native:network:NetworkInterface": ("networkInterfaceName", naming.AZURE_NIC),
    "azure-native:network:PublicIPAddress": ("publicIpAddressName", naming.AZURE_PUBLIC_IP),
    "azure-native:network:ApplicationGateway": (
        "applicationGatewayName",
        naming.AZURE_APP_GATEWAY,
    ),
    "azure-native:network:WebApplicationFirewallPolicy": ("policyName", naming.AZURE_WAF_POLICY),
    "azure-native:compute:Disk": ("diskName", naming.AZURE_DISK),
    "azure-native:compute:VirtualMachine": ("vmName", naming.AZURE_VIRTUAL_MACHINE),
    "azure-native:keyvault:Secret": ("secretName", naming.AZURE_KEY_VAULT_SECRET),
    "azure-native:keyvault:Vault": ("vaultName", naming.AZURE_KEY_VAULT),
    "azure-native:storage:StorageAccount": ("accountName", naming.AZURE_STORAGE_ACCOUNT),
    "aws:ec2/securityGroup:SecurityGroup": ("name", naming.AWS_SECURITY_GROUP_NAME),
    "aws:ec2/managedPrefixList:ManagedPrefixList": ("name", naming.AWS_PREFIX_LIST_NAME),
    "aws:lb/loadBalancer:LoadBalancer": ("name", naming.AWS_LOAD_BALANCER),
    "aws:lb/targetGroup:TargetGroup": ("name", naming.AWS_TARGET_GROUP),
    "aws:s3/bucket:Bucket": ("bucket", naming.AWS_BUCKET_NAME),
    "aws:s3/bucketV2:BucketV2": ("bucket", naming.AWS_BUCKET_NAME),
    "aws:backup/plan:Plan": ("name", naming.AWS_BACKUP_NAME),
    "aws:backup/selection:Selection": ("name", naming.AWS_BACKUP_NAME),
}


class Recorded(Protocol):
    """What the audit reads of a recorded resource (``stacks.testing.RecordedResource``)."""

    @property
    def type(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def inputs(self) -> dict[str, Any]: ...


def recorded_names(resource: Recorded) -> Iterator[tuple[NameRule, str]]:
    """(rule, name) of every name and tag value ``resource`` carries."""
    typ, inputs = resource.type, resource.inputs
    if typ in NAME_INPUTS:
        key, rule = NAME_INPUTS[typ]
        value = inputs.get(key)
        if isinstance(value, str):
            yield rule, value
        elif value is None:  # auto-named: the logical name and a random suffix
            yield rule, resource.name + "-" + "x" * (AUTONAME_SUFFIX - 1)
    if typ == "azure-native:network:NetworkSecurityGroup":
        for rule in inputs.get("securityRules") or []:
            yield naming.AZURE_NSG_RULE, str(rule.get("name", ""))
    if typ == "azure-native:compute:VirtualMachine":
        profile = inputs.get("osProfile") or {}
        if "computerName" in profile:
            windows = "windowsConfiguration" in profile
            rule_ = (
                naming.AZURE_WINDOWS_COMPUTER_NAME if windows else naming.AZURE_LINUX_COMPUTER_NAME
            )
            yield rule_, str(profile["computerName"])
        disk = ((inputs.get("storageProfile") or {}).get("osDisk") or {}).get("name")
        if isinstance(disk, str):
            yield naming.AZURE_DISK, disk
    tags = inputs.get("tags")
    if isinstance(tags, Mapping):
        rule = naming.AZURE_TAG_VALUE if typ.startswith("azure") else naming.AWS_TAG_VALUE
        for value in tags.values():
            if isinstance(value, str):
                yield rule, value


def audit(resources: Iterable[Recorded]) -> list[str]:
    """``type name: 'value': why; rule`` for every recorded name that breaks its rule."""
    problems = []
    for resource in resources:
        for rule, name in recorded_names(resource):
            problem = rule.problem(name)
            if problem is not None:
                problems.append(
                    f"{resource.type} {resource.name}: {name!r}: {problem}; {rule.describe()}"
                )
    return problems
