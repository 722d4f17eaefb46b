"""The bundled AWS book for eu-north-1 (Stockholm), from prices in stored public sources.

Instance types and their sizes come from moto's recorded DescribeInstanceTypes for the
region; prices from the stored sources in :mod:`migration.pricing.sources`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from migration.pricing.seedlib import entry, estimate, licence_rows, unknown
from migration.pricing.sources import (
    AWS_LICENCE_DOC,
    AWS_SUPPORT,
    AWS_VPN,
    FX,
    S115,
    S116,
    S118,
    S119,
    S120,
)

REGION = "eu-north-1"
FAMILIES = ("t3", "m5", "r7a", "m6i", "m7i", "x2idn")
MOTO_SOURCE = (
    "moto {version} ec2/resources instance_type_offerings/region/eu-north-1 and "
    "instance_types (recorded DescribeInstanceTypeOfferings / DescribeInstanceTypes)"
)
WINDOWS_PER_VCPU = 0.046
# name: (USD/h, source, date, confidence)
OBSERVED = {
    "t3.micro": (0.0108, S115, "2026-10", "normal"),
    "t3.small": (0.0216, S115, "2026-10", "normal"),
    "t3.medium": (0.0432, S115, "2026-10", "normal"),
    "t3.large": (0.0864, S116, "", "normal"),
    "t3.xlarge": (0.1728, S116, "", "normal"),
    "m5.large": (0.102, S119, "2025-01-15", "low"),
    "r7a.2xlarge": (0.6472, S118, "2024-11-14", "normal"),
}
ANCHORS = {"t3": ("t3.xlarge", 4), "m5": ("m5.large", 2), "r7a": ("r7a.2xlarge", 8)}
# x2idn (up to 128 vCPU / 2 TiB): us-east-1 list price per vCPU-hour, an estimate
X2IDN_PER_VCPU = 13.338 / 128


def _moto_data() -> tuple[list[str], dict[str, Any], str]:
    import moto

    base = Path(moto.__file__).resolve().parent / "ec2" / "resources"
    with gzip.open(base / "instance_type_offerings" / "region" / f"{REGION}.json.gz") as f:
        offered = sorted({row["InstanceType"] for row in json.load(f)})
    with gzip.open(base / "instance_types.json.gz") as f:
        types = json.load(f)
    return offered, types, MOTO_SOURCE.format(version=moto.__version__)


def _linux(name: str, family: str, vcpu: int) -> dict[str, Any]:
    item = f"vm:{name}"
    r = REGION
    if name in OBSERVED:
        price, source, when, conf = OBSERVED[name]
        return entry(item, "linux-payg", price, "hour", r, when, source, "observed", None, conf)
    if family in ANCHORS and (family != "t3" or vcpu == 8):
        anchor, anchor_vcpu = ANCHORS[family]
        price, source, when, conf = OBSERVED[anchor]
        return entry(
            item,
            "linux-payg",
            price / anchor_vcpu * vcpu,
            "hour",
            r,
            when,
            source,
            "derived",
            f"linear per vCPU within {family} from {anchor} {price}/h",
            conf,
        )
    if family == "x2idn":
        return estimate(
            item,
            "linux-payg",
            X2IDN_PER_VCPU * vcpu,
            "hour",
            "us-east-1",
            "x2idn us-east-1 list price, linear per vCPU from x2idn.32xlarge 13.338/h",
        )
    return unknown(item, "linux-payg", "hour", r, f"no {r} price stored for {name}")


def vm_entries(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Linux rate per size, Windows = Linux + AWS's per-vCPU licence; commitments unknown."""
    rows: list[dict[str, Any]] = []
    for size in sizes:
        name, family, vcpu = size["name"], size["family"], size["vcpu"]
        item = f"vm:{name}"
        linux = _linux(name, family, vcpu)
        rows.append(linux)
        if linux["price"] is None:
            rows.append(unknown(item, "windows-payg", "hour", REGION, "no Linux rate to add to"))
        else:
            rows.append(
                entry(
                    item,
                    "windows-payg",
                    linux["price"] + WINDOWS_PER_VCPU * vcpu,
                    "hour",
                    REGION,
                    linux["retrieved"],
                    f"{linux['source']}; {AWS_LICENCE_DOC}",
                    "derived",
                    f"Linux rate + Windows Server licence {WINDOWS_PER_VCPU}/h per vCPU",
                    linux["confidence"],
                )
            )
        for option in (
            "linux-reserved-1y",
            "linux-reserved-3y",
            "linux-savings-plan-1y",
            "linux-savings-plan-3y",
        ):
            unit = {"linux-reserved-1y": "term-1y", "linux-reserved-3y": "term-3y"}.get(
                option, "hour"
            )
            rows.append(unknown(item, option, unit, REGION, f"no {REGION} {option} price stored"))
    return rows


