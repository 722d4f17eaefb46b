"""The AWS prices beyond instances and gp3 that the cost model uses.

From the EC2 offer file: OS licences (RHEL, SUSE on-demand minus Linux on the same type),
SQL Server licence-included (Windows with SQL minus Windows, per vCPU) and EBS snapshot
storage (backup). From the other offer files (:data:`OFFERS`): the Site-to-Site VPN
connection, public IPv4, the Application Load Balancer and its LCU, KMS keys, CloudWatch
Logs ingestion and internet egress. A derived row's ``method`` says how it was computed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from migration.pricing.book import PriceEntry, Unit, fetched_entry

ON_DEMAND = "JRTCKXETXF"


def _dims(terms: dict[str, Any], sku: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for term in terms.get("OnDemand", {}).get(sku, {}).values():
        out += list(term.get("priceDimensions", {}).values())
    return sorted(out, key=lambda d: float(d.get("beginRange", 0) or 0))


def _usd(dim: dict[str, Any]) -> float:
    return float(dim["pricePerUnit"]["USD"])


def _row(
    key: str,
    option: str,
    price: float,
    unit: Unit,
    region: str,
    when: date,
    source: str,
    method: str | None = None,
) -> PriceEntry:
    return fetched_entry(key, option, price, unit, "USD", region, when.isoformat(), source, method)


def ec2_extras(offer: dict[str, Any], region: str, when: date) -> list[PriceEntry]:
    """Licence and snapshot rows from the EC2 offer file."""
    stamp = str(offer.get("publicationDate", ""))[:10]
    source = f"AWS price list AmazonEC2 {region}, publication {stamp}"
    products, terms = offer.get("products", {}), offer.get("terms", {})
    hourly: dict[tuple[str, str, str], tuple[float, int]] = {}
    ident: tuple[str, str, str]
    rows: list[PriceEntry] = []
    for sku, product in sorted(products.items()):
        attrs = product.get("attributes", {})
        if product.get("productFamily") == "Storage Snapshot" and str(
            attrs.get("usagetype", "")
        ).endswith("EBS:SnapshotUsage"):
            for dim in _dims(terms, sku):
                rows.append(
                    _row(
                        "backup:storage",
                        "",
                        _usd(dim),
                        "gb-month",
                        region,
                        when,
                        source,
                        "EBS snapshot storage per GB-month (AWS Backup of EBS volumes)",
                    )
                )
                break
            continue
        if product.get("productFamily") != "Compute Instance":
            continue
        if attrs.get("tenancy") != "Shared" or attrs.get("capacitystatus") != "Used":
            continue
        dims = [d for d in _dims(terms, sku) if d.get("unit") == "Hrs"]
        if not dims:
            continue
        ident = (
            attrs.get("instanceType", ""),
            attrs.get("operatingSystem", ""),
            attrs.get("preInstalledSw", ""),
        )
        hourly[ident] = (_usd(dims[0]), int(attrs.get("vcpu", 0) or 0))
    bands: dict[tuple[str, str], tuple[int, str, float]] = {}
    for (itype, os_name, software), (price, vcpu) in sorted(hourly.items()):
        if software == "NA" and os_name in ("RHEL", "SUSE"):
            base = hourly.get((itype, "Linux", "NA"))
            if base is None:
                continue
            key = "os:rhel" if os_name == "RHEL" else "os:sles"
            band = "small" if vcpu <= 4 else "large"
            if (key, band) not in bands or vcpu < bands[(key, band)][0]:
                bands[(key, band)] = (vcpu, itype, price - base[0])
        elif os_name == "Windows" and software in ("SQL Std", "SQL Ent"):
            base = hourly.get((itype, "Windows", "NA"))
            if base is None or not vcpu:
                continue
            key = "sql:standard" if software == "SQL Std" else "sql:enterprise"
            if (key, "") not in bands or vcpu < bands[(key, "")][0]:
                bands[(key, "")] = (vcpu, itype, (price - base[0]) / vcpu)
    for (key, option), (_vcpu, itype, price) in sorted(bands.items()):
        how = "per vCPU: (Windows with SQL - Windows)" if key.startswith("sql:") else "(OS - Linux)"
        rows.append(
            _row(key, option, price, "hour", region, when, source, f"{how} on-demand of {itype}")
        )
    return rows


Picker = Callable[[str, dict[str, Any]], bool]
# offer code -> [(item, unit, predicate on (productFamily, attributes), pick)]
OFFERS: dict[str, list[tuple[str, Unit, Picker]]] = {
    "AmazonVPC": [
        (
            "vpn:gateway",
            "hour",
            lambda fam, a: str(a.get("usagetype", "")).endswith("VPN-Usage-Hours:ipsec.1"),
        ),
        (
            "ip:public",
            "hour",
            lambda fam, a: str(a.get("usagetype", "")).endswith("PublicIPv4:InUseAddress"),
        ),
    ],
    "AWSELB": [
        (
            "entrance:gateway",
            "hour",
            lambda fam, a: (
                fam == "Load Balancer-Application"
                and str(a.get("usagetype", "")).endswith("LoadBalancerUsage")
            ),
        ),
        (
            "entrance:unit",
            "hour",
            lambda fam, a: (
                fam == "Load Balancer-Application"
                and str(a.get("usagetype", "")).endswith("LCUUsage")
            ),
        ),
    ],
    "awskms": [
        (
            "keyvault:vault",
            "month",
            lambda fam, a: str(a.get("usagetype", "")).endswith("KMS-Keys"),
        ),
    ],
    "AmazonCloudWatch": [
        (
            "logging:gb",
            "gb",
            lambda fam, a: str(a.get("usagetype", "")).endswith("DataProcessing-Bytes"),
        ),
    ],
    "AWSDataTransfer": [
        (
            "egress:gb",
            "gb",
            lambda fam, a: (
                a.get("transferType") == "AWS Outbound" and a.get("toLocation") == "External"
            ),
        ),
    ],
}


def offer_entries(code: str, offer: dict[str, Any], region: str, when: date) -> list[PriceEntry]:
    """Rows of one offer file; egress also gives the free allowance (its first paid tier)."""
    stamp = str(offer.get("publicationDate", ""))[:10]
    source = f"AWS price list {code} {region}, publication {stamp}"
    products, terms = offer.get("products", {}), offer.get("terms", {})
    rows: dict[tuple[str, str], PriceEntry] = {}
    for item, unit, picks in OFFERS.get(code, []):
        for sku, product in sorted(products.items()):
            if not picks(str(product.get("productFamily", "")), product.get("attributes", {})):
                continue
            paid = [d for d in _dims(terms, sku) if _usd(d) > 0]
            if not paid:
                continue
            first = paid[0]
            region_of = "all" if item == "egress:gb" else region
            rows[(item, "")] = _row(item, "", _usd(first), unit, region_of, when, source)
            begin = float(first.get("beginRange", 0) or 0)
            if item == "egress:gb" and begin > 0:
                rows[("egress:free-gb", "")] = _row(
                    "egress:free-gb",
                    "",
                    begin,
                    "quantity",
                    "all",
                    when,
                    source,
                    "the free allowance ends where the first paid tier begins",
                )
            break
    return [rows[k] for k in sorted(rows)]
