"""The cost model: ÅDA vs Azure vs AWS, monthly over a horizon of budget years.

Series (all EUR, monthly, summed per budget year; see :data:`METHOD` for the text that goes
into cost.json):

- ``stay``: staying at ÅDA for the whole horizon (the reference for break-even).
- ``ada``: what ÅDA still costs on the move path: each server until its wave's cutover plus a
  decommission lag, the base fee until the contract ends or the last wave is decommissioned
  (for the whole horizon while servers are retained), licences of retired and repurchased
  systems until the exit, and the exit fee.
- ``azure`` / ``aws``: the cloud run costs from each server's wave start (compute by pricing
  option, Windows and SQL licences, disks, backup, egress, landing zone, SaaS replacing
  repurchased systems) plus one-time migration effort.
- ``paths``: ``ada`` + the cloud series, i.e. the whole cost of moving to that cloud; the
  break-even month compares it with ``stay``.

Application licences of systems that are kept (migrated or retained) cost the same on every
path; they are left out of every series and listed under ``unchanged``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from migration.catalog import MIGRATING_DISPOSITIONS, Catalog, Server
from migration.plan import Plan
from migration.pricing.book import PriceBook
from migration.sizing.readiness import CONDITIONAL, NOT_READY, READY, UNKNOWN
from migration.sizing.sizing import ServerSizing, Sizer, SizingOptions, make_sizer

SCHEMA_VERSION = 1
PROVIDERS = ("azure", "aws")
LABELS = {"ada": "ÅDA", "azure": "Azure", "aws": "AWS", "stay": "ÅDA (stay)"}
OPTIONS = ("payg", "reserved-1y", "reserved-3y", "savings-plan-1y", "savings-plan-3y")
OPTION_ALIASES = {"savings-plan": "savings-plan-1y"}
DATA_ACT_SWITCHING_DATE = date(2027, 1, 12)
DATA_ACT_SOURCE = "EU Data Act (Regulation (EU) 2023/2854) Art. 25, 29"
ADA_COMPONENTS = ("servers", "base_fee", "licences", "exit_fee")
CLOUD_COMPONENTS = (
    "compute",
    "windows_licence",
    "sql_licence",
    "disks",
    "backup",
    "egress",
    "landing_zone",
    "saas",
    "migration_effort",
)
PRICED_COMPONENTS = frozenset(
    {"compute", "windows_licence", "sql_licence", "disks", "backup", "egress", "landing_zone"}
)
ONE_TIME_COMPONENTS = frozenset({"exit_fee", "migration_effort"})
DEFAULT_EFFORT_HOURS = {
    "web": 8.0,
    "app": 16.0,
    "db": 24.0,
    "file": 12.0,
    "infra": 16.0,
    "other": 12.0,
}
DEFAULT_READINESS_FACTOR = {READY: 1.0, CONDITIONAL: 1.5, UNKNOWN: 2.0, NOT_READY: 3.0}

METHOD = {
    "stay": "Staying at ÅDA for the whole horizon: every server's monthly_cost, the base fee, "
    "and licences of systems that would be retired or repurchased.",
    "ada": "ÅDA on the move path: each server's monthly_cost until its wave ends plus the "
    "decommission lag (retained servers for the whole horizon; retired and repurchased "
    "ones until the exit), the base fee until the contract ends or the last wave is "
    "decommissioned (the whole horizon while servers are retained), licences of "
    "retired and repurchased systems until the exit, and the exit fee in the exit month.",
    "cloud": "Azure and AWS: run costs from each server's wave start (compute by pricing "
    "option, Windows and SQL licences, disks, backup by protected size, internet "
    "egress, landing zone from the first wave: VPN gateway while hybrid flows exist, "
    "logging, key vault; SQL Server licence-included, as Windows Server Software "
    "Assurance does not cover it), SaaS replacing repurchased systems from the first "
    "wave, and one-time migration effort per server by role and readiness in its "
    "wave's start month (none for servers already migrated).",
    "paths": "ÅDA on the move path + the cloud series: the whole cost of moving to that cloud.",
    "break_even": "First month from which the path's cumulative cost stays at or below "
    "staying at ÅDA until the end of the horizon (null: never within it).",
    "sensitivity": "Cloud totals with every price-book-derived component at -/+ the "
    "sensitivity share; effort and SaaS unchanged.",
    "unchanged": "Application licences of kept systems: the same on every path, left out.",
}


@dataclass(frozen=True)
class CostOptions:
    """Everything the cost model assumes; every value lands in cost.json ``assumptions``."""

    option: str = "payg"
    years: tuple[int, ...] | None = None  # budget years; default: the plan's years + extra
    extra_years: int = 3
    decommission_lag_days: int = 30
    discount_rate: float = 0.03
    sensitivity: float = 0.2
    migration_rate_per_hour: float = 95.0
    effort_hours_by_role: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_EFFORT_HOURS)
    )
    readiness_effort_factor: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_READINESS_FACTOR)
    )
    egress_gb_per_server: float = 20.0
    azure_region: str | None = None
    aws_region: str | None = None
    sizing: SizingOptions = SizingOptions()
    books_dir: Path | None = None

    def __post_init__(self) -> None:
        option = OPTION_ALIASES.get(self.option, self.option)
        if option not in OPTIONS:
            raise ValueError(f"option must be one of {', '.join(OPTIONS)}, got {self.option!r}")
        object.__setattr__(self, "option", option)
        if not 0 <= self.sensitivity < 1:
            raise ValueError(f"sensitivity must be in [0, 1), got {self.sensitivity}")
        if self.years is not None:
            # the monthly series index months from the first year on: a gap would shift
            # every later year's figures into the wrong column
            ordered = sorted(set(self.years))
            if not ordered or ordered != list(range(ordered[0], ordered[-1] + 1)):
                raise ValueError(f"years must be consecutive budget years, got {self.years}")

    def region(self, provider: str, plan: Plan) -> str | None:
        """Planned region for a provider: the option, else the plan's region for its target."""
        chosen = self.azure_region if provider == "azure" else self.aws_region
        if chosen is not None:
            return chosen
        return plan.target.region if plan.target.provider == provider else None


