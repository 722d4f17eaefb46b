"""Wave-planner benchmark: utflytt's planner against a naive baseline and the CP-SAT optimum.

    python bench/waves.py                # 1k and 10k servers, seed 7
    python bench/waves.py --full         # adds 100k servers
    python bench/waves.py --sizes 3000 --seeds 1 2
    python bench/waves.py --small        # 30-80 servers, several seeds, vs the CP-SAT optimum

Estates come from ``bench/estate.py`` (docs/planning.md). Each planner runs in its own
subprocess (fair time and peak RSS: ``ru_maxrss`` of a process that only loads the
catalog and plans); both plans are then scored by the same code, ``waves.quality.evaluate``,
over the catalog's server-level edges. Targets (issue 3): every gate 0; at 100k servers
J <= naive J / 4, waves <= lower bound + 2, time <= 3 x naive, peak < 1.5 GB; small
instances J <= 1.10 x optimum. J = latency-sensitive weight cut + 10 x waves used.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.estate import EstateOptions, generate  # noqa: E402
from migration.catalog import MIGRATING_DISPOSITIONS, Catalog  # noqa: E402
from waves.quality import (  # noqa: E402
    LAMBDA_WAVES,
    Instance,
    catalog_instance,
    evaluate,
    slot_calendar,
)

Assignment = dict[str, int | None]


# ---------------------------------------------------------------- naive baseline


def naive_plan(catalog: Catalog) -> Assignment:
    """Condensation -> topological generations (providers first) -> next-fit by capacity.

    Blackout slots are skipped (they have capacity 0); pins, per-system blackouts,
    foundation systems and move groups are ignored, as a plain topological packer would.
    Already-migrated servers keep their pinned wave (0 when none).
    """
    planning = catalog.planning
    moving = {s.id for s in catalog.systems if s.disposition in MIGRATING_DISPOSITIONS}
    out: Assignment = {}
    todo: dict[str, Any] = {}
    members: dict[str, list[str]] = {}
    for server in catalog.servers:
        if server.system not in moving:
            out[server.id] = None
        elif server.migrated:
            out[server.id] = server.pinned_wave or 0
        else:
            todo[server.id] = server
            members.setdefault(server.system, []).append(server.id)
    graph: nx.DiGraph[str] = nx.DiGraph()  # provider -> consumer
    graph.add_nodes_from(sorted(todo))
    for server in todo.values():
        graph.add_edges_from((d.to, server.id) for d in server.depends_on if d.to in todo)
    for system in catalog.systems:
        for dep in system.depends_on:
            for u in members.get(system.id, ()):
                graph.add_edges_from((v, u) for v in members.get(dep.to, ()))
    condensed = nx.condensation(graph)
    scc = condensed.graph["mapping"]
    sizes: dict[int, list[int]] = {}
    for sid, comp in scc.items():
        entry = sizes.setdefault(comp, [0, 0, 0])
        entry[0] += 1
        entry[1] += todo[sid].vcpu
    slot, load_s, load_v = -1, 0, 0

    def next_slot(k: int) -> int:
        k += 1
        while _blocked(catalog, k):
            k += 1
        return k

    slot = next_slot(-1)
    wave_of: dict[int, int] = {}
    for generation in nx.topological_generations(condensed):
        for comp in sorted(generation, key=lambda c: min(condensed.nodes[c]["members"])):
            n, v, _ = sizes[comp]
            if load_s and (
                load_s + n > planning.max_servers_per_wave
                or load_v + v > planning.max_vcpu_per_wave
            ):
                slot, load_s, load_v = next_slot(slot), 0, 0
            wave_of[comp] = slot
            load_s += n
            load_v += v
    for sid in todo:
        out[sid] = wave_of[scc[sid]]
    return out


def _blocked(catalog: Catalog, k: int) -> bool:
    planning = catalog.planning
    start = date.fromordinal(planning.start.toordinal() + k * planning.wave_days)
    end = date.fromordinal(start.toordinal() + planning.wave_days - 1)
    return any(b.overlaps(start, end) for b in planning.blackouts)


# ---------------------------------------------------------------- exact reference model


def exact_plan(catalog: Catalog, *, max_time: float = 60.0) -> tuple[Assignment, str, float]:
    """CP-SAT optimum of J = W_LS + 10 x waves over the hard rules (docs/planning.md).

    Variables are per move cell: a system+environment unit, merged with the units it
    forms a dependency cycle with (precedence forces them into one wave anyway). Hard
    rules: every edge provider <= consumer, foundation systems in wave 0 and nothing else
    there (plan.json: "wave 0 is the landing zone and the foundation systems"), pins, migrated
    servers fixed, global and per-system blackouts, capacity (a cell larger than a wave
    gets a wave of its own). Deterministic: one worker, a deterministic-time limit.
    Returns (assignment, status, objective).
    """
    from ortools.sat.python import cp_model

    ids, inst, sys_index = catalog_instance(catalog)
    planning = catalog.planning
    systems = {s.id: s for s in catalog.systems}
    by_id = catalog.servers_by_id
    moving = [
        i
        for i, sid in enumerate(ids)
        if systems[by_id[sid].system].disposition in MIGRATING_DISPOSITIONS
    ]
    moving_set = set(moving)
    unit_graph: nx.DiGraph[int] = nx.DiGraph()
    unit_graph.add_nodes_from(int(inst.unit[i]) for i in moving)
    for u, v in zip(inst.edge_from.tolist(), inst.edge_to.tolist(), strict=True):
        if u in moving_set and v in moving_set and inst.unit[u] != inst.unit[v]:
            unit_graph.add_edge(int(inst.unit[u]), int(inst.unit[v]))
    cell_of_unit = {}
    for c, comp in enumerate(
        sorted(sorted(x) for x in nx.strongly_connected_components(unit_graph))
    ):
        for unit in comp:
            cell_of_unit[unit] = c
    cell = {i: cell_of_unit[int(inst.unit[i])] for i in moving}
    cells = sorted(set(cell.values()))
    size = {c: [0, 0] for c in cells}
    fixed: dict[int, int] = {}
    found: set[int] = set()
    blocked_sys: dict[int, set[str]] = {c: set() for c in cells}
    for i in moving:
        server = by_id[ids[i]]
        c = cell[i]
        blocked_sys[c].add(server.system)
        if server.migrated:
            fixed[c] = server.pinned_wave or 0
            continue
        size[c][0] += 1
        size[c][1] += server.vcpu
        if server.pinned_wave is not None:
            fixed[c] = server.pinned_wave
        if systems[server.system].foundation:
            found.add(c)
    n_todo = sum(s[0] for s in size.values())
    v_todo = sum(s[1] for s in size.values())
    lower = max(
        math.ceil(n_todo / planning.max_servers_per_wave),
        math.ceil(v_todo / planning.max_vcpu_per_wave),
    )
    slots: list[int] = []
    k = 0
    while len(slots) < lower + 4 or k <= max(fixed.values(), default=0):
        if not _blocked(catalog, k):
            slots.append(k)
        k += 1
    calendar = slot_calendar(catalog, sys_index, slots[-1])

    model = cp_model.CpModel()
    x = {(c, k): model.new_bool_var(f"x{c}_{k}") for c in cells for k in slots}
    w = {}
    for c in cells:
        model.add_exactly_one(x[c, k] for k in slots)
        w[c] = model.new_int_var(0, slots[-1], f"w{c}")
        model.add(w[c] == sum(k * x[c, k] for k in slots))
        for k in slots:
            apps = {sys_index[s] for s in blocked_sys[c]}
            if any(k in calendar.app_blocked.get(a, frozenset()) for a in apps):
                model.add(x[c, k] == 0)
        if c in fixed:
            model.add(w[c] == fixed[c])
        elif c in found:
            model.add(w[c] == slots[0])
        elif size[c][0]:
            model.add(x[c, slots[0]] == 0)  # wave 0 is the landing zone and foundation only
    y = {k: model.new_bool_var(f"y{k}") for k in slots}
    for c in cells:
        if size[c][0]:
            for k in slots:
                model.add_implication(x[c, k], y[k])
    for a, b in zip(slots, slots[1:], strict=False):
        model.add_implication(y[b], y[a])
    cap_s, cap_v = planning.max_servers_per_wave, planning.max_vcpu_per_wave
    big = [c for c in cells if size[c][0] > cap_s or size[c][1] > cap_v]
    for k in slots:
        for r, cap in ((0, cap_s), (1, cap_v)):
            load = sum(size[c][r] * x[c, k] for c in cells if size[c][r])
            slack = sum(size[c][r] * x[c, k] for c in big)
            model.add(load <= cap * y[k] + slack)
        for c in big:
            for other in cells:
                if other != c and size[other][0]:
                    model.add_bool_or([x[c, k].Not(), x[other, k].Not()])
    cut_weight: dict[tuple[int, int], float] = {}
    for u, v, ls, wt in zip(
        inst.edge_from.tolist(),
        inst.edge_to.tolist(),
        inst.latency_sensitive.tolist(),
        inst.weight.tolist(),
        strict=True,
    ):
        if u not in moving_set or v not in moving_set or cell[u] == cell[v]:
            continue
        model.add(w[cell[v]] <= w[cell[u]])
        if ls:
            key = (min(cell[u], cell[v]), max(cell[u], cell[v]))
            cut_weight[key] = cut_weight.get(key, 0.0) + wt
    terms = []
    for (a, b), wt in sorted(cut_weight.items()):
        z = model.new_bool_var(f"z{a}_{b}")
        model.add(w[a] == w[b]).only_enforce_if(z.Not())
        terms.append((round(wt * 100), z))
    model.minimize(sum(c * z for c, z in terms) + LAMBDA_WAVES * 100 * sum(y.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 1
    solver.parameters.max_deterministic_time = max_time
    status = solver.solve(model)
    name = solver.status_name(status)
    out: Assignment = {sid: None for sid in ids}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for i in moving:
            out[ids[i]] = int(solver.value(w[cell[i]]))
    return out, name, solver.objective_value / 100 if terms or y else 0.0


# ---------------------------------------------------------------- running planners


def _planner() -> Any:
    """(plan_waves, PlanOptions) of the planner under test."""
    import waves

    return getattr(waves, "plan_waves"), getattr(waves, "PlanOptions")  # noqa: B009


def _worker(kind: str, catalog_path: str, out_path: str) -> int:
    """Subprocess body: load the catalog, plan, write {waves, seconds, rss}."""
    catalog = Catalog.model_validate_json(Path(catalog_path).read_text(encoding="utf-8"))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result: dict[str, Any] = {}
    if kind == "naive":
        started = time.perf_counter()
        assignment = naive_plan(catalog)
        result["seconds"] = time.perf_counter() - started
    else:
        plan_waves, options = _planner()
        started = time.perf_counter()
        plan = plan_waves(catalog, "0" * 64, options())
        result["seconds"] = time.perf_counter() - started
        assignment = {sid: ps.wave for sid, ps in plan.servers.items()}
        result["waves"] = [
            [wv.number, wv.start.isoformat(), wv.end.isoformat(), wv.frozen] for wv in plan.waves
        ]
        result["warnings"] = len(plan.warnings)
        result["own_quality"] = plan.quality
    result["assignment"] = assignment
    result["rss_mb_before"] = rss_before / 1024
    result["rss_mb_peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


def run_in_subprocess(kind: str, catalog_json: Path) -> dict[str, Any]:
    """Run one planner in a fresh interpreter; return its result or {"error": ...}."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", kind, str(catalog_json), str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            return {"error": " | ".join(tail) or f"exit {proc.returncode}"}
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result
    finally:
        out.unlink(missing_ok=True)


