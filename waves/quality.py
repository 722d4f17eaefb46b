"""Quality panel of a wave plan: feasibility gates and the metrics of docs/planning.md.

Two levels:

- :func:`evaluate` works on plain arrays (server index -> wave, edge lists) and is what the
  benchmark uses for any planner's output; it is vectorised with numpy (about 0.1 s at
  100k servers / 465k edges).
- :func:`quality_panel` reads a :class:`~migration.plan.Plan` and its catalog, builds those
  arrays from ``plan.flows`` (server-level edges, system-level ones already expanded),
  ``plan.servers[*].wave`` and the wave dates, and returns the panel that goes into
  ``plan.quality``.

Gates (a plan that fails one breaks a hard rule; each must be 0):

- ``g1_capacity_overflow``: servers and vCPU above the per-wave limits, summed over waves
  that are not frozen; a wave whose servers are one move group that cannot be split (one
  system and environment, or a dependency cycle) is excused (rule 7) and listed apart.
- ``g2_order_violations``: dependencies whose provider moves after its consumer, both ends
  migrating and neither already migrated.
- ``g3_blackout_violations``: servers in a wave that overlaps a global blackout or one of
  their system's blackouts, or in a wave the plan does not have (frozen waves aside).
- ``g4_pin_violations``: pinned servers not in their pinned wave.
- ``g5_group_splits``: system+environment groups spread over more than one wave (rule 2).
- ``g6_env_order_violations``: systems whose test/dev servers move after their prod ones.

Edges with an end that does not migrate (retain, retire, repurchase) are permanent hybrid
or re-pointed flows, not a planning choice; they are left out of every metric.

This module scores; the arrays it scores are :mod:`waves.quality_arrays` and building them
from a catalog or a plan is :mod:`waves.quality_inputs`. Their public names are importable
from here too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from migration.catalog import Catalog
from migration.plan import Plan
from waves.quality_arrays import BoolArray, Calendar, Instance, IntArray
from waves.quality_inputs import _calendar as _calendar  # re-exported for bench/waves.py
from waves.quality_inputs import (
    catalog_instance,
    plan_calendar,
    plan_instance,
    slot_calendar,
)

__all__ = [
    "LAMBDA_WAVES",
    "Calendar",
    "Instance",
    "catalog_instance",
    "evaluate",
    "gates_ok",
    "plan_calendar",
    "plan_instance",
    "quality_panel",
    "slot_calendar",
]

LAMBDA_WAVES = 10  # J = W_LS + LAMBDA_WAVES x waves used (reference §4, "headline scalar")
GATES = (
    "g1_capacity_overflow",
    "g2_order_violations",
    "g3_blackout_violations",
    "g4_pin_violations",
    "g5_group_splits",
    "g6_env_order_violations",
)


def _round(value: float) -> float:
    return round(float(value), 4)


def _group_span(labels: IntArray, waves: IntArray) -> tuple[int, int]:
    """(number of labels present, number spanning more than one wave)."""
    if labels.size == 0:
        return 0, 0
    pairs = np.unique(np.stack([labels, waves]), axis=1)
    present, counts = np.unique(pairs[0], return_counts=True)
    return int(present.size), int(np.count_nonzero(counts > 1))


def _excused(inst: Instance, servers: IntArray, edge_mask: BoolArray) -> bool:
    """True when a wave's servers form one move group: units glued by dependency cycles."""
    units = np.unique(inst.unit[servers])
    if units.size <= 1:
        return True
    graph: nx.DiGraph[int] = nx.DiGraph()
    graph.add_nodes_from(int(u) for u in units)
    src = inst.unit[inst.edge_from[edge_mask]]
    dst = inst.unit[inst.edge_to[edge_mask]]
    graph.add_edges_from((int(a), int(b)) for a, b in zip(src, dst, strict=True) if a != b)
    return bool(nx.number_strongly_connected_components(graph) == 1)


