"""Sizing: a target VM size, disks and a monthly price for every server.

Two bases, as Azure Migrate has them:

- ``as on-premises``: the allocated vCPU and memory;
- ``performance-based``: the p95 utilisation times a comfort factor (default 1.3), used for a
  server whose catalog entry has ``cpu_p95``/``memory_p95``.

The cheapest size from the allowed families that fits (vCPU, memory, number of data disks)
wins; ties go to fewer vCPU, less memory, then the name. Disks map to Azure Premium SSD tiers
by size band, or to AWS gp3 priced per GB. The monthly price is pay-as-you-go compute with the
Windows licence per catalog facts (Azure Hybrid Benefit when the server has Software Assurance;
on AWS Windows is always licence-included), from the price book with its source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from migration.catalog import Catalog, Server
from migration.pricing.book import PriceBook, PriceEntry, Quote, VmSize, find_book
from migration.sizing.options import (
    AS_ON_PREMISES,
    DEFAULT_FAMILIES,
    DEFAULT_REGION,
    PERFORMANCE_BASED,
    SizingOptions,
)
from migration.sizing.readiness import (
    CONDITIONAL,
    MAX_DISK_GB,
    MAX_OS_DISK_GB,
    NOT_READY,
    OsInfo,
    Readiness,
    classify_os,
    combine,
    os_readiness,
)
from migration.sizing.result import DiskSizing, ServerSizing, price_source
from migration.sizing.shapes import part_key, size_servers


@dataclass(frozen=True)
class _Choice:
    size: VmSize | None
    linux: Quote | None
    windows: Quote | None


class Sizer:
    """Sizes servers for one provider and region from one price book (with caches)."""

    def __init__(
        self, provider: str, region: str, book: PriceBook, options: SizingOptions, as_of: date
    ) -> None:
        self.provider = provider
        self.region = region
        self.book = book
        self.options = options
        self.as_of = as_of
        allowed = set(options.families(provider))
        offered = set(book.doc.offered)
        self.sizes = tuple(
            s
            for s in book.doc.sizes
            if (not allowed or s.family in allowed) and (not offered or s.name in offered)
        )
        self.all_sizes = tuple(s for s in book.doc.sizes if not offered or s.name in offered)
        self._choices: dict[tuple[int, float, int, bool], _Choice] = {}
        self._disks: dict[float, DiskSizing] = {}
        self._os: dict[str, OsInfo] = {}
        self._parts: dict[tuple[object, ...], _Part] = {}
        tiers = sorted(book.doc.disk_tiers, key=lambda t: t.size_gb)
        self._tiers = {
            "P": [t for t in tiers if not t.name.startswith("E")],
            "E": [t for t in tiers if t.name.startswith("E")],
        }

    # -- sizes ---------------------------------------------------------------------------
    def targets(self, server: Server) -> tuple[int, float, str]:
        """Target vCPU and memory and the basis they come from."""
        factor = self.options.comfort_factor
        if self.options.performance_based and (
            server.cpu_p95 is not None or server.memory_p95 is not None
        ):
            vcpu = server.vcpu
            memory = server.memory_gb
            if server.cpu_p95 is not None:
                vcpu = max(1, math.ceil(round(server.vcpu * server.cpu_p95 * factor, 6)))
            if server.memory_p95 is not None:
                memory = max(0.5, round(server.memory_gb * server.memory_p95 * factor, 3))
            return vcpu, memory, PERFORMANCE_BASED
        return server.vcpu, server.memory_gb, AS_ON_PREMISES

    def choose(self, vcpu: int, memory: float, data_disks: int, windows: bool) -> _Choice:
        """The cheapest fitting size (cached by requirement).

        ``windows``: the Windows licence-included price is paid (ranked by it); otherwise
        the Linux rate is (Linux, or Windows under Azure Hybrid Benefit).
        """
        key = (vcpu, memory, data_disks, windows)
        cached = self._choices.get(key)
        if cached is not None:
            return cached
        best: tuple[tuple[float, int, float, str], _Choice] | None = None
        for size in self.sizes:
            if size.vcpu < vcpu or size.memory_gb < memory or size.max_data_disks < data_disks:
                continue
            linux = self.book.quote(f"vm:{size.name}", "linux-payg")
            win = self.book.quote(f"vm:{size.name}", "windows-payg") if windows else None
            rank_price = math.inf
            if win is not None and win.monthly is not None:
                rank_price = win.monthly
            elif linux is not None and linux.monthly is not None:
                rank_price = linux.monthly
            rank = (rank_price, size.vcpu, size.memory_gb, size.name)
            if best is None or rank < best[0]:
                best = (rank, _Choice(size, linux, win))
        choice = best[1] if best is not None else _Choice(None, None, None)
        self._choices[key] = choice
        return choice

    # -- disks ---------------------------------------------------------------------------
    def disk(self, size_gb: float, production: bool = True) -> DiskSizing:
        """Tier and monthly price of one disk (cached by size): Azure Premium SSD for
        production, Standard SSD (E tiers, when the book has them) for test and dev, as the
        generated stacks create them; AWS gp3 for all."""
        cache_key = size_gb if production else -size_gb
        cached = self._disks.get(cache_key)
        if cached is not None:
            return cached
        # a disk beyond the largest volume is priced as the fewest equal volumes striped
        # together (its readiness says it must be split)
        count = max(1, math.ceil(size_gb / MAX_DISK_GB[self.provider]))
        part_gb = size_gb / count
        suffix = f" x{count}" if count > 1 else ""
        if self.provider == "aws":
            quote = self.book.quote("ebs:gp3")
            if quote is None or quote.monthly is None:
                result = DiskSizing(size_gb, "gp3" + suffix, None, "unknown")
            else:
                result = DiskSizing(
                    size_gb, "gp3" + suffix, quote.monthly * size_gb, quote.entry.basis
                )
        else:
            family = self._tiers["P"] if production or not self._tiers["E"] else self._tiers["E"]
            tier = next((t for t in family if t.size_gb >= part_gb), None)
            if tier is None:
                result = DiskSizing(size_gb, None, None, "unknown")
            else:
                quote = self.book.quote(f"disk:{tier.name}")
                if quote is None or quote.monthly is None:
                    result = DiskSizing(size_gb, tier.name + suffix, None, "unknown")
                else:
                    result = DiskSizing(
                        size_gb, tier.name + suffix, quote.monthly * count, quote.entry.basis
                    )
        self._disks[cache_key] = result
        return result

    def os_info(self, slug: str) -> OsInfo:
        """Cached :func:`classify_os`."""
        info = self._os.get(slug)
        if info is None:
            info = classify_os(slug)
            self._os[slug] = info
        return info

    # -- one server ----------------------------------------------------------------------
    def _part(self, server: Server) -> _Part:
        key = part_key(server)
        part = self._parts.get(key)
        if part is None:
            part = self._compute_part(server)
            self._parts[key] = part
        return part

    def compute_price(self, server: Server) -> float | None:
        """Compute + OS licence per month (no disks), cached by the server's shape."""
        return self._part(server).monthly

    def size(self, server: Server) -> ServerSizing:
        """Size, price and readiness of one server."""
        part = self._part(server)
        target = "Azure" if self.provider == "azure" else "AWS"
        found: list[tuple[str, str]] = []
        if server.disks_gb[0] > MAX_OS_DISK_GB[self.provider]:
            found.append(
                (
                    NOT_READY,
                    f"OS disk of {server.disks_gb[0]:g} GB is larger than "
                    f"{target}'s limit of {MAX_OS_DISK_GB[self.provider]:g} GB",
                )
            )
        for number, size_gb in enumerate(server.disks_gb[1:], start=1):
            if size_gb > MAX_DISK_GB[self.provider]:
                found.append(
                    (
                        NOT_READY,
                        f"disk {number} of {size_gb:g} GB is larger than "
                        f"{target}'s limit of {MAX_DISK_GB[self.provider]:g} GB",
                    )
                )
        verdict = combine([*part.found, *found]) if found else part.verdict
        disk_cache = self._disks
        prod = server.environment == "prod"
        sign = 1.0 if prod else -1.0
        disks = tuple(disk_cache.get(gb * sign) or self.disk(gb, prod) for gb in server.disks_gb)
        notes = part.notes
        total = 0.0
        disks_monthly: float | None = None
        for disk in disks:
            if disk.monthly_price is None:
                notes = (
                    *notes,
                    "disk price unknown for "
                    + ", ".join(
                        f"{d.size_gb:g} GB ({d.tier or 'no tier'})"
                        for d in disks
                        if d.monthly_price is None
                    ),
                )
                break
            total += disk.monthly_price
        else:
            disks_monthly = total
        size = part.size
        return ServerSizing(
            server_id=server.id,
            provider=self.provider,
            region=self.region,
            sku=size.name if size else None,
            readiness=verdict.level,
            readiness_reasons=verdict.reasons,
            monthly_price=part.monthly,
            price_source=part.source,
            basis=part.basis,
            target_vcpu=part.vcpu,
            target_memory_gb=part.memory,
            family=size.family if size else None,
            sku_vcpu=size.vcpu if size else None,
            sku_memory_gb=size.memory_gb if size else None,
            os_family=part.os_family,
            compute_monthly=part.compute,
            licence_model=part.licence_model,
            licence_monthly=part.licence,
            licence_product=part.product,
            licence_included_monthly=part.included,
            disks=disks,
            disks_monthly=disks_monthly,
            notes=notes,
        )

    def _compute_part(self, server: Server) -> _Part:
        """Everything that depends on the OS, size needs and licences, not on the disks."""
        info = self.os_info(server.os)
        target = "Azure" if self.provider == "azure" else "AWS"
        found = os_readiness(info, self.provider, self.as_of)
        vcpu, memory, basis = self.targets(server)
        data_disks = len(server.disks_gb) - 1
        windows = info.family == "windows"
        hybrid_benefit = (
            windows and self.provider == "azure" and server.licences.windows_software_assurance
        )
        # rank sizes by the price actually paid: with Hybrid Benefit that is the Linux rate
        choice = self.choose(vcpu, memory, data_disks, windows and not hybrid_benefit)
        notes: list[str] = []
        if choice.size is None:
            anywhere = any(
                s.vcpu >= vcpu and s.memory_gb >= memory and s.max_data_disks >= data_disks
                for s in self.all_sizes
            )
            need = f"{vcpu} vCPU, {memory:g} GB memory, {data_disks} data disks"
            if anywhere:
                found.append(
                    (
                        CONDITIONAL,
                        f"needs {need}: no size in the allowed families "
                        f"{', '.join(self.options.families(self.provider))} "
                        "fits; allow a larger family",
                    )
                )
            else:
                found.append(
                    (NOT_READY, f"needs {need}: beyond every {target} size in the price book")
                )
        compute = choice.linux.monthly if choice.linux is not None else None
        licence_model = "none"
        licence: float | None = 0.0
        included: float | None = 0.0
        product = _licence_product(info)
        entries: list[PriceEntry] = []
        if choice.linux is not None:
            entries.append(choice.linux.entry)
        if product == "windows":
            win = choice.windows or (
                self.book.quote(f"vm:{choice.size.name}", "windows-payg") if choice.size else None
            )
            if win is not None and win.monthly is not None and compute is not None:
                included = max(0.0, win.monthly - compute)
            else:
                included = None
            if hybrid_benefit:
                licence_model = "hybrid-benefit"
            else:
                licence_model = "licence-included"
                licence = included
                if win is not None and included is not None:
                    entries.append(win.entry)
                elif choice.size is not None:
                    notes.append(f"Windows licence-included price unknown for {choice.size.name}")
        elif product in ("rhel", "sles") and choice.size is not None:
            licence_model = "licence-included"
            band = "small" if choice.size.vcpu <= 4 else "large"
            quote = self.book.quote(f"os:{product}", band)
            included = licence = quote.monthly if quote is not None else None
            if quote is not None and quote.monthly is not None:
                entries.append(quote.entry)
            else:
                notes.append(f"{info.name} subscription price unknown")
        if compute is None and choice.size is not None:
            notes.append(f"pay-as-you-go price unknown for {choice.size.name}")
        monthly = None if compute is None or licence is None else compute + licence
        source = price_source(self.book, entries, self.region) if monthly is not None else None
        return _Part(
            found=tuple(found),
            verdict=combine(found),
            size=choice.size,
            vcpu=vcpu,
            memory=memory,
            basis=basis,
            os_family=info.family,
            compute=compute,
            licence_model=licence_model,
            licence=licence,
            product=product,
            included=included,
            monthly=monthly,
            source=source,
            notes=tuple(notes),
        )


