"""Completeness: the example is priced on both clouds, and any missing price is named."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.pipeline import plan_catalog
from migration.catalog import Catalog, load_catalog_with_digest
from migration.cost import compare_costs
from migration.cost.outputs import render_text
from migration.examples import EXAMPLE_CATALOG
from migration.plan import Plan
from migration.pricing.book import PriceBook, find_book, parse_book
from waves import PlanOptions


@lru_cache(maxsize=1)
def example() -> tuple[Catalog, Plan, dict[str, Any]]:
    catalog, digest = load_catalog_with_digest(EXAMPLE_CATALOG)
    plan = plan_catalog(catalog, digest, PlanOptions())
    return catalog, plan, compare_costs(catalog, plan).to_json_dict()


def _without(book: PriceBook, item: str, option: str) -> PriceBook:
    entries = tuple(
        e.model_copy(update={"price": None, "basis": "unknown", "method": "removed in a test"})
        if (e.item, e.option) == (item, option)
        else e
        for e in book.doc.entries
    )
    return parse_book(book.doc.model_copy(update={"entries": entries}), book.path)


class TestExample:
    def test_complete_for_both_clouds(self) -> None:
        """Every line of the bundled example is priced on Azure and AWS."""
        _catalog, _plan, doc = example()
        assert doc["complete"] == {"azure": True, "aws": True}
        for provider in ("azure", "aws"):
            assert doc["providers"][provider]["unpriced"] == []
            components = doc["providers"][provider]["components"]
            for line in ("compute", "os_licence", "sql_licence", "disks", "backup", "vpn"):
                assert sum(components[line].values()) > 0, (provider, line)
            for line in ("logging", "key_vault", "public_entrances", "support", "egress"):
                assert sum(components[line].values()) > 0, (provider, line)

    def test_every_price_has_a_source_and_a_date(self) -> None:
        """Each price used carries its own source, region, basis and (unless undated) date."""
        _catalog, _plan, doc = example()
        for provider in ("azure", "aws"):
            rows = doc["prices"][provider]
            assert len(rows) > 20
            for row in rows:
                assert row["source"] and row["region"] and row["basis"] != "unknown"
        fx = {b["provider"]: b["fx"] for b in doc["price_books"]}
        assert fx["azure"]["date"] == "2026-09-30" and "ECB" in fx["azure"]["source"]

    def test_one_exit_day_with_the_exit_plan(self) -> None:
        """The cost model's exit day is migration.exitday's (the contract end here)."""
        from migration.exitday import exit_day

        catalog, plan, doc = example()
        assert doc["facts"]["exit_date"] == exit_day(catalog, plan).isoformat()
        assert doc["facts"]["notice_date"] == "2027-06-30"


def _used_prices() -> list[tuple[str, str, str]]:
    _catalog, _plan, doc = example()
    return sorted(
        (provider, row["item"], row["option"])
        for provider in ("azure", "aws")
        for row in doc["prices"][provider]
        if row["unit"] != "quantity" and not row["item"].startswith("support:share")
    )


REGIONS = {"azure": "swedencentral", "aws": "eu-north-1"}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_missing_price_is_never_a_silent_zero(data: st.DataObject) -> None:
    """Remove any price the example uses: either sizing prices the server with another size
    (complete, the removed price unused), or the provider is incomplete, names each missing
    item with why, and prints its totals with '≥'; the other provider is untouched."""
    catalog, plan, full = example()
    provider, item, option = data.draw(st.sampled_from(_used_prices()))
    other = "aws" if provider == "azure" else "azure"
    books = {
        provider: _without(find_book(provider, REGIONS[provider]), item, option),
        other: find_book(other, REGIONS[other]),
    }
    report = compare_costs(catalog, plan, books=books)
    doc = report.to_json_dict()
    used = {(r["item"], r["option"]) for r in doc["prices"][provider]}
    assert (item, option) not in used
    if doc["complete"][provider]:
        assert item.startswith("vm:")  # only a size can be replaced by another size
    else:
        assert doc["providers"][provider]["unpriced"]
        assert all(u["why"] and u["what"] for u in doc["providers"][provider]["unpriced"])
        assert "INCOMPLETE, totals are lower bounds" in render_text(report)
    assert doc["complete"][other] is True
    assert doc["providers"][other]["total"] == full["providers"][other]["total"]
