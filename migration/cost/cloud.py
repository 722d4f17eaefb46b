"""The cloud side of the comparison: run costs per month for one provider, every line priced
from its book or named as unpriced.

Per server from its wave's start: compute by pricing option, the OS licence (Windows, RHEL,
SLES; Hybrid Benefit only within the entitlements), SQL Server licence-included or brought
along, disks (every tier; beyond the largest volume as striped volumes), backup (protected
instance + storage). Per estate: internet egress, log ingestion and cloud operations per
active server; VPN gateway while the migration or a hybrid flow needs it, remote access
(Bastion / Session Manager), key vault, public entrances of citizen-facing systems, the
support plan, SaaS replacing repurchased systems, and one-time migration effort.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from migration.catalog import MIGRATING_DISPOSITIONS, Catalog
from migration.cost.licences import Allocation
from migration.cost.options import CostOptions
from migration.cost.series import Series, Unpriced, Warnings, month_index
from migration.plan import Plan
from migration.pricing.book import PriceBook, Quote
from migration.sizing.result import ServerSizing

LABELS = {"ada": "ÅDA", "azure": "Azure", "aws": "AWS", "stay": "ÅDA (stay)"}
CLOUD_COMPONENTS = (
    "compute",
    "os_licence",
    "sql_licence",
    "disks",
    "backup",
    "egress",
    "logging",
    "vpn",
    "remote_access",
    "key_vault",
    "public_entrances",
    "support",
    "operations",
    "saas",
    "migration_effort",
)
PRICED_COMPONENTS = frozenset(CLOUD_COMPONENTS) - {"operations", "saas", "migration_effort"}
OPTION_KEYS = {
    "reserved-1y": "linux-reserved-1y",
    "reserved-3y": "linux-reserved-3y",
    "savings-plan-1y": "linux-savings-plan-1y",
    "savings-plan-3y": "linux-savings-plan-3y",
}


@dataclass
class CloudResult:
    """A provider's series, the servers it could not price and the prices it used."""

    series: Series
    unpriced_servers: set[str] = field(default_factory=set)
    used: dict[tuple[str, str], Quote] = field(default_factory=dict)
    active: list[float] = field(default_factory=list)  # servers running per month


class _Ctx:
    """What one provider's pass needs at hand: book, collectors, the prices used."""

    def __init__(
        self, provider: str, book: PriceBook, unpriced: Unpriced, result: CloudResult
    ) -> None:
        self.provider = provider
        self.book = book
        self.unpriced = unpriced
        self.result = result
        self.cache: dict[tuple[str, str], Quote | None] = {}

    def quote(self, item: str, option: str = "") -> Quote | None:
        """A known price (recorded as used) or None."""
        key = (item, option)
        if key not in self.cache:
            quote = self.book.quote(item, option)
            self.cache[key] = quote if quote is not None and quote.monthly is not None else None
        found = self.cache[key]
        if found is not None:
            self.result.used[key] = found
        return found

    def why(self, item: str, option: str = "") -> str:
        """Why a price is missing: the book's own reason, or that it has no row."""
        entry = self.book.entry(item, option)
        if entry is None:
            return f"no {item} {option} row in the price book {self.book.path.name}".replace(
                "  ", " "
            )
        return entry.method or f"the price book marks {item} unknown"


