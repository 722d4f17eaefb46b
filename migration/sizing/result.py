"""What sizing gives for a server: its size, disks, licences and price, with provenance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from migration.pricing.book import PriceBook, PriceEntry


@dataclass(frozen=True, slots=True)
class DiskSizing:
    """One disk: its catalog size, the tier it maps to and its monthly price."""

    size_gb: float
    tier: str | None  # "P10", "gp3"; None when nothing holds it
    monthly_price: float | None
    basis: str  # observed | derived | unknown


@dataclass(frozen=True, slots=True)
class ServerSizing:
    """A server's target size, readiness and pay-as-you-go price on one provider."""

    server_id: str
    provider: str
    region: str
    sku: str | None
    readiness: str
    readiness_reasons: tuple[str, ...]
    monthly_price: float | None  # compute + Windows licence per catalog facts, EUR/month
    price_source: str | None
    basis: str  # "as on-premises" | "performance-based"
    target_vcpu: int
    target_memory_gb: float
    family: str | None = None
    sku_vcpu: int | None = None
    sku_memory_gb: float | None = None
    os_family: str = "unknown"
    compute_monthly: float | None = None  # Linux pay-as-you-go rate of the size
    licence_model: str = "none"  # none | hybrid-benefit | licence-included
    licence_monthly: float | None = 0.0  # OS licence part of monthly_price
    licence_product: str = "none"  # windows | rhel | sles | none
    licence_included_monthly: float | None = 0.0  # the OS licence if bought licence-included
    disks: tuple[DiskSizing, ...] = ()
    disks_monthly: float | None = 0.0
    notes: tuple[str, ...] = field(default=())

    def to_json_dict(self) -> dict[str, object]:
        """The JSON-ready form (plan.json extension, cost.json detail)."""
        return {
            "sku": self.sku,
            "readiness": self.readiness,
            "readiness_reasons": list(self.readiness_reasons),
            "monthly_price": _round(self.monthly_price),
            "price_source": self.price_source,
            "basis": self.basis,
            "target_vcpu": self.target_vcpu,
            "target_memory_gb": self.target_memory_gb,
            "licence_model": self.licence_model,
            "licence_product": self.licence_product,
            "disks": [
                {
                    "size_gb": d.size_gb,
                    "tier": d.tier,
                    "monthly_price": _round(d.monthly_price),
                    "basis": d.basis,
                }
                for d in self.disks
            ],
            "notes": list(self.notes),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


_BASIS_RANK = {"observed": 0, "derived": 1, "estimate": 2, "unknown": 3}


def price_source(book: PriceBook, entries: Iterable[PriceEntry], planned_region: str) -> str:
    """Provenance text for a price made of these entries (the weakest basis wins)."""
    items = list(entries)
    basis = max((e.basis for e in items), key=lambda b: _BASIS_RANK[b], default="unknown")
    retrieved = max((e.retrieved for e in items if e.retrieved), default=book.doc.retrieved)
    low = any(e.confidence == "low" for e in items)
    text = f"{book.doc.source} {book.region} {retrieved}, {basis}"
    if low:
        text += ", low confidence"
    seen = sorted({e.region for e in items if e.region not in ("all", planned_region)})
    if book.region != planned_region:
        seen = sorted({*seen, book.region})
    if seen:
        text += f"; seen for {', '.join(seen)}"
    return text
