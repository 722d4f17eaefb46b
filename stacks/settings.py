"""What one stack run needs to know, read from its stack config (Pulumi.<stack>.yaml).

Shared by the Azure and AWS programs. The program reads the plan named here and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class StackSettings:
    """Settings of one stack: ``foundation`` (landing zone) or ``wave-NN``."""

    stack: str  # "foundation" or "wave-01"
    kind: Literal["foundation", "wave"]
    provider: Literal["azure", "aws"]
    region: str
    plan_path: str  # path of plan.json, relative to the repo root
    wave: int | None = None  # wave number for wave stacks
    foundation_stack: str = "foundation"  # StackReference name (org/project/stack allowed)
    tags: dict[str, str] = field(default_factory=dict)  # extra tags on every resource

    def foundation_settings(self) -> StackSettings:
        """The settings of the foundation stack this stack reads (offline previews run it
        first, so its outputs are there for the wave's StackReference)."""
        return StackSettings(
            stack="foundation",
            kind="foundation",
            provider=self.provider,
            region=self.region,
            plan_path=self.plan_path,
            wave=None,
            foundation_stack=self.foundation_stack,
            tags=dict(self.tags),
        )