def score(
    catalog: Catalog,
    prepared: tuple[list[str], Instance, dict[str, int]],
    assignment: Mapping[str, int | None],
    dated: list[list[Any]] | None = None,
) -> dict[str, Any]:
    """Quality panel of an assignment (slot calendar, or the plan's dated waves)."""
    from waves.quality import Calendar, _calendar

    ids, inst, sys_index = prepared
    wave = [-1 if assignment.get(s) is None else int(assignment[s] or 0) for s in ids]
    top = max(wave + [0])
    calendar: Calendar
    if dated is None:
        calendar = slot_calendar(catalog, sys_index, top)
        migrated = {s.id for s in catalog.servers if s.migrated}
        frozen = {w for s, w in zip(ids, wave, strict=True) if w >= 0 and s in migrated}
        calendar = Calendar(**{**calendar.__dict__, "frozen": frozenset(frozen)})
    else:
        rows = [(int(k), date.fromisoformat(s), date.fromisoformat(e)) for k, s, e, _ in dated]
        calendar = _calendar(
            catalog,
            sys_index,
            rows,
            frozenset(int(k) for k, _, _, f in dated if f),
            frozenset(int(k) for k, _, _, _ in dated),
        )
    return evaluate(inst, wave, calendar)


# ---------------------------------------------------------------- reports


