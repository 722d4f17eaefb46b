"""The Azure meters beyond VM sizes and Premium SSD that the cost model uses.

One Retail Prices API query per service (:data:`QUERIES`); :func:`service_entries` picks the
meters (:data:`METERS`) and turns them into book rows. Where the book's unit differs from the
meter's, the row is ``derived`` and its ``method`` says how (a licence meter for 1-4 vCPU
divided by 4 per vCPU; a Key Vault operations meter times the assumed monthly volume).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from migration.pricing.book import PriceEntry, Unit, fetched_entry

QUERIES = (
    "serviceName eq 'Storage' and productName eq 'Standard SSD Managed Disks'",
    "serviceName eq 'Virtual Machines Licenses'",
    "serviceName eq 'Backup'",
    "serviceName eq 'Azure Bastion'",
    "serviceName eq 'Log Analytics'",
    "serviceName eq 'Key Vault'",
    "serviceName eq 'Virtual Network'",
    "serviceName eq 'Application Gateway'",
    "serviceName eq 'Bandwidth'",
)
KEY_VAULT_OPERATIONS = 330_000  # a month, as in the bundled book's estimate
_E_DISK = re.compile(r"^(E\d+) LRS Disk$")
_LICENCE = re.compile(r"^(\d+)(?:-(\d+)|\+) vCPU VM License$")


def _row(
    item: dict[str, Any],
    key: str,
    option: str,
    price: float,
    unit: Unit,
    region: str,
    retrieved: date,
    method: str | None = None,
) -> PriceEntry:
    source = (
        f"Azure Retail Prices API, meterId {item.get('meterId', '?')} "
        f"({item.get('meterName', '')}), effective {str(item.get('effectiveStartDate', ''))[:10]}"
    )
    currency = item.get("currencyCode", "USD")
    return fetched_entry(
        key, option, price, unit, currency, region, retrieved.isoformat(), source, method
    )


Picker = Callable[[dict[str, Any], str, date], list[PriceEntry]]


def _disk(item: dict[str, Any], region: str, when: date) -> list[PriceEntry]:
    match = _E_DISK.match(str(item.get("meterName", "")))
    if not match or item.get("unitOfMeasure") != "1/Month":
        return []
    return [_row(item, f"disk:{match.group(1)}", "", item["retailPrice"], "month", region, when)]


def _licence(item: dict[str, Any], region: str, when: date) -> list[PriceEntry]:
    product = str(item.get("productName", ""))
    match = _LICENCE.match(str(item.get("meterName", "")))
    if not match or item.get("unitOfMeasure") != "1 Hour":
        return []
    low, high = int(match.group(1)), match.group(2)
    price = float(item["retailPrice"])
    if "SQL Server Standard" in product or "SQL Server Enterprise" in product:
        if low != 1 or high is None:
            return []
        edition = "standard" if "Standard" in product else "enterprise"
        method = f"per vCPU: the {low}-{high} vCPU meter / {high}"
        return [_row(item, f"sql:{edition}", "", price / int(high), "hour", region, when, method)]
    for name, key in (("Red Hat Enterprise Linux", "rhel"), ("SUSE Linux Enterprise", "sles")):
        if name in product:
            band = "small" if low == 1 else "large"
            return [_row(item, f"os:{key}", band, price, "hour", region, when)]
    return []


def _backup(item: dict[str, Any], region: str, when: date) -> list[PriceEntry]:
    meter = str(item.get("meterName", ""))
    price = float(item["retailPrice"])
    if meter == "Azure VM Protected Instances" and item.get("unitOfMeasure") == "1/Month":
        return [
            _row(item, "backup:instance-500", "", price, "month", region, when),
            _row(item, "backup:instance-per-500", "", price, "month", region, when),
            _row(
                item,
                "backup:instance-50",
                "",
                price / 2,
                "month",
                region,
                when,
                "up to 50 GB: half the protected-instance fee (Azure Backup pricing structure)",
            ),
        ]
    if meter == "GRS Data Stored" and item.get("unitOfMeasure") == "1 GB/Month":
        return [_row(item, "backup:storage", "", price, "gb-month", region, when)]
    return []


def _simple(meter: str, unit_of_measure: str, key: str, unit: Unit, sku: str = "") -> Picker:
    def pick(item: dict[str, Any], region: str, when: date) -> list[PriceEntry]:
        if item.get("meterName") != meter or item.get("unitOfMeasure") != unit_of_measure:
            return []
        if sku and sku not in str(item.get("skuName", "")):
            return []
        return [_row(item, key, "", item["retailPrice"], unit, region, when)]

    return pick


def _key_vault(item: dict[str, Any], region: str, when: date) -> list[PriceEntry]:
    if item.get("meterName") != "Operations" or item.get("unitOfMeasure") != "10K":
        return []
    monthly = float(item["retailPrice"]) * KEY_VAULT_OPERATIONS / 10_000
    method = f"{KEY_VAULT_OPERATIONS:,} operations a month at the 10K-operations meter"
    return [_row(item, "keyvault:vault", "", monthly, "month", region, when, method)]


def _bandwidth(item: dict[str, Any], region: str, when: date) -> list[PriceEntry]:
    if item.get("meterName") != "Standard Data Transfer Out":
        return []
    tier = float(item.get("tierMinimumUnits") or 0)
    price = float(item["retailPrice"])
    if tier == 0 and price == 0:
        return []
    if tier > 0 and tier <= 100:
        return [
            _row(item, "egress:gb", "", price, "gb", "all", when),
            _row(
                item,
                "egress:free-gb",
                "",
                tier,
                "quantity",
                "all",
                when,
                "the free allowance ends where the first paid tier begins",
            ),
        ]
    return []


METERS: dict[str, list[Picker]] = {
    "Storage": [_disk],
    "Virtual Machines Licenses": [_licence],
    "Backup": [_backup],
    "Azure Bastion": [_simple("Basic Gateway", "1 Hour", "bastion:host", "hour")],
    "Log Analytics": [
        _simple("Analytics Logs Data Ingestion", "1 GB", "logging:gb", "gb"),
        _simple("Pay-as-you-go Data Ingestion", "1 GB", "logging:gb", "gb"),
    ],
    "Key Vault": [_key_vault],
    "Virtual Network": [_simple("Standard IPv4 Static Public IP", "1 Hour", "ip:public", "hour")],
    "Application Gateway": [
        _simple("Fixed Cost", "1 Hour", "entrance:gateway", "hour", "WAF v2"),
        _simple("Capacity Units", "1 Hour", "entrance:unit", "hour", "WAF v2"),
    ],
    "Bandwidth": [_bandwidth],
}


def service_entries(items: list[dict[str, Any]], region: str, retrieved: date) -> list[PriceEntry]:
    """Book rows from the items of the service queries; the newest row per key wins."""
    best: dict[tuple[str, str], tuple[str, PriceEntry]] = {}
    for item in items:
        when = str(item.get("effectiveStartDate", ""))
        for pick in METERS.get(str(item.get("serviceName", "")), []):
            for entry in pick(item, region, retrieved):
                key = (entry.item, entry.option)
                if key not in best or when > best[key][0]:
                    best[key] = (when, entry)
    return [entry for _key, (_when, entry) in sorted(best.items())]
