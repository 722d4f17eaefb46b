"""Where in the catalog files an error's subjects are: ``file:line: what``.

The planner never sees the files (a loaded :class:`~migration.catalog.Catalog` keeps no
positions, so that a valid 100,000-server catalog pays nothing for them); its
:class:`~migration.errors.PlanError` names catalog entries by id (``subjects``). Only when
such an error is raised are the files read again and the entries found, here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from migration.catalog.source import LIST_KEYS, Loc, SourceError, format_loc, read_source
from migration.errors import Issue, PlanError, Subject

__all__ = [
    "locate_plan_error",
    "located_subjects",
    "subject_issues",
    "subject_lines",
    "where_lines",
]

_KIND = {"servers": "server", "systems": "system"}
# the field of a server that fixes its wave: the line a pin or migration error points at
_FIXING_FIELDS = ("pinned_wave", "migrated")


def locate_plan_error(error: PlanError, catalog_path: str | Path) -> PlanError:
    """``error`` with the catalog line of every subject it names (unchanged when none)."""
    issues = subject_issues(catalog_path, error.subjects)
    return error.located(where_lines(issues), issues) if issues else error


def where_lines(issues: Sequence[Issue]) -> list[str]:
    """``file:line: what`` for each located subject (the human form of ``issues``)."""
    return [f"{issue.file}:{issue.line}: {issue.message}" for issue in issues]


def subject_lines(catalog_path: str | Path, subjects: Sequence[Subject]) -> list[str]:
    """``file:line: what`` for each subject found in the catalog at ``catalog_path``."""
    return where_lines(subject_issues(catalog_path, subjects))


def subject_issues(catalog_path: str | Path, subjects: Sequence[Subject]) -> list[Issue]:
    """An :class:`Issue` (file, line, column, field path; message: what it is, e.g.
    ``server 'dc01' pinned_wave``) for each subject found in the catalog at
    ``catalog_path``, in the order given."""
    return [issue for _, issue in located_subjects(catalog_path, subjects)]


def located_subjects(
    catalog_path: str | Path, subjects: Sequence[Subject]
) -> list[tuple[Subject, Issue]]:
    """:func:`subject_issues`, each with the subject it locates (each subject once)."""
    if not subjects:
        return []
    try:
        source = read_source(Path(catalog_path))
    except (SourceError, OSError):  # the catalog changed under us: no lines, same error
        return []
    document = source.document
    index: dict[str, dict[Any, int]] = {
        key: {
            item.get("id"): i
            for i, item in enumerate(document.get(key) or [])
            if isinstance(item, dict)
        }
        for key in LIST_KEYS
    }
    found: list[tuple[Subject, Loc]] = []
    for subject in dict.fromkeys(subjects):
        loc = _loc(subject, index, document)
        if loc is not None:
            found.append((subject, loc))
    source.prefetch([loc for _, loc in found])
    return [(subject, source.issue(loc, _what(subject, loc))) for subject, loc in found]


def _loc(
    subject: Subject, index: dict[str, dict[Any, int]], document: dict[str, Any]
) -> Loc | None:
    """The merged field path of a subject, or None when the catalog has no such entry."""
    if not subject:
        return None
    key = subject[0]
    if key not in LIST_KEYS:
        return subject
    if len(subject) < 2 or subject[1] not in index[str(key)]:
        return None
    i = index[str(key)][subject[1]]
    rest = subject[2:]
    if key == "servers" and not rest:
        item = document["servers"][i]
        rest = next(((f,) for f in _FIXING_FIELDS if f in item), ())
    return (key, i, *rest)


def _what(subject: Subject, loc: Loc) -> str:
    """``server 'dc01' pinned_wave``, ``system 'eco' blackouts[0]``, ``planning.start``."""
    kind = _KIND.get(str(subject[0]))
    if kind is None:
        return format_loc(loc)
    rest = format_loc(loc[2:]).lstrip(".")
    return f"{kind} {subject[1]!r}" + (f" {rest}" if rest else "")
