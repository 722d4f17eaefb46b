"""The bundled Azure book for Sweden Central, from the prices in stored public sources.

No Sweden Central price was found in a stored source (reference/pricing.md, B2): each row
says which region its number was seen for (mostly westeurope), so the book is for the
planned region while every price keeps its own region, date and source.
"""

from __future__ import annotations

from typing import Any

from migration.pricing.seedlib import entry, estimate, size_row, unknown
from migration.pricing.sources import (
    AWS_LICENCE_DOC,
    AZ_DISK_SOURCE,
    AZ_SIZES_SOURCE,
    AZ_VPN,
    BASTION,
    FX,
    RHEL_AWS,
    S99,
    S99_TABLE,
    S100,
    S107,
    S109,
    S113,
    S114,
)

REGION = "swedencentral"
SEEN = "westeurope"
DSV5 = [(2, 8, 4), (4, 16, 8), (8, 32, 16), (16, 64, 32), (32, 128, 32), (48, 192, 32)]
DSV5 += [(64, 256, 32), (96, 384, 32)]
ESV5 = [(2, 16, 4), (4, 32, 8), (8, 64, 16), (16, 128, 32), (20, 160, 32), (32, 256, 32)]
ESV5 += [(48, 384, 32), (64, 512, 32), (96, 672, 32)]
# M-series for the largest servers (up to 128 vCPU / 2 TiB): (name, vCPU, GiB, data disks,
# Linux pay-as-you-go USD/h, an East US list-price estimate).
MSERIES = [("Standard_M64s", 64, 1024, 64, 6.669), ("Standard_M128s", 128, 2048, 64, 13.338)]
# Observed (USD): D2s_v5 0.115 / 0.207 [S113]; D4s_v5 0.23 / 0.414, RI 1243 / 2388 per term
# [S99]; E4s_v5 0.304 Linux (hand table, low confidence) [S99]; East US D2s_v5 payg 0.096,
# savings plan 0.0658368 (1y) / 0.0441792 (3y) [S100].
D_LINUX_PER_VCPU = 0.23 / 4
WIN_PER_VCPU = (0.414 - 0.23) / 4
RI1_RATIO = 1243 / (0.23 * 8760)
RI3_RATIO = 2388 / (0.23 * 26280)
SP1_RATIO = 0.0658368 / 0.096
SP3_RATIO = 0.0441792 / 0.096
E_LINUX_PER_VCPU = 0.304 / 4
TIERS = [("P4", 32), ("P6", 64), ("P10", 128), ("P15", 256), ("P20", 512), ("P30", 1024)]
TIERS += [("P40", 2048), ("P50", 4096), ("P60", 8192), ("P70", 16384), ("P80", 32767)]


def _commitments(item: str, lin: float, source: str, note: str) -> list[dict[str, Any]]:
    """Reserved and savings-plan rows derived from a size's Linux rate by observed ratios."""
    low = "low"
    return [
        entry(
            item,
            "linux-reserved-1y",
            lin * 8760 * RI1_RATIO,
            "term-1y",
            SEEN,
            "2026-09",
            f"{source}; {S99}",
            "derived",
            f"{note} x D4s_v5 RI/payg ratio {RI1_RATIO:.4f} (1y)",
            low,
        ),
        entry(
            item,
            "linux-reserved-3y",
            lin * 26280 * RI3_RATIO,
            "term-3y",
            SEEN,
            "2026-09",
            f"{source}; {S99}",
            "derived",
            f"{note} x D4s_v5 RI/payg ratio {RI3_RATIO:.4f} (3y)",
            low,
        ),
        entry(
            item,
            "linux-savings-plan-1y",
            lin * SP1_RATIO,
            "hour",
            SEEN,
            "2026-09",
            f"{source}; {S100}",
            "derived",
            f"{note} x East US D2s_v5 savings-plan/payg ratio {SP1_RATIO:.4f} (1y)",
            low,
        ),
        entry(
            item,
            "linux-savings-plan-3y",
            lin * SP3_RATIO,
            "hour",
            SEEN,
            "2026-09",
            f"{source}; {S100}",
            "derived",
            f"{note} x East US D2s_v5 savings-plan/payg ratio {SP3_RATIO:.4f} (3y)",
            low,
        ),
    ]