def _fmt_gates(panel: Mapping[str, Any]) -> str:
    g = panel["gates"]
    return " ".join(f"G{i + 1}={v}" for i, v in enumerate(g.values()))


ROWS = (
    ("J = W_LS + 10 x waves", "J"),
    ("LS weight cut W_LS", "ls_cut_weight"),
    ("LS edges cut", "ls_cut"),
    ("LS cut fraction", "ls_cut_fraction"),
    ("traffic cut fraction", "traffic_cut_fraction"),
    ("hybrid exposure (w x days)", "hybrid_exposure"),
    ("hybrid days max / p95", None),
    ("peak bridge traffic (all / LS)", None),
    ("waves used (lower bound)", None),
    ("makespan days", "makespan_days"),
    ("systems split", "systems_split"),
)


def _cell(panel: Mapping[str, Any], key: str | None, label: str) -> str:
    if "error" in panel:
        return "-"
    if key:
        return f"{panel[key]:g}" if isinstance(panel[key], float) else str(panel[key])
    if label.startswith("hybrid days"):
        return f"{panel['hybrid_days_max']} / {panel['hybrid_days_p95']}"
    if label.startswith("peak"):
        return f"{panel['peak_bridge_traffic']:g} / {panel['peak_bridge_ls_traffic']:g}"
    return f"{panel['waves_used']} ({panel['waves_lower_bound']})"


