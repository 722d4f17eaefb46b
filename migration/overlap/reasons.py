"""The report's words in Swedish and English: why a system is kept, retired or stays, and
the headings and basis sentences of labels.yaml.

Python decides (:mod:`migration.overlap.groups`); this only words the decision. Parameters:
``a``/``b`` the kept system's and the runner-up's value of the deciding criterion, ``other``
the runner-up, ``keep`` the system kept, ``capabilities`` a list.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

REASONS: dict[str, dict[str, str]] = {
    "keep-capabilities": {
        "en": "keep: covers the most capabilities ({a} against {b} for {other})",
        "sv": "behåll: täcker flest förmågor ({a} mot {b} för {other})",
    },
    "keep-criticality": {
        "en": "keep: highest criticality ({a} against {b} for {other})",
        "sv": "behåll: högst kritikalitet ({a} mot {b} för {other})",
    },
    "keep-dependants": {
        "en": "keep: most dependants, fewest integrations to re-point ({a} against {b} for "
        "{other})",
        "sv": "behåll: flest beroende system, minst att koppla om ({a} mot {b} för {other})",
    },
    "keep-cost_per_server": {
        "en": "keep: lowest monthly cost per server ({a} against {b} EUR for {other})",
        "sv": "behåll: lägst månadskostnad per server ({a} mot {b} EUR för {other})",
    },
    "keep-open_or_saas": {
        "en": "keep: open API or SaaS option ({other} has neither)",
        "sv": "behåll: öppet API eller SaaS-alternativ ({other} saknar båda)",
    },
    "keep-id": {
        "en": "keep: equal to {other} on every criterion; first by id",
        "sv": "behåll: lika med {other} i alla kriterier; först i id-ordning",
    },
    "keep-only": {
        "en": "keep: the only system still in use with this capability",
        "sv": "behåll: enda systemet i bruk med förmågan",
    },
    "retire": {
        "en": "retire: {keep} does the same job, and every capability it serves stays covered",
        "sv": "avveckla: {keep} gör samma jobb, och alla dess förmågor täcks av system som "
        "blir kvar",
    },
    "already-retired": {
        "en": "already retired in the catalog",
        "sv": "avvecklas redan enligt katalogen",
    },
    "alone": {
        "en": "stays: it alone serves {capabilities} (partial overlap: review)",
        "sv": "blir kvar: ensam om {capabilities} (delvis överlapp: granska)",
    },
    "migrated": {
        "en": "stays: its servers are already migrated",
        "sv": "blir kvar: dess servrar är redan flyttade",
    },
    "kept-elsewhere": {
        "en": "stays: the one kept for {capabilities}",
        "sv": "blir kvar: behålls för {capabilities}",
    },
}


def reason_text(code: str, params: dict[str, str], lang: str) -> str:
    """The reason ``code`` in ``lang`` (sv or en) with its parameters filled in."""
    return REASONS[code][lang].format(**params)


@functools.cache
def labels() -> dict[str, dict[str, Any]]:
    """Headings, fixed text and basis sentences per language (labels.yaml)."""
    text = resources.files("migration.overlap").joinpath("labels.yaml").read_text("utf-8")
    loaded: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return loaded
