"""The cloud regions utflytt plans into: each provider's public regions inside the EU.

A catalog's ``planning.region`` is the region of ``planning.target``; the stack configs'
``utflytt:region`` and the EU data-residency check of the stacks use the same lists, so a
region the catalog check accepts is one the stacks accept (one rule, one place).

Sources (programmatic region names, checked 2026-12):

- Azure: "Azure regions list", https://learn.microsoft.com/azure/reliability/regions-list
  (the "Programmatic name" column; ``az account list-locations -o table`` prints the same
  names). EU member states only: Norway, Switzerland and the UK are outside the EU.
- AWS: "AWS Regions", https://docs.aws.amazon.com/global-infrastructure/latest/regions/
  aws-regions.html (the "Code" column). EU member states only: eu-west-2 (London) and
  eu-central-2 (Zurich) are outside the EU.

A region opened later is added here (with its CAF abbreviation in
``stacks.azure.layout.REGION_ABBREVIATIONS`` for Azure); until then the catalog check names
the lists it knows.
"""

from __future__ import annotations

import difflib

__all__ = ["DEFAULT_REGIONS", "EU_REGIONS", "PROVIDER_NAMES", "region_problem"]

EU_REGIONS: dict[str, frozenset[str]] = {
    "azure": frozenset(
        {
            "swedencentral",
            "swedensouth",
            "northeurope",
            "westeurope",
            "francecentral",
            "francesouth",
            "germanywestcentral",
            "germanynorth",
            "italynorth",
            "polandcentral",
            "spaincentral",
            "austriaeast",
            "belgiumcentral",
            "denmarkeast",
        }
    ),
    "aws": frozenset(
        {"eu-north-1", "eu-west-1", "eu-west-3", "eu-central-1", "eu-south-1", "eu-south-2"}
    ),
}
PROVIDER_NAMES = {"azure": "Azure", "aws": "AWS"}
DEFAULT_REGIONS = {"azure": "swedencentral", "aws": "eu-north-1"}
"""The region planned when none is given: the catalog's ``planning.region`` default for its
``planning.target``, and the region of a ``--target`` other than the catalog's."""


def region_problem(provider: str, region: str) -> str | None:
    """Why ``region`` is not a region utflytt plans into on ``provider``; None if it is.

    The message names the closest known region (a typo) or the provider the region belongs
    to (a region of the other cloud), and lists the valid values.
    """
    known = EU_REGIONS.get(provider)
    if known is None or region in known:
        return None
    name = PROVIDER_NAMES.get(provider, provider)
    valid = ", ".join(sorted(known))
    other = next((p for p, regions in EU_REGIONS.items() if region in regions), None)
    if other is not None:
        return (
            f"{region!r} is an {PROVIDER_NAMES[other]} region, but the target is {provider}; "
            f"expected one of: {valid}"
        )
    close = difflib.get_close_matches(region, sorted(known), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{region!r} is not an {name} region in the EU{hint}; expected one of: {valid}"