@dataclass(frozen=True)
class _Part:
    found: tuple[tuple[str, str], ...]
    verdict: Readiness
    size: VmSize | None
    vcpu: int
    memory: float
    basis: str
    os_family: str
    compute: float | None
    licence_model: str
    licence: float | None
    product: str
    included: float | None
    monthly: float | None
    source: str | None
    notes: tuple[str, ...]


def _licence_product(info: OsInfo) -> str:
    """The OS licence a server pays for in the cloud: windows, rhel, sles or none."""
    if info.family == "windows":
        return "windows"
    slug = info.slug
    if slug.startswith(("rhel", "redhat")):
        return "rhel"
    if slug.startswith(("sles", "suse")):
        return "sles"
    return "none"


def make_sizer(
    catalog: Catalog,
    provider: str,
    region: str | None = None,
    options: SizingOptions | None = None,
    book: PriceBook | None = None,
) -> Sizer:
    """A :class:`Sizer` for the catalog's planning date and the newest matching book."""
    opts = options or SizingOptions()
    if provider not in DEFAULT_REGION:
        raise ValueError(f"provider must be 'azure' or 'aws', got {provider!r}")
    if region is None:
        region = (
            catalog.planning.region
            if catalog.planning.target == provider
            else DEFAULT_REGION[provider]
        )
    price_book = book or find_book(provider, region, opts.books_dir)
    return Sizer(provider, region, price_book, opts, opts.as_of or catalog.planning.start)


def size_catalog(
    catalog: Catalog,
    provider: str = "azure",
    region: str | None = None,
    options: SizingOptions | None = None,
    *,
    book: PriceBook | None = None,
) -> dict[str, ServerSizing]:
    """Size every server of the catalog for one provider; keyed by server id."""
    return size_servers(make_sizer(catalog, provider, region, options, book), catalog.servers)


__all__ = [
    "AS_ON_PREMISES",
    "DEFAULT_FAMILIES",
    "DEFAULT_REGION",
    "PERFORMANCE_BASED",
    "DiskSizing",
    "ServerSizing",
    "Sizer",
    "SizingOptions",
    "make_sizer",
    "price_source",
    "size_catalog",
]
