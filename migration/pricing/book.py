"""Price books: dated, sourced price data per provider and region, as JSON data files.

A book is one JSON file (``<provider>-<region>-<yyyy-mm>.json``). Every entry carries its own
provenance: where the number comes from (``source``), the region and date it was seen for,
its currency and its ``basis``:

- ``observed``: read from a price API or a stored public source as is;
- ``derived``: computed from observed values by the ``method`` the entry names (for example
  linear per vCPU within a size series);
- ``estimate``: a public list price no stored source confirms (low confidence, shown as such
  wherever it is used; ``prices refresh`` replaces it);
- ``unknown``: no value found; ``price`` is null and every use of it is listed as unpriced.

Prices in USD are converted to EUR with the book's dated ``fx`` rate. Hourly prices become
monthly at 730 hours a month; reservation prices are for the whole term (the Azure API says
"1 Hour" but means the term) and become monthly over 12 or 36 months.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from migration.errors import InputFileError

BOOK_SCHEMA_VERSION = 1
HOURS_PER_MONTH = 730.0
BUNDLED_DIR = Path(__file__).resolve().parent / "books"
Basis = Literal["observed", "derived", "estimate", "unknown"]
Unit = Literal["hour", "month", "term-1y", "term-3y", "gb-month", "gb", "share", "quantity"]
UNCONVERTED_UNITS = frozenset({"share", "quantity"})  # a fraction or a count, not money
Provider = Literal["azure", "aws"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FxRate(_Model):
    """A dated USD to EUR rate and where it comes from."""

    eur_per_usd: float = Field(gt=0)
    date: str
    source: str
    basis: Literal["observed", "assumed"]


class VmSize(_Model):
    """A VM size (Azure) or instance type (AWS) and what it offers."""

    name: str
    family: str
    vcpu: int = Field(ge=1)
    memory_gb: float = Field(gt=0)
    max_data_disks: int = Field(ge=0)
    source: str


class DiskTier(_Model):
    """A managed-disk tier billed by size band (Azure), with its capacity."""

    name: str
    size_gb: float = Field(gt=0)
    source: str


class PriceEntry(_Model):
    """One price with its provenance."""

    item: str  # "vm:Standard_D2s_v5", "disk:P10", "ebs:gp3", "egress:gb", ...
    option: str = ""  # vm: linux-payg, windows-payg, linux-reserved-1y, ... ; else ""
    price: float | None = Field(ge=0)
    unit: Unit
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    region: str
    retrieved: str  # ISO date or month the value was seen for
    source: str
    basis: Basis
    method: str | None = None  # how a derived value was computed, or why a value is unknown
    confidence: Literal["normal", "low"] = "normal"


class PriceBookFile(_Model):
    """The JSON document of one price book."""

    schema_version: Literal[1] = 1
    provider: Provider
    region: str
    retrieved: str
    source: str
    currency: str = "EUR"  # the currency the book's users see; entries may be USD
    fx: FxRate | None = None
    sizes: tuple[VmSize, ...] = ()
    disk_tiers: tuple[DiskTier, ...] = ()
    offered: tuple[str, ...] = ()  # instance types offered in the region (AWS)
    offered_source: str | None = None
    entries: tuple[PriceEntry, ...] = ()
    notes: tuple[str, ...] = ()


def fetched_entry(
    item: str,
    option: str,
    price: float,
    unit: Unit,
    currency: str,
    region: str,
    retrieved: str,
    source: str,
    method: str | None = None,
) -> PriceEntry:
    """A row read from a price API: ``observed``, or ``derived`` when ``method`` says how."""
    return PriceEntry(
        item=item,
        option=option,
        price=round(price, 6),
        unit=unit,
        currency=currency,
        region=region,
        retrieved=retrieved,
        source=source,
        basis="derived" if method else "observed",
        method=method,
    )


@dataclass(frozen=True)
class Quote:
    """A price converted to EUR, with the entry it comes from.

    ``monthly`` is EUR per month for hour/month/term units, EUR per unit (GB, GB-month),
    the bare number for ``share`` and ``quantity``; None when the book marks it unknown.
    """

    monthly: float | None
    entry: PriceEntry

    @property
    def known(self) -> bool:
        """True when the book has a number for this price."""
        return self.monthly is not None


@dataclass(frozen=True, eq=False)
class PriceBook:
    """A loaded book: the document, where it was read from, and a lookup index."""

    doc: PriceBookFile
    path: Path
    _index: dict[tuple[str, str], PriceEntry] = field(default_factory=dict, repr=False)

    @property
    def provider(self) -> str:
        """azure or aws."""
        return self.doc.provider

    @property
    def region(self) -> str:
        """The region the book's prices were seen for."""
        return self.doc.region

    def label(self, planned_region: str | None = None) -> str:
        """Short provenance label, e.g. ``azure retail prices westeurope 2026-09-03``."""
        text = f"{self.doc.source} {self.doc.region} {self.doc.retrieved}"
        if planned_region and planned_region != self.doc.region:
            text += f" (priced as {self.doc.region})"
        return text

    def entry(self, item: str, option: str = "") -> PriceEntry | None:
        """The entry for this item and option, or None if the book has no such row."""
        return self._index.get((item, option))

    def to_eur(self, value: float, currency: str) -> float:
        """Convert a value in the entry's currency to EUR with the book's dated rate."""
        if currency == "EUR":
            return value
        if currency == "USD":
            if self.doc.fx is None:
                raise InputFileError(
                    f"{self.path}: price book has USD prices but no fx rate "
                    "(expected fx.eur_per_usd with its date and source)"
                )
            return value * self.doc.fx.eur_per_usd
        raise InputFileError(
            f"{self.path}: unsupported currency {currency!r} (expected EUR or USD)"
        )

    def quote(self, item: str, option: str = "") -> Quote | None:
        """EUR price of an item (monthly for time units); None if the book has no row."""
        entry = self.entry(item, option)
        if entry is None:
            return None
        if entry.price is None:
            return Quote(None, entry)
        if entry.unit in UNCONVERTED_UNITS:
            return Quote(entry.price, entry)
        value = self.to_eur(entry.price, entry.currency)
        if entry.unit == "hour":
            value *= HOURS_PER_MONTH
        elif entry.unit == "term-1y":
            value /= 12.0
        elif entry.unit == "term-3y":
            value /= 36.0
        return Quote(value, entry)


