"""Importers of real inventories into catalog v1: RVTools, Azure Migrate, dependency exports.

Each importer returns records plus what it detected (:class:`ImportResult`), and raises one
error family (:class:`ImporterError`) naming file, sheet, row and column.
"""

from migration.importers.catalog_writer import CatalogDraft, DraftOptions, build_catalog
from migration.importers.common import (
    BadValue,
    Detected,
    ImportedServer,
    ImporterError,
    ImportResult,
    MissingColumn,
    MissingSheet,
    Problem,
)
from migration.importers.grouping import GroupingRule
from migration.importers.rvtools import read_rvtools

__all__ = [
    "BadValue",
    "CatalogDraft",
    "Detected",
    "DraftOptions",
    "GroupingRule",
    "ImportResult",
    "ImportedServer",
    "ImporterError",
    "MissingColumn",
    "MissingSheet",
    "Problem",
    "build_catalog",
    "read_rvtools",
]
