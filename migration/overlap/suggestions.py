"""Hints for catalogs without (enough) capabilities: names, vendors and roles that recur.

Never counted as groups and never priced: a shared word in two names is a reason to ask the
owners, not evidence of overlap. Three kinds:

- ``name``: names that share a word stem, also inside Swedish and Finnish compounds
  ("Bokning av lokaler", "Gästhamnsbokning", "Gamla lokalbokningen");
- ``vendor``: one vendor's systems in different sectors (one contract could serve them all);
- ``role``: the same kind of system (e-service, booking, portal, archive, ...) in different
  sectors.

A hint whose systems all already share a declared capability adds nothing and is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from migration.catalog import Catalog, System

MIN_STEM = 6
MAX_MEMBERS = 10  # a "stem" shared by more systems than this is a generic word
ENDINGS = ("arna", "erna", "orna", "ssa", "en", "et", "na")
# generic words of system names (sv, en, fi) that say nothing about the job done
STOPWORDS = frozenset(
    """system systemet systems tjänst tjänsten tjänster service services hantering
    register registret portal portalen plattform platform stadens staden kommunens
    mariehamns gemensam gemensamma central centrala application applikation program
    programvara järjestelmä palvelu verksamhetssystem digital digitalt digitala personal
    gamla gamlas mobil mobila webben invånare medborgare""".split()
)
ROLES: dict[str, tuple[str, ...]] = {
    "e-service": ("e-tjänst", "etjänst", "e-service", "eservice", "e-blankett", "asiointi"),
    "booking": ("bokning", "booking", "varaus"),
    "portal": ("portal", "portaali"),
    "archive": ("arkiv", "archive", "arkisto"),
    "app": ("appen", " app ", "mobilapp"),
    "payment": ("betalning", "kassa", "payment", "maksu"),
    "records": ("journal", "records", "potilastieto"),
    "scheduling": ("schema", "scheduling", "bemanning", "vuorosuunnittelu"),
}


class Suggestion(BaseModel):
    """One hint: its kind, what the systems share, and the systems."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str  # name | vendor | role
    shared: str  # the stem, vendor or role
    systems: tuple[str, ...]
    names: tuple[str, ...]  # the systems' names, in the same order
    sectors: tuple[str, ...]


def _words(name: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", name.casefold()) if w not in STOPWORDS]


def _bases(word: str) -> set[str]:
    """The word and the word without a definite or plural ending (if long enough)."""
    bases = {word}
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            bases.add(word[: -len(ending)])
    return bases


def name_stems(systems: Iterable[System]) -> dict[str, set[str]]:
    """Stem -> systems whose names hold it as a word or as the end of a compound."""
    own: dict[str, set[str]] = {}
    for system in systems:
        for word in _words(system.name):
            for base in _bases(word):
                if len(base) >= MIN_STEM and base not in STOPWORDS:
                    own.setdefault(base, set()).add(system.id)
    heads: dict[str, set[str]] = {stem: set(ids) for stem, ids in own.items()}
    for stem, ids in own.items():
        # a compound ending in another name's word: "gästhamnsbokning" ends with "bokning"
        for start in range(1, len(stem) - MIN_STEM + 1):
            if stem[start:] in own:
                heads[stem[start:]] |= ids
    return heads


def suggest(catalog: Catalog, grouped: Iterable[tuple[str, ...]]) -> list[Suggestion]:
    """Every hint, sorted by kind, then by what is shared."""
    systems = catalog.systems_by_id
    covered = [set(g) for g in grouped]
    found: dict[tuple[str, ...], Suggestion] = {}

    def add(kind: str, shared: str, ids: Iterable[str], *, sectors_differ: bool) -> None:
        members = tuple(sorted(set(ids)))
        if not 2 <= len(members) <= MAX_MEMBERS:
            return
        sectors = tuple(sorted({systems[i].sector for i in members}))
        if sectors_differ and len(sectors) < 2:
            return
        if any(set(members) <= g for g in covered) or members in found:
            return
        found[members] = Suggestion(
            kind=kind,
            shared=shared,
            systems=members,
            names=tuple(systems[i].name for i in members),
            sectors=sectors,
        )

    active = [s for s in catalog.systems if s.disposition != "retire"]
    for stem, ids in sorted(name_stems(active).items()):
        add("name", stem, ids, sectors_differ=False)
    vendors: dict[str, set[str]] = {}
    for system in active:
        if system.vendor:
            vendors.setdefault(system.vendor, set()).add(system.id)
    for vendor, ids in sorted(vendors.items()):
        add("vendor", vendor, ids, sectors_differ=True)
    for role, needles in ROLES.items():
        ids = {s.id for s in active if any(n in f" {s.name.casefold()} " for n in needles)}
        add("role", role, ids, sectors_differ=True)
    return sorted(found.values(), key=lambda s: (s.kind, s.shared, s.systems))
