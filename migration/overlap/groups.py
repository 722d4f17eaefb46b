"""Overlap groups: systems that share a declared capability, what to keep, what to retire.

A group is one capability declared by two or more systems. In each group the systems still
in use (every disposition but ``retire``) are ranked, and the first is the one to **keep**:

1. most capabilities covered (the broadest system absorbs the others' jobs);
2. highest criticality;
3. most dependants (fewest integrations to re-point);
4. lowest monthly cost per server (ÅDA + licences today);
5. an open API or a SaaS option (``open_api: true``, ``repurchase`` or a SaaS price);
6. the id, so that a tie still gives one answer.

The reason given is the first criterion on which the kept system beats the runner-up.

A system is recommended for **retirement** only when it is kept in no group and every
capability it declares is shared with a system that stays: retiring it loses no job. A
system that also serves a capability no other system has stays (a partial overlap, listed
for review). So the recommendations never contradict each other across groups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from migration.catalog import CRITICALITY_RANK, Catalog, System

CRITERIA = ("capabilities", "criticality", "dependants", "cost_per_server", "open_or_saas", "id")


@dataclass(frozen=True)
class Ranked:
    """A system's ranking facts inside a group."""

    system: System
    dependants: int
    cost_per_server: float

    @property
    def open_or_saas(self) -> bool:
        """A documented open API, or a SaaS option (repurchase or a SaaS price)."""
        s = self.system
        return bool(s.open_api) or s.disposition == "repurchase" or bool(s.saas_monthly_cost)

    def key(self) -> tuple[float | int | str, ...]:
        """Sort key: the best system first."""
        s = self.system
        return (
            -len(s.capabilities),
            -CRITICALITY_RANK[s.criticality],
            -self.dependants,
            self.cost_per_server,
            0 if self.open_or_saas else 1,
            s.id,
        )


@dataclass(frozen=True)
class Decision:
    """The outcome for one capability group."""

    capability: str
    members: tuple[str, ...]  # every system declaring the capability, by id
    keep: str | None
    keep_criterion: str  # which of CRITERIA decided (or "only" / "none")
    keep_values: tuple[str, str]  # the kept system's and the runner-up's value of it
    runner_up: str | None
    retire: tuple[str, ...]
    also_kept: dict[str, str]  # system -> why it stays although not the one kept here
    already_retired: tuple[str, ...]


def dependants_of(catalog: Catalog) -> dict[str, set[str]]:
    """System id -> ids of the other systems that depend on it (system or server level)."""
    owner = {s.id: s.system for s in catalog.servers}
    found: dict[str, set[str]] = {s.id: set() for s in catalog.systems}
    for system in catalog.systems:
        for dep in system.depends_on:
            if dep.to in found and dep.to != system.id:
                found[dep.to].add(system.id)
    for server in catalog.servers:
        for link in server.depends_on:
            provider = owner.get(link.to)
            if provider is not None and provider != server.system:
                found[provider].add(server.system)
    return found


def capability_members(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """Capability -> the systems declaring it, only where two or more do (sorted)."""
    members: dict[str, set[str]] = {}
    for system in catalog.systems:
        for capability in set(system.capabilities):
            members.setdefault(capability, set()).add(system.id)
    return {c: tuple(sorted(ids)) for c, ids in sorted(members.items()) if len(ids) >= 2}


def decide(
    catalog: Catalog, dependants: Mapping[str, set[str]], cost_per_server: Mapping[str, float]
) -> list[Decision]:
    """One :class:`Decision` per capability group (sorted by capability).

    A system with servers already migrated is never retired here (it has moved; the plan
    cannot undo that): it stays, with the reason ``migrated``.
    """
    moved = {s.system for s in catalog.servers if s.migrated}
    systems = catalog.systems_by_id
    groups = capability_members(catalog)
    first: dict[str, tuple[Ranked, Ranked | None]] = {}
    for capability, ids in groups.items():
        active = [
            Ranked(systems[i], len(dependants[i]), cost_per_server[i])
            for i in ids
            if systems[i].disposition != "retire"
        ]
        active.sort(key=Ranked.key)
        if active:
            first[capability] = (active[0], active[1] if len(active) > 1 else None)
    kept_for: dict[str, list[str]] = {}
    for capability, (best, _) in first.items():
        kept_for.setdefault(best.system.id, []).append(capability)
    kept_anywhere = set(kept_for)
    shared = set(groups)
    retiring: set[str] = set()
    partial: dict[str, list[str]] = {}
    for system in catalog.systems:
        if system.disposition == "retire" or system.id in kept_anywhere:
            continue
        if not any(system.id in groups[c] for c in system.capabilities if c in groups):
            continue
        alone = sorted(c for c in set(system.capabilities) if c not in shared)
        if system.id in moved:
            partial[system.id] = ["migrated"]
        elif alone:
            partial[system.id] = alone
        else:
            retiring.add(system.id)
    decisions = []
    for capability, ids in groups.items():
        already = tuple(i for i in ids if systems[i].disposition == "retire")
        pair = first.get(capability)
        if pair is None:
            decisions.append(
                Decision(capability, ids, None, "none", ("", ""), None, (), {}, already)
            )
            continue
        best, second = pair
        criterion, values = _deciding(best, second)
        also = {}
        for i in ids:
            if i == best.system.id or i in already or i in retiring:
                continue
            if partial.get(i) == ["migrated"]:
                also[i] = "migrated:"
            elif i in partial:
                also[i] = "alone:" + ",".join(partial[i])
            else:
                also[i] = "kept-elsewhere:" + ",".join(kept_for[i])
        decisions.append(
            Decision(
                capability=capability,
                members=ids,
                keep=best.system.id,
                keep_criterion=criterion,
                keep_values=values,
                runner_up=second.system.id if second else None,
                retire=tuple(i for i in ids if i in retiring),
                also_kept=also,
                already_retired=already,
            )
        )
    return decisions


def _deciding(best: Ranked, second: Ranked | None) -> tuple[str, tuple[str, str]]:
    """The first criterion on which ``best`` beats ``second``, with both values as text."""
    if second is None:
        return "only", ("", "")
    shown = (
        (str(len(best.system.capabilities)), str(len(second.system.capabilities))),
        (best.system.criticality, second.system.criticality),
        (str(best.dependants), str(second.dependants)),
        (f"{best.cost_per_server:.2f}", f"{second.cost_per_server:.2f}"),
        (_yes(best.open_or_saas), _yes(second.open_or_saas)),
        (best.system.id, second.system.id),
    )
    for criterion, mine, theirs, values in zip(
        CRITERIA, best.key(), second.key(), shown, strict=True
    ):
        if mine != theirs:
            return criterion, values
    return "id", shown[-1]  # pragma: no cover - ids are unique


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
