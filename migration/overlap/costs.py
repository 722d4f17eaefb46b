"""What each system costs today and after the move, and what retiring it would cost once.

Every figure comes from the catalog or from the cost model's own inputs (its sizing, price
book and effort assumptions, :mod:`migration.cost.model`), per system:

- today: ÅDA's ``monthly_cost`` of its servers, plus ``monthly_licence_cost``;
- after the move, by disposition: rehost/replatform/rebuild run in the cloud (compute,
  Windows and SQL Server licences, disks and backup of each server, pay-as-you-go, from the
  price book the cost model uses) and keep their licences; repurchase pays its
  ``saas_monthly_cost``; retain stays at ÅDA with its licences; retire costs nothing;
- the one-time migration effort the cost model would spend on its servers;
- the one-time effort of retiring it instead (consolidating its data into the system kept,
  re-pointing each dependant), at the cost model's hourly rate.

Egress and the landing zone are shared by every system and are not split per system: the
what-if re-plan (``utflytt plan --what-if overlap``) shows the whole difference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from migration.catalog import MIGRATING_DISPOSITIONS, Catalog, Server
from migration.cost.cloud import backup_monthly, backup_prices
from migration.cost.model import CostOptions, CostReport
from migration.plan import Plan
from migration.pricing.book import PriceBook
from migration.sizing.sizing import ServerSizing, make_sizer


@dataclass(frozen=True)
class OverlapOptions:
    """Assumptions of the retirement effort (EUR at the cost model's hourly rate)."""

    retire_hours: float = 40.0  # per retired system: move its data into the kept one, shut down
    repoint_hours: float = 8.0  # per dependant system re-pointed to the kept one
    top: int = 5  # groups shown in plan.md and the CLI summary


class SystemCost(BaseModel):
    """One system's monthly costs (EUR) and one-time amounts, with what is missing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    servers: int
    migrating_servers: int
    vcpu: int
    ada_monthly_eur: float
    licence_monthly_eur: float
    saas_monthly_eur: float
    cloud_monthly_eur: float | None  # None: nothing of it runs in the cloud after the move
    after_move_monthly_eur: float
    migration_effort_eur: float
    unpriced: tuple[str, ...] = ()  # servers or parts without a price (totals are lower bounds)

    @property
    def today_monthly_eur(self) -> float:
        """ÅDA servers + licences: what the system costs each month today."""
        return round(self.ada_monthly_eur + self.licence_monthly_eur, 2)


def system_costs(
    catalog: Catalog, plan: Plan, report: CostReport, options: CostOptions
) -> dict[str, SystemCost]:
    """Every system's :class:`SystemCost`, for the plan's target cloud."""
    provider = plan.target.provider
    sizing = report.sizing.get(provider, {})
    region = options.region(provider, plan)
    book = make_sizer(catalog, provider, region, options.sizing).book
    backup = backup_prices(book)
    servers_of: dict[str, list[Server]] = {}
    for server in catalog.servers:
        servers_of.setdefault(server.system, []).append(server)
    result = {}
    for system in catalog.systems:
        own = servers_of.get(system.id, [])
        ada = sum(s.monthly_cost or 0.0 for s in own)
        unpriced = [f"{s.id}: no ÅDA monthly_cost" for s in own if s.monthly_cost is None]
        licence = system.monthly_licence_cost or 0.0
        saas = system.saas_monthly_cost or 0.0
        cloud: float | None = None
        effort = 0.0
        moving = [
            s for s in own if (p := plan.servers.get(s.id)) is not None and p.wave is not None
        ]
        if system.disposition in MIGRATING_DISPOSITIONS:
            cloud = 0.0
            for server in moving:
                amount, missing = _server_cloud(server, sizing.get(server.id), book, backup)
                cloud += amount
                unpriced.extend(missing)
                if not server.migrated and server.id in sizing:
                    effort += _effort(server, sizing[server.id], options)
            after = cloud + licence
        elif system.disposition == "repurchase":
            after = saas
        elif system.disposition == "retain":
            after = ada + licence
        else:
            after = 0.0
        result[system.id] = SystemCost(
            servers=len(own),
            migrating_servers=len(moving) if system.disposition in MIGRATING_DISPOSITIONS else 0,
            vcpu=sum(s.vcpu for s in moving) if system.disposition in MIGRATING_DISPOSITIONS else 0,
            ada_monthly_eur=round(ada, 2),
            licence_monthly_eur=round(licence, 2),
            saas_monthly_eur=round(saas, 2),
            cloud_monthly_eur=None if cloud is None else round(cloud, 2),
            after_move_monthly_eur=round(after, 2),
            migration_effort_eur=round(effort, 2),
            unpriced=tuple(unpriced),
        )
    return result


def _server_cloud(
    server: Server,
    sized: ServerSizing | None,
    book: PriceBook,
    backup: Mapping[str, float | None],
) -> tuple[float, list[str]]:
    """A server's monthly cloud run cost as the cost model prices it, and what is unpriced."""
    if sized is None or sized.sku is None:
        return 0.0, [f"{server.id}: no size fits"]
    missing = []
    amount = 0.0
    parts: dict[str, float | None] = {
        "compute": sized.compute_monthly,
        "Windows licence": sized.licence_monthly,
        "disks": sized.disks_monthly,
        "backup": backup_monthly(book.provider, sum(server.disks_gb), dict(backup)),
    }
    edition = server.licences.sql
    if edition != "none" and not server.licences.sql_software_assurance:
        quote = book.quote(f"sql:{edition}")
        cores = max(4, sized.sku_vcpu or server.vcpu)  # per core, at least 4 (as the model)
        parts["SQL Server licence"] = (
            None if quote is None or quote.monthly is None else quote.monthly * cores
        )
    for what, value in parts.items():
        if value is None:
            missing.append(f"{server.id}: {what} price unknown")
        else:
            amount += value
    return amount, missing


def _effort(server: Server, sized: ServerSizing, options: CostOptions) -> float:
    """The cost model's one-time migration effort of a server (role x readiness x rate)."""
    return (
        options.effort_hours_by_role.get(server.role, 0.0)
        * options.readiness_effort_factor.get(sized.readiness, 1.0)
        * options.migration_rate_per_hour
    )


def retirement_effort(dependants: int, options: OverlapOptions, rate: float) -> float:
    """One-time effort of retiring one system with ``dependants`` systems to re-point."""
    return round((options.retire_hours + options.repoint_hours * dependants) * rate, 2)