def bench_size(n: int, seed: int, options: EstateOptions | None = None) -> dict[str, Any]:
    """Generate one estate, run both planners, print the comparison; return figures."""
    from tabulate import tabulate

    started = time.perf_counter()
    doc = generate(n, seed, options)
    gen_s = time.perf_counter() - started
    catalog = Catalog.model_validate(doc)
    prepared = catalog_instance(catalog)
    inst = prepared[1]
    print(
        f"\n## n={n} seed={seed}: {len(catalog.systems)} systems, {inst.n} servers, "
        f"{inst.edge_from.size} edges ({int(inst.latency_sensitive.sum())} LS), "
        f"capacity {catalog.planning.max_servers_per_wave} servers / "
        f"{catalog.planning.max_vcpu_per_wave} vCPU per wave; generated in {gen_s:.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.json"
        path.write_text(json.dumps(doc, default=str), encoding="utf-8")
        runs = {kind: run_in_subprocess(kind, path) for kind in ("naive", "planner")}
    panels: dict[str, dict[str, Any]] = {}
    for kind, run in runs.items():
        if "error" in run:
            panels[kind] = {"error": run["error"]}
            print(f"{kind}: FAILED: {run['error']}")
            continue
        panels[kind] = score(catalog, prepared, run["assignment"], run.get("waves"))
    headers = ["metric", "naive", "utflytt"]
    rows = [[label] + [_cell(panels[k], key, label) for k in runs] for label, key in ROWS]
    rows.insert(0, ["gates G1..G6", *(_gate_cell(panels[k]) for k in runs)])
    rows.append(["time s", *(_run_cell(runs[k], "seconds", "{:.2f}") for k in runs)])
    rows.append(["peak RSS MB", *(_run_cell(runs[k], "rss_mb_peak", "{:.0f}") for k in runs)])
    rows.append(
        ["RSS MB after load", *(_run_cell(runs[k], "rss_mb_before", "{:.0f}") for k in runs)]
    )
    print(tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True))
    naive, mine = panels["naive"], panels["planner"]
    if "error" not in naive and "error" not in mine:
        t_ratio = runs["planner"]["seconds"] / max(runs["naive"]["seconds"], 1e-9)
        j_ratio = mine["J"] / naive["J"] if naive["J"] else float("inf")
        slack = mine["waves_used"] - mine["waves_lower_bound"]
        checks = [
            ("every gate 0", mine["gates_ok"]),
            (f"J/J_naive = {j_ratio:.3f} <= 0.25", j_ratio <= 0.25),
            (f"waves - LB = {slack} <= 2", slack <= 2),
            (f"time ratio = {t_ratio:.2f} <= 3", t_ratio <= 3),
            (
                f"peak RSS = {runs['planner']['rss_mb_peak']:.0f} MB < 1536",
                runs["planner"]["rss_mb_peak"] < 1536,
            ),
        ]
        scope = "" if n >= 100_000 else " (set for 100k servers; shown for reference)"
        print(
            f"targets{scope}: "
            + "; ".join(f"{text} {'OK' if ok else 'MISSED'}" for text, ok in checks)
        )
    return {"n": n, "seed": seed, "runs": runs, "panels": panels}


