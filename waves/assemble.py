"""Build the :class:`migration.plan.Plan` from a placement: waves, servers, flows, warnings.

Everything here is bookkeeping: the decisions are made by the scheduler; this module turns
"cell -> slot" into the plan.json contract, with every list sorted.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from migration.catalog import MIGRATING_DISPOSITIONS, Catalog
from migration.catalog.networks import OUTSIDE_CODE, outside_source_networks
from migration.plan import (
    Flow,
    HybridFlow,
    NotMigrated,
    Plan,
    PlannedServer,
    PlannedSystem,
    Target,
    Warning_,
    Wave,
)
from migration.regions import DEFAULT_REGIONS
from waves.calendar import Calendar, months_before
from waves.graph import Estate

__all__ = ["DEFAULT_REGIONS", "Decisions", "assemble_plan"]

CRITICALITIES = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class Decisions:
    """What the scheduler decided, per cell, and the warnings it raised."""

    cell_slot: tuple[int, ...]
    cell_reason: tuple[str, ...]
    frozen_slots: frozenset[int]
    warnings: tuple[Warning_, ...]


M = TypeVar("M", bound=BaseModel)


def _construct(cls: type[M], fields: frozenset[str], values: dict[str, Any]) -> M:
    """``cls.model_construct(**values)`` without its per-field loop, for bulk records.

    At 100k servers the plan holds about a million flows; validating each costs time and a
    set of field names per object costs memory. ``values`` must name every field with a
    valid value (they come from the validated catalog); all objects share ``fields``.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", fields)
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


_FLOW_FIELDS = frozenset(Flow.model_fields)
_HYBRID_FIELDS = frozenset(HybridFlow.model_fields)
_SERVER_FIELDS = frozenset(PlannedServer.model_fields)


def _target(catalog: Catalog, target: str | None, region: str | None) -> Target:
    provider = target or catalog.planning.target
    if region is None:
        region = (
            catalog.planning.region
            if provider == catalog.planning.target
            else DEFAULT_REGIONS[provider]
        )
    return Target(provider=provider, region=region)


def _not_moving_reason(disposition: str, provider: str) -> str:
    return {
        "retain": f"retain: stays at {provider}",
        "retire": "retire: switched off, not moved",
        "repurchase": "repurchase: replaced by a bought service, not moved",
    }.get(disposition, disposition)


