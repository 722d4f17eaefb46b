"""From a catalog or a plan to the quality panel's arrays and calendar.

:func:`catalog_instance` and :func:`plan_instance` turn servers, flows, pins and move units
into an :class:`~waves.quality_arrays.Instance`; :func:`slot_calendar` and
:func:`plan_calendar` turn waves, frozen waves and blackouts (global and per system) into a
:class:`~waves.quality_arrays.Calendar`. :mod:`waves.quality` scores what these build.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np

from migration.catalog import Catalog
from migration.flows import server_flows
from migration.plan import Plan
from waves.quality_arrays import Calendar, Instance, IntArray

__all__ = ["catalog_instance", "plan_calendar", "plan_instance", "slot_calendar"]


def _overlaps(blackouts: Sequence[Any], start: date, end: date) -> bool:
    return any(b.overlaps(start, end) for b in blackouts)


def catalog_instance(
    catalog: Catalog, pins: Mapping[str, int] | None = None
) -> tuple[list[str], Instance, dict[str, int]]:
    """Arrays of a catalog: (server ids, instance, system id -> app index).

    Edges are the catalog's flows (:func:`migration.flows.server_flows`), in the order of
    the sorted server ids.
    """
    ids = sorted(s.id for s in catalog.servers)
    index = {sid: i for i, sid in enumerate(ids)}
    by_id = catalog.servers_by_id
    sys_index = {sid: i for i, sid in enumerate(sorted(s.id for s in catalog.systems))}
    merged = {
        (index[f.from_], index[f.to]): (f.latency_sensitive, f.weight)
        for f in server_flows(catalog)
    }
    keys = sorted(merged)
    extra = dict(pins or {})
    units: dict[tuple[str, str], int] = {}
    servers = [by_id[sid] for sid in ids]
    inst = Instance.build(
        edges=keys,
        vcpu=[s.vcpu for s in servers],
        cap_servers=catalog.planning.max_servers_per_wave,
        cap_vcpu=catalog.planning.max_vcpu_per_wave,
        weight=[merged[k][1] for k in keys],
        latency_sensitive=[merged[k][0] for k in keys],
        migrated=[s.migrated for s in servers],
        pinned=[extra.get(s.id, -1 if s.pinned_wave is None else s.pinned_wave) for s in servers],
        unit=[units.setdefault((s.system, s.environment), len(units)) for s in servers],
        app=[sys_index[s.system] for s in servers],
        prod=[s.environment == "prod" for s in servers],
    )
    return ids, inst, sys_index


def slot_calendar(catalog: Catalog, sys_index: Mapping[str, int], top: int) -> Calendar:
    """Calendar of fixed slots: wave k starts ``planning.start + k x wave_days``.

    For planners (such as a naive baseline) that number waves by slot; blackouts block
    whole slots.
    """
    planning = catalog.planning
    days = planning.wave_days
    dated = [
        (
            k,
            planning.start + timedelta(days=k * days),
            planning.start + timedelta(days=k * days + days - 1),
        )
        for k in range(top + 1)
    ]
    return _calendar(catalog, sys_index, dated, frozenset(), None)


def plan_calendar(catalog: Catalog, plan: Plan, sys_index: Mapping[str, int]) -> Calendar:
    """Calendar of a plan's dated waves (frozen waves and the plan's horizon included)."""
    dated = [(wv.number, wv.start, wv.end) for wv in plan.waves]
    return _calendar(
        catalog,
        sys_index,
        dated,
        frozenset(wv.number for wv in plan.waves if wv.frozen),
        frozenset(wv.number for wv in plan.waves),
    )


def _calendar(
    catalog: Catalog,
    sys_index: Mapping[str, int],
    dated: Sequence[tuple[int, date, date]],
    frozen: frozenset[int],
    known: frozenset[int] | None,
) -> Calendar:
    planning = catalog.planning
    first = min((start for _, start, _ in dated), default=planning.start)
    app_blocked: dict[int, frozenset[int]] = {}
    for system in catalog.systems:
        if system.blackouts and system.id in sys_index:
            app_blocked[sys_index[system.id]] = frozenset(
                k for k, start, end in dated if _overlaps(system.blackouts, start, end)
            )
    return Calendar(
        wave_days=planning.wave_days,
        start_day={k: (start - first).days for k, start, _ in dated},
        end_day={k: (end - first).days for k, _, end in dated},
        blocked=frozenset(k for k, s, e in dated if _overlaps(planning.blackouts, s, e)),
        app_blocked=app_blocked,
        frozen=frozen,
        known=known,
    )


def plan_instance(
    catalog: Catalog, plan: Plan, pins: Mapping[str, int] | None = None
) -> tuple[list[str], Instance, Calendar, IntArray]:
    """Arrays of a plan: (server ids, instance, calendar, wave per server).

    Servers are the plan's; edges are ``plan.flows``; facts missing from the catalog come
    from the plan's server records.
    """
    ids = sorted(plan.servers)
    index = {s: i for i, s in enumerate(ids)}
    by_id = catalog.servers_by_id
    system_of = {
        sid: plan.servers[sid].system or (by_id[sid].system if sid in by_id else "") for sid in ids
    }
    sys_index = {name: i for i, name in enumerate(sorted(set(system_of.values())))}
    unit_names: dict[tuple[str, str], int] = {}
    app, unit, prod, vcpu, migrated, pinned, wave = [], [], [], [], [], [], []
    extra = dict(pins or {})
    for sid in ids:
        ps = plan.servers[sid]
        cat = by_id.get(sid)
        system = system_of[sid]
        env = ps.environment if cat is None else cat.environment
        app.append(sys_index[system])
        unit.append(unit_names.setdefault((system, env), len(unit_names)))
        prod.append(env == "prod")
        vcpu.append(ps.vcpu if cat is None else cat.vcpu)
        migrated.append(ps.migrated or (cat.migrated if cat else False))
        pin = extra.get(sid, cat.pinned_wave if cat else None)
        pinned.append(-1 if pin is None else pin)
        wave.append(-1 if ps.wave is None else ps.wave)
    edges, weight, ls = [], [], []
    for flow in plan.flows:
        if flow.from_ in index and flow.to in index:
            edges.append((index[flow.from_], index[flow.to]))
            weight.append(flow.weight)
            ls.append(flow.latency_sensitive)
    planning = catalog.planning
    inst = Instance.build(
        edges=edges,
        vcpu=vcpu,
        cap_servers=planning.max_servers_per_wave,
        cap_vcpu=planning.max_vcpu_per_wave,
        weight=weight,
        latency_sensitive=ls,
        migrated=migrated,
        pinned=pinned,
        unit=unit,
        app=app,
        prod=prod,
    )
    calendar = plan_calendar(catalog, plan, sys_index)
    return ids, inst, calendar, np.asarray(wave, dtype=np.int64)
