"""Refresh an AWS price book from the public AWS price list files (no credentials).

- EC2 offer file ``/offers/v1.0/aws/AmazonEC2/current/<region>/index.json``: on-demand
  (term code JRTCKXETXF) and standard No Upfront reserved hourly rates for Linux
  ("No License required") and Windows ("License included"), shared tenancy, no
  pre-installed software, capacity status Used; EBS gp3 per GB-month.
- Compute Savings Plans: ``/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/current/
  region_index.json`` names the region file; its No Upfront Linux rates become the
  savings-plan options.
Instance types offered in the region and their vCPU and memory come from the same file.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx

from migration.errors import InputFileError
from migration.pricing.aws_meters import OFFERS, ec2_extras, offer_entries
from migration.pricing.azure import merge_template
from migration.pricing.book import FxRate, PriceBook, PriceBookFile, PriceEntry, Unit, VmSize

DEFAULT_BASE_URL = "https://pricing.us-east-1.amazonaws.com"
SOURCE = "aws price list"
ON_DEMAND = "JRTCKXETXF"
_MEMORY = re.compile(r"^([0-9.,]+) GiB$")


def _get_json(client: httpx.Client, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise InputFileError(f"{url}: HTTP {response.status_code} from the AWS price list")
    return response.json()


def _hourly(term: dict[str, Any]) -> float | None:
    for dim in term.get("priceDimensions", {}).values():
        if dim.get("unit") in ("Hrs", "GB-Mo"):
            return float(dim["pricePerUnit"]["USD"])
    return None


def parse_ec2(
    offer: dict[str, Any], region: str, retrieved: date, families: set[str]
) -> tuple[list[VmSize], list[str], list[PriceEntry]]:
    """Sizes of the wanted families, every offered instance type, and price entries."""
    stamp = str(offer.get("publicationDate", ""))[:10]
    source = f"AWS price list AmazonEC2 {region}, publication {stamp}"
    products = offer.get("products", {})
    terms = offer.get("terms", {})
    sizes: dict[str, VmSize] = {}
    offered: set[str] = set()
    entries: dict[tuple[str, str], PriceEntry] = {}

    def add(item: str, option: str, price: float, unit: Unit) -> None:
        entries[(item, option)] = PriceEntry(
            item=item,
            option=option,
            price=price,
            unit=unit,
            currency="USD",
            region=region,
            retrieved=retrieved.isoformat(),
            source=source,
            basis="observed",
        )

    for sku, product in sorted(products.items()):
        attrs = product.get("attributes", {})
        family = product.get("productFamily")
        if family == "Storage" and attrs.get("volumeApiName") == "gp3":
            for term in terms.get("OnDemand", {}).get(sku, {}).values():
                price = _hourly(term)
                if price is not None:
                    add("ebs:gp3", "", price, "gb-month")
            continue
        if family != "Compute Instance":
            continue
        itype = attrs.get("instanceType", "")
        if (
            attrs.get("tenancy") != "Shared"
            or attrs.get("preInstalledSw") != "NA"
            or attrs.get("capacitystatus") != "Used"
        ):
            continue
        os_name, licence = attrs.get("operatingSystem"), attrs.get("licenseModel")
        if os_name == "Linux" and licence == "No License required":
            prefix = "linux"
        elif os_name == "Windows" and licence == "License included":
            prefix = "windows"
        else:
            continue
        offered.add(itype)
        fam = itype.split(".")[0]
        memory = _MEMORY.match(str(attrs.get("memory", "")))
        if fam in families and itype not in sizes and memory and "metal" not in itype:
            sizes[itype] = VmSize(
                name=itype,
                family=fam,
                vcpu=int(attrs["vcpu"]),
                memory_gb=float(memory.group(1).replace(",", "")),
                max_data_disks=26,
                source=source,
            )
        for code, term in terms.get("OnDemand", {}).get(sku, {}).items():
            if code.endswith(ON_DEMAND):
                price = _hourly(term)
                if price is not None:
                    add(f"vm:{itype}", f"{prefix}-payg", price, "hour")
        if prefix != "linux":
            continue
        for term in terms.get("Reserved", {}).get(sku, {}).values():
            ta = term.get("termAttributes", {})
            if ta.get("OfferingClass") != "standard" or ta.get("PurchaseOption") != "No Upfront":
                continue
            years = {"1yr": "1y", "3yr": "3y"}.get(ta.get("LeaseContractLength", ""))
            price = _hourly(term)
            if years and price is not None:
                add(f"vm:{itype}", f"linux-reserved-{years}", price, "hour")
    return (
        sorted(sizes.values(), key=lambda s: (s.family, s.vcpu, s.name)),
        sorted(offered),
        list(entries.values()),
    )


def parse_savings_plans(
    doc: dict[str, Any], region: str, retrieved: date, instance_types: set[str]
) -> list[PriceEntry]:
    """No Upfront Compute Savings Plan rates for Linux (RunInstances) usage."""
    plans = {p["sku"]: p.get("attributes", {}) for p in doc.get("products", [])}
    stamp = str(doc.get("publicationDate", ""))[:10]
    out: dict[tuple[str, str], PriceEntry] = {}
    for term in doc.get("terms", {}).get("savingsPlan", []):
        attrs = plans.get(term.get("sku"), {})
        if attrs.get("purchaseOption") != "No Upfront":
            continue
        duration = term.get("leaseContractLength", {}).get("duration")
        years = {1: "1y", 3: "3y"}.get(duration)
        if years is None:
            continue
        for rate in term.get("rates", []):
            usage = str(rate.get("discountedUsageType", ""))
            itype = usage.split("BoxUsage:")[-1] if "BoxUsage:" in usage else ""
            if itype not in instance_types or rate.get("discountedOperation") != "RunInstances":
                continue
            out[(itype, years)] = PriceEntry(
                item=f"vm:{itype}",
                option=f"linux-savings-plan-{years}",
                price=float(rate["discountedRate"]["price"]),
                unit="hour",
                currency="USD",
                region=region,
                retrieved=retrieved.isoformat(),
                source=f"AWS price list AWSComputeSavingsPlan {region}, publication {stamp}",
                basis="observed",
            )
    return [out[k] for k in sorted(out)]


def refresh_aws(
    region: str,
    template: PriceBook,
    *,
    retrieved: date,
    fx: FxRate | None,
    base_url: str = DEFAULT_BASE_URL,
    client: httpx.Client | None = None,
) -> PriceBookFile:
    """Fetch EC2, EBS gp3 and Compute Savings Plan prices for ``region``, and every other
    meter the cost model uses (:mod:`migration.pricing.aws_meters`)."""
    if fx is None:
        raise InputFileError(
            "AWS prices are in USD: a dated EUR/USD rate is needed (--eur-per-usd)"
        )
    base = base_url.rstrip("/")
    own = client is None
    http = client or httpx.Client(timeout=600.0)
    try:
        offer = _get_json(http, f"{base}/offers/v1.0/aws/AmazonEC2/current/{region}/index.json")
        families = {s.family for s in template.doc.sizes}
        sizes, offered, entries = parse_ec2(offer, region, retrieved, families)
        entries += ec2_extras(offer, region, retrieved)
        missing: list[str] = []
        for code in OFFERS:
            try:
                other = _get_json(
                    http, f"{base}/offers/v1.0/aws/{code}/current/{region}/index.json"
                )
            except InputFileError:
                missing.append(code)  # its rows stay unknown (from the template)
                continue
            entries += offer_entries(code, other, region, retrieved)
        index = _get_json(
            http, f"{base}/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/current/region_index.json"
        )
        url = next(
            (
                r.get("versionUrl")
                for r in index.get("regions", [])
                if r.get("regionCode") == region
            ),
            None,
        )
        if url:
            sp = _get_json(http, f"{base}{url}")
            entries += parse_savings_plans(sp, region, retrieved, {s.name for s in sizes})
    finally:
        if own:
            http.close()
    if not sizes:
        raise InputFileError(f"{base_url}: no EC2 instance prices for region {region!r}")
    return PriceBookFile(
        provider="aws",
        region=region,
        retrieved=retrieved.isoformat(),
        source=SOURCE,
        fx=fx,
        sizes=tuple(sizes),
        offered=tuple(offered),
        offered_source=f"AWS price list AmazonEC2 {region} (types with a Linux or Windows "
        "on-demand price)",
        entries=tuple(merge_template(template, entries, region)),
        notes=(
            f"Fetched from {base_url} on {retrieved}.",
            *([f"Not fetched: {', '.join(missing)}."] if missing else []),
        ),
    )
