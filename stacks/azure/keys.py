"""The city's own keys: a disk encryption set on a Key Vault key (customer-managed keys for
confidential and secret data), and the identity that lets Application Gateways read their
TLS certificates from Key Vault.

Both get their Key Vault access by Azure RBAC (the vault has ``enableRbacAuthorization``):
"Key Vault Crypto Service Encryption User" for the disk encryption set, "Key Vault Secrets
User" for the gateways' identity, each on the landing zone's vault only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization, compute, keyvault, managedidentity

CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"
SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
_NAMESPACE = uuid.UUID("6f1c2a4e-9d1b-4c1e-8f3a-2b7d5e0c9a11")


def role_assignment_name(*parts: str) -> str:
    """A stable GUID for a role assignment (Azure requires a GUID name)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def role_definition(subscription_id: pulumi.Input[str], role: str) -> pulumi.Output[str]:
    """The id of a built-in role in the subscription."""
    return pulumi.Output.concat(
        "/subscriptions/",
        subscription_id,
        "/providers/Microsoft.Authorization/roleDefinitions/",
        role,
    )


@dataclass(frozen=True)
class CustomerKeysArgs:
    """The landing zone's key vault and where the encryption set goes."""

    key_vault_id: pulumi.Input[str]
    key_vault_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    location: str
    region_abbreviation: str
    tags: dict[str, str]


class CustomerKeys(pulumi.ComponentResource):
    """An RSA-3072 key (rotated yearly) and the disk encryption set that uses it."""

    def __init__(
        self, name: str, args: CustomerKeysArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("utflytt:azure:CustomerKeys", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        key = keyvault.Key(
            f"{name}-key",
            key_name="disk-encryption",
            vault_name=args.key_vault_name,
            resource_group_name=args.resource_group_name,
            properties=keyvault.KeyPropertiesArgs(
                kty=keyvault.JsonWebKeyType.RSA,
                key_size=3072,
                key_ops=["wrapKey", "unwrapKey"],
                rotation_policy=keyvault.RotationPolicyArgs(
                    attributes=keyvault.KeyRotationPolicyAttributesArgs(expiry_time="P2Y"),
                    lifetime_actions=[
                        keyvault.LifetimeActionArgs(
                            action=keyvault.ActionArgs(
                                type=keyvault.KeyRotationPolicyActionType.ROTATE
                            ),
                            trigger=keyvault.TriggerArgs(time_after_create="P1Y"),
                        )
                    ],
                ),
            ),
            tags=args.tags,
            opts=child,
        )
        self.disk_encryption_set = compute.DiskEncryptionSet(
            f"{name}-des",
            disk_encryption_set_name=f"des-utflytt-{args.region_abbreviation}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            encryption_type=compute.DiskEncryptionSetType.ENCRYPTION_AT_REST_WITH_CUSTOMER_KEY,
            rotation_to_latest_key_version_enabled=True,
            identity=compute.EncryptionSetIdentityArgs(
                type=compute.DiskEncryptionSetIdentityType.SYSTEM_ASSIGNED
            ),
            active_key=compute.KeyForDiskEncryptionSetArgs(
                key_url=key.key_uri_with_version,
                source_vault=compute.SourceVaultArgs(id=args.key_vault_id),
            ),
            tags=args.tags,
            opts=child,
        )
        principal = self.disk_encryption_set.identity.apply(
            lambda i: (i.principal_id if i else None) or ""
        )
        authorization.RoleAssignment(
            f"{name}-des-access",
            role_assignment_name=role_assignment_name("des", args.region_abbreviation),
            scope=args.key_vault_id,
            principal_id=principal,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=role_definition(
                args.subscription_id, CRYPTO_SERVICE_ENCRYPTION_USER
            ),
            opts=child,
        )
        self.register_outputs({"diskEncryptionSetId": self.disk_encryption_set.id})


class GatewayIdentity(pulumi.ComponentResource):
    """A user-assigned identity that may read Key Vault secrets (the gateways' certificates)."""

    def __init__(
        self, name: str, args: CustomerKeysArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("utflytt:azure:GatewayIdentity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.identity = managedidentity.UserAssignedIdentity(
            f"{name}-id",
            resource_name_=f"id-utflytt-agw-{args.region_abbreviation}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=child,
        )
        authorization.RoleAssignment(
            f"{name}-access",
            role_assignment_name=role_assignment_name("agw", args.region_abbreviation),
            scope=args.key_vault_id,
            principal_id=self.identity.principal_id,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=role_definition(args.subscription_id, SECRETS_USER),
            opts=child,
        )
        self.register_outputs({"identityId": self.identity.id})
