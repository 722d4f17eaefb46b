"""The operations and security baseline as named invariants over a stack's recorded resources.

Each rule reads only what a stack registered (type, name, inputs, id, state, secret paths),
for Azure and AWS alike; :func:`stacks.security.check` runs them on every stack. A stack is
the foundation when it builds networks (``VirtualNetwork`` / ``Vpc``); rules about the
landing zone apply there. With the plan, the rules that need it (backup against RPO, which
environment may be public) check that too.

- ``management-access``: Azure Bastion (Standard, tunnelling) in the foundation, Entra ID
  login on every VM, the Bastion admin rule on every VM subnet; AWS: every instance has an
  instance profile, every VPC has the ``ssm``, ``ssmmessages`` and ``ec2messages`` endpoints;
- ``admin-password``: every VM's admin password is a secret, no two VMs share one, and each
  is kept in Key Vault as a secret;
- ``backup-rpo``: each backup policy's schedule is the one its name says; with the plan, each
  VM's policy is the least frequent schedule meeting its system's RPO (same classification);
- ``https-only``: public entrances listen on HTTPS with a modern TLS policy and a certificate;
  HTTP only redirects; with the plan, test/dev entrances only where the catalog allows;
- ``logging``: diagnostic settings on every key vault, application gateway, VPN gateway and
  recovery vault, a flow log on every VNet, Defender for Servers; AWS: CloudTrail
  (multi-region, validated, encrypted), GuardDuty, flow logs on every VPC, KMS and retention
  on every log group, access logs on every public load balancer;
- ``closed-storage``: storage accounts and key vaults closed to public networks, each with a
  private endpoint; AWS: every bucket has every public access blocked;
- ``customer-keys``: disks and volumes of confidential or secret data use the city's key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from migration.plan import Plan
from stacks import baseline
from stacks.security import Violation

RULES = (
    "management-access",
    "admin-password",
    "backup-rpo",
    "https-only",
    "logging",
    "closed-storage",
    "customer-keys",
)
AZ = "azure-native:"
_ENTRA_EXTENSIONS = frozenset({"AADLoginForWindows", "AADSSHLoginForLinux"})
_DIAGNOSED = (
    f"{AZ}keyvault:Vault",
    f"{AZ}network:ApplicationGateway",
    f"{AZ}network:VirtualNetworkGateway",
    f"{AZ}recoveryservices:Vault",
)


def _label(r: Any) -> str:
    return f"{r.type}::{r.name}"


def _of(resources: Sequence[Any], typ: str) -> list[Any]:
    return [r for r in resources if r.type == typ]


def _rid(r: Any) -> str | None:
    return getattr(r, "id", None)


def _tags(r: Any) -> dict[str, Any]:
    return dict(r.inputs.get("tags") or {})


def _last(ref: Any) -> str:
    """The last path segment of a sub-resource reference ``{"id": ".../kind/name"}``."""
    ref_id = ref.get("id") if isinstance(ref, dict) else ref
    return str(ref_id or "").rsplit("/", 1)[-1]


def check_baseline(
    resources: Sequence[Any], provider: str, plan: Plan | None = None
) -> list[Violation]:
    """Every baseline violation over one stack's resources (``provider``: azure | aws)."""
    rules: Iterable[Callable[[Sequence[Any], Plan | None], list[Violation]]]
    if provider == "aws":
        from stacks import baseline_checks_aws as aws  # imports this module's helpers

        rules = (
            aws._aws_management,
            aws._aws_https,
            aws._aws_logging,
            aws._aws_storage,
            aws._aws_keys,
            aws._aws_backup,
        )
    else:
        rules = (
            _azure_management,
            _azure_passwords,
            _azure_https,
            _azure_logging,
            _azure_storage,
            _azure_keys,
            _azure_backup,
        )
    found: list[Violation] = []
    for rule in rules:
        found += rule(resources, plan)
    return found


# ------------------------------------------------------------------------------ Azure


def _is_foundation(resources: Sequence[Any], typ: str) -> bool:
    return any(r.type == typ for r in resources)


