"""Provisional systems and catalog ids for imported servers.

An export knows servers, not the business systems they serve. A configurable rule turns a
field of each server into a system key: the VM folder, its annotation or its name, through a
regular expression (its named group ``system``, else its first group, else the whole match).
Servers whose field does not match go to an ``ungrouped`` system for a human to sort.

Ids are slugs, unique across systems and servers: VM names are slugified, and names that
collide (the same VM name in two folders or vCenters) all get a suffix from their UUID, so
that an id does not depend on the order of rows in the export.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from migration.importers.common import ImportedServer, slugify

__all__ = ["DEFAULT_PATTERNS", "GROUP_BY", "Assignment", "GroupingRule", "assign"]

GroupBy = Literal["folder", "annotation", "name-pattern"]
GROUP_BY: tuple[str, ...] = get_args(GroupBy)
DEFAULT_PATTERNS: dict[str, str] = {
    "folder": r"([^/]+)/*$",  # the last folder of the path
    "annotation": r"^\s*(\S[^\n]*?)\s*$",  # the first line of the annotation
    "name-pattern": r"^([^-_.\d]+)",  # the name up to the first '-', '_', '.' or digit
}
UNGROUPED = "ungrouped"
SYSTEM_SLUG_MAX = 40


@dataclass(frozen=True)
class GroupingRule:
    """Which server field names its system, and the pattern that extracts it."""

    by: GroupBy = "folder"
    pattern: str | None = None

    def __post_init__(self) -> None:
        if self.by not in GROUP_BY:
            raise ValueError(f"expected one of {', '.join(GROUP_BY)}, got {self.by!r}")
        try:
            re.compile(self.effective_pattern, re.M)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None

    @property
    def effective_pattern(self) -> str:
        """The pattern given, or the default for the field."""
        return self.pattern if self.pattern is not None else DEFAULT_PATTERNS[self.by]

    def describe(self) -> str:
        """``folder`` or ``name-pattern /^(\\w+)-/`` for reports."""
        return self.by if self.pattern is None else f"{self.by} /{self.pattern}/"

    def key(self, server: ImportedServer) -> str:
        """The system key of ``server`` ('' when the rule does not match)."""
        field = {
            "folder": server.folder,
            "annotation": server.annotation,
            "name-pattern": server.name,
        }[self.by]
        regex = re.compile(self.effective_pattern, re.M)
        found = regex.search(field)
        if found is None:
            return ""
        if "system" in regex.groupindex:
            value = found.group("system")
        elif regex.groups:
            value = found.group(1)
        else:
            value = found.group(0)
        return (value or "").strip()


@dataclass(frozen=True)
class Assignment:
    """Ids for servers (by key) and systems, and which system each server belongs to."""

    server_ids: dict[str, str]  # server key -> id
    server_system: dict[str, str]  # server key -> system id
    systems: dict[str, str]  # system id -> name (the key as found, or a stand-in)


def _id_base(name: str) -> str:
    host = name.strip()
    first = host.split(".", 1)[0]
    if "." in host and not first.isdigit() and slugify(first):
        host = first  # an FQDN: the host name is the server's name
    return slugify(host, 54) or "server"


def _uuid_tag(uuid: str) -> str:
    return re.sub(r"[^a-z0-9]", "", uuid.lower()) or "x"


def server_ids(servers: Sequence[ImportedServer]) -> dict[str, str]:
    """Slug ids by server key; duplicate names get a UUID suffix, all of them."""
    bases = {s.key: _id_base(s.name) for s in servers}
    counts = Counter(bases.values())
    ids: dict[str, str] = {}
    taken: set[str] = {b for b, n in counts.items() if n == 1}
    for server in sorted(servers, key=lambda s: (bases[s.key], s.uuid, s.key)):
        base = bases[server.key]
        if counts[base] == 1:
            ids[server.key] = base
            continue
        tag = _uuid_tag(server.uuid)
        for length in (8, 12, 16, 32):
            candidate = f"{base}-{tag[:length]}"[:63]
            if candidate not in taken:
                break
        number = 2
        while candidate in taken:
            candidate = f"{base}-{tag[:8]}-{number}"
            number += 1
        taken.add(candidate)
        ids[server.key] = candidate
    return ids


def assign(servers: Sequence[ImportedServer], rule: GroupingRule) -> Assignment:
    """Server ids, provisional systems and membership, deterministically."""
    ids = server_ids(servers)
    used = set(ids.values())
    systems: dict[str, str] = {}
    by_slug: dict[str, str] = {}
    membership: dict[str, str] = {}
    for server in servers:
        key = rule.key(server)
        slug = slugify(key, SYSTEM_SLUG_MAX) or UNGROUPED
        system_id = by_slug.get(slug)
        if system_id is None:
            system_id = slug
            while system_id in used:  # a folder named like a VM
                system_id = f"{slug}-system" if system_id == slug else f"{system_id}-x"
            by_slug[slug] = system_id
            used.add(system_id)
            systems[system_id] = key if slug != UNGROUPED or key else "Ungrouped servers"
        membership[server.key] = system_id
    return Assignment(ids, membership, dict(sorted(systems.items())))
