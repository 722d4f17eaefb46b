"""Price books (dated, sourced price data files) and the clients that refresh them."""

from migration.pricing.book import (
    BUNDLED_DIR,
    HOURS_PER_MONTH,
    DiskTier,
    FxRate,
    PriceBook,
    PriceBookFile,
    PriceEntry,
    Quote,
    VmSize,
    book_filename,
    find_book,
    load_book,
)

__all__ = [
    "BUNDLED_DIR",
    "HOURS_PER_MONTH",
    "DiskTier",
    "FxRate",
    "PriceBook",
    "PriceBookFile",
    "PriceEntry",
    "Quote",
    "VmSize",
    "book_filename",
    "find_book",
    "load_book",
]
