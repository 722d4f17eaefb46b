"""Plan -> Azure layout, as pure functions (no Pulumi): addresses, names, rules, images, tags.

Everything a component needs that can be computed from the plan alone is computed here, so
that it is tested with plain pytest and the components stay thin.

The address plan (hub, a spoke per environment, a subnet per system and environment, static
IPs) is :mod:`stacks.network.addresses`; the network rules are
:mod:`stacks.network.rulesets`, built from the provider-neutral :mod:`stacks.network.policy`.
"""

from __future__ import annotations

import hashlib
import math

from migration.errors import UtflyttError
from migration.plan import Plan, PlannedServer, PlannedSystem
from stacks import baseline, tags
from stacks.images import OS_IMAGES as OS_IMAGES
from stacks.images import OsImage as OsImage
from stacks.names import account_suffix
from stacks.network.addresses import BASE_CANDIDATES as BASE_CANDIDATES
from stacks.network.addresses import Addressing as Addressing
from stacks.network.addresses import Unit as Unit
from stacks.network.addresses import plan_addresses as plan_addresses
from stacks.plancache import per_plan

MIGRATING = frozenset({"rehost", "replatform", "rebuild"})
REQUIRED_TAGS = tags.REQUIRED_TAGS
LEVELS = ("office", "shared", "sector", "citizen")
GATEWAY_BACKEND_PORT = "tcp/443"

REGION_ABBREVIATIONS = {
    "swedencentral": "swc",
    "swedensouth": "sws",
    "northeurope": "neu",
    "westeurope": "weu",
    "francecentral": "frc",
    "francesouth": "frs",
    "germanywestcentral": "gwc",
    "germanynorth": "gno",
    "italynorth": "itn",
    "polandcentral": "plc",
    "spaincentral": "spc",
    "austriaeast": "ate",
    "belgiumcentral": "bec",
    "denmarkeast": "dke",
}


class LayoutError(UtflyttError):
    """The plan cannot be laid out on Azure (address space, rule or name limits, unknown OS)."""


# --------------------------------------------------------------------------------- names


def region_abbreviation(region: str) -> str:
    """CAF short name of a region (``swedencentral`` -> ``swc``); unknown: first 3 letters."""
    return REGION_ABBREVIATIONS.get(region, region[:3])


def rg_name(key: str, region: str) -> str:
    """CAF resource-group name, e.g. ``rg-utflytt-shared-swc``."""
    return f"rg-utflytt-{key}-{region_abbreviation(region)}"


def storage_account_name(plan: Plan) -> str:
    """Migration storage account name (3-24 lower alnum): the one kept in the plan's
    allocations, else from the organisation only (a catalog edit never renames it)."""
    return plan.allocations.azure.names.get("storage_account") or (
        f"stutflytt{account_suffix(plan.organisation, 'st', 12)}"
    )


def key_vault_name(plan: Plan, region: str) -> str:
    """Key Vault name (3-24 chars): the one kept in the plan's allocations, else from the
    organisation and region only."""
    return plan.allocations.azure.names.get("key_vault") or (
        f"kv-utflytt-{region_abbreviation(region)}-{account_suffix(plan.organisation, 'kv', 6)}"
    )


def log_storage_account_name(organisation: str | None, region: str) -> str:
    """Globally unique, stable name of the flow-log storage account (3-24 lower alnum)."""
    digest = hashlib.sha256(f"logs/{organisation}/{region}".encode()).hexdigest()
    return f"stutflytlog{digest[:13]}"


# ------------------------------------------------------------------------------- servers


@per_plan  # once per plan, not per call (callers only read it)
def migrating_servers(plan: Plan) -> dict[str, PlannedServer]:
    """Servers that move (have a wave and a migrating disposition), by id."""
    return {
        sid: srv
        for sid, srv in sorted(plan.servers.items())
        if srv.wave is not None and srv.disposition in MIGRATING
    }


def wave_servers(plan: Plan, wave: int) -> list[str]:
    """Sorted ids of the servers that move in ``wave``."""
    return [sid for sid, srv in migrating_servers(plan).items() if srv.wave == wave]


def system_of(plan: Plan, server: PlannedServer) -> PlannedSystem:
    """The server's system; a missing system is a :class:`LayoutError`."""
    try:
        return plan.systems[server.system]
    except KeyError:
        raise LayoutError(
            f"plan: server's system {server.system!r} is not in plan.systems"
        ) from None


# ------------------------------------------------------------------------------ gateway


