"""Build the bundled price books from public prices recorded with their sources.

Run ``python -m migration.pricing.seed`` to regenerate ``migration/pricing/books/*.json``.
Only values found in stored public sources (``observed``) and values computed from them by a
stated rule (``derived``) are written; everything else is ``unknown`` (price null), so it
shows up as a warning in sizing and cost, never as a silent zero. No official Sweden Central
price was found, so the Azure book is for West Europe and sizing for Sweden Central carries a
"priced as westeurope" note.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from migration.fileio import dumps_json
from migration.pricing.book import BUNDLED_DIR, PriceBookFile

# Each source constant below carries its full description (docs/sources.md).
S99 = "aether catalog tests, recorded Azure Retail Prices API shape, westeurope 2026-09 [S99]"
S99_TABLE = "hand table in aether catalog tests, probably westeurope, low confidence [S99]"
S100 = "VM pricing tests, East US, 'verified by live queries' (undated) [S100]"
S109 = "c3x.dev, Azure egress bandwidth cost (third-party) [S109]"
S113 = "Azure retail collector test fixture, westeurope, observed 2026-09-03 [S113]"
S115 = "AirBreda cost model, eu-north-1, from the AWS Price List API, c. Oct 2026 [S115]"
S116 = "multi-region EC2 table incl. eu-north-1 (undated) [S116]"
S117 = "cloud-launcher size tiers, AWS public price list, eu-north-1 (after mid-2025) [S117]"
S118 = "AWS public price map snapshot, hawkFilePublicationDate 2024-11-14 [S118]"
S119 = "AWS pricing snapshot 2025-01-15 (sources disagree: 0.1 and 0.098 elsewhere) [S119]"
S120 = "AWS egress rate card, thenegotiationexperts.com (2026) [S120]"
AZ_SIZES_SOURCE = (
    "Microsoft Learn size tables, Dsv5-series and Esv5-series (vCPU, GiB, max data disks)"
)
AZ_DISK_SOURCE = "Microsoft Learn, Premium SSD managed disk sizes (size bands P1-P80)"
FX = {
    "eur_per_usd": 0.86,
    "date": "2026-09-30",
    "source": "assumption: no dated ECB reference rate for 2026 is stored; "
    "refresh with `utflytt prices refresh --eur-per-usd RATE --fx-date DATE`",
    "basis": "assumed",
}


def _entry(
    item: str,
    option: str,
    price: float | None,
    unit: str,
    region: str,
    retrieved: str,
    source: str,
    basis: str,
    method: str | None = None,
    confidence: str = "normal",
) -> dict[str, Any]:
    return {
        "item": item,
        "option": option,
        "price": None if price is None else round(price, 6),
        "unit": unit,
        "currency": "USD",
        "region": region,
        "retrieved": retrieved,
        "source": source,
        "basis": basis,
        "method": method,
        "confidence": confidence,
    }


def _unknown(item: str, option: str, unit: str, region: str, why: str) -> dict[str, Any]:
    return _entry(item, option, None, unit, region, "", "none found", "unknown", why)


# --- Azure, West Europe --------------------------------------------------------------------
AZ_REGION = "westeurope"
DSV5 = [
    (2, 8, 4),
    (4, 16, 8),
    (8, 32, 16),
    (16, 64, 32),
    (32, 128, 32),
    (48, 192, 32),
    (64, 256, 32),
    (96, 384, 32),
]
ESV5 = [
    (2, 16, 4),
    (4, 32, 8),
    (8, 64, 16),
    (16, 128, 32),
    (20, 160, 32),
    (32, 256, 32),
    (48, 384, 32),
    (64, 512, 32),
    (96, 672, 32),
]
# Observed (USD): D2s_v5 0.115 / 0.207 [S113]; D4s_v5 0.23 / 0.414, RI 1243 / 2388 per term
# [S99]; E4s_v5 0.304 Linux (hand table, low confidence) [S99]; East US D2s_v5 payg 0.096,
# savings plan 0.0658368 (1y) / 0.0441792 (3y) [S100].
D_LINUX_PER_VCPU = 0.23 / 4
D_WIN_PER_VCPU = 0.414 / 4
WIN_UPLIFT_PER_VCPU = (0.414 - 0.23) / 4
RI1_PER_VCPU = 1243 / 4
RI3_PER_VCPU = 2388 / 4
RI1_RATIO = 1243 / (0.23 * 8760)
RI3_RATIO = 2388 / (0.23 * 26280)
SP1_RATIO = 0.0658368 / 0.096
SP3_RATIO = 0.0441792 / 0.096
E_LINUX_PER_VCPU = 0.304 / 4


def _azure_vm_entries() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    d = AZ_REGION
    for vcpu, _mem, _disks in DSV5:
        sku = f"Standard_D{vcpu}s_v5"
        item = f"vm:{sku}"
        lin = D_LINUX_PER_VCPU * vcpu
        win = D_WIN_PER_VCPU * vcpu
        if vcpu == 2:
            rows.append(
                _entry(item, "linux-payg", 0.115, "hour", d, "2026-09-03", S113, "observed")
            )
            rows.append(
                _entry(item, "windows-payg", 0.207, "hour", d, "2026-09-03", S113, "observed")
            )
        elif vcpu == 4:
            rows.append(_entry(item, "linux-payg", 0.23, "hour", d, "2026-09", S99, "observed"))
            rows.append(_entry(item, "windows-payg", 0.414, "hour", d, "2026-09", S99, "observed"))
        else:
            rows.append(
                _entry(
                    item,
                    "linux-payg",
                    lin,
                    "hour",
                    d,
                    "2026-09",
                    S99,
                    "derived",
                    "linear per vCPU within Dsv5 from D4s_v5 0.23/h",
                )
            )
            rows.append(
                _entry(
                    item,
                    "windows-payg",
                    win,
                    "hour",
                    d,
                    "2026-09",
                    S99,
                    "derived",
                    "linear per vCPU within Dsv5 from D4s_v5 Windows 0.414/h",
                )
            )
        if vcpu == 4:
            rows.append(
                _entry(item, "linux-reserved-1y", 1243, "term-1y", d, "2026-09", S99, "observed")
            )
            rows.append(
                _entry(item, "linux-reserved-3y", 2388, "term-3y", d, "2026-09", S99, "observed")
            )
        else:
            rows.append(
                _entry(
                    item,
                    "linux-reserved-1y",
                    RI1_PER_VCPU * vcpu,
                    "term-1y",
                    d,
                    "2026-09",
                    S99,
                    "derived",
                    "linear per vCPU within Dsv5 from D4s_v5 RI 1y 1243 per term",
                )
            )
            rows.append(
                _entry(
                    item,
                    "linux-reserved-3y",
                    RI3_PER_VCPU * vcpu,
                    "term-3y",
                    d,
                    "2026-09",
                    S99,
                    "derived",
                    "linear per vCPU within Dsv5 from D4s_v5 RI 3y 2388 per term",
                )
            )
        rows.append(
            _entry(
                item,
                "linux-savings-plan-1y",
                lin * SP1_RATIO,
                "hour",
                d,
                "2026-09",
                f"{S99}; {S100}",
                "derived",
                "westeurope pay-as-you-go x East US D2s_v5 savings-plan/payg ratio "
                f"{SP1_RATIO:.4f} (1y)",
                "low",
            )
        )
        rows.append(
            _entry(
                item,
                "linux-savings-plan-3y",
                lin * SP3_RATIO,
                "hour",
                d,
                "2026-09",
                f"{S99}; {S100}",
                "derived",
                "westeurope pay-as-you-go x East US D2s_v5 savings-plan/payg ratio "
                f"{SP3_RATIO:.4f} (3y)",
                "low",
            )
        )
    for vcpu, _mem, _disks in ESV5:
        sku = f"Standard_E{vcpu}s_v5"
        item = f"vm:{sku}"
        lin = E_LINUX_PER_VCPU * vcpu
        if vcpu == 4:
            rows.append(
                _entry(
                    item,
                    "linux-payg",
                    0.304,
                    "hour",
                    d,
                    "2026-09",
                    S99_TABLE,
                    "observed",
                    None,
                    "low",
                )
            )
        else:
            rows.append(
                _entry(
                    item,
                    "linux-payg",
                    lin,
                    "hour",
                    d,
                    "2026-09",
                    S99_TABLE,
                    "derived",
                    "linear per vCPU within Esv5 from E4s_v5 0.304/h",
                    "low",
                )
            )
        rows.append(
            _entry(
                item,
                "windows-payg",
                lin + WIN_UPLIFT_PER_VCPU * vcpu,
                "hour",
                d,
                "2026-09",
                f"{S99_TABLE}; {S99}",
                "derived",
                "Linux price + Windows licence uplift per vCPU of Dsv5 "
                f"({WIN_UPLIFT_PER_VCPU:.4f}/h per vCPU)",
                "low",
            )
        )
        rows.append(
            _entry(
                item,
                "linux-reserved-1y",
                lin * 8760 * RI1_RATIO,
                "term-1y",
                d,
                "2026-09",
                f"{S99_TABLE}; {S99}",
                "derived",
                f"pay-as-you-go x D4s_v5 RI/payg ratio {RI1_RATIO:.4f} (1y)",
                "low",
            )
        )
        rows.append(
            _entry(
                item,
                "linux-reserved-3y",
                lin * 26280 * RI3_RATIO,
                "term-3y",
                d,
                "2026-09",
                f"{S99_TABLE}; {S99}",
                "derived",
                f"pay-as-you-go x D4s_v5 RI/payg ratio {RI3_RATIO:.4f} (3y)",
                "low",
            )
        )
        rows.append(
            _entry(
                item,
                "linux-savings-plan-1y",
                lin * SP1_RATIO,
                "hour",
                d,
                "2026-09",
                f"{S99_TABLE}; {S100}",
                "derived",
                f"pay-as-you-go x East US savings-plan/payg ratio {SP1_RATIO:.4f}",
                "low",
            )
        )
        rows.append(
            _entry(
                item,
                "linux-savings-plan-3y",
                lin * SP3_RATIO,
                "hour",
                d,
                "2026-09",
                f"{S99_TABLE}; {S100}",
                "derived",
                f"pay-as-you-go x East US savings-plan/payg ratio {SP3_RATIO:.4f}",
                "low",
            )
        )
    return rows


AZ_TIERS = [
    ("P4", 32),
    ("P6", 64),
    ("P10", 128),
    ("P15", 256),
    ("P20", 512),
    ("P30", 1024),
    ("P40", 2048),
    ("P50", 4096),
    ("P60", 8192),
    ("P70", 16384),
    ("P80", 32767),
]


def _azure_other_entries() -> list[dict[str, Any]]:
    d = AZ_REGION
    rows = [
        _entry("disk:P4", "", 5.81, "month", d, "2026-09", S99_TABLE, "observed", None, "low"),
        _entry(
            "disk:P6",
            "",
            21.68 / 2,
            "month",
            d,
            "2026-09",
            S99,
            "derived",
            "linear per GiB from P10 21.68/month (64 of 128 GiB)",
            "low",
        ),
        _entry("disk:P10", "", 21.68, "month", d, "2026-09", S99, "observed"),
        _entry("disk:P15", "", 41.81, "month", d, "2026-09", S99_TABLE, "observed", None, "low"),
        _entry("disk:P20", "", 80.54, "month", d, "2026-09", S99_TABLE, "observed", None, "low"),
        _entry("disk:P30", "", 148.68, "month", d, "2026-09", S99_TABLE, "observed", None, "low"),
    ]
    for name, size in AZ_TIERS[6:]:
        rows.append(
            _entry(
                f"disk:{name}",
                "",
                148.68 * size / 1024,
                "month",
                d,
                "2026-09",
                S99_TABLE,
                "derived",
                "linear per GiB from P30 148.68/month (likely an upper bound)",
                "low",
            )
        )
    rows += [
        _entry(
            "egress:gb",
            "",
            0.087,
            "gb",
            "all",
            "2026",
            S109,
            "observed",
            "internet egress, Microsoft network route, first 10 TB tier",
        ),
        _entry(
            "egress:free-gb",
            "",
            100,
            "gb",
            "all",
            "2026",
            S109,
            "observed",
            "first 100 GB/month of internet egress free",
        ),
        _unknown(
            "backup:instance-50",
            "",
            "month",
            d,
            "no current Azure Backup price stored (only 2016 structure) [S107]",
        ),
        _unknown("backup:instance-500", "", "month", d, "no current Azure Backup price stored"),
        _unknown("backup:instance-per-500", "", "month", d, "no current Azure Backup price stored"),
        _unknown("backup:storage", "", "gb-month", d, "no current Azure Backup price stored"),
        _unknown("vpn:gateway", "", "hour", d, "no VPN gateway price stored"),
        _unknown("logging:workspace", "", "month", d, "no Log Analytics price stored"),
        _unknown("keyvault:vault", "", "month", d, "no Key Vault price stored"),
        _unknown(
            "sql:standard", "", "hour", d, "no SQL Server licence-included price stored (per vCPU)"
        ),
        _unknown(
            "sql:enterprise",
            "",
            "hour",
            d,
            "no SQL Server licence-included price stored (per vCPU)",
        ),
    ]
    return rows


def azure_book() -> dict[str, Any]:
    """The bundled Azure book (West Europe, 2026-09)."""
    sizes = [
        {
            "name": f"Standard_D{v}s_v5",
            "family": "Dsv5",
            "vcpu": v,
            "memory_gb": m,
            "max_data_disks": n,
            "source": AZ_SIZES_SOURCE,
        }
        for v, m, n in DSV5
    ] + [
        {
            "name": f"Standard_E{v}s_v5",
            "family": "Esv5",
            "vcpu": v,
            "memory_gb": m,
            "max_data_disks": n,
            "source": AZ_SIZES_SOURCE,
        }
        for v, m, n in ESV5
    ]
    return {
        "schema_version": 1,
        "provider": "azure",
        "region": AZ_REGION,
        "retrieved": "2026-09-03",
        "source": "azure retail prices (stored public sources)",
        "currency": "EUR",
        "fx": FX,
        "sizes": sizes,
        "disk_tiers": [{"name": n, "size_gb": s, "source": AZ_DISK_SOURCE} for n, s in AZ_TIERS],
        "offered": [],
        "offered_source": None,
        "entries": _azure_vm_entries() + _azure_other_entries(),
        "notes": [
            "No official Sweden Central or North Europe price was found; this book holds "
            "West Europe values from stored public sources (reference/pricing.md, B2).",
            "Refresh with `utflytt prices refresh --provider azure --region swedencentral`.",
        ],
    }


# --- AWS, eu-north-1 ------------------------------------------------------------------------
AWS_REGION = "eu-north-1"
AWS_FAMILIES = ("t3", "m5", "r7a", "m6i", "m7i")
MOTO_SOURCE = (
    "moto {version} ec2/resources instance_type_offerings/region/eu-north-1 and "
    "instance_types (recorded DescribeInstanceTypeOfferings / DescribeInstanceTypes)"
)


def _moto_data() -> tuple[list[str], dict[str, Any], str]:
    import moto

    base = Path(moto.__file__).resolve().parent / "ec2" / "resources"
    with gzip.open(base / "instance_type_offerings" / "region" / f"{AWS_REGION}.json.gz") as f:
        offered = sorted({row["InstanceType"] for row in json.load(f)})
    with gzip.open(base / "instance_types.json.gz") as f:
        types = json.load(f)
    return offered, types, MOTO_SOURCE.format(version=moto.__version__)


def _aws_entries(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = AWS_REGION
    observed = {
        "t3.micro": (0.0108, S115, "2026-10"),
        "t3.small": (0.0216, S115, "2026-10"),
        "t3.medium": (0.0432, S115, "2026-10"),
        "t3.large": (0.0864, S116, ""),
        "t3.xlarge": (0.1728, S116, ""),
        "m5.large": (0.102, S119, "2025-01-15"),
        "r7a.2xlarge": (0.6472, S118, "2024-11-14"),
    }
    rows: list[dict[str, Any]] = []
    for size in sizes:
        name, family, vcpu = size["name"], size["family"], size["vcpu"]
        item = f"vm:{name}"
        if name in observed:
            price, source, when = observed[name]
            low = "low" if name == "m5.large" else "normal"
            rows.append(
                _entry(item, "linux-payg", price, "hour", r, when, source, "observed", None, low)
            )
        else:
            anchor = {"t3": "t3.xlarge", "m5": "m5.large", "r7a": "r7a.2xlarge"}.get(family)
            if anchor is not None and family != "t3":
                price, source, when = observed[anchor]
                anchor_vcpu = {"m5.large": 2, "r7a.2xlarge": 8}[anchor]
                rows.append(
                    _entry(
                        item,
                        "linux-payg",
                        price / anchor_vcpu * vcpu,
                        "hour",
                        r,
                        when,
                        source,
                        "derived",
                        f"linear per vCPU within {family} from {anchor} {price}/h",
                        "low" if family == "m5" else "normal",
                    )
                )
            elif family == "t3" and vcpu == 8:
                rows.append(
                    _entry(
                        item,
                        "linux-payg",
                        0.1728 * 2,
                        "hour",
                        r,
                        "",
                        S116,
                        "derived",
                        "linear per vCPU within t3 from t3.xlarge 0.1728/h",
                    )
                )
            else:
                rows.append(
                    _unknown(item, "linux-payg", "hour", r, f"no {r} price stored for {name}")
                )
        for option in (
            "windows-payg",
            "linux-reserved-1y",
            "linux-reserved-3y",
            "linux-savings-plan-1y",
            "linux-savings-plan-3y",
        ):
            unit = {"linux-reserved-1y": "term-1y", "linux-reserved-3y": "term-3y"}.get(
                option, "hour"
            )
            rows.append(_unknown(item, option, unit, r, f"no {r} {option} price stored"))
    rows += [
        _entry(
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
        _entry(
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
        _entry(
            "egress:free-gb",
            "",
            100,
            "gb",
            "all",
            "2026",
            S120,
            "observed",
            "first 100 GB/month of internet egress free",
        ),
        _unknown("backup:storage", "", "gb-month", r, "no AWS Backup price stored"),
        _unknown("vpn:gateway", "", "hour", r, "no Site-to-Site VPN price stored"),
        _unknown("logging:workspace", "", "month", r, "no CloudWatch Logs price stored"),
        _unknown("keyvault:vault", "", "month", r, "no KMS key price stored"),
        _unknown("sql:standard", "", "hour", r, "no SQL Server licence-included price stored"),
        _unknown("sql:enterprise", "", "hour", r, "no SQL Server licence-included price stored"),
    ]
    return rows


def aws_book() -> dict[str, Any]:
    """The bundled AWS book (eu-north-1, 2026-10)."""
    offered, types, moto_source = _moto_data()
    sizes = []
    for name in offered:
        family, _, _suffix = name.partition(".")
        if family not in AWS_FAMILIES or "metal" in name:
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
        "region": AWS_REGION,
        "retrieved": "2026-10-01",
        "source": "aws price list (stored public sources)",
        "currency": "EUR",
        "fx": FX,
        "sizes": sizes,
        "disk_tiers": [],
        "offered": offered,
        "offered_source": moto_source,
        "entries": _aws_entries(sizes),
        "notes": [
            "Prices from stored public sources (reference/pricing.md, B2); m5 sources disagree "
            "(0.102 vs 0.1 and 0.098); Windows, reserved and savings-plan prices for "
            "eu-north-1 were not found.",
            "Refresh with `utflytt prices refresh --provider aws --region eu-north-1`.",
        ],
    }


def write_bundled(directory: Path = BUNDLED_DIR) -> list[Path]:
    """Validate and write both bundled books; return their paths."""
    from migration.fileio import write_atomic

    paths = []
    for name, doc in (
        ("azure-westeurope-2026-09.json", azure_book()),
        ("aws-eu-north-1-2026-10.json", aws_book()),
    ):
        PriceBookFile.model_validate(doc)
        paths.append(write_atomic(directory / name, dumps_json(doc)))
    return paths


if __name__ == "__main__":  # pragma: no cover
    for path in write_bundled():
        print(path)
