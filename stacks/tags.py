"""Tags both clouds put on every resource (DESIGN.md "Stacks"), decided once: system, owner,
wave (spelled as the plan names it, ``wave-02``), level, data classification, cost centre,
environment, criticality, personal data (``yes``/``no``), managed-by. The landing zone
carries the highest classification and criticality of the plan's systems (and personal
data if any has it), since it holds (or routes) all of their data."""

from __future__ import annotations

from collections.abc import Mapping

from migration.plan import Plan

CLASSIFICATION_RANK = {"public": 0, "internal": 1, "confidential": 2, "secret": 3}
REQUIRED_TAGS = (
    "system",
    "owner",
    "wave",
    "level",
    "data-classification",
    "cost-centre",
    "environment",
    "criticality",
    "personal-data",
)
CRITICALITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
LANDING_ZONE_ENVIRONMENT = "shared"  # the landing zone serves every environment


def flag(value: bool) -> str:
    """A boolean tag value, spelled the same on both clouds: ``yes`` / ``no``."""
    return "yes" if value else "no"


def wave_tag(wave: int) -> str:
    """The wave as plan.json names it: ``wave-02``."""
    return f"wave-{wave:02d}"


def highest_classification(plan: Plan) -> str:
    """The highest data classification of the plan's systems (``internal`` if none)."""
    return max(
        (s.data_classification for s in plan.systems.values()),
        key=lambda c: CLASSIFICATION_RANK.get(c, 0),
        default="internal",
    )


def system_tags(
    plan: Plan, system_id: str, wave: int, environment: str | None = None
) -> dict[str, str]:
    """Tags of a system's resources in ``wave`` (and ``environment``, when given)."""
    system = plan.systems.get(system_id)
    tags = {
        "system": system_id,
        "owner": system.owner if system else "unknown",
        "wave": wave_tag(wave),
        "level": system.level if system else "unknown",
        "data-classification": system.data_classification if system else "unknown",
        "cost-centre": (system.cost_centre or "unassigned") if system else "unassigned",
        "environment": environment or "prod",
        "criticality": system.criticality if system else "unknown",
        "personal-data": flag(system.personal_data) if system else "unknown",
        "managed-by": "utflytt",
    }
    return tags


def landing_zone_tags(
    plan: Plan, extra: Mapping[str, str] | None = None, environment: str | None = None
) -> dict[str, str]:
    """Tags of landing-zone resources (wave 0, shared, the plan's highest classification)."""
    extra = dict(extra or {})
    tags = {
        "system": "landing-zone",
        "owner": extra.get("owner") or plan.organisation or "platform",
        "wave": wave_tag(0),
        "level": "shared",
        "data-classification": highest_classification(plan),
        "cost-centre": extra.get("cost-centre", "platform"),
        "environment": environment or LANDING_ZONE_ENVIRONMENT,
        "criticality": max(
            (s.criticality for s in plan.systems.values()),
            key=lambda c: CRITICALITY_RANK.get(c, 0),
            default="medium",
        ),
        "personal-data": flag(any(s.personal_data for s in plan.systems.values())),
        "managed-by": "utflytt",
    }
    return tags
