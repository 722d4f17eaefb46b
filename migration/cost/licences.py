"""Licence entitlements: Hybrid Benefit and License Mobility only up to the cores owned.

A server's catalog flags (``licences.windows_software_assurance``,
``licences.sql_software_assurance``) say the city *may* bring its licence; the catalog's
``cost.entitlements`` say how many core licences with Software Assurance it owns. Servers
take cores in catalog order until the count runs out; the rest are priced licence-included,
with a warning naming them. Without a declared count every flagged server gets the benefit,
with a warning saying how many cores that assumes.

Counting (Microsoft Product Terms): Windows Server under Azure Hybrid Benefit needs at least
8 core licences per VM; SQL Server at least 4 per VM, one per vCPU above. Windows Server
cannot be brought to AWS shared tenancy, so AWS always prices it licence-included; SQL
Server with SA can move to both (License Mobility).
"""

from __future__ import annotations

from dataclasses import dataclass

from migration.catalog import Catalog, Server
from migration.cost.series import Warnings
from migration.sizing.result import ServerSizing

WINDOWS_MIN_CORES = 8
SQL_MIN_CORES = 4


@dataclass(frozen=True)
class Allocation:
    """Which servers bring their own licences on one provider, and the cores counted."""

    windows: frozenset[str]
    sql: frozenset[str]
    windows_cores: int
    sql_cores: int

    def to_json_dict(self) -> dict[str, int]:
        """Cores used (cost.json ``licences``)."""
        return {
            "windows_server_sa_cores_used": self.windows_cores,
            "sql_server_sa_cores_used": self.sql_cores,
            "windows_hybrid_benefit_servers": len(self.windows),
            "sql_own_licence_servers": len(self.sql),
        }


def _cores(sized: ServerSizing, server: Server, minimum: int) -> int:
    return max(minimum, sized.sku_vcpu or server.vcpu)


class _Pool:
    """Core licences owned (None: not declared, no limit) and the servers that took some."""

    def __init__(self, owned: int | None) -> None:
        self.left = owned
        self.used = 0
        self.servers: set[str] = set()

    def take(self, server_id: str, cores: int) -> bool:
        """Give ``cores`` to a server if enough are left; False when they run out."""
        if self.left is not None and cores > self.left:
            return False
        self.servers.add(server_id)
        self.used += cores
        if self.left is not None:
            self.left -= cores
        return True


def allocate(
    catalog: Catalog,
    provider: str,
    sizing: dict[str, ServerSizing],
    warnings: Warnings,
) -> Allocation:
    """Give licences to flagged servers up to the declared entitlements, in catalog order."""
    label = "Azure" if provider == "azure" else "AWS"
    owned = catalog.cost.entitlements
    win = _Pool(owned.windows_server_sa_cores)
    sql = _Pool(owned.sql_server_sa_cores)
    for server in catalog.servers:
        sized = sizing.get(server.id)
        if sized is None or sized.sku is None:
            continue
        if (
            provider == "azure"
            and sized.licence_product == "windows"
            and server.licences.windows_software_assurance
            and not win.take(server.id, _cores(sized, server, WINDOWS_MIN_CORES))
        ):
            warnings.add(
                "entitlement-exceeded",
                f"{provider}|windows",
                f"{label}: Windows Server cores with SA "
                f"({owned.windows_server_sa_cores}) run out; priced licence-included",
                server.id,
            )
        if (
            server.licences.sql != "none"
            and server.licences.sql_software_assurance
            and not sql.take(server.id, _cores(sized, server, SQL_MIN_CORES))
        ):
            warnings.add(
                "entitlement-exceeded",
                f"{provider}|sql",
                f"{label}: SQL Server cores with SA ({owned.sql_server_sa_cores}) run "
                "out; priced licence-included",
                server.id,
            )
    windows, sql_ids, win_used, sql_used = win.servers, sql.servers, win.used, sql.used
    if owned.windows_server_sa_cores is None and windows:
        warnings.add(
            "entitlement-undeclared",
            f"{provider}|windows",
            f"{label}: Hybrid Benefit assumes {win_used} Windows Server core licences with "
            "SA; declare cost.entitlements.windows_server_sa_cores in the catalog",
        )
    if owned.sql_server_sa_cores is None and sql_ids:
        warnings.add(
            "entitlement-undeclared",
            f"{provider}|sql",
            f"{label}: own SQL Server licences assume {sql_used} cores with SA; declare "
            "cost.entitlements.sql_server_sa_cores in the catalog",
        )
    return Allocation(frozenset(windows), frozenset(sql_ids), win_used, sql_used)