def evaluate(
    inst: Instance,
    wave: Sequence[int] | npt.ArrayLike,
    calendar: Calendar | None = None,
) -> dict[str, Any]:
    """Gates and metrics of one assignment (server index -> wave number, -1 = not moved)."""
    cal = calendar or Calendar()
    w = np.asarray(wave, dtype=np.int64)
    if w.shape != (inst.n,):
        raise ValueError(f"expected {inst.n} waves (one per server), got shape {w.shape}")
    moving = w >= 0
    todo = moving & ~inst.migrated
    top = int(w.max()) if inst.n and moving.any() else 0
    starts = cal.starts(top)

    # edges between two migrating servers
    both = moving[inst.edge_from] & moving[inst.edge_to]
    eu, ev = inst.edge_from[both], inst.edge_to[both]
    wt, ls = inst.weight[both], inst.latency_sensitive[both]
    wu, wv = w[eu], w[ev]
    cut = wu != wv
    ls_cut = cut & ls
    days = np.abs(starts[wu] - starts[wv])
    ls_days = np.sort(days[ls])
    lo, hi = np.minimum(wu, wv), np.maximum(wu, wv)
    bridge = np.bincount(lo[cut], wt[cut], top + 2) - np.bincount(hi[cut], wt[cut], top + 2)
    bridge_ls = np.bincount(lo[ls_cut], wt[ls_cut], top + 2) - np.bincount(
        hi[ls_cut], wt[ls_cut], top + 2
    )

    # G1 capacity, per non-frozen wave
    frozen_mask = np.isin(w, np.fromiter(cal.frozen, np.int64, len(cal.frozen)))
    counted = moving & ~frozen_mask
    load_s = np.bincount(w[counted], minlength=top + 1)
    load_v = np.bincount(w[counted], inst.vcpu[counted], minlength=top + 1).astype(np.int64)
    over_s = np.maximum(load_s - inst.cap_servers, 0)
    over_v = np.maximum(load_v - inst.cap_vcpu, 0)
    over_waves = [int(k) for k in np.flatnonzero((over_s > 0) | (over_v > 0))]
    excused: list[int] = []
    if over_waves:
        in_wave = both & (w[inst.edge_from] == w[inst.edge_to])
        for k in over_waves:
            members = np.flatnonzero(counted & (w == k))
            if _excused(inst, members, in_wave & (w[inst.edge_from] == k)):
                excused.append(k)
    bad = [k for k in over_waves if k not in excused]

    # G2 provider after consumer
    order = both & ~inst.migrated[inst.edge_from] & ~inst.migrated[inst.edge_to]
    g2 = int(np.count_nonzero(order & (w[inst.edge_to] > w[inst.edge_from])))

    # G3 blackouts (global, per system, beyond the plan's waves)
    blocked = set(cal.blocked)
    if cal.known is not None:
        blocked |= set(range(top + 1)) - set(cal.known)
    check = moving & ~frozen_mask & ~inst.migrated
    g3_mask = check & np.isin(w, np.fromiter(blocked, np.int64, len(blocked)))
    for app_id, app_waves in cal.app_blocked.items():
        if app_waves:
            sel = check & (inst.app == app_id)
            g3_mask |= sel & np.isin(w, np.fromiter(app_waves, np.int64, len(app_waves)))
    g3 = int(np.count_nonzero(g3_mask))

    # G4 pins
    g4 = int(np.count_nonzero(moving & (inst.pinned >= 0) & (w != inst.pinned)))

    # G5 move units split, G6 test/dev after prod
    units_n, g5 = _group_span(inst.unit[todo], w[todo])
    apps_n, apps_split = _group_span(inst.app[todo], w[todo])
    napp = int(inst.app.max()) + 1 if inst.n else 0
    first_prod = np.full(napp, np.iinfo(np.int64).max)
    last_nonprod = np.full(napp, -1)
    pm, nm = moving & inst.prod, moving & ~inst.prod
    np.minimum.at(first_prod, inst.app[pm], w[pm])
    np.maximum.at(last_nonprod, inst.app[nm], w[nm])
    g6 = int(np.count_nonzero(last_nonprod > first_prod))

    n_todo = int(np.count_nonzero(todo))
    v_todo = int(inst.vcpu[todo].sum())
    used = np.unique(w[todo])
    lower = max(math.ceil(n_todo / inst.cap_servers), math.ceil(v_todo / inst.cap_vcpu))
    w_ls = float(wt[ls_cut].sum())
    ls_total = int(np.count_nonzero(ls))
    traffic = float(wt.sum())
    last = int(used.max()) if used.size else 0
    p95 = int(ls_days[max(math.ceil(0.95 * ls_days.size) - 1, 0)]) if ls_days.size else 0
    gates = {
        "g1_capacity_overflow": len(bad),
        "g2_order_violations": g2,
        "g3_blackout_violations": g3,
        "g4_pin_violations": g4,
        "g5_group_splits": g5,
        "g6_env_order_violations": g6,
    }
    return {
        "gates": gates,
        "gates_ok": all(v == 0 for v in gates.values()),
        "capacity": {
            "overflow_servers": int(sum(int(over_s[k]) for k in bad)),
            "overflow_vcpu": int(sum(int(over_v[k]) for k in bad)),
            "overflow_waves": bad,
            "excused_waves": excused,
            "max_servers_per_wave": inst.cap_servers,
            "max_vcpu_per_wave": inst.cap_vcpu,
        },
        "servers_planned": n_todo,
        "edges": int(eu.size),
        "ls_edges": ls_total,
        "ls_cut": int(np.count_nonzero(ls_cut)),
        "ls_cut_fraction": _round(np.count_nonzero(ls_cut) / ls_total) if ls_total else 0.0,
        "ls_cut_weight": _round(w_ls),
        "traffic_cut_fraction": _round(wt[cut].sum() / traffic) if traffic else 0.0,
        "hybrid_exposure": _round(float((wt[ls] * days[ls]).sum())),
        "hybrid_days_max": int(ls_days[-1]) if ls_days.size else 0,
        "hybrid_days_p95": p95,
        "peak_bridge_traffic": _round(float(np.cumsum(bridge).max(initial=0.0))),
        "peak_bridge_ls_traffic": _round(float(np.cumsum(bridge_ls).max(initial=0.0))),
        "waves_used": int(used.size),
        "waves_lower_bound": lower,
        "makespan_days": cal.end(last, starts) + 1 if used.size else 0,
        "units": units_n,
        "systems": apps_n,
        "systems_split": apps_split,
        "J": _round(w_ls + LAMBDA_WAVES * used.size),
    }


def gates_ok(panel: Mapping[str, Any]) -> bool:
    """True when every gate of a panel is 0."""
    return bool(panel.get("gates_ok"))


def quality_panel(
    catalog: Catalog, plan: Plan, pins: Mapping[str, int] | None = None
) -> dict[str, object]:
    """The plan's quality panel (gates and §4 metrics) for ``plan.quality``.

    ``pins`` are extra pins the plan was made with (``PlanOptions(pins=...)``), on top of
    the catalog's ``pinned_wave``; they count in the pin gate.
    """
    _, inst, calendar, wave = plan_instance(catalog, plan, pins)
    panel = evaluate(inst, wave, calendar)
    panel["waves_in_plan"] = len(plan.waves)
    return panel
