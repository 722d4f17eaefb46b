"""Build the bundled price books from the public prices recorded in stored sources.

Run ``python -m migration.pricing.seed`` to regenerate ``migration/pricing/books/*.json``.
Values found in stored public sources are ``observed``, values computed from them by a
stated rule ``derived``, list prices no stored source confirms ``estimate`` (low
confidence), and everything else ``unknown`` (price null): an unknown price is listed as
unpriced wherever it is needed, never a silent zero. USD converts to EUR at the dated ECB
reference rate in :data:`migration.pricing.sources.FX`.
"""

from __future__ import annotations

from pathlib import Path

from migration.fileio import dumps_json, write_atomic
from migration.pricing.book import BUNDLED_DIR, PriceBookFile
from migration.pricing.seed_aws import aws_book
from migration.pricing.seed_azure import azure_book

BUNDLED_NAMES = ("azure-swedencentral-2026-12.json", "aws-eu-north-1-2026-12.json")


def write_bundled(directory: Path = BUNDLED_DIR) -> list[Path]:
    """Validate and write both bundled books; return their paths."""
    paths = []
    for name, doc in zip(BUNDLED_NAMES, (azure_book(), aws_book()), strict=True):
        PriceBookFile.model_validate(doc)
        paths.append(write_atomic(directory / name, dumps_json(doc)))
    return paths


if __name__ == "__main__":  # pragma: no cover
    for path in write_bundled():
        print(path)
