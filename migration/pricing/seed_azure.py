"""The bundled Azure book for Sweden Central, from the prices in stored public sources.

No Sweden Central price was found in a stored source (reference/pricing.md, B2): each row
says which region its number was seen for (mostly westeurope), so the book is for the
planned region while every price keeps its own region, date and source.
"""

from __future__ import annotations

from typing import Any

from migration.pricing.seed_azure_services import E_TIERS, TIERS, licence_entries, other_entries
from migration.pricing.seedlib import entry, estimate, size_row
from migration.pricing.sources import (
    AZ_DISK_SOURCE,
    AZ_SIZES_SOURCE,
    FX,
    S99,
    S99_TABLE,
    S100,
    S113,
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
        "disk_tiers": [
            {"name": n, "size_gb": s, "source": AZ_DISK_SOURCE} for n, s in TIERS + E_TIERS
        ],
        "offered": [],
        "offered_source": None,
        "entries": vm_entries() + licence_entries() + other_entries(),
        "notes": [
            "No official Sweden Central price was found in a stored source; each price keeps "
            "the region it was seen for (mostly westeurope; estimates eastus).",
            "Refresh with `utflytt prices refresh --provider azure --region swedencentral`.",
        ],
    }
