"""Row builders shared by the bundled-book seeds (:mod:`seed_azure`, :mod:`seed_aws`)."""

from __future__ import annotations

from typing import Any

from migration.pricing.sources import AWS_LICENCE_DOC, ESTIMATE, RHEL_AWS


def entry(
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
    """One price row (USD) with its provenance."""
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
        "confidence": "low" if basis == "estimate" else confidence,
    }


def unknown(item: str, option: str, unit: str, region: str, why: str) -> dict[str, Any]:
    """A row the book has no number for: every use of it is listed as unpriced."""
    return entry(item, option, None, unit, region, "", "none found", "unknown", why)


def estimate(
    item: str, option: str, price: float, unit: str, region: str, method: str
) -> dict[str, Any]:
    """A list-price estimate without a stored public source (low confidence)."""
    return entry(item, option, price, unit, region, "2026-12", ESTIMATE, "estimate", method)


def size_row(
    name: str, family: str, vcpu: int, memory_gb: float, disks: int, source: str
) -> dict[str, Any]:
    """A VM size row."""
    return {
        "name": name,
        "family": family,
        "vcpu": vcpu,
        "memory_gb": memory_gb,
        "max_data_disks": disks,
        "source": source,
    }


def licence_rows(region: str, proxy: str | None = None) -> list[dict[str, Any]]:
    """RHEL, SLES and SQL Server licence rows (AWS's rates; on Azure as a stated proxy).

    RHEL per instance-hour by size band, SQL Server per vCPU-hour (licence-included minus
    Windows), SLES unknown (no stored price).
    """
    basis = "observed" if proxy is None else "derived"
    conf = "normal" if proxy is None else "low"
    note = "" if proxy is None else f"; {proxy}"
    rows = [
        entry(
            "os:rhel",
            "small",
            0.06,
            "hour",
            "all",
            "2023-04",
            RHEL_AWS,
            basis,
            f"RHEL up to 4 vCPU{note}",
            conf,
        ),
        entry(
            "os:rhel",
            "large",
            0.13,
            "hour",
            "all",
            "2023-04",
            RHEL_AWS,
            basis,
            f"RHEL above 4 vCPU{note}",
            conf,
        ),
    ]
    rows += [
        unknown("os:sles", band, "hour", region, "no SLES price stored")
        for band in ("small", "large")
    ]
    for edition, with_sql in (("standard", 0.166), ("enterprise", 0.421)):
        rows.append(
            entry(
                f"sql:{edition}",
                "",
                with_sql - 0.046,
                "hour",
                "all",
                "2025-10",
                AWS_LICENCE_DOC,
                "derived",
                f"per vCPU-hour, Windows with SQL {with_sql} - Windows 0.046{note}",
                conf,
            )
        )
    return rows
