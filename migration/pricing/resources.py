"""Price the resources a generated stack creates, from the same books as the cost model.

Input is what the offline preview records for each resource: its Pulumi type token and its
inputs. Each type token maps to a pricer (:data:`PRICERS`); types that cost nothing by
themselves are :data:`FREE` (networks, rules, resource groups), types billed by usage are
:data:`USAGE` (their cost is in the model: log ingestion, backup storage, peering traffic);
component resources (``utflytt:*``, ``pulumi:*``) are skipped. Any other type is listed as
unpriced, so a resource another helper adds only needs an entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from migration.pricing.book import PriceBook, Quote

FREE = frozenset(
    {
        "azure-native:resources:ResourceGroup",
        "azure-native:network:VirtualNetwork",
        "azure-native:network:Subnet",
        "azure-native:network:NetworkSecurityGroup",
        "azure-native:network:SecurityRule",
        "azure-native:network:ApplicationSecurityGroup",
        "azure-native:network:NetworkInterface",
        "azure-native:network:RouteTable",
        "azure-native:network:Route",
        "azure-native:network:LocalNetworkGateway",
        "azure-native:network:VirtualNetworkGatewayConnection",
        "azure-native:network:WebApplicationFirewallPolicy",
        "azure-native:network:PrivateDnsZone",
        "azure-native:authorization:RoleAssignment",
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/subnetCidrReservation:SubnetCidrReservation",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/route:Route",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/vpnGateway:VpnGateway",
        "aws:ec2/customerGateway:CustomerGateway",
        "aws:ec2/vpnConnectionRoute:VpnConnectionRoute",
        "aws:ec2/managedPrefixList:ManagedPrefixList",
        "aws:ec2/keyPair:KeyPair",
        "aws:kms/alias:Alias",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:lb/listener:Listener",
        "aws:lb/targetGroup:TargetGroup",
        "aws:lb/targetGroupAttachment:TargetGroupAttachment",
        "aws:backup/plan:Plan",
        "aws:backup/selection:Selection",
        "aws:ec2/volumeAttachment:VolumeAttachment",
        # the security baseline (stacks.baseline): configuration, identities, DNS glue
        "azure-native:network:PrivateDnsZoneGroup",
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:compute:DiskEncryptionSet",
        "azure-native:compute:VirtualMachineExtension",
        "random:index/randomPassword:RandomPassword",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:cloudtrail/trail:Trail",  # the first trail's management events are free
    }
)
USAGE = frozenset(
    {
        "azure-native:operationalinsights:Workspace",
        "azure-native:recoveryservices:Vault",
        "azure-native:recoveryservices:ProtectionPolicy",
        "azure-native:recoveryservices:ProtectedItem",
        "azure-native:storage:StorageAccount",
        "azure-native:storage:BlobContainer",
        "azure-native:network:VirtualNetworkPeering",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:ec2/flowLog:FlowLog",
        "aws:backup/vault:Vault",
        "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
        # the security baseline: billed per operation, per GB logged or stored
        "azure-native:keyvault:Key",
        "azure-native:keyvault:Secret",
        "azure-native:monitor:DiagnosticSetting",
        "azure-native:network:FlowLog",
        "azure-native:privatedns:PrivateZone",
        "azure-native:privatedns:VirtualNetworkLink",
        "aws:s3/bucket:Bucket",
    }
)
COMPONENT_PREFIXES = ("utflytt:", "pulumi:")


@dataclass(frozen=True)
class PricedResource:
    """One resource's monthly price (EUR) and how it was found."""

    type: str
    name: str
    status: str  # priced | free | usage | unpriced
    monthly_eur: float | None
    component: str  # the cost model's component it belongs to ("" when none)
    detail: str = ""


