"""The facts the checklist conditions test, read from the catalog and the plan.

One :class:`Subject` per thing an item can be about: the whole exit, a system, a server or a
wave. Facts are plain values, named as in :data:`exit_plan.data.FACTS`; a test checks that
every scope yields exactly the facts the data files may use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from exit_plan.timeline import DATA_ACT_MAX_NOTICE_MONTHS, LegalTimeline
from migration.catalog import MIGRATING_DISPOSITIONS, Catalog, System
from migration.exitday import exit_day
from migration.flows import server_flows
from migration.plan import HybridFlow, Plan, Wave

# The Data Act bans switching charges from this date (Art. 29).
SWITCHING_CHARGE_BAN = date(2027, 1, 12)
# End of extended support per OS slug (source key ms-lifecycle). Only Windows Server is
# listed: other systems' dates are not in the stored sources, so they never trigger the item.
END_OF_SUPPORT: dict[str, date] = {
    "windows-server-2008": date(2020, 1, 14),
    "windows-server-2008r2": date(2020, 1, 14),
    "windows-server-2012": date(2023, 10, 10),
    "windows-server-2012r2": date(2023, 10, 10),
    "windows-server-2016": date(2027, 1, 12),
    "windows-server-2019": date(2029, 1, 9),
    "windows-server-2022": date(2031, 10, 14),
}


@dataclass(frozen=True, slots=True)
class Subject:
    """What an item applies to, with the facts its conditions test."""

    scope: str  # once | system | server | wave
    id: str  # "" for once
    label: str  # human name (catalog text: escape when rendering)
    wave: int | None
    facts: dict[str, Any] = field(default_factory=dict)
    owner: str | None = None  # the system's owner, for per-system and per-server items


def os_family(os_slug: str) -> str:
    """``windows``, ``linux`` or ``other`` from an OS slug."""
    if os_slug.startswith("windows"):
        return "windows"
    linux = ("ubuntu", "rhel", "centos", "debian", "suse", "sles", "oracle", "alma", "rocky")
    if os_slug.startswith(linux):
        return "linux"
    return "other"


def flow_waves(flow: HybridFlow) -> tuple[int | None, int | None]:
    """(wave that opens the flow, wave that closes it; None = never closes)."""
    return flow_waves_of(flow.from_wave, flow.to_wave, flow.kind)


@cache
def flow_waves_of(
    from_wave: int | None, to_wave: int | None, kind: str
) -> tuple[int | None, int | None]:
    """:func:`flow_waves` of a flow's two waves and kind (a plan's hundreds of thousands of
    flows have a few hundred of these: each is worked out once)."""
    waves = [w for w in (from_wave, to_wave) if w is not None]
    opens = min(waves) if waves else None
    closes = max(waves) if kind == "temporary" and len(waves) == 2 else None
    return opens, closes


def _system_wave(plan: Plan) -> dict[str, int]:
    """Each migrating system's cutover wave: the last wave holding its servers.

    A system's test and dev servers may move in an earlier wave than its prod servers (never
    later), so the last wave is the one that moves production: DNS, citizen notices and the
    approval to switch off the source all belong to it.
    """
    result: dict[str, int] = {}
    for wave in plan.waves:
        for system_id in wave.systems:
            result[system_id] = max(result.get(system_id, wave.number), wave.number)
    return result


def system_edges(catalog: Catalog, plan: Plan) -> set[tuple[str, str]]:
    """(consumer system, provider system) of every flow between two systems: one pass over
    the plan's server flows (the one flow rule's, recomputed when the plan has none)."""
    system_of = {s.id: s.system for s in catalog.servers}
    edges: set[tuple[str, str]] = set()
    for flow in plan.flows or server_flows(catalog):
        a, b = system_of.get(flow.from_), system_of.get(flow.to)
        if a is not None and b is not None and a != b:
            edges.add((a, b))
    return edges


def _dependants(
    catalog: Catalog, plan: Plan, providers: Mapping[str, set[str]] | None = None
) -> dict[str, set[str]]:
    """System id -> the other systems that depend on it (``providers``: system -> the other
    systems it depends on, :func:`exit_plan.runbook.system_providers`, when the caller has
    it: a pass over every flow less)."""
    edges: Iterable[tuple[str, str]] = (
        system_edges(catalog, plan)
        if providers is None
        else ((consumer, provider) for consumer, these in providers.items() for provider in these)
    )
    result: dict[str, set[str]] = {}
    for consumer, provider in edges:
        result.setdefault(provider, set()).add(consumer)
    return result


def exit_subject(catalog: Catalog, plan: Plan) -> Subject:
    """The whole exit: facts about the contract and the portfolio."""
    contract = catalog.contract
    fee = (contract.exit_fee or 0) > 0
    after_ban = fee and exit_day(catalog, plan) >= SWITCHING_CHARGE_BAN
    dispositions = {s.disposition for s in catalog.systems}
    facts = {
        "target": plan.target.provider,
        "notice_over_max": contract.notice_months > DATA_ACT_MAX_NOTICE_MONTHS,
        "exit_fee_after_ban_date": after_ban,
        "exit_fee_before_ban_date": fee and not after_ban,
        "has_personal_data": any(s.personal_data for s in catalog.systems),
        "has_retain": "retain" in dispositions,
        "has_retire": "retire" in dispositions,
        "has_repurchase": "repurchase" in dispositions,
        "has_citizen": any(s.level == "citizen" for s in catalog.systems),
    }
    return Subject(scope="once", id="", label="", wave=None, facts=facts)


def system_subjects(
    catalog: Catalog, plan: Plan, providers: Mapping[str, set[str]] | None = None
) -> list[Subject]:
    """One subject per system, sorted by id (``providers`` as for :func:`_dependants`).

    A migrating system's wave is its cutover wave. A retired or repurchased system that a
    migrating system depends on gets the earliest such dependant's wave: its integrations
    must be re-pointed before that wave moves (the planner's ``repoint`` warning).
    """
    waves = _system_wave(plan)
    dependants = _dependants(catalog, plan, providers)
    subjects = []
    for system in sorted(catalog.systems, key=lambda s: s.id):
        users = dependants.get(system.id, set())
        facts = {
            "level": system.level,
            "disposition": system.disposition,
            "migrates": system.disposition in MIGRATING_DISPOSITIONS,
            "personal_data": system.personal_data,
            "data_classification": system.data_classification,
            "criticality": system.criticality,
            "foundation": system.foundation,
            "has_dependants": bool(users),
            "target": plan.target.provider,
        }
        if system.disposition in MIGRATING_DISPOSITIONS:
            wave = waves.get(system.id)
        elif system.disposition in ("retire", "repurchase"):
            wave = min((waves[u] for u in users if u in waves), default=None)
        else:
            wave = None
        subjects.append(Subject("system", system.id, system.name, wave, facts, owner=system.owner))
    return subjects


def _end_of_support(os_slug: str, when: date | None) -> bool:
    eos = END_OF_SUPPORT.get(os_slug)
    return eos is not None and when is not None and eos <= when


def server_subjects(catalog: Catalog, plan: Plan) -> list[Subject]:
    """One subject per server, sorted by id; end of support is judged at its move date."""
    systems = catalog.systems_by_id
    wave_start = {w.number: w.start for w in plan.waves}
    day = exit_day(catalog, plan)
    subjects = []
    for server in sorted(catalog.servers, key=lambda s: s.id):
        system = systems[server.system]
        planned = plan.servers.get(server.id)
        wave = planned.wave if planned is not None else None
        when = wave_start.get(wave) if wave is not None else day
        facts = {
            "os_family": os_family(server.os),
            "windows_software_assurance": server.licences.windows_software_assurance,
            "sql": server.licences.sql,
            "os_end_of_support": _end_of_support(server.os, when),
            "disposition": system.disposition,
            "migrates": system.disposition in MIGRATING_DISPOSITIONS,
            "environment": server.environment,
            "target": plan.target.provider,
        }
        label = f"{server.id} ({server.os})"
        subjects.append(Subject("server", server.id, label, wave, facts, owner=system.owner))
    return subjects


CRITICAL_RTO_HOURS = 4.0
"""A wave holding a system with an RTO of at most this many hours (or a critical system)
gets the critical go/no-go: rehearsal, tested rollback, a decision deadline."""


def pilot_wave(catalog: Catalog, plan: Plan) -> int | None:
    """The pilot: the first wave after wave 0 when the catalog asks for one."""
    if not catalog.planning.pilot:
        return None
    later = sorted(w.number for w in plan.waves if w.number > 0 and not w.frozen)
    return later[0] if later else None


def is_critical(systems: list[System]) -> bool:
    """A wave with a critical system, or one whose RTO is at most CRITICAL_RTO_HOURS."""
    return any(
        s.criticality == "critical"
        or (s.rto_hours is not None and s.rto_hours <= CRITICAL_RTO_HOURS)
        for s in systems
    )


def wave_subjects(catalog: Catalog, plan: Plan) -> list[Subject]:
    """One subject per wave, in wave order."""
    systems = catalog.systems_by_id
    # which waves open or close a flow: from the few distinct (waves, kind) of the flows
    kinds = {(f.from_wave, f.to_wave, f.kind) for f in plan.hybrid_flows}
    spans = [flow_waves_of(*k) for k in kinds]
    opening = {first for first, _ in spans if first is not None}
    closing = {last for _, last in spans if last is not None}
    pilot = pilot_wave(catalog, plan)
    subjects = []
    for wave in sorted(plan.waves, key=lambda w: w.number):
        members = [systems[s] for s in wave.systems if s in systems]
        facts = {
            "number": wave.number,
            "frozen": wave.frozen,
            "has_citizen": any(s.level == "citizen" for s in members),
            "has_personal_data": any(s.personal_data for s in members),
            "opens_flows": wave.number in opening,
            "closes_flows": wave.number in closing,
            "pilot": wave.number == pilot,
            "critical": is_critical(members),
        }
        subjects.append(Subject("wave", wave.name, wave.name, wave.number, facts))
    return subjects


def subjects_by_scope(
    catalog: Catalog, plan: Plan, providers: Mapping[str, set[str]] | None = None
) -> dict[str, list[Subject]]:
    """Every subject, by scope (``providers``: system -> the other systems it depends on,
    when the caller has it)."""
    return {
        "once": [exit_subject(catalog, plan)],
        "system": system_subjects(catalog, plan, providers),
        "server": server_subjects(catalog, plan),
        "wave": wave_subjects(catalog, plan),
    }


def anchors(timeline: LegalTimeline, wave: Wave | None) -> dict[str, date | None]:
    """The dates a due rule may count from, for a subject in ``wave`` (or none)."""
    return {
        "first_wave_start": timeline.first_wave_start,
        "last_wave_end": timeline.last_wave_end,
        "exit_day": timeline.exit_day,
        "switch_request_a": timeline.a.request,
        "notice_b": timeline.b.request,
        "retrieval_end": timeline.b.retrieval_end,
        "erasure": timeline.b.erasure,
        "wave_start": wave.start if wave is not None else None,
        "wave_end": wave.end if wave is not None else None,
    }