class Series:
    """Monthly amounts per component, accumulated with difference arrays."""

    def __init__(self, months: int, components: tuple[str, ...]) -> None:
        self.months = months
        self._diff = {c: [0.0] * (months + 1) for c in components}

    def run(self, component: str, start: int, end: int, amount: float) -> None:
        """Add ``amount`` every month from index ``start`` through ``end`` (inclusive)."""
        start = max(start, 0)
        end = min(end, self.months - 1)
        if end < start or amount == 0:
            return
        diff = self._diff[component]
        diff[start] += amount
        diff[end + 1] -= amount

    def once(self, component: str, month: int, amount: float) -> None:
        """Add a one-time amount in one month (dropped outside the horizon)."""
        if 0 <= month < self.months:
            self.run(component, month, month, amount)

    def add_monthly(self, component: str, values: list[float]) -> None:
        """Add a whole monthly vector."""
        diff = self._diff[component]
        previous = 0.0
        for index, value in enumerate(values):
            diff[index] += value - previous
            previous = value
        diff[len(values)] -= previous

    def monthly(self) -> dict[str, list[float]]:
        """Component -> monthly amounts."""
        result: dict[str, list[float]] = {}
        for component, diff in self._diff.items():
            values: list[float] = []
            running = 0.0
            for delta in diff[:-1]:
                running += delta
                values.append(running)
            result[component] = values
        return result


@dataclass
class _Warnings:
    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, code: str, key: str, message: str, subject: str | None = None) -> None:
        entry = self.items.setdefault(
            f"{code}|{key}", {"code": code, "message": message, "subjects": []}
        )
        if subject is not None:
            entry["subjects"].append(subject)

    def render(self) -> list[dict[str, Any]]:
        out = []
        for _key, entry in sorted(self.items.items()):
            subjects = sorted(entry["subjects"])
            message = entry["message"]
            if subjects:
                shown = ", ".join(subjects[:5]) + (" ..." if len(subjects) > 5 else "")
                message = f"{message} ({len(subjects)}: {shown})"
            out.append({"code": entry["code"], "message": message, "subjects": subjects})
        return out


def _month_index(day: date, first_year: int) -> int:
    return (day.year - first_year) * 12 + day.month - 1


def plan_years(plan: Plan, catalog: Catalog, extra: int) -> tuple[int, ...]:
    """The plan's years (first wave start to last wave end) plus ``extra`` years."""
    if plan.waves:
        first = min(w.start for w in plan.waves).year
        last = max(w.end for w in plan.waves).year
    else:
        first = last = catalog.planning.start.year
    return tuple(range(first, last + extra + 1))


