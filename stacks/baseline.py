"""The operations and security baseline both clouds build: decided once, here, as pure data.

Azure (``stacks.azure``) and AWS (``stacks.aws``) turn these decisions into resources; the
named invariants of :mod:`stacks.baseline_checks` read them back. Nothing here imports Pulumi.

- tags: :data:`REQUIRED_TAGS` and the spelling of their values (:mod:`stacks.tags`);
- backup: the least frequent schedule that still meets a system's RPO, per cloud
  (:func:`backup_interval`), retention from data classification (:data:`BACKUP_RETENTION_DAYS`)
  and a plan warning where no schedule meets the RPO (:func:`backup_warnings`);
- logs: retention from data classification (:func:`log_retention_days`);
- public entrances: which system and environment gets one (:func:`has_public_entrance`),
  listening on HTTPS only with a modern TLS policy (:data:`TLS_POLICY`);
- customer-managed keys: which classifications need them (:func:`needs_customer_key`);
- the hybrid VPN's peer address: required, never a placeholder (:func:`require_vpn_peer`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from migration.errors import UtflyttError
from migration.plan import Plan, PlannedSystem, Warning_
from stacks import tags

Provider = Literal["azure", "aws"]

REQUIRED_TAGS = tags.REQUIRED_TAGS  # decided in stacks.tags
CLASSIFICATIONS = ("public", "internal", "confidential", "secret")
CRITICALITIES = ("low", "medium", "high", "critical")
MIGRATING = frozenset({"rehost", "replatform", "rebuild"})

# Backup schedules each cloud offers for a whole VM, in hours between recovery points.
# Azure VM backup (enhanced policy): every 4, 6, 8 or 12 hours, or daily.
# AWS Backup: a cron rule, at most hourly.
BACKUP_INTERVALS: dict[str, tuple[int, ...]] = {
    "azure": (4, 6, 8, 12, 24),
    "aws": (1, 2, 4, 6, 8, 12, 24),
}
DEFAULT_RPO_HOURS = 24.0
_CLOUD = {"azure": "Azure", "aws": "AWS"}
# Days a recovery point is kept, by data classification (docs/security-baseline.md).
BACKUP_RETENTION_DAYS = {"public": 14, "internal": 30, "confidential": 90, "secret": 365}
# Days logs are kept (Log Analytics, CloudWatch Logs, flow logs), by data classification.
# Values valid on both clouds: Log Analytics takes 30..730, CloudWatch a fixed list.
LOG_RETENTION_DAYS = {"public": 90, "internal": 180, "confidential": 365, "secret": 545}
# Classifications whose disks are encrypted with the city's own key (CMK), not the platform's.
CUSTOMER_KEY_CLASSIFICATIONS = frozenset({"confidential", "secret"})
# Modern TLS on public entrances: TLS 1.2 minimum, forward-secret ciphers only.
TLS_POLICY = {
    "azure": "AppGwSslPolicy20220101S",
    "aws": "ELBSecurityPolicy-TLS13-1-2-2021-06",
}
MODERN_TLS_POLICIES = {
    "azure": frozenset({"AppGwSslPolicy20220101", "AppGwSslPolicy20220101S"}),
    "aws": frozenset(
        {
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
        }
    ),
}
ADMIN_PORTS = frozenset({22, 3389})
_RFC1918 = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)


class CertificateMissingError(UtflyttError):
    """A public entrance has no TLS certificate named in the stack config."""


class VpnPeerMissingError(UtflyttError):
    """The plan has source networks (so the landing zone builds a VPN) but no peer address."""


# ------------------------------------------------------------------------------------ tags


def highest_classification(plan: Plan) -> str:
    """The most sensitive data classification among the plan's systems (default internal)."""
    return tags.highest_classification(plan)


# ---------------------------------------------------------------------------------- backup


@dataclass(frozen=True)
class BackupChoice:
    """The schedule of one RPO on one cloud: hours between backups, and whether RPO is met."""

    hours: int
    meets_rpo: bool
    rpo_hours: float


def backup_interval(rpo_hours: float | None, provider: str) -> BackupChoice:
    """The least frequent schedule that still meets ``rpo_hours``.

    No RPO: daily. An RPO longer than a day: daily (the least frequent schedule offered).
    An RPO shorter than every schedule: the most frequent one, with ``meets_rpo`` False
    (:func:`backup_warnings` reports it).
    """
    rpo = DEFAULT_RPO_HOURS if rpo_hours is None else float(rpo_hours)
    intervals = BACKUP_INTERVALS[provider]
    fitting = [hours for hours in intervals if hours <= rpo]
    if fitting:
        return BackupChoice(fitting[-1], True, rpo)
    return BackupChoice(intervals[0], False, rpo)


