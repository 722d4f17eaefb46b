"""Names that a re-plan must never change, derived from stable facts only (never from the
catalog hash or from where an id sorts): Windows computer names and globally unique
account names."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from migration.errors import UtflyttError

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


def account_suffix(organisation: str, kind: str, length: int) -> str:
    """A stable, globally-unique-enough suffix from the organisation's name (lower hex)."""
    slug = re.sub(r"[^a-z0-9]", "", organisation.lower())
    return _digest(f"{kind}/{slug}", length)