def assemble_plan(
    catalog: Catalog,
    catalog_sha256: str,
    estate: Estate,
    calendar: Calendar,
    decisions: Decisions,
    target: str | None,
    region: str | None,
    sizing: Mapping[str, Any] | None,
) -> Plan:
    """The complete plan (quality panel aside)."""
    systems = catalog.systems_by_id
    by_id = catalog.servers_by_id
    contract = catalog.contract
    slot_of_server: list[int | None] = [
        decisions.cell_slot[c] if c >= 0 else None for c in estate.server_cell
    ]

    servers: dict[str, PlannedServer] = {}
    not_migrated: dict[str, list[str]] = defaultdict(list)
    for i, server_id in enumerate(estate.server_ids):
        server = by_id[server_id]
        system = systems[server.system]
        cell = estate.server_cell[i]
        size = sizing.get(server_id) if sizing is not None else None
        if cell < 0:
            not_migrated[system.disposition].append(server_id)
            reason = _not_moving_reason(system.disposition, contract.provider)
        else:
            reason = decisions.cell_reason[cell]
        servers[server_id] = _construct(
            PlannedServer,
            _SERVER_FIELDS,
            {
                "wave": slot_of_server[i],
                "sku": getattr(size, "sku", None),
                "readiness": getattr(size, "readiness", "unknown"),
                "system": server.system,
                "environment": server.environment,
                "role": server.role,
                "os": server.os,
                "vcpu": server.vcpu,
                "memory_gb": float(server.memory_gb),
                "disks_gb": tuple(float(d) for d in server.disks_gb),
                "ip": server.ip,
                "disposition": system.disposition,
                "migrated": server.migrated,
                "readiness_reasons": tuple(getattr(size, "readiness_reasons", ())),
                "monthly_price": getattr(size, "monthly_price", None),
                "price_source": getattr(size, "price_source", None),
                "reason": reason,
            },
        )

    flows, hybrid, spans = _flows(estate, slot_of_server, calendar, systems)
    waves = _waves(catalog, estate, calendar, decisions, servers, spans)
    warnings = list(decisions.warnings)
    warnings.extend(_repoint_warnings(hybrid, estate, systems))
    last = waves[-1]
    if contract.ends is not None and last.end > contract.ends:
        days = (last.end - contract.ends).days
        start = catalog.planning.start
        ended = (  # before wave 0: procurement must read that first
            f"the contract ends {contract.ends}, before the migration starts {start} "
            "(planning.start): the city runs without a contract for the whole move; "
            if contract.ends < start
            else ""
        )
        warnings.append(
            Warning_(
                code="past-deadline",
                message=f"{ended}the plan runs {days} days past the contract end "
                f"({contract.ends}): the last wave, {last.name}, ends {last.end}",
                subjects=(last.name,),
            )
        )
    for (_, index, _), message in outside_source_networks(catalog):  # validate's warning too
        warnings.append(
            Warning_(
                code=OUTSIDE_CODE,
                message=message,
                subjects=(catalog.servers[int(index)].id,),
            )
        )

    system_slots: dict[str, int] = {}
    for c, (system_id, _) in enumerate(estate.cells):
        slot = decisions.cell_slot[c]
        system_slots[system_id] = max(slot, system_slots.get(system_id, slot))
    planned_systems = {
        s.id: PlannedSystem(
            name=s.name,
            level=s.level,
            sector=s.sector,
            owner=s.owner,
            disposition=s.disposition,
            criticality=s.criticality,
            data_classification=s.data_classification,
            personal_data=s.personal_data,
            foundation=s.foundation,
            cost_centre=s.cost_centre,
            rpo_hours=s.rpo_hours,
            rto_hours=s.rto_hours,
            wave=system_slots.get(s.id),
            public_environments=s.public_environments,
        )
        for s in sorted(catalog.systems, key=lambda s: s.id)
    }
    return Plan(
        catalog_sha256=catalog_sha256,
        target=_target(catalog, target, region),
        notice_date=(
            months_before(contract.ends, contract.notice_months) if contract.ends else None
        ),
        deadline=contract.ends,
        waves=tuple(waves),
        not_migrated=NotMigrated(
            retain=tuple(not_migrated["retain"]),
            retire=tuple(not_migrated["retire"]),
            repurchase=tuple(not_migrated["repurchase"]),
        ),
        servers=servers,
        hybrid_flows=tuple(hybrid),
        warnings=tuple(sorted(warnings, key=lambda w: (w.code, w.subjects, w.message))),
        organisation=catalog.organisation,
        provider_name=contract.provider,
        currency=catalog.currency,
        source_networks=tuple(sorted(catalog.source_networks)),
        systems=planned_systems,
        flows=tuple(flows),
    )


def _flows(
    estate: Estate,
    slot_of_server: list[int | None],
    calendar: Calendar,
    systems: Mapping[str, Any],
) -> tuple[list[Flow], list[HybridFlow], Counter[tuple[int, int | None]]]:
    """Every flow, the hybrid ones, and how many hybrid flows open (and close) when.

    The third result counts hybrid flows by (wave the first end moves, wave the last end
    moves or None for flows that never close).
    """
    flows: list[Flow] = []
    hybrid: list[HybridFlow] = []
    spans: Counter[tuple[int, int | None]] = Counter()
    ids = estate.server_ids
    disposition = {s: systems[s].disposition for s in set(estate.server_system)}
    server_system = estate.server_system
    new, put = object.__new__, object.__setattr__  # _construct, inlined: a million calls
    flow_fields, hybrid_fields = _FLOW_FIELDS, _HYBRID_FIELDS
    wave_days = calendar.wave_days
    for u, v, ports, ls, weight in zip(
        estate.flow_from,
        estate.flow_to,
        estate.flow_ports,
        estate.flow_ls,
        estate.flow_weight,
        strict=True,
    ):
        flow = new(Flow)
        put(
            flow,
            "__dict__",
            {
                "from_": ids[u],
                "to": ids[v],
                "ports": ports,
                "latency_sensitive": ls,
                "weight": float(weight),
            },
        )
        put(flow, "__pydantic_fields_set__", flow_fields)
        put(flow, "__pydantic_extra__", None)
        put(flow, "__pydantic_private__", None)
        flows.append(flow)
        su, sv = slot_of_server[u], slot_of_server[v]
        kind: str | None = None
        days: int | None = None
        if su is not None and sv is not None:
            if su == sv:
                continue
            kind, days = "temporary", abs(su - sv) * wave_days
            spans[(min(su, sv), max(su, sv))] += 1
        elif su is not None or sv is not None:
            other = disposition[server_system[v if su is not None else u]]
            if other == "retain":
                kind = "retained"
            elif su is not None and other in ("retire", "repurchase"):
                kind = "repoint"
            else:
                continue
            spans[(su if su is not None else sv, None)] += 1  # type: ignore[index]
        else:
            continue
        link = new(HybridFlow)
        put(
            link,
            "__dict__",
            {
                "from_": ids[u],
                "to": ids[v],
                "ports": ports,
                "from_wave": su,
                "to_wave": sv,
                "days": days,
                "kind": kind,
            },
        )
        put(link, "__pydantic_fields_set__", hybrid_fields)
        put(link, "__pydantic_extra__", None)
        put(link, "__pydantic_private__", None)
        hybrid.append(link)
    return flows, hybrid, spans