def backup_retention_days(classification: str) -> int:
    """Days a recovery point is kept for data of ``classification`` (unknown: internal)."""
    return BACKUP_RETENTION_DAYS.get(classification, BACKUP_RETENTION_DAYS["internal"])


def log_retention_days(classification: str) -> int:
    """Days logs are kept for data of ``classification`` (unknown: internal)."""
    return LOG_RETENTION_DAYS.get(classification, LOG_RETENTION_DAYS["internal"])


def migrating_systems(plan: Plan) -> list[str]:
    """Sorted ids of the systems with at least one server that moves."""
    return sorted(
        {
            s.system
            for s in plan.servers.values()
            if s.wave is not None and s.disposition in MIGRATING and s.system in plan.systems
        }
    )


def backup_warnings(plan: Plan) -> list[Warning_]:
    """One ``backup-rpo`` warning per migrating system no backup schedule of the target meets."""
    provider = plan.target.provider
    out = []
    for sid in migrating_systems(plan):
        choice = backup_interval(plan.systems[sid].rpo_hours, provider)
        if choice.meets_rpo:
            continue
        out.append(
            Warning_(
                code="backup-rpo",
                message=(
                    f"system {sid}: RPO {choice.rpo_hours:g} h is shorter than the most "
                    f"frequent {_CLOUD[provider]} VM backup (every {choice.hours} h); backups run "
                    f"every {choice.hours} h, so the RPO needs replication or the "
                    "application's own log shipping as well"
                ),
                subjects=(sid,),
            )
        )
    return out


def with_baseline_warnings(plan: Plan) -> Plan:
    """``plan`` with the baseline's warnings added (sorted like the planner's)."""
    extra = [w for w in backup_warnings(plan) if w not in plan.warnings]
    if not extra:
        return plan
    warnings = sorted([*plan.warnings, *extra], key=lambda w: (w.code, w.subjects, w.message))
    return plan.model_copy(update={"warnings": tuple(warnings)})


# -------------------------------------------------------------------- entrances and keys


def has_public_entrance(system: PlannedSystem, environment: str) -> bool:
    """A citizen-facing system's prod gets a public entrance; test or dev only when the
    catalog lists the environment in the system's ``public_environments``."""
    if system.level != "citizen":
        return False
    return environment == "prod" or environment in system.public_environments


def needs_customer_key(classification: str) -> bool:
    """Whether data of ``classification`` is encrypted with a customer-managed key."""
    return classification in CUSTOMER_KEY_CLASSIFICATIONS


# ------------------------------------------------------------------------------------- VPN


def require_vpn_peer(plan: Plan, peer: str | None, key: str) -> str | None:
    """The VPN peer address when the plan needs a VPN; a missing or invalid one is an error.

    ``key`` is the stack config key the user sets (named in the message). No VPN (no
    source networks): None.
    """
    if not plan.source_networks:
        return None
    if not peer:
        raise VpnPeerMissingError(
            f"the plan has source_networks ({', '.join(plan.source_networks)}), so the "
            f"landing zone builds a site-to-site VPN: set {key} to the public IPv4 address "
            f"of {plan.provider_name or 'the old provider'}'s VPN endpoint "
            f"(pulumi config set {key} <address>)"
        )
    try:
        address = ipaddress.IPv4Address(peer)
    except ValueError:
        raise VpnPeerMissingError(f"{key}: expected a public IPv4 address, got {peer!r}") from None
    if (
        any(address in net for net in _RFC1918)
        or address.is_loopback
        or address.is_unspecified
        or address.is_link_local
        or address.is_multicast
    ):
        raise VpnPeerMissingError(f"{key}: {peer} is not a public address")
    return peer


# ----------------------------------------------------------------------------- addressing


def hub_subnets(hub_cidr: str) -> dict[str, str]:
    """The baseline's subnets in the hub: Bastion (a /26, as Azure requires) and the
    private endpoints (a /24), after the GatewaySubnet (the hub's first /27)."""
    hub = ipaddress.ip_network(hub_cidr)
    sixes = list(hub.subnets(new_prefix=26))
    twenty_fours = list(hub.subnets(new_prefix=24))
    return {"bastion": str(sixes[1]), "endpoints": str(twenty_fours[1])}


def classification_of(tags: Mapping[str, str] | None) -> str:
    """The data classification a resource's tags declare (default internal)."""
    return str((tags or {}).get("data-classification") or "internal")


def sorted_unique(items: Iterable[str]) -> list[str]:
    """Sorted distinct items."""
    return sorted(set(items))
