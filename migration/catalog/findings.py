"""Findings on a valid catalog that is not finished yet: placeholders and unknown dependencies.

An import draft (``utflytt import``) is a valid catalog full of guesses: ``TODO`` values and
lines marked ``# PLACEHOLDER``. They are findings, not errors: ``utflytt validate`` lists
them, ``validate --strict`` fails on them, and :func:`load_final_catalog` (used by ``plan``,
``cost`` and ``exit-plan``) refuses a catalog whose organisation or contract is still a
placeholder, because every document those commands write is headed by them.

- A *placeholder* is a line whose value is ``TODO`` or which carries the marker
  ``# PLACEHOLDER``; remove the marker when you fill the value in.
- *Dependencies unknown*: a migrating system with no dependency declared in either
  direction (neither it nor its servers depend on another system, and no other system
  depends on it).
  It may truly stand alone; more often its dependencies were never written down, and the
  planner then cannot keep it with what it talks to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from migration.catalog.loader import load_catalog_with_digest
from migration.catalog.models import MIGRATING_DISPOSITIONS, Catalog
from migration.catalog.source import catalog_files
from migration.collector import collector_paused
from migration.errors import Issue, UtflyttError

__all__ = [
    "DraftCatalogError",
    "Findings",
    "dependencies_unknown",
    "find_findings",
    "latency_cycles",
    "find_placeholders",
    "load_final_catalog",
]

TODO = "TODO"
MARKER = "PLACEHOLDER"
_HIT = re.compile(r"\bTODO\b|#\s*PLACEHOLDER\b")
_TOP_KEY = re.compile(r"^([A-Za-z_]\w*)\s*:", re.MULTILINE)
_KEY = re.compile(r"""^\s*(?:-\s+)?["']?([\w.-]+)["']?\s*:\s*(.*)$""")
_ID = re.compile(r"""^\s*-?\s*["']?id["']?\s*:\s*["']?([a-z0-9][a-z0-9-]*)""", re.MULTILINE)
FINAL_SECTIONS = ("organisation", "contract")
"""Top-level fields that head every document plan, cost and exit-plan write."""


class DraftCatalogError(UtflyttError):
    """The catalog's organisation or contract is still a placeholder (an import draft)."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = sorted(issues)
        lines = [str(issue) for issue in self.issues]
        super().__init__(
            "catalog is a draft: fill in its organisation and contract first "
            f"({len(lines)} placeholder{'s' if len(lines) != 1 else ''})\n" + "\n".join(lines)
        )


@dataclass(frozen=True)
class Findings:
    """What remains to fill in: placeholder lines and systems with no known dependency.

    ``latency_cycles`` are information, not something to fill in (``--strict`` passes):
    systems tied by a cycle of latency-sensitive dependencies, which move in one wave.
    """

    placeholders: tuple[Issue, ...] = ()
    dependencies_unknown: tuple[Issue, ...] = ()
    latency_cycles: tuple[Issue, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.placeholders or self.dependencies_unknown)


@dataclass(frozen=True)
class _Hit:
    issue: Issue
    section: str  # the top-level key the line belongs to ("" when unknown, e.g. JSON)


def _hits(text: str) -> list[int]:
    """Offsets of every ``TODO`` and ``PLACEHOLDER`` (str.find: a regex alternation over a
    50 MB catalog takes 20 s, this a fraction of one)."""
    found: list[int] = []
    for token in (TODO, MARKER):
        start = text.find(token)
        while start >= 0:
            found.append(start)
            start = text.find(token, start + len(token))
    return sorted(found)


def _scan(path: Path) -> list[_Hit]:
    text = path.read_text(encoding="utf-8-sig")
    offsets = _hits(text)
    if not offsets:
        return []
    tops = [(m.start(), m.group(1)) for m in _TOP_KEY.finditer(text)]
    hits: list[_Hit] = []
    line_no, line_pos, top_index, last_line = 1, 0, -1, -1
    for start in offsets:
        line_no += text.count("\n", line_pos, start)
        line_pos = start
        if line_no == last_line:
            continue
        begin = text.rfind("\n", 0, start) + 1
        end = text.find("\n", start)
        line = text[begin : end if end >= 0 else len(text)]
        if line.lstrip().startswith("#") or not _HIT.search(line):
            continue  # a comment line (the draft's own header), or TODO inside a word
        key_match = _KEY.match(line)
        if key_match is None:
            continue
        key, rest = key_match.groups()
        value, _, comment = rest.partition("#")
        value = value.strip().strip("\"',")
        if value != TODO and not comment.lstrip().startswith(MARKER):
            continue
        while top_index + 1 < len(tops) and tops[top_index + 1][0] <= begin:
            top_index += 1
        section = tops[top_index][1] if top_index >= 0 else ""
        if begin == (tops[top_index][0] if top_index >= 0 else -1):
            section = key
        last_line = line_no
        why = comment.strip().removeprefix(MARKER).lstrip(": ").strip()
        message = f"placeholder value {value or '(empty)'}" + (f" ({why})" if why else "")
        column = len(line) - len(line.lstrip()) + 1
        hits.append(_Hit(Issue(str(path), line_no, column, key, message), section))
    return hits


def find_placeholders(path: str | Path) -> list[Issue]:
    """Every placeholder line of the catalog at ``path`` (a file or a folder), sorted."""
    return sorted(hit.issue for file in catalog_files(Path(path)) for hit in _scan(file))


def _positions(path: Path) -> dict[str, tuple[str, int, int]]:
    """``id`` -> (file, line, column) of its first ``id:`` line."""
    found: dict[str, tuple[str, int, int]] = {}
    for file in catalog_files(path):
        text = file.read_text(encoding="utf-8-sig")
        line_no, pos = 1, 0
        for match in _ID.finditer(text):
            line_no += text.count("\n", pos, match.start())
            pos = match.start()
            column = match.start(1) - (text.rfind("\n", 0, match.start(1)) + 1) + 1
            found.setdefault(match.group(1), (str(file), line_no, column))
    return found


def dependencies_unknown(catalog: Catalog, path: str | Path | None = None) -> list[Issue]:
    """Migrating systems with no dependency in either direction (see the module doc)."""
    system_of = {server.id: server.system for server in catalog.servers}
    linked: set[str] = set()
    for system in catalog.systems:
        for dep in system.depends_on:
            provider = system_of.get(dep.to, dep.to)
            if provider != system.id:  # within one system says nothing about the others
                linked.add(system.id)
                linked.add(provider)
    for server in catalog.servers:
        consumer = server.system
        for server_dep in server.depends_on:
            provider = system_of.get(server_dep.to, server_dep.to)
            if provider != consumer:
                linked.add(consumer)
                linked.add(provider)
    lonely = [
        s for s in catalog.systems if s.id not in linked and s.disposition in MIGRATING_DISPOSITIONS
    ]
    positions = _positions(Path(path)) if path is not None and lonely else {}
    issues = []
    for system in lonely:
        file, line, column = positions.get(system.id, (str(path or ""), 0, 0))
        issues.append(
            Issue(
                file,
                line,
                column,
                system.id,
                "dependencies unknown: no dependency declared to or from this system",
            )
        )
    return sorted(issues)


def latency_cycles(catalog: Catalog, path: str | Path | None = None) -> list[Issue]:
    """Systems tied into a cycle by latency-sensitive dependencies, each cycle named in full.

    Such systems move in one wave (a move group); the finding names every partner so that a
    mistaken ``latency_sensitive: true`` is easy to spot.
    """
    import networkx as nx

    system_of = {server.id: server.system for server in catalog.servers}
    graph: nx.DiGraph = nx.DiGraph()
    for system in catalog.systems:
        for dep in system.depends_on:
            if dep.latency_sensitive:
                graph.add_edge(system.id, system_of.get(dep.to, dep.to))
    for server in catalog.servers:
        for server_dep in server.depends_on:
            if server_dep.latency_sensitive:
                graph.add_edge(server.system, system_of.get(server_dep.to, server_dep.to))
    cycles = sorted(
        sorted(component)
        for component in nx.strongly_connected_components(graph)
        if len(component) > 1
    )
    positions = _positions(Path(path)) if path is not None and cycles else {}
    issues = []
    for members in cycles:
        file, line, column = positions.get(members[0], (str(path or ""), 0, 0))
        issues.append(
            Issue(
                file,
                line,
                column,
                members[0],
                f"latency-sensitive cycle across {len(members)} systems: "
                f"{', '.join(members)} (they move in one wave)",
            )
        )
    return issues


def find_findings(catalog: Catalog, path: str | Path) -> Findings:
    """Placeholders, systems with unknown dependencies and latency-sensitive cycles."""
    # like loading: many small objects, no cycles; the cyclic collector would rescan the
    # whole catalog again and again (measured at 100k servers: 3.7 s, 30 s with it on)
    with collector_paused():
        return Findings(
            tuple(find_placeholders(path)),
            tuple(dependencies_unknown(catalog, path)),
            tuple(latency_cycles(catalog, path)),
        )


def final_blockers(catalog: Catalog, path: str | Path) -> list[Issue]:
    """Placeholders in the organisation or the contract (JSON: ``TODO`` values there)."""
    issues = [
        hit.issue
        for file in catalog_files(Path(path))
        for hit in _scan(file)
        if hit.section in FINAL_SECTIONS
    ]
    where = str(path)
    if catalog.organisation == TODO and not any(i.path == "organisation" for i in issues):
        issues.append(Issue(where, 0, 0, "organisation", f"placeholder value {TODO}"))
    if catalog.contract.provider == TODO and not any(i.path == "provider" for i in issues):
        issues.append(Issue(where, 0, 0, "contract.provider", f"placeholder value {TODO}"))
    return sorted(issues)


def load_final_catalog(path: str | Path) -> tuple[Catalog, str]:
    """Load a catalog for planning, costing or an exit plan; refuse a draft.

    Raises :class:`DraftCatalogError` listing the placeholder lines when the organisation or
    the contract are placeholders (other placeholders are ``validate``'s findings).
    """
    catalog, digest = load_catalog_with_digest(path)
    blockers = final_blockers(catalog, path)
    if blockers:
        raise DraftCatalogError(blockers)
    return catalog, digest
