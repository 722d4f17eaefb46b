"""``prices refresh``: fetch current prices and write a new dated book."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx

from migration.errors import InputFileError
from migration.fileio import dumps_json, write_atomic
from migration.pricing import aws, azure
from migration.pricing.book import BUNDLED_DIR, FxRate, book_filename, find_book, parse_book


def refresh_book(
    provider: str,
    region: str,
    out_dir: str | Path = BUNDLED_DIR,
    *,
    retrieved: date,
    eur_per_usd: float | None = None,
    fx_date: date | None = None,
    base_url: str | None = None,
    currency: str = "USD",
    client: httpx.Client | None = None,
) -> Path:
    """Fetch prices for a provider and region and write ``<provider>-<region>-<yyyy-mm>.json``.

    The newest existing book of the provider is the template: it supplies the size list
    (Azure) and the rows the refresh does not fetch (kept only when region-independent or
    unknown). Nothing is written when the fetch fails.
    """
    template = find_book(provider, region)
    fx = None
    if eur_per_usd is not None:
        fx = FxRate(
            eur_per_usd=eur_per_usd,
            date=(fx_date or retrieved).isoformat(),
            source="ECB euro foreign exchange reference rate of the day, given with "
            "--eur-per-usd and --fx-date",
            basis="observed",
        )
    try:
        if provider == "azure":
            doc = azure.refresh_azure(
                region,
                template,
                retrieved=retrieved,
                fx=fx,
                base_url=base_url or azure.DEFAULT_BASE_URL,
                currency=currency,
                client=client,
            )
        elif provider == "aws":
            doc = aws.refresh_aws(
                region,
                template,
                retrieved=retrieved,
                fx=fx,
                base_url=base_url or aws.DEFAULT_BASE_URL,
                client=client,
            )
        else:
            raise InputFileError(f"provider must be azure or aws, got {provider!r}")
    except httpx.HTTPError as exc:
        raise InputFileError(f"cannot fetch {provider} prices: {exc}") from None
    target = Path(out_dir) / book_filename(provider, region, retrieved)
    parse_book(doc, target)  # the same checks as loading
    return write_atomic(target, dumps_json(doc.model_dump(mode="json")))