def _windows(item: str, lin: float, vcpu: int, source: str) -> dict[str, Any]:
    return entry(
        item,
        "windows-payg",
        lin + WIN_PER_VCPU * vcpu,
        "hour",
        SEEN,
        "2026-09",
        f"{source}; {S99}",
        "derived",
        f"Linux rate + Windows licence {WIN_PER_VCPU:.4f}/h per vCPU (D4s_v5 Windows - Linux)",
        "low",
    )


def vm_entries() -> list[dict[str, Any]]:
    """Compute rows: Dsv5 and Esv5 from observed anchors, M-series from list estimates."""
    rows: list[dict[str, Any]] = []
    for vcpu, _mem, _disks in DSV5:
        item = f"vm:Standard_D{vcpu}s_v5"
        lin = D_LINUX_PER_VCPU * vcpu
        if vcpu == 2:
            rows.append(
                entry(item, "linux-payg", 0.115, "hour", SEEN, "2026-09-03", S113, "observed")
            )
            rows.append(
                entry(item, "windows-payg", 0.207, "hour", SEEN, "2026-09-03", S113, "observed")
            )
        elif vcpu == 4:
            rows.append(entry(item, "linux-payg", 0.23, "hour", SEEN, "2026-09", S99, "observed"))
            rows.append(
                entry(item, "windows-payg", 0.414, "hour", SEEN, "2026-09", S99, "observed")
            )
        else:
            method = "linear per vCPU within Dsv5 from D4s_v5 0.23/h"
            rows.append(
                entry(item, "linux-payg", lin, "hour", SEEN, "2026-09", S99, "derived", method)
            )
            rows.append(_windows(item, lin, vcpu, S99))
        rows.extend(_commitments(item, lin, S99, "pay-as-you-go"))
    for vcpu, _mem, _disks in ESV5:
        item = f"vm:Standard_E{vcpu}s_v5"
        lin = E_LINUX_PER_VCPU * vcpu
        if vcpu == 4:
            rows.append(
                entry(
                    item,
                    "linux-payg",
                    0.304,
                    "hour",
                    SEEN,
                    "2026-09",
                    S99_TABLE,
                    "observed",
                    None,
                    "low",
                )
            )
        else:
            method = "linear per vCPU within Esv5 from E4s_v5 0.304/h"
            rows.append(
                entry(
                    item,
                    "linux-payg",
                    lin,
                    "hour",
                    SEEN,
                    "2026-09",
                    S99_TABLE,
                    "derived",
                    method,
                    "low",
                )
            )
        rows.append(_windows(item, lin, vcpu, S99_TABLE))
        rows.extend(_commitments(item, lin, S99_TABLE, "pay-as-you-go"))
    for name, vcpu, _mem, _disks, lin in MSERIES:
        item = f"vm:{name}"
        rows.append(
            estimate(item, "linux-payg", lin, "hour", "eastus", "M-series East US list price")
        )
        rows.append(_windows(item, lin, vcpu, "M-series estimate"))
        rows.extend(_commitments(item, lin, "M-series estimate", "pay-as-you-go estimate"))
    return rows


def licence_entries() -> list[dict[str, Any]]:
    """OS and SQL Server licence rows (per instance-hour or per vCPU-hour)."""
    proxy = "the AWS licence-included rate as a proxy (same vendor licence)"
    return [
        entry(
            "os:rhel",
            "small",
            0.06,
            "hour",
            "all",
            "2023-04",
            RHEL_AWS,
            "derived",
            f"RHEL up to 4 vCPU; {proxy}",
            "low",
        ),
        entry(
            "os:rhel",
            "large",
            0.13,
            "hour",
            "all",
            "2023-04",
            RHEL_AWS,
            "derived",
            f"RHEL above 4 vCPU; {proxy}",
            "low",
        ),
        unknown("os:sles", "small", "hour", REGION, "no SLES pay-as-you-go price stored"),
        unknown("os:sles", "large", "hour", REGION, "no SLES pay-as-you-go price stored"),
        entry(
            "sql:standard",
            "",
            0.12,
            "hour",
            "all",
            "2025-10",
            AWS_LICENCE_DOC,
            "derived",
            f"per vCPU-hour, 0.166 - 0.046; {proxy}",
            "low",
        ),
        entry(
            "sql:enterprise",
            "",
            0.375,
            "hour",
            "all",
            "2025-10",
            AWS_LICENCE_DOC,
            "derived",
            f"per vCPU-hour, 0.421 - 0.046; {proxy}",
            "low",
        ),
    ]