def _repoint_warnings(
    hybrid: list[HybridFlow], estate: Estate, systems: Mapping[str, Any]
) -> list[Warning_]:
    system_of = dict(zip(estate.server_ids, estate.server_system, strict=True))
    out = []
    for flow in hybrid:
        if flow.kind != "repoint":
            continue
        target = systems[system_of[flow.to]]
        done = {"retire": "retired", "repurchase": "repurchased"}[target.disposition]
        out.append(
            Warning_(
                code="repoint",
                message=f"{flow.from_} depends on {flow.to} of system {target.id!r}, which is "
                f"{done}: re-point it before wave {flow.from_wave}",
                subjects=(flow.from_, flow.to),
            )
        )
    return out


def _waves(
    catalog: Catalog,
    estate: Estate,
    calendar: Calendar,
    decisions: Decisions,
    servers: Mapping[str, PlannedServer],
    spans: Counter[tuple[int, int | None]],
) -> list[Wave]:
    systems = catalog.systems_by_id
    slots = sorted({0, *decisions.cell_slot})
    members: dict[int, list[str]] = defaultdict(list)
    for server_id, planned in servers.items():
        if planned.wave is not None:
            members[planned.wave].append(server_id)
    reasons: dict[int, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for c, (system_id, environment) in enumerate(estate.cells):
        reasons[decisions.cell_slot[c]][system_id][environment] = decisions.cell_reason[c]

    # hybrid flows open during a wave: opened by the first end to move, closed by the last
    opened = [0] * (len(slots) + 1)
    for (first, last), count in spans.items():
        opened[bisect.bisect_left(slots, first)] += count
        if last is not None:
            opened[bisect.bisect_left(slots, last)] -= count
    waves = []
    running = 0
    for position, slot in enumerate(slots):
        running += opened[position]
        ids = sorted(members.get(slot, []))
        system_ids = sorted({servers[s].system for s in ids})
        crit = {level: 0 for level in CRITICALITIES}
        for system_id in system_ids:
            crit[systems[system_id].criticality] += 1
        waves.append(
            Wave(
                number=slot,
                name=f"wave-{slot:02d}",
                start=calendar.slot_start(slot),
                end=calendar.slot_end(slot),
                frozen=slot in decisions.frozen_slots,
                systems=tuple(system_ids),
                servers=tuple(ids),
                vcpu=sum(servers[s].vcpu for s in ids),
                reasons={s: _reason_text(env) for s, env in sorted(reasons[slot].items())},
                risk={
                    "criticality": crit,
                    "citizen_systems": [s for s in system_ids if systems[s].level == "citizen"],
                    "readiness_unknown": sum(1 for s in ids if servers[s].readiness == "unknown"),
                    "not_ready": sum(1 for s in ids if servers[s].readiness == "not ready"),
                },
                hybrid_flows_open=running,
            )
        )
    return waves


def _reason_text(by_environment: Mapping[str, str]) -> str:
    """One reason per system in a wave; per environment when they differ."""
    texts = set(by_environment.values())
    if len(texts) == 1:
        return texts.pop()
    return "; ".join(f"{env}: {by_environment[env]}" for env in sorted(by_environment))


def migrating(disposition: str) -> bool:
    """True for dispositions that move servers."""
    return disposition in MIGRATING_DISPOSITIONS