@dataclass(frozen=True)
class CostReport:
    """The computed comparison; :meth:`to_json_dict` is the cost.json document."""

    document: dict[str, Any]
    monthly: dict[str, dict[str, list[float]]]  # series -> component -> monthly amounts
    months: tuple[str, ...]  # "YYYY-MM"
    sizing: dict[str, dict[str, ServerSizing]]  # provider -> server id -> sizing

    def to_json_dict(self) -> dict[str, Any]:
        """The cost.json document (schema_version 1)."""
        return self.document


def _r(value: float) -> float:
    return round(value + 0.0, 2)


def _cloud_series(
    catalog: Catalog,
    plan: Plan,
    options: CostOptions,
    provider: str,
    sizer: Sizer,
    sizing: dict[str, ServerSizing],
    months: int,
    first_year: int,
    warnings: _Warnings,
) -> Series:
    series = Series(months, CLOUD_COMPONENTS)
    book = sizer.book
    label = LABELS[provider]
    systems = catalog.systems_by_id
    option = options.option
    waves = {w.number: w for w in plan.waves}
    wave_start = {n: _month_index(w.start, first_year) for n, w in waves.items()}
    active = [0.0] * (months + 1)
    option_key = {
        "reserved-1y": "linux-reserved-1y",
        "reserved-3y": "linux-reserved-3y",
        "savings-plan-1y": "linux-savings-plan-1y",
        "savings-plan-3y": "linux-savings-plan-3y",
    }.get(option)
    backup = _backup_prices(book)
    diff = series._diff
    compute_d, windows_d, disks_d, backup_d = (
        diff["compute"],
        diff["windows_licence"],
        diff["disks"],
        diff["backup"],
    )
    msg_compute = f"{label}: compute price unknown, left out of the totals"
    msg_windows = f"{label}: Windows licence-included price unknown, left out of the totals"
    msg_disks = f"{label}: disk price unknown, left out of the totals"
    msg_backup = f"{label}: backup price unknown, left out of the totals"
    msg_option = f"{label}: {option} price unknown; priced pay-as-you-go (an upper bound)"
    option_quotes: dict[str, float | None] = {}
    for server in catalog.servers:
        planned = plan.servers.get(server.id)
        system = systems[server.system]
        if system.disposition not in MIGRATING_DISPOSITIONS:
            continue
        if planned is None or planned.wave is None or planned.wave not in waves:
            continue  # warned once in the ÅDA series
        sized = sizing[server.id]
        start = max(0, wave_start[planned.wave])
        end = months - 1
        if start >= months:
            continue
        if sized.sku is None:
            warnings.add("not-sized", provider, f"{label}: no size fits; not costed", server.id)
            continue
        # compute by option
        compute = sized.compute_monthly
        if option_key is not None:
            if sized.sku not in option_quotes:
                quote = book.quote(f"vm:{sized.sku}", option_key)
                option_quotes[sized.sku] = quote.monthly if quote is not None else None
            reserved = option_quotes[sized.sku]
            if reserved is not None:
                compute = reserved
            else:
                warnings.add("option-price-unknown", f"{provider}|{option}", msg_option, sized.sku)
        # every cloud run cost lasts to the horizon's end: only the start enters the diff
        if compute is None:
            warnings.add("price-unknown", f"{provider}|compute", msg_compute, sized.sku)
        else:
            compute_d[start] += compute
        if sized.licence_monthly is None:
            warnings.add("price-unknown", f"{provider}|windows", msg_windows, server.id)
        else:
            windows_d[start] += sized.licence_monthly
        if server.licences.sql != "none":
            _sql(series, server, sized, book, provider, start, end, warnings)
        if sized.disks_monthly is None:
            warnings.add("price-unknown", f"{provider}|disks", msg_disks, server.id)
        else:
            disks_d[start] += sized.disks_monthly
        amount = _backup_monthly(provider, sum(server.disks_gb), backup)
        if amount is None:
            warnings.add("price-unknown", f"{provider}|backup", msg_backup, server.id)
        else:
            backup_d[start] += amount
        active[start] += 1.0
        if server.migrated:
            continue  # already moved: its migration effort is spent, not to come
        effort = (
            options.effort_hours_by_role.get(server.role, 0.0)
            * options.readiness_effort_factor.get(sized.readiness, 1.0)
            * options.migration_rate_per_hour
        )
        series.once("migration_effort", start, effort)
    # egress: per-account free allowance, so computed from the monthly number of servers
    egress = book.quote("egress:gb")
    free = book.quote("egress:free-gb")
    free_gb = free.monthly if free is not None and free.monthly is not None else 0.0
    if free is not None and free.entry.currency == "USD" and free.monthly is not None:
        free_gb = free.entry.price or 0.0  # a GB allowance, not money: undo the conversion
    running = 0.0
    egress_values: list[float] = []
    for index in range(months):
        running += active[index]
        volume = running * options.egress_gb_per_server
        if egress is None or egress.monthly is None:
            egress_values.append(0.0)
            if volume > free_gb:
                warnings.add(
                    "price-unknown",
                    f"{provider}|egress",
                    f"{label}: egress price unknown, left out of the totals",
                )
        else:
            egress_values.append(max(0.0, volume - free_gb) * egress.monthly)
    series.add_monthly("egress", egress_values)
    _landing_zone(series, plan, provider, book, months, first_year, warnings)
    _saas(series, catalog, plan, months, first_year)
    return series


