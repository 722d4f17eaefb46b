"""Whole-catalog checks that a single record cannot make: ids and references.

They run on the raw merged document, not on validated models, so that a dangling reference
is reported in the same run as a field error elsewhere: the user sees every problem at once.
Records or fields too broken to check are skipped here; the field validation reports them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from migration.catalog.models import MIGRATING_DISPOSITIONS

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str, Loc | None]  # (field path, message, related first definition)


def _records(document: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = document.get(key)
    if not isinstance(value, list):
        return []
    return [(i, r) for i, r in enumerate(value) if isinstance(r, dict)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def cross_reference_problems(document: dict[str, Any]) -> Iterator[Problem]:
    """Yield every id and reference problem of a merged catalog document."""
    systems = _records(document, "systems")
    servers = _records(document, "servers")

    first_seen: dict[str, Loc] = {}
    for key, records in (("systems", systems), ("servers", servers)):
        for index, record in records:
            record_id = _text(record.get("id"))
            if record_id is None:
                continue
            loc: Loc = (key, index, "id")
            if record_id in first_seen:
                yield (
                    loc,
                    f"duplicate id {record_id!r} (ids are unique across systems and servers)",
                    first_seen[record_id],
                )
            else:
                first_seen[record_id] = loc

    system_ids = {i for _, r in systems if (i := _text(r.get("id")))}
    server_ids = {i for _, r in servers if (i := _text(r.get("id")))}
    # only text: a list or map there is the field check's to report (and is unhashable)
    disposition = {_text(r.get("id")): _text(r.get("disposition")) for _, r in systems}

    for index, record in systems:
        yield from _dependency_problems(
            ("systems", index), record, system_ids, server_ids, "system"
        )

    for index, record in servers:
        owner = _text(record.get("system"))
        if owner is not None and owner not in system_ids:
            hint = " (that is a server id)" if owner in server_ids else ""
            yield ("servers", index, "system"), f"unknown system {owner!r}{hint}", None
        elif owner is not None and disposition.get(owner) not in (*MIGRATING_DISPOSITIONS, None):
            for flag in ("pinned_wave", "migrated"):
                if record.get(flag) not in (None, False):
                    yield (
                        ("servers", index, flag),
                        f"set, but system {owner!r} has disposition {disposition.get(owner)!r} "
                        "and does not move (only rehost, replatform and rebuild do)",
                        None,
                    )
        yield from _dependency_problems(
            ("servers", index), record, server_ids, system_ids, "server"
        )


def _dependency_problems(
    base: Loc, record: dict[str, Any], same_kind: set[str], other_kind: set[str], kind: str
) -> Iterator[Problem]:
    own_id = _text(record.get("id"))
    dependencies = record.get("depends_on")
    if not isinstance(dependencies, list):
        return
    # the usual case, checked in C: every dependency a mapping naming a known id of its
    # own kind, none twice, none itself (anything else: the loop below says what is wrong)
    targets = [dep.get("to") if type(dep) is dict else None for dep in dependencies]
    if (
        all(type(target) is str for target in targets)
        and same_kind.issuperset(targets)
        and own_id not in targets
        and len(set(targets)) == len(targets)
    ):
        return
    seen: dict[str, int] = {}
    for dep_index, dep in enumerate(dependencies):
        target = _text(dep.get("to")) if isinstance(dep, dict) else None
        if target is None:
            continue
        loc: Loc = (*base, "depends_on", dep_index, "to")
        if target == own_id:
            yield loc, f"{kind} {own_id!r} depends on itself", None
        elif target not in same_kind:
            other = "system" if kind == "server" else "server"
            hint = (
                f" (that is a {other} id; a {kind}'s depends_on names {kind}s)"
                if target in other_kind
                else ""
            )
            yield loc, f"unknown {kind} {target!r}{hint}", None
        if target in seen:
            first: Loc = (*base, "depends_on", seen[target], "to")
            yield loc, f"second dependency on {target!r} (merge the ports into one entry)", first
        else:
            seen[target] = dep_index