def _gate_cell(panel: Mapping[str, Any]) -> str:
    return "-" if "error" in panel else _fmt_gates(panel)


def _run_cell(run: Mapping[str, Any], key: str, fmt: str) -> str:
    return "-" if key not in run else fmt.format(run[key])


def bench_small(sizes: list[int], seeds: list[int], max_time: float) -> None:
    """Small instances: naive and utflytt against the CP-SAT optimum."""
    from tabulate import tabulate

    rows = []
    ratios: list[float] = []
    for n in sizes:
        for seed in seeds:
            doc = generate(n, seed, EstateOptions(waves_target=5))
            catalog = Catalog.model_validate(doc)
            prepared = catalog_instance(catalog)
            started = time.perf_counter()
            opt, status, _ = exact_plan(catalog, max_time=max_time)
            opt_s = time.perf_counter() - started
            p_opt = score(catalog, prepared, opt)
            p_naive = score(catalog, prepared, naive_plan(catalog))
            row: list[Any] = [n, seed, status, f"{opt_s:.1f}", p_opt["J"], _fmt_gates(p_opt)]
            row += [p_naive["J"], f"{p_naive['J'] / p_opt['J']:.2f}"]
            try:
                plan_waves, options = _planner()
                plan = plan_waves(catalog, "0" * 64, options())
                dated = [
                    [w.number, w.start.isoformat(), w.end.isoformat(), w.frozen] for w in plan.waves
                ]
                p_mine = score(
                    catalog, prepared, {s: p.wave for s, p in plan.servers.items()}, dated
                )
                ratio = p_mine["J"] / p_opt["J"]
                ratios.append(ratio)
                row += [p_mine["J"], f"{ratio:.2f}", _fmt_gates(p_mine)]
            except Exception as exc:  # noqa: BLE001 - report any planner failure as a row
                row += ["-", "-", f"{type(exc).__name__}: {exc}"[:60]]
            rows.append(row)
    headers = ["n", "seed", "CP-SAT", "s", "J_opt", "opt gates", "J_naive", "naive/opt"]
    headers += ["J_utflytt", "utflytt/opt", "utflytt gates"]
    print(tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True))
    if ratios:
        mean = sum(ratios) / len(ratios)
        worst = max(ratios)
        verdict = "OK" if worst <= 1.10 else "MISSED"
        print(f"utflytt/opt: mean {mean:.3f}, worst {worst:.3f} (target <= 1.10: {verdict})")


def main(argv: list[str] | None = None) -> int:
    """Command line of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    parser.add_argument("--seeds", type=int, nargs="*", default=None)
    parser.add_argument("--full", action="store_true", help="also 100k servers")
    parser.add_argument("--small", action="store_true", help="30-80 servers vs CP-SAT")
    parser.add_argument("--no-pins", action="store_true", help="generate estates without pins")
    parser.add_argument("--cpsat-time", type=float, default=60.0, help="deterministic limit")
    parser.add_argument(
        "--worker", nargs=3, metavar=("KIND", "CATALOG", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(*args.worker)
    if args.small:
        bench_small(
            args.sizes or [30, 40, 50, 60, 70, 80], args.seeds or [1, 2, 3], args.cpsat_time
        )
        return 0
    sizes = args.sizes or ([1000, 10000, 100000] if args.full else [1000, 10000])
    print(f"# wave-planner benchmark ({os.cpu_count()} CPUs)")
    for n in sizes:
        for seed in args.seeds or [7]:
            bench_size(n, seed, EstateOptions(pin_fraction=0.0) if args.no_pins else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