def _sql(
    series: Series,
    server: Server,
    sized: ServerSizing,
    book: PriceBook,
    provider: str,
    start: int,
    end: int,
    warnings: _Warnings,
) -> None:
    edition = server.licences.sql
    if edition == "none":
        return
    if server.licences.sql_software_assurance:
        # the city's own SQL Server licences move: Azure Hybrid Benefit for SQL Server, AWS
        # License Mobility on shared tenancy; no licence-included charge in the cloud
        return
    # Windows Server Software Assurance does not cover SQL Server: Hybrid Benefit and License
    # Mobility for SQL Server need SQL Server licences with their own SA
    # (licences.sql_software_assurance). Without it SQL Server is priced licence-included.
    warnings.add(
        "sql-licence-included",
        provider,
        f"{LABELS[provider]}: SQL Server priced licence-included (no "
        "licences.sql_software_assurance in the catalog; Windows Server SA does not "
        "cover SQL Server)",
        server.id,
    )
    quote = book.quote(f"sql:{edition}")
    cores = max(4, sized.sku_vcpu or server.vcpu)  # SQL Server is licensed per core, min 4
    if quote is None or quote.monthly is None:
        warnings.add(
            "price-unknown",
            f"{provider}|sql-{edition}",
            f"{LABELS[provider]}: SQL Server {edition} licence-included price unknown, "
            "left out of the totals",
            server.id,
        )
        return
    series.run("sql_licence", start, end, quote.monthly * cores)


def _backup_prices(book: PriceBook) -> dict[str, float | None]:
    prices: dict[str, float | None] = {}
    for key in ("instance-50", "instance-500", "instance-per-500", "storage"):
        quote = book.quote(f"backup:{key}")
        prices[key] = quote.monthly if quote is not None else None
    return prices