def cloud_series(
    catalog: Catalog,
    plan: Plan,
    options: CostOptions,
    provider: str,
    book: PriceBook,
    sizing: dict[str, ServerSizing],
    allocation: Allocation,
    months: int,
    first_year: int,
    warnings: Warnings,
    unpriced: Unpriced,
) -> CloudResult:
    """One provider's monthly run and one-time costs (see the module docstring)."""
    series = Series(months, CLOUD_COMPONENTS)
    result = CloudResult(series=series)
    ctx = _Ctx(provider, book, unpriced, result)
    label = LABELS[provider]
    systems = catalog.systems_by_id
    waves = {w.number: w for w in plan.waves}
    wave_start = {n: month_index(w.start, first_year) for n, w in waves.items()}
    active = [0.0] * (months + 1)
    option_key = OPTION_KEYS.get(options.option)
    diff = series.diff
    compute_d, os_d, sql_d = diff["compute"], diff["os_licence"], diff["sql_licence"]
    disks_d, backup_d = diff["disks"], diff["backup"]
    backup = _backup_prices(ctx)
    msg_option = f"{label}: {options.option} price unknown; priced pay-as-you-go"
    recorded: set[int] = set()  # the disk lists whose prices are recorded as used (by id:
    # ``sizing`` holds each list for the whole pass, and recording one again adds nothing)
    for server in catalog.servers:
        planned = plan.servers.get(server.id)
        if systems[server.system].disposition not in MIGRATING_DISPOSITIONS:
            continue
        if planned is None or planned.wave is None or planned.wave not in waves:
            continue  # stays at ÅDA: warned once in the ÅDA series
        start = max(0, wave_start[planned.wave])
        if start >= months:
            continue
        sized = sizing[server.id]
        if sized.sku is None or sized.compute_monthly is None:
            why = (
                "no size fits: " + "; ".join(sized.readiness_reasons)
                if sized.sku is None
                else ctx.why(f"vm:{sized.sku}", "linux-payg")
            )
            unpriced.add(provider, "server compute (its ÅDA fee is kept)", why, server.id)
            result.unpriced_servers.add(server.id)
            continue
        compute = sized.compute_monthly
        if option_key is not None:
            quote = ctx.quote(f"vm:{sized.sku}", option_key)
            if quote is not None and quote.monthly is not None:
                compute = quote.monthly
            else:
                warnings.add("option-price-unknown", f"{provider}|{options.option}", msg_option)
        else:
            ctx.quote(f"vm:{sized.sku}", "linux-payg")
        compute_d[start] += compute
        licence = _os_licence(ctx, server.id, sized, allocation)
        if licence is not None:
            os_d[start] += licence
        if server.licences.sql != "none" and server.id not in allocation.sql:
            cores = max(4, sized.sku_vcpu or server.vcpu)  # licensed per core, at least 4
            quote = ctx.quote(f"sql:{server.licences.sql}")
            if quote is None or quote.monthly is None:
                unpriced.add(
                    provider,
                    f"SQL Server {server.licences.sql} licence-included",
                    ctx.why(f"sql:{server.licences.sql}"),
                    server.id,
                )
            else:
                sql_d[start] += quote.monthly * cores
        if sized.disks_monthly is None:
            unpriced.add(
                provider, "disks", "; ".join(sized.notes) or "disk price unknown", server.id
            )
        else:
            if id(sized.disks) not in recorded:  # servers of one shape share their disks
                recorded.add(id(sized.disks))
                _record_disks(ctx, sized)
            disks_d[start] += sized.disks_monthly
        amount = backup_monthly(provider, sum(server.disks_gb), backup)
        if amount is None:
            unpriced.add(provider, "backup", ctx.why("backup:storage"), server.id)
        else:
            backup_d[start] += amount
        active[start] += 1.0
        if not server.migrated:  # an already moved server's effort is spent, not to come
            effort = (
                options.effort_hours_by_role.get(server.role, 0.0)
                * options.readiness_effort_factor.get(sized.readiness, 1.0)
                * options.migration_rate_per_hour
            )
            series.once("migration_effort", start, effort)
    running = 0.0
    for index in range(months):
        running += active[index]
        result.active.append(running)
    _per_server(ctx, series, options, result.active)
    _landing_zone(ctx, series, plan, months, first_year)
    _entrances(ctx, series, catalog, plan, options, months, first_year)
    _saas(series, catalog, plan, months, first_year)
    _support(ctx, series, months)
    return result


