"""How servers are sized: allowed families, comfort factor, the limits every size fits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEFAULT_REGION = {"azure": "swedencentral", "aws": "eu-north-1"}
DEFAULT_FAMILIES = {"azure": ("Dsv5", "Esv5", "M"), "aws": ("m5", "r7a", "x2idn")}
MAX_VCPU = 128
"""The largest server the default families fit (Azure M128s, AWS x2idn.32xlarge)."""
MAX_MEMORY_GB = 2048.0
"""The most memory the default families fit (2 TiB)."""
AS_ON_PREMISES = "as on-premises"
PERFORMANCE_BASED = "performance-based"


@dataclass(frozen=True)
class SizingOptions:
    """How to size: comfort factor, performance-based or not, allowed families, books."""

    comfort_factor: float = 1.3
    performance_based: bool = True
    azure_families: tuple[str, ...] = DEFAULT_FAMILIES["azure"]
    aws_families: tuple[str, ...] = DEFAULT_FAMILIES["aws"]
    as_of: date | None = None  # readiness date; default: the catalog's planning start
    books_dir: Path | None = None

    def families(self, provider: str) -> tuple[str, ...]:
        """Allowed families for a provider (empty: every family in the book)."""
        return self.azure_families if provider == "azure" else self.aws_families
