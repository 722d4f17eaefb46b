"""Echo mocks that look like azure-native: deterministic ARM ids and a few computed outputs.

Any other provider gets a plain echo; ``getClientConfig`` answers with the fixed
subscription and tenant of :mod:`stacks.harness.records`.
"""

from __future__ import annotations

from typing import Any

import pulumi

from stacks.harness.records import SUBSCRIPTION, TENANT

_AZURE_PROVIDERS = {
    "resources": "Microsoft.Resources",
    "network": "Microsoft.Network",
    "compute": "Microsoft.Compute",
    "recoveryservices": "Microsoft.RecoveryServices",
    "keyvault": "Microsoft.KeyVault",
    "storage": "Microsoft.Storage",
    "operationalinsights": "Microsoft.OperationalInsights",
}
# azure-native's input that carries the resource's own name, where it is not <class>Name.
_NAME_INPUTS = {
    "azure-native:compute:VirtualMachine": "vmName",
    "azure-native:storage:StorageAccount": "accountName",
    "azure-native:network:Subnet": "subnetName",
    "azure-native:recoveryservices:ProtectionPolicy": "policyName",
    "azure-native:network:WebApplicationFirewallPolicy": "policyName",
    "azure-native:operationalinsights:Workspace": "workspaceName",
    "azure-native:storage:BlobContainer": "containerName",
    "azure-native:network:PublicIPAddress": "publicIpAddressName",
}


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def _name_input(typ: str) -> str:
    if typ in _NAME_INPUTS:
        return _NAME_INPUTS[typ]
    cls = typ.rsplit(":", 1)[-1]
    return cls[0].lower() + cls[1:] + "Name"


class OfflineMocks(pulumi.runtime.Mocks):
    """Echo mocks that look like azure-native (any other provider: plain echo).

    Each resource gets its inputs back plus ``name`` and a deterministic ARM-style ``id``;
    a few computed outputs programs read are filled in (IP addresses from documentation
    ranges). ``getClientConfig`` answers with a fixed subscription and tenant.
    """

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        state = dict(args.inputs)
        typ = args.typ
        if typ.startswith("random:"):  # a generated value, distinct per resource
            state.setdefault("result", f"offline-{args.name}-Aa1!")
        if not typ.startswith("azure-native:"):
            state.setdefault("name", args.name)
            return f"{args.name}-id", state
        _, module, cls = typ.split(":")
        name = state.get(_name_input(typ)) or args.name
        if typ == "azure-native:resources:ResourceGroup":
            name = state.get("resourceGroupName") or args.name
        state["name"] = name
        rg = state.get("resourceGroupName", "rg-offline")
        provider = _AZURE_PROVIDERS.get(module, f"Microsoft.{module}")
        if typ == "azure-native:resources:ResourceGroup":
            rid = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}"
        elif typ == "azure-native:network:Subnet":
            rid = (
                f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/{provider}/"
                f"virtualNetworks/{state.get('virtualNetworkName')}/subnets/{name}"
            )
        else:
            rid = (
                f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/{provider}/"
                f"{_plural(cls[0].lower() + cls[1:])}/{name}"
            )
        identity = state.get("identity")
        if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
            # inputs list the identities; the resource's output maps each to its details
            users: dict[str, dict[str, str]] = {
                i: {} for i in identity["userAssignedIdentities"] if isinstance(i, str)
            }
            state["identity"] = {**identity, "userAssignedIdentities": users}
        if typ == "azure-native:network:PublicIPAddress":
            state.setdefault("ipAddress", "203.0.113.10")
        if typ == "azure-native:keyvault:Vault":
            props = dict(state.get("properties") or {})
            props.setdefault("vaultUri", f"https://{name}.vault.azure.net/")
            state["properties"] = props
        if typ == "azure-native:storage:StorageAccount":
            state.setdefault("primaryEndpoints", {"blob": f"https://{name}.blob.core.windows.net/"})
        return rid, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        if args.token == "azure-native:authorization:getClientConfig":
            return {
                "subscriptionId": SUBSCRIPTION,
                "tenantId": TENANT,
                "clientId": "22222222-2222-2222-2222-222222222222",
                "objectId": "33333333-3333-3333-3333-333333333333",
            }
        return {}
