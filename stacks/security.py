"""Security invariants over the resources a stack registers (recorded offline).

:func:`check` returns every violation (empty list: all hold):

- ``public-ip``: a public IP only on a citizen-facing system's Application Gateway, or on the
  landing zone's VPN gateway (the site-to-site tunnel endpoint to the old provider, which
  only speaks IKE/IPsec), or on the hub's Azure Bastion; no NIC gets one; on AWS no
  instance gets one;
- ``open-inbound``: no inbound allow rule from any source or the internet on the network
  security group of a subnet that holds VMs (on AWS: a security group of an instance);
- ``disk-encryption``: every managed disk has an encryption type (or a disk encryption set)
  and every VM has encryption at host (which also covers its OS disk, caches and temp disk);
  on AWS every volume and block device is encrypted;
- ``tags``: every resource that takes tags carries system, owner, wave, level,
  data-classification and cost-centre;
- ``plain-secret``: no password/secret/key config value outside Pulumi secrets, and no
  password, shared or pre-shared key, secret string or Key Vault secret value in a
  resource's inputs unless it is a Pulumi secret (both clouds: the AWS harness records
  secret inputs too);
- ``region``: the stack's region and every resource's location are in the EU.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from migration.plan import Plan
from migration.regions import EU_REGIONS
from stacks import baseline

REQUIRED_TAGS = baseline.REQUIRED_TAGS
ANYWHERE = frozenset({"*", "0.0.0.0/0", "::/0", "internet", "any", "0.0.0.0"})
SECRET_KEY_RE = re.compile(r"(password|passwd|secret|sharedkey|token|privatekey|accesskey)", re.I)
# Resource types Azure only offers as global (DNS metadata, no data at rest in a region)
GLOBAL_ONLY = ("azure-native:privatedns:",)
# input names whose value is a credential (never a reference to one, e.g. ``keyVaultSecretId``)
_SECRET_INPUT_RE = re.compile(
    r"(password|passwd|sharedkey|presharedkey|secretstring|privatekey|accesskey)$", re.I
)
_UNTAGGABLE_FALLBACK = frozenset({"pulumi:pulumi:StackReference"})


class Resource(Protocol):
    """What the checks read from a recorded resource (see stacks.testing.RecordedResource)."""

    type: str
    name: str
    urn: str
    custom: bool
    kind: str
    id: str | None
    inputs: dict[str, Any]
    secret_paths: tuple[str, ...]


@dataclass(frozen=True, order=True)
class Violation:
    """One broken invariant: which rule, on which resource, and why."""

    rule: str
    resource: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.resource}: {self.message}"


def check(
    resources: Sequence[Any],  # Resource (Azure harness) or an AWS run's recorded resources
    *,
    region: str | None = None,
    provider: str = "azure",
    config: Mapping[str, str] | None = None,
    secret_keys: Iterable[str] = (),
    plan: Plan | None = None,
) -> list[Violation]:
    """Every violation of the invariants over ``resources`` (and the stack config), sorted.

    ``provider="aws"``: the AWS rules of :func:`stacks.aws.security.check_all` (region,
    public exposure, world ingress, EBS encryption, tags; their rule names), plus the
    plain-secret and stack-region checks above. Both clouds: the operations and security
    baseline's named rules (:mod:`stacks.baseline_checks`; ``plan`` adds the checks that
    need it: backups against RPO, which environments may be public).
    """
    from stacks.baseline_checks import check_baseline

    if provider == "aws":
        found = _check_aws(resources, region, config or {}, set(secret_keys))
        return sorted(set(found + check_baseline(resources, "aws", plan)))
    found = check_baseline(resources, "azure", plan)
    found += _public_ips(resources)
    found += _open_inbound(resources)
    found += _disk_encryption(resources)
    found += _tags(resources)
    found += _plain_secrets(resources, config or {}, set(secret_keys))
    found += _regions(resources, region, provider)
    return sorted(set(found))


def _check_aws(
    resources: Sequence[Any], region: str | None, config: Mapping[str, str], secret_keys: set[str]
) -> list[Violation]:
    from stacks.aws.security import check_all

    found = [Violation(v.check, v.resource, v.message) for v in check_all(resources)]
    found += _plain_secrets(resources, config, secret_keys)
    found += _regions([], region, "aws")
    return sorted(set(found))


# ------------------------------------------------------------------------------ helpers


def _label(r: Resource) -> str:
    return f"{r.type}::{r.name}"


def _mentions(value: Any, needle: str) -> bool:
    if isinstance(value, str):
        return value == needle
    if isinstance(value, dict):
        return any(_mentions(v, needle) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, needle) for v in value)
    return False


def _custom(resources: Sequence[Resource]) -> list[Resource]:
    return [r for r in resources if r.custom and r.kind == "register"]


# -------------------------------------------------------------------------------- rules


def _public_ips(resources: Sequence[Resource]) -> list[Violation]:
    out = []
    for pip in (r for r in resources if r.type == "azure-native:network:PublicIPAddress"):
        users = [r for r in resources if r is not pip and pip.id and _mentions(r.inputs, pip.id)]
        if not users:
            out.append(Violation("public-ip", _label(pip), "public IP attached to nothing"))
        for user in users:
            tags = user.inputs.get("tags") or {}
            citizen_gw = (
                user.type == "azure-native:network:ApplicationGateway"
                and tags.get("level") == "citizen"
            )
            vpn_gw = (
                user.type == "azure-native:network:VirtualNetworkGateway"
                and user.inputs.get("gatewayType") == "Vpn"
            )
            bastion = user.type == "azure-native:network:BastionHost"
            if not (citizen_gw or vpn_gw or bastion):
                out.append(
                    Violation(
                        "public-ip",
                        _label(pip),
                        f"used by {_label(user)}; only citizen-facing gateways may have one",
                    )
                )
    for nic in (r for r in resources if r.type == "azure-native:network:NetworkInterface"):
        for cfg in nic.inputs.get("ipConfigurations") or []:
            if cfg.get("publicIPAddress"):
                out.append(Violation("public-ip", _label(nic), "NIC has a public IP"))
    for inst in (r for r in resources if r.type == "aws:ec2/instance:Instance"):
        if inst.inputs.get("associatePublicIpAddress"):
            out.append(Violation("public-ip", _label(inst), "instance gets a public IP"))
    for eip in (r for r in resources if r.type == "aws:ec2/eip:Eip"):
        out.append(Violation("public-ip", _label(eip), "elastic IP"))
    return out


def _vm_nsg_ids(resources: Sequence[Resource]) -> set[str]:
    """Ids of the NSGs on subnets that hold NICs (Azure), or attached to instances (AWS)."""
    nic_subnets = set()
    for nic in (r for r in resources if r.type == "azure-native:network:NetworkInterface"):
        for cfg in nic.inputs.get("ipConfigurations") or []:
            subnet = (cfg.get("subnet") or {}).get("id")
            if subnet:
                nic_subnets.add(subnet)
        nsg = (nic.inputs.get("networkSecurityGroup") or {}).get("id")
        if nsg:
            nic_subnets.add(f"nsg:{nsg}")
    ids = {s.removeprefix("nsg:") for s in nic_subnets if s.startswith("nsg:")}
    for subnet in (r for r in resources if r.type == "azure-native:network:Subnet"):
        if subnet.id in nic_subnets:
            nsg = (subnet.inputs.get("networkSecurityGroup") or {}).get("id")
            if nsg:
                ids.add(nsg)
    for inst in (r for r in resources if r.type == "aws:ec2/instance:Instance"):
        ids.update(inst.inputs.get("vpcSecurityGroupIds") or [])
    return ids


def _open_sources(rule: Mapping[str, Any]) -> list[str]:
    sources = [rule.get("sourceAddressPrefix")] + list(rule.get("sourceAddressPrefixes") or [])
    return [s for s in sources if isinstance(s, str) and s.lower() in ANYWHERE]


def _open_inbound(resources: Sequence[Resource]) -> list[Violation]:
    vm_nsgs = _vm_nsg_ids(resources)
    out = []
    for nsg in resources:
        if nsg.type == "azure-native:network:NetworkSecurityGroup" and nsg.id in vm_nsgs:
            rules = nsg.inputs.get("securityRules") or []
        elif nsg.type == "azure-native:network:SecurityRule":
            parent_ids = {
                i
                for i in vm_nsgs
                if i.endswith("/" + str(nsg.inputs.get("networkSecurityGroupName")))
            }
            rules = [nsg.inputs] if parent_ids else []
        elif nsg.type == "aws:ec2/securityGroup:SecurityGroup" and nsg.id in vm_nsgs:
            out += [
                Violation("open-inbound", _label(nsg), f"ingress from {cidr}")
                for rule in nsg.inputs.get("ingress") or []
                for cidr in (rule.get("cidrBlocks") or []) + (rule.get("ipv6CidrBlocks") or [])
                if cidr in ANYWHERE
            ]
            continue
        else:
            continue
        for rule in rules:
            if rule.get("direction") == "Inbound" and rule.get("access") == "Allow":
                for source in _open_sources(rule):
                    out.append(
                        Violation(
                            "open-inbound",
                            _label(nsg),
                            f"rule {rule.get('name')} admits {source} on a VM subnet",
                        )
                    )
    return out


def _disk_encryption(resources: Sequence[Resource]) -> list[Violation]:
    out = []
    for r in resources:
        if r.type == "azure-native:compute:Disk":
            enc = r.inputs.get("encryption") or {}
            if not (enc.get("type") or enc.get("diskEncryptionSetId")):
                out.append(Violation("disk-encryption", _label(r), "disk has no encryption type"))
        elif r.type == "azure-native:compute:VirtualMachine":
            if not (r.inputs.get("securityProfile") or {}).get("encryptionAtHost"):
                out.append(Violation("disk-encryption", _label(r), "VM without encryption at host"))
        elif r.type == "aws:ebs/volume:Volume" and not r.inputs.get("encrypted"):
            out.append(Violation("disk-encryption", _label(r), "volume not encrypted"))
        elif r.type == "aws:ec2/instance:Instance":
            devices = [r.inputs.get("rootBlockDevice") or {}] + list(
                r.inputs.get("ebsBlockDevices") or []
            )
            if any(not d.get("encrypted") for d in devices):
                out.append(Violation("disk-encryption", _label(r), "block device not encrypted"))
    return out


@cache
def takes_tags(type_token: str) -> bool:
    """Whether a resource type accepts ``tags`` (read from its Python SDK class)."""
    if type_token in _UNTAGGABLE_FALLBACK or type_token.startswith(("pulumi:", "random:")):
        return False
    try:
        package, module, cls = type_token.split(":")
    except ValueError:
        return True
    module_name = {"azure-native": "pulumi_azure_native", "aws": "pulumi_aws"}.get(package)
    if module_name is None:
        return True
    sub = module.split("/")[0]
    try:
        klass = getattr(importlib.import_module(f"{module_name}.{sub}"), cls)
    except (ImportError, AttributeError):
        return True
    init = getattr(klass, "_internal_init", klass.__init__)
    return "tags" in inspect.signature(init).parameters


def _tags(resources: Sequence[Resource]) -> list[Violation]:
    out = []
    for r in _custom(resources):
        if not takes_tags(r.type):
            continue
        tags = r.inputs.get("tags") or {}
        missing = [k for k in REQUIRED_TAGS if not tags.get(k)]
        if missing:
            out.append(Violation("tags", _label(r), f"missing tags: {', '.join(missing)}"))
    return out


def _plain_secrets(
    resources: Sequence[Resource], config: Mapping[str, str], secret_keys: set[str]
) -> list[Violation]:
    out = []
    for key, value in config.items():
        short = key.split(":", 1)[-1]
        if SECRET_KEY_RE.search(short) and key not in secret_keys and value:
            out.append(
                Violation("plain-secret", key, "secret-looking config value is not a Pulumi secret")
            )
    for r in resources:
        paths = getattr(r, "secret_paths", ())
        for key in _secret_looking(r.inputs):
            if key not in paths:
                out.append(
                    Violation("plain-secret", _label(r), f"{key} holds a secret in plain text")
                )
    return out


def _secret_looking(inputs: Mapping[str, Any]) -> list[str]:
    """Top-level inputs that hold a password, key or secret value, at any depth below them
    (``osProfile.adminPassword``, ``sharedKey``, ``tunnel1PresharedKey``, ``secretString``,
    a Key Vault secret's ``properties.value``)."""

    def holds(key: str, value: Any) -> bool:
        if isinstance(value, dict):
            return any(holds(k, v) for k, v in value.items())
        if isinstance(value, list):
            return any(holds(key, v) for v in value)
        return bool(value) and isinstance(value, str) and _SECRET_INPUT_RE.search(key) is not None

    found = [k for k, v in inputs.items() if holds(k, v)]
    properties = inputs.get("properties")
    if isinstance(properties, dict) and "value" in properties and "contentType" in properties:
        found.append("properties")  # a Key Vault secret's value
    return sorted(set(found))


def _regions(resources: Sequence[Resource], region: str | None, provider: str) -> list[Violation]:
    allowed = EU_REGIONS.get(provider, frozenset())
    out = []
    if region is not None and region not in allowed:
        out.append(Violation("region", "stack", f"region {region!r} is not in the EU"))
    for r in resources:
        location = r.inputs.get("location")
        if (
            r.type.startswith("azure-native:")
            and isinstance(location, str)
            and location not in EU_REGIONS["azure"]
            and not (location == "global" and r.type.startswith(GLOBAL_ONLY))
        ):
            out.append(Violation("region", _label(r), f"location {location!r} is not in the EU"))
        aws_region = r.inputs.get("region")
        if r.type.startswith(("aws:", "pulumi:providers:aws")) and isinstance(aws_region, str):
            if aws_region not in EU_REGIONS["aws"]:
                out.append(
                    Violation("region", _label(r), f"region {aws_region!r} is not in the EU")
                )
    return out