@dataclass(frozen=True)
class StackPrice:
    """Every priced resource of one stack, its monthly total and the unpriced types."""

    resources: tuple[PricedResource, ...]
    monthly_eur: float
    unpriced_types: tuple[str, ...]
    by_component: Mapping[str, float] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """JSON form for ``utflytt preview --json`` and cost.json."""
        return {
            "monthly_eur": round(self.monthly_eur, 2),
            "complete": not self.unpriced_types,
            "unpriced_types": list(self.unpriced_types),
            "by_component": {k: round(v, 2) for k, v in sorted(self.by_component.items())},
            "resources": [
                {
                    "type": r.type,
                    "name": r.name,
                    "status": r.status,
                    "monthly_eur": None if r.monthly_eur is None else round(r.monthly_eur, 2),
                    "component": r.component,
                    "detail": r.detail,
                }
                for r in self.resources
            ],
        }


Pricer = Callable[[PriceBook, Mapping[str, Any]], tuple[dict[str, float], str] | None]


def _q(book: PriceBook, item: str, option: str = "") -> float | None:
    quote: Quote | None = book.quote(item, option)
    return None if quote is None else quote.monthly


def _azure_vm(book: PriceBook, inputs: Mapping[str, Any]) -> tuple[dict[str, float], str] | None:
    size = (inputs.get("hardwareProfile") or {}).get("vmSize")
    linux = _q(book, f"vm:{size}", "linux-payg")
    if linux is None:
        return None
    parts = {"compute": linux}
    os_disk = (inputs.get("storageProfile") or {}).get("osDisk") or {}
    os_type = os_disk.get("osType")
    detail = f"{size}"
    if str(os_disk.get("createOption", "")).lower() == "fromimage" and os_disk.get("diskSizeGB"):
        sku = (os_disk.get("managedDisk") or {}).get("storageAccountType") or "Premium_LRS"
        disk = _azure_disk(book, {"diskSizeGB": os_disk["diskSizeGB"], "sku": {"name": sku}})
        if disk is None:
            return None
        parts["disks"] = disk[0]["disks"]
        detail += f", OS disk {disk[1]}"
    if os_type == "Windows":
        if inputs.get("licenseType") == "Windows_Server":
            detail += ", Windows under Hybrid Benefit"
        else:
            windows = _q(book, f"vm:{size}", "windows-payg")
            if windows is None:
                return None
            parts["os_licence"] = max(0.0, windows - linux)
            detail += ", Windows licence-included"
    return parts, detail


def _azure_disk(book: PriceBook, inputs: Mapping[str, Any]) -> tuple[dict[str, float], str] | None:
    size = float(inputs.get("diskSizeGB") or 0)
    sku = ((inputs.get("sku") or {}).get("name")) or "Premium_LRS"
    family = "E" if sku.startswith("StandardSSD") else "P"
    tiers = sorted(
        (t for t in book.doc.disk_tiers if t.name.startswith(family)), key=lambda t: t.size_gb
    )
    tier = next((t for t in tiers if t.size_gb >= size), None)
    if tier is None:
        return None
    price = _q(book, f"disk:{tier.name}")
    return None if price is None else ({"disks": price}, f"{tier.name} ({size:g} GB, {sku})")


def _fixed(item: str, component: str, what: str) -> Pricer:
    def pricer(book: PriceBook, inputs: Mapping[str, Any]) -> tuple[dict[str, float], str] | None:
        del inputs
        price = _q(book, item)
        return None if price is None else ({component: price}, what)

    return pricer


def _entrance(book: PriceBook, inputs: Mapping[str, Any]) -> tuple[dict[str, float], str] | None:
    del inputs
    gateway, unit = _q(book, "entrance:gateway"), _q(book, "entrance:unit")
    if gateway is None or unit is None:
        return None
    return {"public_entrances": gateway + unit}, "gateway-hour + one capacity unit"


def _public_ip(book: PriceBook, inputs: Mapping[str, Any]) -> tuple[dict[str, float], str] | None:
    price = _q(book, "ip:public")
    name = str(inputs.get("publicIpAddressName") or inputs.get("tags", {}).get("Name") or "")
    component = (
        "vpn" if "vpn" in name else "remote_access" if "bastion" in name else "public_entrances"
    )
    return None if price is None else ({component: price}, "public IPv4")


