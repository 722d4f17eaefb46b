"""Names that a re-plan must never change, derived from stable facts only (never from the
catalog hash or from where an id sorts): Windows computer names and globally unique
account names.

Once allocated, a name is kept in ``allocations.json`` (:mod:`migration.allocations`) and
read back from the plan (:func:`computer_name_of`): a later rename of the organisation or a
new server whose name would clash never renames (and so replaces) a deployed resource."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from itertools import count

from migration.errors import UtflyttError
from migration.plan import Plan

WINDOWS_NAME_LENGTH = 15  # NetBIOS


class NameError_(UtflyttError):
    """Two servers would get the same computer name."""


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def windows_computer_name(server_id: str) -> str:
    """At most 15 characters, from the server id alone: the id if it fits, else its first
    7 characters, ``-`` and 7 hex digits of its hash (never only digits)."""
    if len(server_id) <= WINDOWS_NAME_LENGTH and not server_id.isdigit():
        return server_id
    head = server_id[:7].rstrip("-") or "srv"
    return f"{head}-{_digest(server_id, 7)}"


def computer_names(server_ids: Iterable[str]) -> dict[str, str]:
    """Computer names of Windows servers, checked unique (case-insensitive)."""
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    for sid in sorted(server_ids):
        name = windows_computer_name(sid)
        other = seen.get(name.lower())
        if other is not None:
            raise NameError_(
                f"servers {other} and {sid} would both be computer {name!r}; rename one"
            )
        seen[name.lower()] = sid
        names[sid] = name
    return names


def allocate_computer_names(
    server_ids: Iterable[str], kept: Mapping[str, str], held: Iterable[str] = ()
) -> dict[str, str]:
    """Computer names of Windows servers: a server keeps its ``kept`` name; a new one gets
    :func:`windows_computer_name`, or when that is taken (case-insensitive, also by the
    ``held`` names of servers that left) the first free variant ``<id[:7]>-<7 hex of
    id#n>``. Unique, at most 15 characters, and never changed by another server's arrival."""
    taken = {name.lower() for name in held}
    out: dict[str, str] = {}
    wanted = sorted(server_ids)
    for sid in wanted:
        name = kept.get(sid, "")
        if name and name.lower() not in taken:
            out[sid] = name
            taken.add(name.lower())
    for sid in wanted:
        if sid in out:
            continue
        name = windows_computer_name(sid)
        head = sid[:7].rstrip("-") or "srv"
        for n in count(1):
            if name.lower() not in taken:
                break
            name = f"{head}-{_digest(f'{sid}#{n}', 7)}"
        out[sid] = name
        taken.add(name.lower())
    return out


def computer_name_of(plan: Plan, server_id: str) -> str:
    """The computer name of a Windows server built from an image: the one allocated in
    the plan for its provider, else :func:`windows_computer_name` (plans made before
    allocations)."""
    found = plan.allocations.provider(plan.target.provider).servers.get(server_id)
    if found is not None and found.computer_name:
        return found.computer_name
    return windows_computer_name(server_id)


def account_suffix(organisation: str, kind: str, length: int) -> str:
    """A stable, globally-unique-enough suffix from the organisation's name (lower hex)."""
    slug = re.sub(r"[^a-z0-9]", "", organisation.lower())
    return _digest(f"{kind}/{slug}", length)
