"""The provenance of every price the comparison used: the books, each price's own source and
date, and the exchange rate (with its date and source)."""

from __future__ import annotations

from typing import Any

from migration.cost.options import CostOptions
from migration.pricing.book import FxRate, PriceBook, Quote, parse_book


def with_fx(book: PriceBook, options: CostOptions) -> PriceBook:
    """The book with the exchange rate set by the assumptions (``eur_per_usd``), if any."""
    if options.eur_per_usd is None:
        return book
    fx = FxRate(
        eur_per_usd=options.eur_per_usd,
        date=options.fx_date or "",
        source=options.fx_source or "set as an assumption (eur_per_usd)",
        basis="observed" if options.fx_date and options.fx_source else "assumed",
    )
    return parse_book(book.doc.model_copy(update={"fx": fx}), book.path)


def book_doc(provider: str, book: PriceBook, planned_region: str) -> dict[str, Any]:
    """One entry of cost.json ``price_books``."""
    doc = book.doc
    seen = sorted({e.region for e in doc.entries if e.region not in ("all", doc.region)})
    note = None
    if doc.region != planned_region:
        note = f"no book for {planned_region}; priced as {doc.region}"
    elif seen:
        note = f"book for {doc.region}; some prices seen for {', '.join(seen)}"
    return {
        "provider": provider,
        "region": doc.region,
        "planned_region": planned_region,
        "source": doc.source,
        "retrieved": doc.retrieved,
        "currency": "EUR",
        "source_currency": sorted({e.currency for e in doc.entries}) or ["EUR"],
        "fx": doc.fx.model_dump() if doc.fx else None,
        "file": book.path.name,
        "note": note,
    }


def prices_doc(book: PriceBook, used: dict[tuple[str, str], Quote]) -> list[dict[str, Any]]:
    """Each price used, with its own source, region, date, basis and confidence."""
    rows = []
    for (item, option), quote in sorted(used.items()):
        entry = quote.entry
        rows.append(
            {
                "item": item,
                "option": option,
                "price": entry.price,
                "unit": entry.unit,
                "currency": entry.currency,
                "eur": None if quote.monthly is None else round(quote.monthly, 6),
                "eur_unit": _eur_unit(entry.unit),
                "region": entry.region,
                "retrieved": entry.retrieved,
                "source": entry.source,
                "basis": entry.basis,
                "method": entry.method,
                "confidence": entry.confidence,
            }
        )
    return rows


def _eur_unit(unit: str) -> str:
    return {
        "hour": "EUR/month",
        "month": "EUR/month",
        "term-1y": "EUR/month",
        "term-3y": "EUR/month",
        "gb-month": "EUR/GB-month",
        "gb": "EUR/GB",
        "share": "share",
        "quantity": "quantity",
    }[unit]


__all__ = ["book_doc", "prices_doc", "with_fx"]