def other_entries() -> list[dict[str, Any]]:
    """Disks, backup, network, landing zone and support rows."""
    d = SEEN
    rows = [
        entry("disk:P4", "", 5.81, "month", d, "2026-09", S99_TABLE, "observed", None, "low"),
        entry(
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
        entry("disk:P10", "", 21.68, "month", d, "2026-09", S99, "observed"),
        entry("disk:P15", "", 41.81, "month", d, "2026-09", S99_TABLE, "observed", None, "low"),
        entry("disk:P20", "", 80.54, "month", d, "2026-09", S99_TABLE, "observed", None, "low"),
        entry("disk:P30", "", 148.68, "month", d, "2026-09", S99_TABLE, "observed", None, "low"),
    ]
    for name, size in TIERS[6:]:
        rows.append(
            entry(
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
    return rows + [
        entry(
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
        entry(
            "egress:free-gb",
            "",
            100,
            "quantity",
            "all",
            "2026",
            S109,
            "observed",
            "first 100 GB/month of internet egress free",
        ),
        entry(
            "backup:instance-50",
            "",
            5,
            "month",
            "all",
            "2016",
            S107,
            "observed",
            "protected instance up to 50 GB (2016 price)",
            "low",
        ),
        entry(
            "backup:instance-500",
            "",
            10,
            "month",
            "all",
            "2016",
            S107,
            "observed",
            "protected instance 50-500 GB (2016 price)",
            "low",
        ),
        entry(
            "backup:instance-per-500",
            "",
            10,
            "month",
            "all",
            "2016",
            S107,
            "observed",
            "each further 500 GB of a protected instance (2016 price)",
            "low",
        ),
        entry(
            "backup:storage",
            "",
            0.048,
            "gb-month",
            "all",
            "2016",
            S107,
            "observed",
            "backup storage, geo-redundant, per GB (2016 price)",
            "low",
        ),
        entry(
            "vpn:gateway",
            "",
            140 / 730,
            "hour",
            "all",
            "",
            AZ_VPN,
            "derived",
            "VpnGw1, 140 USD a month / 730 h",
            "low",
        ),
        entry(
            "bastion:host",
            "",
            0.19,
            "hour",
            "all",
            "2026-07-01",
            BASTION,
            "observed",
            "Azure Bastion Basic",
            "low",
        ),
        estimate(
            "logging:gb",
            "",
            2.30,
            "gb",
            "eastus",
            "Log Analytics analytics-logs ingestion, pay-as-you-go, per GB",
        ),
        estimate(
            "keyvault:vault",
            "",
            1.0,
            "month",
            "all",
            "Key Vault Standard: 0.03 per 10 000 operations, about 330 000 a month",
        ),
        entry("ip:public", "", 0.005, "hour", "eastus", "", S114, "observed", "Standard public IP"),
        estimate(
            "entrance:gateway",
            "",
            0.443,
            "hour",
            "eastus",
            "Application Gateway WAF_v2 fixed price per gateway-hour",
        ),
        estimate(
            "entrance:unit",
            "",
            0.0144,
            "hour",
            "eastus",
            "Application Gateway WAF_v2 capacity unit per hour",
        ),
        estimate("support:minimum", "", 100, "month", "all", "Azure Standard support plan"),
    ]


def azure_book() -> dict[str, Any]:
    """The bundled Azure book (Sweden Central; every price keeps the region it was seen for)."""
    sizes = [size_row(f"Standard_D{v}s_v5", "Dsv5", v, m, n, AZ_SIZES_SOURCE) for v, m, n in DSV5]
    sizes += [size_row(f"Standard_E{v}s_v5", "Esv5", v, m, n, AZ_SIZES_SOURCE) for v, m, n in ESV5]
    sizes += [size_row(n, "M", v, m, d, AZ_SIZES_SOURCE) for n, v, m, d, _p in MSERIES]
    return {
        "schema_version": 1,
        "provider": "azure",
        "region": REGION,
        "retrieved": "2026-12-05",
        "source": "azure retail prices (stored public sources)",
        "currency": "EUR",
        "fx": FX,
        "sizes": sizes,
        "disk_tiers": [{"name": n, "size_gb": s, "source": AZ_DISK_SOURCE} for n, s in TIERS],
        "offered": [],
        "offered_source": None,
        "entries": vm_entries() + licence_entries() + other_entries(),
        "notes": [
            "No official Sweden Central price was found in a stored source; each price keeps "
            "the region it was seen for (mostly westeurope; estimates eastus).",
            "Refresh with `utflytt prices refresh --provider azure --region swedencentral`.",
        ],
    }
