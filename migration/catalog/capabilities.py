"""The bundled capability vocabulary (capabilities.yaml) and the check ``validate`` warns with.

A capability names a business function a system serves; systems that share one are
consolidation candidates (``utflytt overlap``). The vocabulary keeps two catalogs, or two
sectors of one city, spelling the same job the same way. A capability outside it is a
warning, not an error, with the closest entry as a suggestion; a city's own ones carry the
prefix ``custom-`` and pass silently.
"""

from __future__ import annotations

import difflib
import functools
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from migration.catalog.models import Catalog
from migration.catalog.source import Loc, format_loc, issues_at
from migration.errors import Issue

CUSTOM_PREFIX = "custom-"


class Capability(BaseModel):
    """One entry of the vocabulary: id, domain and its Swedish and English names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    domain: str
    sv: str
    en: str


@functools.cache
def vocabulary() -> dict[str, Capability]:
    """The bundled vocabulary, keyed by id, in file order."""
    text = resources.files("migration.catalog").joinpath("capabilities.yaml").read_text("utf-8")
    entries = [Capability.model_validate(e) for e in yaml.safe_load(text)["capabilities"]]
    return {e.id: e for e in entries}


def capability_name(capability: str, lang: str) -> str:
    """The capability's name in ``lang`` (sv or en); a custom one is shown as written."""
    entry = vocabulary().get(capability)
    if entry is None:
        return capability
    return entry.sv if lang == "sv" else entry.en


def unknown_capabilities(catalog: Catalog) -> list[tuple[Loc, str]]:
    """(field path, message) of each capability neither bundled nor ``custom-``."""
    known = vocabulary()
    found: list[tuple[Loc, str]] = []
    for index, system in enumerate(catalog.systems):
        for position, capability in enumerate(system.capabilities):
            if capability in known or capability.startswith(CUSTOM_PREFIX):
                continue
            close = difflib.get_close_matches(capability, list(known), n=1, cutoff=0.8)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            found.append(
                (
                    ("systems", index, "capabilities", position),
                    f"{capability!r} of system {system.id!r} is not in the bundled "
                    f"vocabulary{hint} (a city's own capability starts with {CUSTOM_PREFIX!r}; "
                    "list: utflytt overlap --vocabulary)",
                )
            )
    return found


def capability_warnings(catalog: Catalog) -> list[str]:
    """One warning per unknown capability: ``field path: message``."""
    return [f"{format_loc(loc)}: {message}" for loc, message in unknown_capabilities(catalog)]


def capability_issues(catalog: Catalog, path: str | Path) -> list[Issue]:
    """The same warnings as :class:`Issue` at file, line and column of the catalog at ``path``.

    The files are read again only when there is something to warn about.
    """
    return issues_at(Path(path), unknown_capabilities(catalog))