def _azure_management(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    out = []
    rule = "management-access"
    if _is_foundation(resources, f"{AZ}network:VirtualNetwork"):
        hosts = _of(resources, f"{AZ}network:BastionHost")
        good = [
            h
            for h in hosts
            if h.inputs.get("enableTunneling")
            and (h.inputs.get("sku") or {}).get("name") in ("Standard", "Premium")
        ]
        if not good:
            out.append(Violation(rule, "stack", "no Bastion (Standard, tunnelling) in the hub"))
    logins = {
        str(e.inputs.get("vmName"))
        for e in _of(resources, f"{AZ}compute:VirtualMachineExtension")
        if e.inputs.get("type") in _ENTRA_EXTENSIONS
    }
    for vm in _of(resources, f"{AZ}compute:VirtualMachine"):
        if str(vm.inputs.get("vmName")) not in logins:
            out.append(Violation(rule, _label(vm), "no Entra ID login extension"))
    vm_subnets = {
        (cfg.get("subnet") or {}).get("id")
        for nic in _of(resources, f"{AZ}network:NetworkInterface")
        for cfg in nic.inputs.get("ipConfigurations") or []
    }
    vm_nsgs = {
        (s.inputs.get("networkSecurityGroup") or {}).get("id")
        for s in _of(resources, f"{AZ}network:Subnet")
        if _rid(s) in vm_subnets
    }
    for nsg in _of(resources, f"{AZ}network:NetworkSecurityGroup"):
        if _rid(nsg) not in vm_nsgs:
            continue
        admin = [
            x
            for x in nsg.inputs.get("securityRules") or []
            if x.get("access") == "Allow"
            and x.get("direction") == "Inbound"
            and {str(p) for p in baseline.ADMIN_PORTS} <= set(x.get("destinationPortRanges") or [])
        ]
        if not any(str(x.get("sourceAddressPrefix", "*")) not in ("*", "Internet") for x in admin):
            out.append(Violation(rule, _label(nsg), "VM subnet without the Bastion admin rule"))
    return out


def _azure_passwords(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    out = []
    rule = "admin-password"
    seen: dict[str, str] = {}
    for vm in _of(resources, f"{AZ}compute:VirtualMachine"):
        password = (vm.inputs.get("osProfile") or {}).get("adminPassword")
        if not password:
            continue
        if "osProfile" not in getattr(vm, "secret_paths", ()):
            out.append(Violation(rule, _label(vm), "admin password is not a secret"))
        if password in seen:
            out.append(
                Violation(rule, _label(vm), f"shares its admin password with {seen[password]}")
            )
        seen.setdefault(str(password), vm.name)
    kept = {
        str((s.inputs.get("properties") or {}).get("value"))
        for s in _of(resources, f"{AZ}keyvault:Secret")
        if "properties" in getattr(s, "secret_paths", ())
    }
    for password, vm_name in sorted(seen.items()):
        if password not in kept:
            out.append(Violation(rule, vm_name, "admin password not kept in Key Vault as a secret"))
    return out


def _azure_https(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    out = []
    rule = "https-only"
    for gw in _of(resources, f"{AZ}network:ApplicationGateway"):
        i = gw.inputs
        label = _label(gw)
        policy = (i.get("sslPolicy") or {}).get("policyName")
        if policy not in baseline.MODERN_TLS_POLICIES["azure"]:
            out.append(Violation(rule, label, f"TLS policy {policy!r} is not a modern one"))
        listeners = {x.get("name"): x for x in i.get("httpListeners") or []}
        https = [x for x in listeners.values() if x.get("protocol") == "Https"]
        if not https or not all(x.get("sslCertificate") for x in https):
            out.append(Violation(rule, label, "no HTTPS listener with a certificate"))
        if not all(c.get("keyVaultSecretId") for c in i.get("sslCertificates") or [{}]):
            out.append(Violation(rule, label, "certificate not from Key Vault"))
        for routing in i.get("requestRoutingRules") or []:
            listener = listeners.get(_last(routing.get("httpListener")), {})
            if listener.get("protocol") != "Https" and not routing.get("redirectConfiguration"):
                out.append(Violation(rule, label, f"rule {routing.get('name')} serves plain HTTP"))
        out += _public_environment(gw, plan)
    return out


def _public_environment(entrance: Any, plan: Plan | None) -> list[Violation]:
    tags = _tags(entrance)
    environment = str(tags.get("environment", "prod"))
    system = plan.systems.get(str(tags.get("system"))) if plan else None
    allowed = (
        baseline.has_public_entrance(system, environment)
        if system is not None
        else environment == "prod"
    )
    if allowed:
        return []
    return [
        Violation(
            "https-only",
            _label(entrance),
            f"public entrance for {environment}, which the catalog does not make public",
        )
    ]


def _azure_logging(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    out = []
    rule = "logging"
    diagnosed = {
        str(d.inputs.get("resourceUri"))
        for d in _of(resources, f"{AZ}monitor:DiagnosticSetting")
        if d.inputs.get("workspaceId")
    }
    for r in resources:
        if r.type in _DIAGNOSED and _rid(r) not in diagnosed:
            out.append(Violation(rule, _label(r), "no diagnostic setting to Log Analytics"))
    logged = {
        str(f.inputs.get("targetResourceId"))
        for f in _of(resources, f"{AZ}network:FlowLog")
        if f.inputs.get("enabled")
    }
    for vnet in _of(resources, f"{AZ}network:VirtualNetwork"):
        if _rid(vnet) not in logged:
            out.append(Violation(rule, _label(vnet), "no VNet flow log"))
    if _is_foundation(resources, f"{AZ}network:VirtualNetwork") and not any(
        p.inputs.get("pricingName") == "VirtualMachines"
        and p.inputs.get("pricingTier") == "Standard"
        for p in _of(resources, f"{AZ}security:Pricing")
    ):
        out.append(Violation(rule, "stack", "Defender for Servers is not on"))
    return out


def _endpoints(resources: Sequence[Any]) -> set[str]:
    return {
        str(c.get("privateLinkServiceId"))
        for pe in _of(resources, f"{AZ}network:PrivateEndpoint")
        for c in pe.inputs.get("privateLinkServiceConnections") or []
    }


def _azure_storage(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    out = []
    rule = "closed-storage"
    reachable = _endpoints(resources)
    for r in resources:
        if r.type == f"{AZ}storage:StorageAccount":
            access = r.inputs.get("publicNetworkAccess")
            public_blobs = r.inputs.get("allowBlobPublicAccess") is not False
        elif r.type == f"{AZ}keyvault:Vault":
            access = (r.inputs.get("properties") or {}).get("publicNetworkAccess")
            public_blobs = False
        else:
            continue
        if access != "Disabled":
            out.append(Violation(rule, _label(r), "public network access is not disabled"))
        if public_blobs:
            out.append(Violation(rule, _label(r), "blob public access is allowed"))
        if _rid(r) not in reachable:
            out.append(Violation(rule, _label(r), "no private endpoint"))
    return out


def _azure_keys(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    out = []
    rule = "customer-keys"
    for r in resources:
        if not baseline.needs_customer_key(baseline.classification_of(_tags(r))):
            continue
        if r.type == f"{AZ}compute:Disk":
            if not (r.inputs.get("encryption") or {}).get("diskEncryptionSetId"):
                out.append(Violation(rule, _label(r), "disk without the customer-managed key"))
        elif r.type == f"{AZ}compute:VirtualMachine":
            os_disk = (r.inputs.get("storageProfile") or {}).get("osDisk") or {}
            managed = os_disk.get("managedDisk") or {}
            if not managed.get("id") and not (managed.get("diskEncryptionSet") or {}).get("id"):
                out.append(Violation(rule, _label(r), "OS disk without the customer-managed key"))
    return out


def _azure_backup(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    from stacks.azure import layout

    out = []
    rule = "backup-rpo"
    for policy in _of(resources, f"{AZ}recoveryservices:ProtectionPolicy"):
        tier = str(policy.inputs.get("policyName", "")).removeprefix("bkpol-utflytt-")
        schedule = (policy.inputs.get("properties") or {}).get("schedulePolicy") or {}
        hourly = (schedule.get("hourlySchedule") or {}).get("interval")
        daily = schedule.get("scheduleRunFrequency") == "Daily"
        runs = "daily" if daily else f"hourly-{int(hourly or 0)}h"
        if tier.rsplit("-", 1)[0] != runs:
            out.append(Violation(rule, _label(policy), f"policy {tier} runs {runs}"))
    if plan is None:
        return out
    for item in _of(resources, f"{AZ}recoveryservices:ProtectedItem"):
        system = plan.systems.get(str(_tags(item).get("system")))
        if system is None:
            continue
        expected = layout.backup_bucket(system.rpo_hours, system.data_classification)
        policy_id = str((item.inputs.get("properties") or {}).get("policyId", ""))
        if not policy_id.endswith(f"bkpol-utflytt-{expected}"):
            out.append(
                Violation(
                    rule,
                    _label(item),
                    f"policy {policy_id.rsplit('/', 1)[-1]} for RPO {system.rpo_hours} h; "
                    f"expected {expected}",
                )
            )
    return out