def _aws_instance(
    book: PriceBook, inputs: Mapping[str, Any]
) -> tuple[dict[str, float], str] | None:
    size = inputs.get("instanceType")
    linux = _q(book, f"vm:{size}", "linux-payg")
    gp3 = _q(book, "ebs:gp3")
    if linux is None or gp3 is None:
        return None
    parts = {"compute": linux}
    tags = inputs.get("tags") or {}
    platform = str(tags.get("os") or inputs.get("ami") or "").lower()
    detail = str(size)
    if "windows" in platform:
        windows = _q(book, f"vm:{size}", "windows-payg")
        if windows is None:
            return None
        parts["os_licence"] = max(0.0, windows - linux)
        detail += ", Windows licence-included"
    root = float((inputs.get("rootBlockDevice") or {}).get("volumeSize") or 0)
    if root:
        parts["disks"] = gp3 * root
        detail += f", root {root:g} GB gp3"
    return parts, detail


def _aws_volume(book: PriceBook, inputs: Mapping[str, Any]) -> tuple[dict[str, float], str] | None:
    gp3 = _q(book, "ebs:gp3")
    size = float(inputs.get("size") or 0)
    return None if gp3 is None else ({"disks": gp3 * size}, f"{size:g} GB gp3")


PRICERS: dict[str, Pricer] = {
    "azure-native:compute:VirtualMachine": _azure_vm,
    "azure-native:compute:Disk": _azure_disk,
    "azure-native:network:VirtualNetworkGateway": _fixed("vpn:gateway", "vpn", "VPN gateway"),
    "azure-native:network:PublicIPAddress": _public_ip,
    "azure-native:network:ApplicationGateway": _entrance,
    "azure-native:network:BastionHost": _fixed("bastion:host", "remote_access", "Bastion"),
    "azure-native:keyvault:Vault": _fixed("keyvault:vault", "key_vault", "key vault"),
    "aws:ec2/instance:Instance": _aws_instance,
    "aws:ebs/volume:Volume": _aws_volume,
    "aws:ec2/vpnConnection:VpnConnection": _fixed("vpn:gateway", "vpn", "VPN connection"),
    "aws:lb/loadBalancer:LoadBalancer": _entrance,
    "aws:ec2/eip:Eip": _public_ip,
    "aws:kms/key:Key": _fixed("keyvault:vault", "key_vault", "KMS key"),
}


def price_resources(
    book: PriceBook, resources: Iterable[tuple[str, str, Mapping[str, Any]]]
) -> StackPrice:
    """Price (type, name, inputs) triples as a stack records them; see the module docstring."""
    priced: list[PricedResource] = []
    unpriced: set[str] = set()
    by_component: dict[str, float] = {}
    total = 0.0
    for type_, name, inputs in resources:
        if type_.startswith(COMPONENT_PREFIXES):
            continue
        if type_ in FREE:
            priced.append(PricedResource(type_, name, "free", 0.0, "", "no charge by itself"))
            continue
        if type_ in USAGE:
            priced.append(
                PricedResource(type_, name, "usage", None, "", "billed by usage; in the model")
            )
            continue
        pricer = PRICERS.get(type_)
        found = pricer(book, inputs) if pricer is not None else None
        if found is None:
            unpriced.add(type_)
            why = "no price for this type" if pricer is None else "price missing in the book"
            priced.append(PricedResource(type_, name, "unpriced", None, "", why))
            continue
        parts, detail = found
        monthly = sum(parts.values())
        for component, amount in parts.items():
            by_component[component] = by_component.get(component, 0.0) + amount
        total += monthly
        component = "+".join(sorted(parts))
        priced.append(PricedResource(type_, name, "priced", monthly, component, detail))
    return StackPrice(tuple(priced), total, tuple(sorted(unpriced)), by_component)