def other_entries() -> list[dict[str, Any]]:
    """Licences, storage, backup, network, landing zone and support rows."""
    r = REGION
    return licence_rows(r) + [
        entry(
            "ebs:gp3",
            "",
            0.0836,
            "gb-month",
            r,
            "2026-10",
            S115,
            "observed",
            "same value in [S117]",
        ),
        entry(
            "egress:gb",
            "",
            0.09,
            "gb",
            "all",
            "2026",
            S120,
            "observed",
            "internet egress, first 10 TB tier",
        ),
        entry(
            "egress:free-gb",
            "",
            100,
            "quantity",
            "all",
            "2026",
            S120,
            "observed",
            "first 100 GB/month of internet egress free",
        ),
        entry(
            "backup:storage",
            "",
            0.05,
            "gb-month",
            "eu-west-1",
            "2026-10",
            S115,
            "derived",
            "EBS snapshot storage per GB-month (eu-west-1 value used for eu-north-1)",
            "low",
        ),
        entry(
            "vpn:gateway",
            "",
            0.05,
            "hour",
            "us-east-1",
            "2026-06",
            AWS_VPN,
            "observed",
            "Site-to-Site VPN connection-hour",
            "low",
        ),
        estimate(
            "bastion:host",
            "",
            0.0,
            "hour",
            "all",
            "Systems Manager Session Manager: no charge for EC2 instances",
        ),
        estimate(
            "logging:gb", "", 0.50, "gb", "us-east-1", "CloudWatch Logs standard ingestion per GB"
        ),
        estimate(
            "keyvault:vault",
            "",
            1.0,
            "month",
            "all",
            "KMS customer-managed key per month (requests extra)",
        ),
        entry("ip:public", "", 0.005, "hour", r, "2026-10", S115, "observed", "public IPv4"),
        entry(
            "entrance:gateway",
            "",
            0.02394,
            "hour",
            r,
            "2026-10",
            S115,
            "observed",
            "Application Load Balancer hour",
        ),
        entry(
            "entrance:unit",
            "",
            0.0076,
            "hour",
            r,
            "2026-10",
            S115,
            "observed",
            "Application Load Balancer LCU-hour",
        ),
        entry(
            "support:minimum",
            "",
            100,
            "month",
            "all",
            "",
            AWS_SUPPORT,
            "observed",
            "Business support, monthly minimum",
        ),
        entry(
            "support:share",
            "0",
            0.10,
            "share",
            "all",
            "",
            AWS_SUPPORT,
            "observed",
            "share of monthly usage from 0 USD",
        ),
        entry(
            "support:share",
            "10000",
            0.07,
            "share",
            "all",
            "",
            AWS_SUPPORT,
            "observed",
            "share of monthly usage from 10 000 USD",
        ),
        entry(
            "support:share",
            "80000",
            0.05,
            "share",
            "all",
            "",
            AWS_SUPPORT,
            "observed",
            "share of monthly usage from 80 000 USD",
        ),
        entry(
            "support:share",
            "250000",
            0.03,
            "share",
            "all",
            "",
            AWS_SUPPORT,
            "observed",
            "share of monthly usage from 250 000 USD",
        ),
    ]


def aws_book() -> dict[str, Any]:
    """The bundled AWS book (eu-north-1)."""
    offered, types, moto_source = _moto_data()
    sizes = []
    for name in offered:
        family, _, _suffix = name.partition(".")
        if family not in FAMILIES or "metal" in name:
            continue
        info = types[name]
        sizes.append(
            {
                "name": name,
                "family": family,
                "vcpu": info["VCpuInfo"]["DefaultVCpus"],
                "memory_gb": info["MemoryInfo"]["SizeInMiB"] / 1024,
                "max_data_disks": max(
                    0, info.get("EbsInfo", {}).get("MaximumEbsAttachments", 28) - 1
                ),
                "source": moto_source,
            }
        )
    sizes.sort(key=lambda s: (s["family"], s["vcpu"], s["memory_gb"], s["name"]))
    return {
        "schema_version": 1,
        "provider": "aws",
        "region": REGION,
        "retrieved": "2026-12-05",
        "source": "aws price list (stored public sources)",
        "currency": "EUR",
        "fx": FX,
        "sizes": sizes,
        "disk_tiers": [],
        "offered": offered,
        "offered_source": moto_source,
        "entries": vm_entries(sizes) + other_entries(),
        "notes": [
            "Prices from stored public sources; m5 sources disagree (0.102 vs 0.1 and 0.098); "
            "reserved and savings-plan prices for eu-north-1 were not found.",
            "Refresh with `utflytt prices refresh --provider aws --region eu-north-1`.",
        ],
    }