def parse_book(doc: PriceBookFile, path: Path) -> PriceBook:
    """Index a book document; duplicate (item, option) rows are an error."""
    index: dict[tuple[str, str], PriceEntry] = {}
    for number, entry in enumerate(doc.entries):
        key = (entry.item, entry.option)
        if key in index:
            raise InputFileError(
                f"{path}: entries[{number}]: duplicate price for {entry.item} {entry.option!r}"
            )
        if entry.basis == "unknown" and entry.price is not None:
            raise InputFileError(f"{path}: entries[{number}]: basis 'unknown' must have price null")
        if entry.basis != "unknown" and entry.price is None:
            raise InputFileError(f"{path}: entries[{number}]: price null needs basis 'unknown'")
        index[key] = entry
    return PriceBook(doc=doc, path=path, _index=index)


def load_book(path: str | Path) -> PriceBook:
    """Read and check one price book file; raise :class:`InputFileError` naming the field."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputFileError(f"{file}: cannot read price book: {exc.strerror}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{file}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    try:
        doc = PriceBookFile.model_validate(raw)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputFileError(
            f"{file}: not a utflytt price book (schema {BOOK_SCHEMA_VERSION}): "
            f"{where}: {first['msg']}"
        ) from None
    return parse_book(doc, file)


def book_files(directory: Path) -> list[Path]:
    """The book files in a folder, sorted by name."""
    return sorted(p for p in directory.glob("*.json") if p.is_file())


_CACHE: dict[tuple[str, float], PriceBook] = {}


def _cached_load(path: Path) -> PriceBook:
    key = (str(path), path.stat().st_mtime)
    book = _CACHE.get(key)
    if book is None:
        book = load_book(path)
        _CACHE[key] = book
    return book


def find_book(provider: str, region: str, books_dir: str | Path | None = None) -> PriceBook:
    """The newest book for this provider and region.

    Looks in ``books_dir`` first (refreshed books), then in the bundled books. When no book
    for the region exists, the newest book of the provider is used; :meth:`PriceBook.label`
    with the planned region then carries the visible "priced as <region>" note.
    """
    folders = [Path(books_dir)] if books_dir is not None else []
    folders.append(BUNDLED_DIR)
    candidates: list[PriceBook] = []
    for folder in folders:
        if not folder.is_dir():
            if folder != BUNDLED_DIR:
                raise InputFileError(f"{folder}: price book folder not found")
            continue
        for path in book_files(folder):
            if not path.name.startswith(f"{provider}-"):
                continue
            candidates.append(_cached_load(path))
        exact = [b for b in candidates if b.provider == provider and b.region == region]
        if exact:
            return max(exact, key=lambda b: (b.doc.retrieved, str(b.path)))
    same_provider = [b for b in candidates if b.provider == provider]
    if not same_provider:
        raise InputFileError(f"no price book for provider {provider!r} (looked in {folders})")
    return max(same_provider, key=lambda b: (b.doc.retrieved, str(b.path)))


def book_filename(provider: str, region: str, retrieved: date) -> str:
    """Name of a book file: ``<provider>-<region>-<yyyy-mm>.json``."""
    return f"{provider}-{region}-{retrieved:%Y-%m}.json"