def _os_licence(
    ctx: _Ctx, server_id: str, sized: ServerSizing, allocation: Allocation
) -> float | None:
    """The server's OS licence per month (0 under Hybrid Benefit); None when unpriced."""
    product = sized.licence_product
    if product == "none":
        return 0.0
    if product == "windows" and server_id in allocation.windows:
        return 0.0
    if sized.licence_included_monthly is None:
        name = {"windows": "Windows Server", "rhel": "RHEL", "sles": "SLES"}[product]
        item = f"os:{product}" if product != "windows" else f"vm:{sized.sku}"
        option = (
            ("small" if (sized.sku_vcpu or 0) <= 4 else "large")
            if product != "windows"
            else "windows-payg"
        )
        ctx.unpriced.add(ctx.provider, f"{name} licence", ctx.why(item, option), server_id)
        return None
    if product == "windows":
        ctx.quote(f"vm:{sized.sku}", "windows-payg")
    else:
        ctx.quote(f"os:{product}", "small" if (sized.sku_vcpu or 0) <= 4 else "large")
    return sized.licence_included_monthly


def _record_disks(ctx: _Ctx, sized: ServerSizing) -> None:
    for disk in sized.disks:
        if disk.tier is None:
            continue
        tier = disk.tier.split(" ")[0]
        ctx.quote("ebs:gp3" if tier == "gp3" else f"disk:{tier}")


BACKUP_KEYS = {"azure": ("instance-50", "instance-500", "instance-per-500", "storage")}


def backup_prices(book: PriceBook) -> dict[str, float | None]:
    """The book's backup prices (EUR) by key; None where unknown."""
    prices: dict[str, float | None] = {}
    for key in BACKUP_KEYS.get(book.provider, ("storage",)):
        quote = book.quote(f"backup:{key}")
        prices[key] = quote.monthly if quote is not None else None
    return prices


def _backup_prices(ctx: _Ctx) -> dict[str, float | None]:
    for key in BACKUP_KEYS.get(ctx.provider, ("storage",)):
        ctx.quote(f"backup:{key}")  # recorded as used
    return backup_prices(ctx.book)


def backup_monthly(
    provider: str, protected_gb: float, prices: dict[str, float | None]
) -> float | None:
    """Backup per month: protected-instance fee by size band (Azure) + storage per GB."""
    storage = prices.get("storage")
    if storage is None:
        return None
    if provider == "aws":
        return storage * protected_gb
    small, medium, per500 = (
        prices.get("instance-50"),
        prices.get("instance-500"),
        prices.get("instance-per-500"),
    )
    if protected_gb <= 50:
        fee = small
    elif protected_gb <= 500:
        fee = medium
    else:
        fee = (
            None
            if medium is None or per500 is None
            else medium + per500 * math.ceil((protected_gb - 500) / 500)
        )
    return None if fee is None else fee + storage * protected_gb


def _per_server(ctx: _Ctx, series: Series, options: CostOptions, active: list[float]) -> None:
    """Egress (after the free allowance), log ingestion and operations per active server."""
    egress = ctx.quote("egress:gb")
    free = ctx.quote("egress:free-gb")
    free_gb = free.monthly if free is not None and free.monthly is not None else 0.0
    logging = ctx.quote("logging:gb")
    ops = options.ops_per_server()
    egress_values, logging_values, ops_values = [], [], []
    for count in active:
        volume = count * options.egress_gb_per_server
        egress_values.append(
            max(0.0, volume - free_gb) * egress.monthly
            if egress is not None and egress.monthly is not None
            else 0.0
        )
        logs = count * options.logging_gb_per_server
        logging_values.append(
            logs * logging.monthly if logging is not None and logging.monthly is not None else 0.0
        )
        ops_values.append(count * ops)
    if any(active):
        if egress is None:
            ctx.unpriced.add(ctx.provider, "internet egress", ctx.why("egress:gb"))
        if logging is None and options.logging_gb_per_server > 0:
            ctx.unpriced.add(ctx.provider, "log ingestion", ctx.why("logging:gb"))
    series.add_monthly("egress", egress_values)
    series.add_monthly("logging", logging_values)
    series.add_monthly("operations", ops_values)