def gateway_backends(plan: Plan, unit: Unit) -> list[str]:
    """A citizen-facing unit's servers behind its gateway: its web servers, else all."""
    web = [sid for sid in unit.servers if plan.servers[sid].role == "web"]
    return web or list(unit.servers)


# ------------------------------------------------------------------------------- compute


def os_type(os_slug: str) -> str:
    """``Windows`` for ``windows-*`` slugs, else ``Linux``."""
    return "Windows" if os_slug.startswith("windows") else "Linux"


def trusted_launch(os_slug: str) -> bool:
    """Whether the OS supports trusted launch (Gen2, secure boot, vTPM); unknown: no."""
    image = OS_IMAGES.get(os_slug)
    return image.trusted_launch if image else False


def marketplace_image(server_id: str, os_slug: str) -> OsImage:
    """The marketplace image a rebuilt/replatformed server starts from."""
    try:
        return OS_IMAGES[os_slug]
    except KeyError:
        known = ", ".join(sorted(OS_IMAGES))
        raise LayoutError(
            f"server {server_id}: no marketplace image for os {os_slug!r}; known: {known}"
        ) from None


# General purpose Dsv5 (4 GB/vCPU) and memory optimised Esv5 (8 GB/vCPU) sizes.
_D_SIZES = (2, 4, 8, 16, 32, 48, 64, 96)


def vm_size(server: PlannedServer) -> tuple[str, bool]:
    """The plan's SKU, or the documented default: (size, fell_back).

    Default when the plan has no SKU: the smallest ``Standard_D{n}s_v5`` with at least the
    server's vCPUs and 4 GB per vCPU covering its memory; a server with more than 4 GB per
    vCPU gets the smallest fitting ``Standard_E{n}s_v5`` (8 GB per vCPU) instead.
    """
    if server.sku:
        return server.sku, False
    if server.memory_gb > 4 * server.vcpu:
        for n in _D_SIZES:
            if n >= server.vcpu and 8 * n >= server.memory_gb:
                return f"Standard_E{n}s_v5", True
    for n in _D_SIZES:
        if n >= server.vcpu and 4 * n >= server.memory_gb:
            return f"Standard_D{n}s_v5", True
    for n in _D_SIZES:
        if n >= server.vcpu and 8 * n >= server.memory_gb:
            return f"Standard_E{n}s_v5", True
    return "Standard_E96s_v5", True


def disk_gb(size: float) -> int:
    """Managed disk size in whole GB (rounded up, at least 1)."""
    return max(1, math.ceil(size))


# ---------------------------------------------------------------------------------- backup


def backup_bucket(rpo_hours: float | None, classification: str = "internal") -> str:
    """Backup policy of a system: ``hourly-4h`` ... ``hourly-12h`` or ``daily``, then its data
    classification (which sets the retention), e.g. ``hourly-8h-confidential``.

    The least frequent schedule that still meets the RPO (``stacks.baseline``); an RPO under
    4 h gets ``hourly-4h`` and a plan warning (``backup-rpo``).
    """
    hours = baseline.backup_interval(rpo_hours, "azure").hours
    tier = "daily" if hours >= 24 else f"hourly-{hours}h"
    return f"{tier}-{classification}"


def backup_buckets(plan: Plan) -> list[str]:
    """The distinct backup policies the migrating systems need, sorted."""
    systems = {s.system for s in migrating_servers(plan).values()}
    return sorted(
        {
            backup_bucket(plan.systems[s].rpo_hours, plan.systems[s].data_classification)
            for s in systems
            if s in plan.systems
        }
    )


# ------------------------------------------------------------------------------------ tags


def system_tags(
    plan: Plan, system_id: str, wave: int, extra: dict[str, str], environment: str = "prod"
) -> dict[str, str]:
    """Tags of a system's resources (:func:`stacks.tags.system_tags`) over the stack's extras."""
    return {**extra, **tags.system_tags(plan, system_id, wave, environment)}


def landing_zone_tags(plan: Plan, extra: dict[str, str]) -> dict[str, str]:
    """Tags of landing-zone resources (:func:`stacks.tags.landing_zone_tags`)."""
    return {**extra, **tags.landing_zone_tags(plan, extra)}


def levels_used(plan: Plan) -> list[str]:
    """Levels of the migrating systems, in :data:`LEVELS` order (resource group per level)."""
    used: set[str] = {
        plan.systems[s.system].level
        for s in migrating_servers(plan).values()
        if s.system in plan.systems
    }
    return [lvl for lvl in LEVELS if lvl in used] + sorted(used - set(LEVELS))
