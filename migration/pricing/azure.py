"""Refresh an Azure price book from the Azure Retail Prices API.

Traps handled (docs/sources.md, "Prices"): savings-plan rates come only with the preview API
version; reservation ``retailPrice`` is the price of the whole term although the unit says
"1 Hour"; Windows rows (productName ending in "Windows") include the licence; Spot, Low
Priority and DevTest rows and non-primary meter regions are excluded; managed disks are
billed per size band by the "Pn LRS Disk" meter (not "Disk Mount", not ZRS, not operations);
pages are followed through ``NextPageLink`` until it is null.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx

from migration.errors import InputFileError
from migration.pricing.azure_meters import QUERIES, service_entries
from migration.pricing.book import FxRate, PriceBook, PriceBookFile, PriceEntry, Unit

DEFAULT_BASE_URL = "https://prices.azure.com"
API_VERSION = "2023-01-01-preview"
MAX_PAGES = 500
SOURCE = "azure retail prices"
_DISK = re.compile(r"^(P\d+) LRS Disk$")


def fetch_items(
    client: httpx.Client, base_url: str, flt: str, currency: str
) -> Iterator[dict[str, Any]]:
    """Every item of one query, following ``NextPageLink``."""
    url: str | None = f"{base_url.rstrip('/')}/api/retail/prices"
    params: dict[str, str] | None = {
        "api-version": API_VERSION,
        "currencyCode": f"'{currency}'",
        "meterRegion": "'primary'",
        "$filter": flt,
    }
    pages = 0
    while url:
        pages += 1
        if pages > MAX_PAGES:
            raise InputFileError(f"{base_url}: more than {MAX_PAGES} pages for {flt!r}")
        response = client.get(url, params=params)
        if response.status_code != 200:
            raise InputFileError(
                f"{response.request.url}: HTTP {response.status_code} from the Azure Retail "
                "Prices API"
            )
        body = response.json()
        yield from body.get("Items", [])
        url = body.get("NextPageLink")
        params = None  # the next link carries the query


def _excluded(item: dict[str, Any]) -> bool:
    names = f"{item.get('meterName', '')} {item.get('skuName', '')}"
    return (
        item.get("type") == "DevTestConsumption"
        or "Spot" in names
        or "Low Priority" in names
        or item.get("isPrimaryMeterRegion") is False
    )


def _observed(
    item: dict[str, Any],
    item_key: str,
    option: str,
    price: float,
    unit: Unit,
    region: str,
    retrieved: date,
) -> PriceEntry:
    return PriceEntry(
        item=item_key,
        option=option,
        price=price,
        unit=unit,
        currency=item.get("currencyCode", "USD"),
        region=region,
        retrieved=retrieved.isoformat(),
        source=f"Azure Retail Prices API {API_VERSION}, meterId {item.get('meterId', '?')}, "
        f"effective {str(item.get('effectiveStartDate', ''))[:10]}",
        basis="observed",
    )


def vm_entries(
    items: list[dict[str, Any]], sku: str, region: str, retrieved: date
) -> list[PriceEntry]:
    """Price entries of one VM size from its API items (the newest row per option wins)."""
    best: dict[str, tuple[str, PriceEntry]] = {}

    def keep(option: str, when: str, entry: PriceEntry) -> None:
        if option not in best or when > best[option][0]:
            best[option] = (when, entry)

    for item in items:
        if _excluded(item) or item.get("armSkuName") != sku:
            continue
        when = str(item.get("effectiveStartDate", ""))
        windows = str(item.get("productName", "")).endswith("Windows")
        price = float(item.get("retailPrice", 0.0))
        if item.get("type") == "Consumption":
            option = "windows-payg" if windows else "linux-payg"
            keep(
                option, when, _observed(item, f"vm:{sku}", option, price, "hour", region, retrieved)
            )
            if not windows:
                for plan in item.get("savingsPlan") or []:
                    years = "1y" if plan.get("term") == "1 Year" else "3y"
                    option = f"linux-savings-plan-{years}"
                    keep(
                        option,
                        when,
                        _observed(
                            item,
                            f"vm:{sku}",
                            option,
                            float(plan["retailPrice"]),
                            "hour",
                            region,
                            retrieved,
                        ),
                    )
        elif item.get("type") == "Reservation" and not windows:
            term = str(item.get("reservationTerm"))
            if term not in ("1 Year", "3 Years"):
                continue
            span = "1y" if term == "1 Year" else "3y"
            option = f"linux-reserved-{span}"
            unit: Unit = "term-1y" if span == "1y" else "term-3y"
            # the whole term's price, although unitOfMeasure says "1 Hour"
            keep(option, when, _observed(item, f"vm:{sku}", option, price, unit, region, retrieved))
    return [entry for _, (_, entry) in sorted(best.items())]


def disk_entries(items: list[dict[str, Any]], region: str, retrieved: date) -> list[PriceEntry]:
    """Premium SSD LRS capacity meters ("P10 LRS Disk"), one per tier."""
    best: dict[str, tuple[str, PriceEntry]] = {}
    for item in items:
        if _excluded(item):
            continue
        match = _DISK.match(str(item.get("meterName", "")))
        if not match or item.get("unitOfMeasure") != "1/Month":
            continue
        tier = match.group(1)
        when = str(item.get("effectiveStartDate", ""))
        entry = _observed(
            item, f"disk:{tier}", "", float(item["retailPrice"]), "month", region, retrieved
        )
        if tier not in best or when > best[tier][0]:
            best[tier] = (when, entry)
    return [entry for _, (_, entry) in sorted(best.items())]


def vpn_entries(items: list[dict[str, Any]], region: str, retrieved: date) -> list[PriceEntry]:
    """The VpnGw1 hourly gateway meter, if present."""
    for item in items:
        if _excluded(item):
            continue
        if item.get("skuName") == "VpnGw1" and item.get("unitOfMeasure") == "1 Hour":
            return [
                _observed(
                    item, "vpn:gateway", "", float(item["retailPrice"]), "hour", region, retrieved
                )
            ]
    return []


def merge_template(template: PriceBook, fetched: list[PriceEntry], region: str) -> list[PriceEntry]:
    """Fetched entries plus what the refresh does not fetch.

    A template row is kept only when it is region-independent (``region == "all"``) or
    unknown; a regional value of another region becomes unknown, so no number from another
    region slips into the new book.
    """
    have = {(e.item, e.option) for e in fetched}
    out = list(fetched)
    for entry in template.doc.entries:
        if (entry.item, entry.option) in have:
            continue
        if entry.region == "all" or entry.basis == "unknown":
            out.append(
                entry.model_copy(
                    update={"region": entry.region if entry.region == "all" else region}
                )
            )
        else:
            out.append(
                PriceEntry(
                    item=entry.item,
                    option=entry.option,
                    price=None,
                    unit=entry.unit,
                    currency=entry.currency,
                    region=region,
                    retrieved="",
                    source="none found",
                    basis="unknown",
                    method=f"not returned by the price API for {region}",
                )
            )
    return sorted(out, key=lambda e: (e.item, e.option))


def refresh_azure(
    region: str,
    template: PriceBook,
    *,
    retrieved: date,
    fx: FxRate | None,
    base_url: str = DEFAULT_BASE_URL,
    currency: str = "USD",
    client: httpx.Client | None = None,
) -> PriceBookFile:
    """Fetch every meter the cost model uses for ``region`` (VM sizes, Premium and Standard
    SSD, VPN gateway, licences, backup, Bastion, logging, key vault, public IP, gateway,
    egress); sizes come from the template."""
    own = client is None
    http = client or httpx.Client(timeout=60.0)
    try:
        fetched: list[PriceEntry] = []
        for size in template.doc.sizes:
            flt = (
                f"serviceName eq 'Virtual Machines' and armRegionName eq '{region}' "
                f"and armSkuName eq '{size.name}'"
            )
            fetched += vm_entries(
                list(fetch_items(http, base_url, flt, currency)), size.name, region, retrieved
            )
        flt = (
            f"serviceName eq 'Storage' and armRegionName eq '{region}' "
            "and productName eq 'Premium SSD Managed Disks'"
        )
        fetched += disk_entries(list(fetch_items(http, base_url, flt, currency)), region, retrieved)
        flt = f"serviceName eq 'VPN Gateway' and armRegionName eq '{region}'"
        fetched += vpn_entries(list(fetch_items(http, base_url, flt, currency)), region, retrieved)
        services: list[dict[str, Any]] = []
        for query in QUERIES:
            flt = f"{query} and armRegionName eq '{region}'"
            services += [i for i in fetch_items(http, base_url, flt, currency) if not _excluded(i)]
        fetched += service_entries(services, region, retrieved)
    finally:
        if own:
            http.close()
    if not any(e.item.startswith("vm:") for e in fetched):
        raise InputFileError(
            f"{base_url}: no VM prices returned for region {region!r} "
            "(expected an Azure region name such as swedencentral)"
        )
    if currency == "USD" and fx is None:
        raise InputFileError("USD prices need a dated EUR/USD rate (--eur-per-usd)")
    return PriceBookFile(
        provider="azure",
        region=region,
        retrieved=retrieved.isoformat(),
        source=SOURCE,
        fx=fx,
        sizes=template.doc.sizes,
        disk_tiers=template.doc.disk_tiers,
        entries=tuple(merge_template(template, fetched, region)),
        notes=(f"Fetched from {base_url} (api-version {API_VERSION}) on {retrieved}.",),
    )