def _landing_zone(ctx: _Ctx, series: Series, plan: Plan, months: int, first_year: int) -> None:
    """VPN gateway while needed; remote access and key vault from the first wave on."""
    if not plan.waves:
        return
    waves = {w.number: w for w in plan.waves}
    start = month_index(min(w.start for w in plan.waves), first_year)
    vpn_end = month_index(max(w.end for w in plan.waves), first_year)  # the move needs it
    for flow in plan.hybrid_flows:
        if flow.kind == "retained" or flow.from_wave is None or flow.to_wave is None:
            vpn_end = months - 1
            break
        later = waves.get(max(flow.from_wave, flow.to_wave))
        if later is not None:
            vpn_end = max(vpn_end, month_index(later.end, first_year))
    if ctx.provider == "azure":  # an Azure VPN gateway and Bastion need a public IP each
        quote = ctx.quote("ip:public")
        if quote is not None and quote.monthly is not None:
            series.run("vpn", start, vpn_end, quote.monthly)
            series.run("remote_access", start, months - 1, quote.monthly)
    for item, component, end, what in (
        ("vpn:gateway", "vpn", vpn_end, "VPN gateway"),
        ("bastion:host", "remote_access", months - 1, "remote access (Bastion / SSM)"),
        ("keyvault:vault", "key_vault", months - 1, "key vault"),
    ):
        quote = ctx.quote(item)
        if quote is None or quote.monthly is None:
            ctx.unpriced.add(ctx.provider, what, ctx.why(item))
            continue
        series.run(component, start, end, quote.monthly)


def _entrances(
    ctx: _Ctx,
    series: Series,
    catalog: Catalog,
    plan: Plan,
    options: CostOptions,
    months: int,
    first_year: int,
) -> None:
    """A gateway with one capacity unit and a public IP per citizen-facing unit (system and
    environment: each has its own subnet and gateway in the generated stacks)."""
    waves = {w.number: w for w in plan.waves}
    first: dict[tuple[str, str], int] = {}
    systems = catalog.systems_by_id
    for server in catalog.servers:
        system = systems[server.system]
        planned = plan.servers.get(server.id)
        if system.level != "citizen" or system.disposition not in MIGRATING_DISPOSITIONS:
            continue
        if planned is None or planned.wave is None or planned.wave not in waves:
            continue
        start = month_index(waves[planned.wave].start, first_year)
        unit = (system.id, server.environment)
        first[unit] = min(first.get(unit, start), start)
    if not first or options.public_entrances <= 0:
        return
    parts = [ctx.quote(i) for i in ("entrance:gateway", "entrance:unit", "ip:public")]
    if any(p is None or p.monthly is None for p in parts):
        ctx.unpriced.add(ctx.provider, "public entrances", ctx.why("entrance:gateway"), None)
        return
    monthly = sum(p.monthly for p in parts if p is not None and p.monthly is not None)
    for start in first.values():
        series.run("public_entrances", start, months - 1, monthly * options.public_entrances)


def _saas(series: Series, catalog: Catalog, plan: Plan, months: int, first_year: int) -> None:
    if not plan.waves:
        return
    start = month_index(min(w.start for w in plan.waves), first_year)
    for system in catalog.systems:
        if system.disposition == "repurchase" and system.saas_monthly_cost:
            series.run("saas", start, months - 1, system.saas_monthly_cost)


def _support(ctx: _Ctx, series: Series, months: int) -> None:
    """The support plan: the greater of its minimum and its tiered share of monthly usage."""
    minimum = ctx.quote("support:minimum")
    if minimum is None or minimum.monthly is None:
        ctx.unpriced.add(ctx.provider, "support plan", ctx.why("support:minimum"))
        return
    tiers: list[tuple[float, float]] = []
    for entry in ctx.book.doc.entries:
        if entry.item == "support:share" and entry.price is not None:
            threshold = ctx.book.to_eur(float(entry.option or 0), entry.currency)
            tiers.append((threshold, entry.price))
            ctx.quote("support:share", entry.option)
    tiers.sort()
    monthly = series.monthly()
    values = []
    started = False
    for index in range(months):
        usage = sum(monthly[c][index] for c in PRICED_COMPONENTS if c != "support")
        started = started or usage > 0
        if not started:
            values.append(0.0)
            continue
        share = 0.0
        for number, (threshold, rate) in enumerate(tiers):
            upper = tiers[number + 1][0] if number + 1 < len(tiers) else math.inf
            share += max(0.0, min(usage, upper) - threshold) * rate
        values.append(max(minimum.monthly, share))
    series.add_monthly("support", values)