def _backup_monthly(
    provider: str, protected_gb: float, prices: dict[str, float | None]
) -> float | None:
    """Backup per month: protected-instance fee by size band (Azure) + storage per GB."""
    storage = prices["storage"]
    if storage is None:
        return None
    if provider == "aws":
        return storage * protected_gb
    small, medium, per500 = (
        prices["instance-50"],
        prices["instance-500"],
        prices["instance-per-500"],
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


def _landing_zone(
    series: Series,
    plan: Plan,
    provider: str,
    book: PriceBook,
    months: int,
    first_year: int,
    warnings: _Warnings,
) -> None:
    if not plan.waves:
        return
    waves = {w.number: w for w in plan.waves}
    start = _month_index(min(w.start for w in plan.waves), first_year)
    last_wave_end = _month_index(max(w.end for w in plan.waves), first_year)
    vpn_end = last_wave_end  # the migration itself needs the link
    for flow in plan.hybrid_flows:
        if flow.kind == "retained" or flow.from_wave is None or flow.to_wave is None:
            vpn_end = months - 1
            break
        later = waves.get(max(flow.from_wave, flow.to_wave))
        if later is not None:
            vpn_end = max(vpn_end, _month_index(later.end, first_year))
    label = LABELS[provider]
    for item, end, what in (
        ("vpn:gateway", vpn_end, "VPN gateway"),
        ("logging:workspace", months - 1, "logging"),
        ("keyvault:vault", months - 1, "key vault"),
    ):
        quote = book.quote(item)
        if quote is None or quote.monthly is None:
            warnings.add(
                "price-unknown",
                f"{provider}|{item}",
                f"{label}: {what} price unknown, left out of the landing zone",
            )
            continue
        series.run("landing_zone", start, end, quote.monthly)


def _saas(series: Series, catalog: Catalog, plan: Plan, months: int, first_year: int) -> None:
    if not plan.waves:
        return
    start = _month_index(min(w.start for w in plan.waves), first_year)
    for system in catalog.systems:
        if system.disposition == "repurchase" and system.saas_monthly_cost:
            series.run("saas", start, months - 1, system.saas_monthly_cost)


def _ada_series(
    catalog: Catalog,
    plan: Plan,
    options: CostOptions,
    months: int,
    first_year: int,
    warnings: _Warnings,
) -> tuple[Series, Series, dict[str, Any]]:
    """(stay, move-path ÅDA, facts) series."""
    stay = Series(months, ADA_COMPONENTS)
    move = Series(months, ADA_COMPONENTS)
    end = months - 1
    lag = timedelta(days=options.decommission_lag_days)
    waves = {w.number: w for w in plan.waves}
    systems = catalog.systems_by_id
    migrating_waves = [w for w in plan.waves if w.servers] or list(plan.waves)
    exit_day = (
        (max(w.end for w in migrating_waves) + lag) if migrating_waves else catalog.planning.start
    )
    exit_month = _month_index(exit_day, first_year)
    retained = False
    parallel = 0.0
    for server in catalog.servers:
        system = systems[server.system]
        cost = server.monthly_cost
        if cost is None:
            warnings.add(
                "monthly-cost-missing",
                "ada",
                "ÅDA: server has no monthly_cost; its hosting is left out",
                server.id,
            )
            cost = 0.0
        stay.run("servers", 0, end, cost)
        planned = plan.servers.get(server.id)
        if system.disposition in MIGRATING_DISPOSITIONS:
            if planned is None or planned.wave is None or planned.wave not in waves:
                warnings.add(
                    "not-in-plan",
                    "ada",
                    "server of a migrating system has no wave "
                    "in the plan; costed as staying at ÅDA",
                    server.id,
                )
                retained = True
                move.run("servers", 0, end, cost)
                continue
            wave = waves[planned.wave]
            last = _month_index(wave.end + lag, first_year)
            move.run("servers", 0, last, cost)
            first_cloud = _month_index(wave.start, first_year)
            parallel += cost * max(0, min(last, end) - max(first_cloud, 0) + 1)
        elif system.disposition == "retain":
            retained = True
            move.run("servers", 0, end, cost)
        else:  # retire, repurchase: switched off at the exit
            move.run("servers", 0, exit_month, cost)
    base = catalog.contract.monthly_base_fee or 0.0
    stay.run("base_fee", 0, end, base)
    if retained:
        move.run("base_fee", 0, end, base)
    else:
        base_end = exit_month
        if catalog.contract.ends is not None:
            base_end = max(base_end, _month_index(catalog.contract.ends, first_year))
        move.run("base_fee", 0, base_end, base)
    unchanged = 0.0
    for system in catalog.systems:
        licence = system.monthly_licence_cost or 0.0
        if system.disposition in ("retire", "repurchase"):
            stay.run("licences", 0, end, licence)
            move.run("licences", 0, exit_month, licence)
        else:
            unchanged += licence
    if catalog.contract.exit_fee:
        move.once("exit_fee", exit_month, catalog.contract.exit_fee)
        if exit_month >= months:
            warnings.add(
                "exit-fee-outside-horizon",
                "ada",
                "the exit fee falls after the horizon and is left out",
            )
    facts = {
        "exit_date": exit_day.isoformat(),
        "parallel_running": _r(parallel),
        "unchanged_monthly_licences": _r(unchanged),
    }
    return stay, move, facts


def _yearly(values: list[float], years: tuple[int, ...]) -> dict[str, float]:
    return {str(y): _r(sum(values[i * 12 : (i + 1) * 12])) for i, y in enumerate(years)}


def _cumulative(yearly: dict[str, float]) -> dict[str, float]:
    running = 0.0
    out = {}
    for year, value in yearly.items():
        running += value
        out[year] = _r(running)
    return out


def _npv(values: list[float], rate: float) -> float:
    return _r(sum(v / (1 + rate) ** (i / 12) for i, v in enumerate(values)))


def _total_monthly(
    components: dict[str, list[float]], months: int, scale: float = 1.0
) -> list[float]:
    totals = [0.0] * months
    for component, values in components.items():
        factor = scale if component in PRICED_COMPONENTS else 1.0
        for i, v in enumerate(values):
            totals[i] += v * factor
    return totals


def break_even(
    path: list[float], stay: list[float], labels: tuple[str, ...], not_before: int
) -> str | None:
    """First month from which the path's cumulative cost stays <= staying's, or None."""
    cum_path = cum_stay = 0.0
    ok_from: int | None = None
    for i, (p, s) in enumerate(zip(path, stay, strict=True)):
        cum_path += p
        cum_stay += s
        if cum_path <= cum_stay + 1e-6:
            if ok_from is None:
                ok_from = i
        else:
            ok_from = None
    if ok_from is None:
        return None
    return labels[max(ok_from, min(not_before, len(labels) - 1))]


def _series_doc(
    label: str, components: dict[str, list[float]], years: tuple[int, ...], rate: float
) -> dict[str, Any]:
    months = len(years) * 12
    totals = _total_monthly(components, months)
    yearly = _yearly(totals, years)
    one_time = sum(sum(v) for c, v in components.items() if c in ONE_TIME_COMPONENTS)
    return {
        "label": label,
        "yearly": yearly,
        "cumulative": _cumulative(yearly),
        "one_time": _r(one_time),
        "npv": _npv(totals, rate),
        "total": _r(sum(totals)),
        "components": {c: _yearly(v, years) for c, v in sorted(components.items())},
    }


def compare_costs(
    catalog: Catalog,
    plan: Plan,
    options: CostOptions | None = None,
    *,
    books: Mapping[str, PriceBook] | None = None,
) -> CostReport:
    """Cost ÅDA (stay and move path), Azure and AWS for a plan; see the module docstring."""
    opts = options or CostOptions()
    years = opts.years or plan_years(plan, catalog, opts.extra_years)
    years = tuple(sorted(years))
    first_year = years[0]
    months = len(years) * 12
    labels = tuple(f"{first_year + i // 12:04d}-{i % 12 + 1:02d}" for i in range(months))
    warnings = _Warnings()
    stay, move, facts = _ada_series(catalog, plan, opts, months, first_year, warnings)
    monthly: dict[str, dict[str, list[float]]] = {"stay": stay.monthly(), "ada": move.monthly()}
    sizing: dict[str, dict[str, ServerSizing]] = {}
    book_docs = []
    sizing_opts = (
        opts.sizing if opts.books_dir is None else replace(opts.sizing, books_dir=opts.books_dir)
    )
    for provider in PROVIDERS:
        region = opts.region(provider, plan)
        book = books.get(provider) if books else None
        sizer = make_sizer(catalog, provider, region, sizing_opts, book)
        sized = _size_migrating(catalog, sizer)
        sizing[provider] = sized
        series = _cloud_series(
            catalog, plan, opts, provider, sizer, sized, months, first_year, warnings
        )
        monthly[provider] = series.monthly()
        doc = sizer.book.doc
        note = None
        if doc.region != sizer.region:
            note = f"priced as {doc.region}"
            warnings.add(
                "priced-as",
                provider,
                f"{LABELS[provider]}: no price book for {sizer.region}; priced as "
                f"{doc.region} ({doc.source}, {doc.retrieved})",
            )
        if doc.fx is not None and doc.fx.basis == "assumed":
            warnings.add(
                "fx-assumed",
                provider,
                f"{LABELS[provider]}: USD prices converted at an assumed rate of "
                f"{doc.fx.eur_per_usd} EUR/USD ({doc.fx.date}); refresh the book",
            )
        book_docs.append(
            {
                "provider": provider,
                "region": doc.region,
                "planned_region": sizer.region,
                "source": doc.source,
                "retrieved": doc.retrieved,
                "currency": "EUR",
                "source_currency": sorted({e.currency for e in doc.entries}) or ["EUR"],
                "fx": doc.fx.model_dump() if doc.fx else None,
                "file": sizer.book.path.name,
                "note": note,
            }
        )
    rate = opts.discount_rate
    providers = {
        "ada": _series_doc(LABELS["ada"], monthly["ada"], years, rate),
        "azure": _series_doc(LABELS["azure"], monthly["azure"], years, rate),
        "aws": _series_doc(LABELS["aws"], monthly["aws"], years, rate),
    }
    for provider in PROVIDERS:
        providers[provider]["pricing_option"] = opts.option
    stay_total = _total_monthly(monthly["stay"], months)
    ada_total = _total_monthly(monthly["ada"], months)
    first_move = _month_index(min(w.start for w in plan.waves), first_year) if plan.waves else 0
    paths: dict[str, Any] = {}
    breaks: dict[str, str | None] = {}
    sensitivity: dict[str, Any] = {}
    for provider in PROVIDERS:
        cloud = _total_monthly(monthly[provider], months)
        path = [a + c for a, c in zip(ada_total, cloud, strict=True)]
        yearly = _yearly(path, years)
        paths[provider] = {
            "label": f"ÅDA + {LABELS[provider]}",
            "yearly": yearly,
            "cumulative": _cumulative(yearly),
            "total": _r(sum(path)),
            "npv": _npv(path, rate),
        }
        breaks[provider] = break_even(path, stay_total, labels, first_move)
        sens: dict[str, Any] = {}
        for name, factor in (("low", 1 - opts.sensitivity), ("high", 1 + opts.sensitivity)):
            scaled = _total_monthly(monthly[provider], months, factor)
            sens[name] = _r(sum(scaled))
            sens[f"break_even_{name}"] = break_even(
                [a + c for a, c in zip(ada_total, scaled, strict=True)],
                stay_total,
                labels,
                first_move,
            )
        sensitivity[provider] = sens
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "currency": "EUR",
        "organisation": catalog.organisation,
        "target": {"provider": plan.target.provider, "region": plan.target.region},
        "catalog_sha256": plan.catalog_sha256,
        "years": list(years),
        "method": METHOD,
        "providers": providers,
        "stay": _series_doc(LABELS["stay"], monthly["stay"], years, rate),
        "paths": paths,
        "break_even": breaks,
        "sensitivity": sensitivity,
        "price_books": book_docs,
        "warnings": [{"code": w["code"], "message": w["message"]} for w in warnings.render()],
        "legal_flags": legal_flags(catalog, date.fromisoformat(facts["exit_date"])),
        "facts": facts,
        "assumptions": _assumptions(opts),
    }
    return CostReport(document=document, monthly=monthly, months=labels, sizing=sizing)


