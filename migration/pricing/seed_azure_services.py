"""Azure rows beyond compute for the bundled Sweden Central book: OS and SQL licences,
managed disks (Premium P and Standard SSD E bands), backup, network, landing zone, support."""

from __future__ import annotations

from typing import Any

from migration.pricing.seedlib import entry, estimate, licence_rows
from migration.pricing.sources import (
    AZ_VPN,
    BASTION,
    S99,
    S99_TABLE,
    S107,
    S109,
    S114,
)

REGION = "swedencentral"
SEEN = "westeurope"
TIERS = [("P4", 32), ("P6", 64), ("P10", 128), ("P15", 256), ("P20", 512), ("P30", 1024)]
TIERS += [("P40", 2048), ("P50", 4096), ("P60", 8192), ("P70", 16384), ("P80", 32767)]
# Standard SSD (non-production disks in the stacks): the same size bands, E instead of P
E_TIERS = [("E" + name[1:], size) for name, size in TIERS]


def licence_entries() -> list[dict[str, Any]]:
    """OS and SQL Server licence rows (per instance-hour or per vCPU-hour)."""
    return licence_rows(REGION, "the AWS licence-included rate as a proxy (same vendor licence)")


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
    for name, size in E_TIERS:
        if name == "E30":
            rows.append(entry("disk:E30", "", 76.8, "month", d, "2026-09", S99, "observed"))
        else:
            rows.append(
                entry(
                    f"disk:{name}",
                    "",
                    76.8 * size / 1024,
                    "month",
                    d,
                    "2026-09",
                    S99,
                    "derived",
                    "linear per GiB from E30 LRS 76.8/month",
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