def _size_migrating(catalog: Catalog, sizer: Sizer) -> dict[str, ServerSizing]:
    systems = catalog.systems_by_id
    return {
        s.id: sizer.size(s)
        for s in catalog.servers
        if systems[s.system].disposition in MIGRATING_DISPOSITIONS
    }


def _assumptions(opts: CostOptions) -> dict[str, Any]:
    return {
        "pricing_option": opts.option,
        "decommission_lag_days": opts.decommission_lag_days,
        "discount_rate": opts.discount_rate,
        "sensitivity": opts.sensitivity,
        "migration_rate_per_hour": opts.migration_rate_per_hour,
        "effort_hours_by_role": dict(sorted(opts.effort_hours_by_role.items())),
        "readiness_effort_factor": dict(sorted(opts.readiness_effort_factor.items())),
        "egress_gb_per_server_month": opts.egress_gb_per_server,
        "comfort_factor": opts.sizing.comfort_factor,
        "performance_based": opts.sizing.performance_based,
        "families": {
            "azure": list(opts.sizing.azure_families),
            "aws": list(opts.sizing.aws_families),
        },
        "hours_per_month": 730,
    }


def legal_flags(catalog: Catalog, exit_day: date) -> list[dict[str, str]]:
    """Legal-review flags: notice over 2 months; an exit fee at an exit on/after 2027-01-12."""
    flags = []
    contract = catalog.contract
    if contract.notice_months > 2:
        flags.append(
            {
                "code": "notice-over-2-months",
                "message": f"The contract's notice period is {contract.notice_months} months; the "
                "EU Data Act caps the notice period for switching at 2 months if "
                f"{contract.provider} is a data processing service. Legal review needed.",
                "source": DATA_ACT_SOURCE,
            }
        )
    if contract.exit_fee and exit_day >= DATA_ACT_SWITCHING_DATE:
        flags.append(
            {
                "code": "exit-fee-data-act",
                "message": f"An exit fee of {contract.exit_fee:.2f} {catalog.currency} is due "
                f"at an exit on {exit_day}; from {DATA_ACT_SWITCHING_DATE} the EU Data Act bans "
                "switching charges if the service is in scope. Legal review needed.",
                "source": DATA_ACT_SOURCE,
            }
        )
    return flags
