"""Seeded generator of realistic estates as catalog v1 documents (docs/planning.md).

An estate has shared services (AD domain controllers and monitoring/backup collectors as
foundation systems, file servers, 2-node SQL clusters with a replication cycle, ESBs) and
tiered applications (web, app, db, cache, batch, mq) that call each other through a
layered, power-law (Zipf) popularity, with a few back-edges that make multi-application
cycles. Pins, already-migrated applications, global and per-system blackouts are included.
Pins (1% of the servers, n >= 100) go to waves 2..11 (``EstateOptions.pin_waves``) and are
drawn from a feasible reference schedule, so every generated pin set can be honoured
together with capacity and every hard rule (provider before consumer, cycles and
system + environment together, frozen waves, blackouts).

``generate(n, seed)`` returns a plain dict that validates as catalog v1 and has exactly
``n`` servers; the same (n, seed, options) gives the same document, byte for byte.
Run ``python bench/estate.py N SEED > estate.yaml`` to publish an instance.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import networkx as nx
import numpy as np

START = date(2026, 1, 5)
WAVE_DAYS = 14
SQL_PORT, WEB_PORT = "tcp/1433", "tcp/8443"
MAX_SITE_DCS = 6  # shared_services="system": domain controllers of one AD site

VCPU = {
    "web": (2, 4, 8),
    "app": (4, 8, 16),
    "db": (4, 8, 16, 32),
    "sqlc": (8, 16, 32),
    "dc": (2, 4),
    "file": (2, 4),
    "mon": (2, 4),
    "esb": (4, 8),
    "cache": (2, 4),
    "batch": (2, 4, 8),
    "mq": (2, 4),
}
ROLE = {
    "web": "web",
    "app": "app",
    "db": "db",
    "sqlc": "db",
    "dc": "infra",
    "file": "file",
    "mon": "infra",
    "esb": "app",
    "cache": "app",
    "batch": "app",
    "mq": "app",
}
CRITICALITY = ("low", "medium", "high", "critical")
LEVEL_BY_LAYER = ("sector", "shared", "citizen")


@dataclass(frozen=True)
class EstateOptions:
    """Generator knobs (defaults: docs/planning.md, "Generated estates")."""

    waves_target: int | None = None  # None: 5 for n <= 500, else 50
    shared_db_p: float = 0.30
    back_edge_p: float = 0.04
    pin_fraction: float = 0.01
    pin_waves: tuple[int, int] = (2, 11)  # pins go to reference slots in this range
    migrated_fraction: float = 0.02
    retain_fraction: float = 0.02
    retire_fraction: float = 0.01
    system_blackout_fraction: float = 0.03
    # "server": each server picks its own DC and collectors (a messy, per-server estate, as
    # dependency scans report it); "system": each system declares one system-level
    # dependency on AD (a handful of DCs, every one used) and all servers of one system use
    # the same collector, as a group policy and one agent configuration would set it
    shared_services: str = "server"


def blackouts(first_year: int, years: int) -> list[dict[str, Any]]:
    """Dec 15 - Jan 4 and the last week of each quarter, for ``years`` years."""
    out: list[dict[str, Any]] = []
    for year in range(first_year - 1, first_year + years):
        for month, last in ((3, 31), (6, 30), (9, 30)):
            end = date(year, month, last)
            out.append({"from": end - timedelta(days=6), "to": end, "reason": "Kvartalsskifte"})
        out.append({"from": date(year, 12, 15), "to": date(year + 1, 1, 4), "reason": "Jul"})
    return [b for b in out if b["to"] >= START]


def slot_blocked(k: int, periods: list[dict[str, Any]]) -> bool:
    """True when slot k (START + 14k, 14 days) overlaps one of the periods."""
    start = START + timedelta(days=WAVE_DAYS * k)
    end = start + timedelta(days=WAVE_DAYS - 1)
    return any(p["from"] <= end and start <= p["to"] for p in periods)


class _Zipf:
    """Sample index 0..k-1 with probability proportional to 1 / (i+1)^s."""

    def __init__(self, k: int, s: float) -> None:
        p = 1.0 / np.arange(1, k + 1, dtype=np.float64) ** s
        self.cdf = np.cumsum(p / p.sum())

    def __call__(self, rng: np.random.Generator, size: int | None = None) -> Any:
        u = rng.random(size)
        return np.minimum(np.searchsorted(self.cdf, u, side="right"), len(self.cdf) - 1)


def generate(n: int, seed: int = 7, options: EstateOptions | None = None) -> dict[str, Any]:
    """A catalog v1 document with exactly ``n`` servers (``n >= 10``)."""
    if n < 10:
        raise ValueError(f"expected at least 10 servers, got {n}")
    opt = options or EstateOptions()
    rng = np.random.default_rng(seed)
    servers: list[dict[str, Any]] = []
    kind_of: list[str] = []
    system_of: list[str] = []
    systems: list[dict[str, Any]] = []
    edges: dict[tuple[int, int], list[Any]] = {}  # (u, v) -> [ports, ls, weight]
    system_deps: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)

    def system(sid: str, *, level: str, crit: str, foundation: bool = False, **kw: Any) -> None:
        systems.append(
            {
                "id": sid,
                "name": sid.replace("-", " ").title(),
                "level": level,
                "sector": "it" if level == "shared" else "services",
                "owner": "IT-enheten",
                "disposition": "rehost",
                "foundation": foundation,
                "criticality": crit,
                "data_classification": "internal",
                "personal_data": False,
                **kw,
            }
        )

    def server(sid: str, system_id: str, kind: str, env: str = "prod") -> int:
        vcpu = int(rng.choice(VCPU[kind]))
        disks = [128.0] + (
            [float(rng.choice((250, 500, 1000)))] if kind in ("db", "sqlc", "file") else []
        )
        servers.append(
            {
                "id": sid,
                "system": system_id,
                "role": ROLE[kind],
                "environment": env,
                "os": "ubuntu-22.04" if rng.random() < 0.4 else "windows-server-2019",
                "vcpu": vcpu,
                "memory_gb": float(vcpu * 4),
                "disks_gb": disks,
                "monthly_cost": float(40 + 25 * vcpu),
            }
        )
        kind_of.append(kind)
        system_of.append(system_id)
        return len(servers) - 1

    def edge(u: int, v: int, port: str, ls: bool, weight: float) -> None:
        if u == v:
            return
        entry = edges.get((u, v))
        if entry is None:
            edges[(u, v)] = [{port}, ls, weight]
        else:
            entry[0].add(port)
            entry[1] = entry[1] or ls
            entry[2] += weight

    def uniform(lo: int, hi: int) -> float:
        return float(rng.integers(lo, hi + 1))

    # shared services
    n_sh = max(4, round(0.04 * n))
    n_dc = max(1, round(0.12 * n_sh))
    if opt.shared_services == "system":
        n_dc = min(n_dc, MAX_SITE_DCS)
    n_file = max(1, round(0.20 * n_sh))
    n_sqlc = max(1, round(0.35 * n_sh / 2))
    n_mon = max(1, round(0.13 * n_sh))
    n_esb = max(0, n_sh - n_dc - n_file - 2 * n_sqlc - n_mon)
    system("ad", level="shared", crit="critical", foundation=True)
    system("monitoring", level="shared", crit="high", foundation=True)
    dcs = [server(f"dc-{i:04d}", "ad", "dc") for i in range(n_dc)]
    mons = [server(f"mon-{i:04d}", "monitoring", "mon") for i in range(n_mon)]
    files: list[str] = []
    for i in range(n_file):
        files.append(f"files-{i:03d}")
        system(files[-1], level="shared", crit="medium")
        server(f"fs-{i:04d}", files[-1], "file")
    clusters: list[tuple[int, int]] = []
    for i in range(n_sqlc):
        system(f"sqlc-{i:03d}", level="shared", crit="high")
        a = server(f"sqlc-{i:03d}-a", f"sqlc-{i:03d}", "sqlc")
        b = server(f"sqlc-{i:03d}-b", f"sqlc-{i:03d}", "sqlc")
        edge(a, b, "tcp/5022", True, 8.0)
        edge(b, a, "tcp/5022", True, 8.0)
        clusters.append((a, b))
    esbs = []
    for i in range(n_esb):
        system(f"esb-{i:03d}", level="shared", crit="high")
        esbs.append(server(f"esb-{i:04d}", f"esb-{i:03d}", "esb"))

    # applications until the budget is used
    apps: list[dict[str, Any]] = []
    budget = n - len(servers)
    while budget > 0:
        web = int(rng.choice(5, p=(0.10, 0.35, 0.35, 0.12, 0.08)))
        appn = int(rng.choice((1, 2, 3, 4, 6), p=(0.35, 0.35, 0.15, 0.10, 0.05)))
        shared_db = rng.random() < opt.shared_db_p
        db = 0 if shared_db else int(rng.choice((1, 2), p=(0.55, 0.45)))
        extras = [
            k for k, p in (("cache", 0.20), ("batch", 0.25), ("mq", 0.10)) if rng.random() < p
        ]
        kinds = ["app"] * appn + ["web"] * web + ["db"] * db + extras
        kinds = kinds[:budget]
        budget -= len(kinds)
        apps.append({"kinds": kinds, "shared_db": shared_db and "db" not in kinds})

    count = len(apps)
    layers = rng.choice(3, size=count, p=(0.25, 0.40, 0.35))
    prod = rng.random(count) < 0.7
    crit = rng.choice(4, size=count, p=(0.30, 0.35, 0.25, 0.10))
    popularity = rng.permutation(count)  # 0 = most popular
    crit[popularity < max(1, math.ceil(0.02 * count))] = 3
    sql_zipf = _Zipf(len(clusters), 1.1)
    file_zipf = _Zipf(len(files), 1.1)
    dc_zipf = _Zipf(len(dcs), 0.8)
    mon_zipf = _Zipf(len(mons), 0.8)

    members: list[dict[str, list[int]]] = []
    for a, spec in enumerate(apps):
        sid = f"app-{a:05d}"
        env = "prod" if prod[a] else "test"
        system(sid, level=LEVEL_BY_LAYER[int(layers[a])], crit=CRITICALITY[int(crit[a])])
        tiers: dict[str, list[int]] = defaultdict(list)
        for j, kind in enumerate(spec["kinds"]):
            tiers[kind].append(server(f"{sid}-{kind}{j:02d}", sid, kind, env))
        members.append(tiers)
        for w in tiers["web"]:
            for s in tiers["app"]:
                edge(w, s, WEB_PORT, True, uniform(3, 7))
        for s in tiers["app"]:
            for d in tiers["db"]:
                edge(s, d, SQL_PORT, True, uniform(5, 10))
            for c in tiers["cache"]:
                edge(s, c, "tcp/6379", True, uniform(4, 8))
            for q in tiers["mq"]:
                edge(s, q, "tcp/5672", False, uniform(2, 5))
        for b in tiers["batch"]:
            for d in tiers["db"]:
                edge(b, d, SQL_PORT, False, uniform(2, 6))
        if len(tiers["db"]) == 2:
            p, r = tiers["db"]
            edge(p, r, "tcp/5022", True, 6.0)
            edge(r, p, "tcp/5022", True, 6.0)
        callers = tiers["app"] + tiers["batch"]
        if spec["shared_db"] and callers:
            ca, cb = clusters[int(sql_zipf(rng))]
            for s in callers:
                edge(s, ca, SQL_PORT, True, uniform(5, 10))
                edge(s, cb, SQL_PORT, True, uniform(5, 10))
        if rng.random() < 0.35:
            target = files[int(file_zipf(rng))]
            system_deps[sid][target] = {"to": target, "ports": ["tcp/445"], "weight": uniform(2, 5)}
        if esbs and rng.random() < 0.15:
            e = esbs[int(rng.integers(len(esbs)))]
            for s in callers:
                edge(s, e, "tcp/9092", False, uniform(2, 5))

    # inter-application calls: lower layer, Zipf over popularity, a few back-edges
    by_layer = [sorted(np.flatnonzero(layers == k), key=lambda i: popularity[i]) for k in range(3)]
    layer_zipf = [_Zipf(len(b), 1.2) if b else None for b in by_layer]
    for a in range(count):
        caller = members[a]["app"] + members[a]["batch"] or members[a]["web"]
        for _ in range(int(rng.poisson(1.2))):
            la = int(layers[a])
            if rng.random() < opt.back_edge_p:
                options_l = [k for k in range(la, 3) if by_layer[k]]
            else:
                options_l = [k for k in range(0, max(la, 1)) if by_layer[k]]
            if not options_l:
                continue
            layer = int(rng.choice(options_l))
            zipf = layer_zipf[layer]
            assert zipf is not None
            b = int(by_layer[layer][int(zipf(rng))])
            entry = members[b]["web"] or members[b]["app"] or next(iter(members[b].values()))
            if b == a or not entry:
                continue
            ls = rng.random() < 0.25
            weight = uniform(4, 9) if ls else uniform(1, 4)
            for s in caller:
                edge(s, entry[0], "tcp/443", bool(ls), weight)

    # every server uses a DC (DNS/LDAP) and a monitoring collector, 70% a backup agent
    if opt.shared_services == "system":
        _system_services(rng, servers, kind_of, system_of, dcs, mons, edge, system_deps, mon_zipf)
    for s in range(len(servers) if opt.shared_services == "server" else 0):
        if kind_of[s] != "dc":
            edge(s, dcs[int(dc_zipf(rng))], "udp/53", False, 1.0)
        elif s != dcs[0]:
            edge(s, dcs[0], "tcp/389", False, 1.0)
        if kind_of[s] != "mon":
            edge(s, mons[int(mon_zipf(rng))], "tcp/9100", False, 1.0)
            if rng.random() < 0.7:
                edge(s, mons[int(mon_zipf(rng))], "tcp/10000", False, 2.0)

    total_vcpu = sum(s["vcpu"] for s in servers)
    waves_target = opt.waves_target or (5 if n <= 500 else 50)
    years = max(2, math.ceil(waves_target * WAVE_DAYS * 2 / 365) + 1)
    caps = (math.ceil(1.15 * n / waves_target), math.ceil(1.15 * total_vcpu / waves_target))
    periods = blackouts(START.year, years)
    _constraints(rng, opt, n, count, servers, systems, system_of, edges, system_deps, caps, periods)

    for (u, v), (ports, ls, weight) in sorted(edges.items()):
        dep: dict[str, Any] = {"to": servers[v]["id"], "ports": sorted(ports)}
        if ls:
            dep["latency_sensitive"] = True
        if weight != 1.0:
            dep["weight"] = weight
        servers[u].setdefault("depends_on", []).append(dep)
    for record in systems:
        deps = system_deps.get(record["id"])
        if deps:
            record["depends_on"] = [deps[k] for k in sorted(deps)]

    return {
        "version": 1,
        "organisation": f"Benchmark estate n={n} seed={seed}",
        "currency": "EUR",
        "contract": {
            "provider": "ÅDA",
            "notice_months": 6,
            "ends": date(START.year + years, 12, 31),
        },
        "source_networks": ["10.0.0.0/8"],
        "planning": {
            "start": START,
            "wave_days": WAVE_DAYS,
            "max_servers_per_wave": caps[0],
            "max_vcpu_per_wave": caps[1],
            "pilot": True,
            "blackouts": periods,
        },
        "systems": systems,
        "servers": servers,
    }


def _system_services(
    rng: np.random.Generator,
    servers: list[dict[str, Any]],
    kind_of: list[str],
    system_of: list[str],
    dcs: list[int],
    mons: list[int],
    edge: Any,
    system_deps: dict[str, dict[str, dict[str, Any]]],
    mon_zipf: _Zipf,
) -> None:
    """``shared_services="system"``: every system but AD depends on AD (system level: the
    flow rule fans it out to every DC); one collector (and backup agent or not) per system."""
    for s in dcs[1:]:
        edge(s, dcs[0], "tcp/389", False, 1.0)
    collector: dict[str, tuple[int, bool]] = {}
    for s in range(len(servers)):
        system_id = system_of[s]
        if system_id != "ad":
            system_deps[system_id]["ad"] = {"to": "ad", "ports": ["tcp/389", "udp/53"]}
        if kind_of[s] == "mon":
            continue
        if system_id not in collector:
            collector[system_id] = (mons[int(mon_zipf(rng))], bool(rng.random() < 0.7))
        target, backup = collector[system_id]
        edge(s, target, "tcp/9100", False, 1.0)
        if backup:
            edge(s, target, "tcp/10000", False, 2.0)


def _constraints(
    rng: np.random.Generator,
    opt: EstateOptions,
    n: int,
    count: int,
    servers: list[dict[str, Any]],
    systems: list[dict[str, Any]],
    system_of: list[str],
    edges: dict[tuple[int, int], list[Any]],
    system_deps: dict[str, dict[str, dict[str, Any]]],
    caps: tuple[int, int],
    periods: list[dict[str, Any]],
) -> None:
    """Dispositions, already-migrated applications, pins and per-system blackouts."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(s["id"] for s in systems)
    graph.add_edges_from(
        (system_of[u], system_of[v]) for u, v in edges if system_of[u] != system_of[v]
    )
    graph.add_edges_from((a, b) for a, deps in system_deps.items() for b in deps)
    foundation = {"ad", "monitoring"}
    app_ids = [s["id"] for s in systems if s["id"].startswith("app-")]
    by_id = {s["id"]: s for s in systems}
    taken: set[str] = set()

    # retained / retired applications: nobody migrating may be pinned or frozen there
    order = [app_ids[i] for i in rng.permutation(len(app_ids))]
    n_retain = round(opt.retain_fraction * count)
    n_retire = round(opt.retire_fraction * count)
    for sid in order[:n_retain]:
        by_id[sid]["disposition"] = "retain"
        taken.add(sid)
    for sid in order[n_retain : n_retain + n_retire]:
        by_id[sid]["disposition"] = "retire"
        taken.add(sid)

    # already migrated: whole applications whose providers are foundation systems only
    if count >= 50:
        want = round(opt.migrated_fraction * count)
        for sid in order[n_retain + n_retire :]:
            if want == 0:
                break
            if set(graph.successors(sid)) <= foundation:
                by_id[sid]["_migrated"] = True
                taken.add(sid)
                want -= 1

    # a few systems with their own blackout (year-end closing, school start)
    for sid in order[: round(opt.system_blackout_fraction * count)]:
        month = int(rng.integers(1, 12))
        start = date(START.year, month, 1)
        by_id[sid]["blackouts"] = [
            {"from": start, "to": start + timedelta(days=20), "reason": "Bokslut"}
        ]

    servers_by_system: dict[str, list[int]] = defaultdict(list)
    for i, sid in enumerate(system_of):
        servers_by_system[sid].append(i)
    migrated = {sid for sid in app_ids if by_id[sid].pop("_migrated", False)}
    for sid in sorted(migrated):
        for i in servers_by_system[sid]:
            servers[i]["migrated"] = True
            servers[i]["pinned_wave"] = 1
    if n >= 100:
        reference = _reference_slots(
            graph, servers, servers_by_system, by_id, migrated | foundation, caps, periods
        )
        want = round(opt.pin_fraction * n)
        first, last = opt.pin_waves
        for sid in order:
            if want == 0:
                break
            if sid not in taken and first <= reference.get(sid, -1) <= last:
                servers[servers_by_system[sid][0]]["pinned_wave"] = reference[sid]
                taken.add(sid)
                want -= 1


def _reference_slots(
    graph: nx.DiGraph[str],
    servers: list[dict[str, Any]],
    servers_by_system: dict[str, list[int]],
    by_id: dict[str, dict[str, Any]],
    exclude: set[str],
    caps: tuple[int, int],
    periods: list[dict[str, Any]],
) -> dict[str, int]:
    """Slots of a feasible schedule (providers first, next-fit from slot 2, blackouts kept).

    Pins are drawn from it, so every generated pin set can be honoured together with
    capacity, dependency order and blackouts.
    """
    moving = sorted(
        sid
        for sid, record in by_id.items()
        if record["disposition"] == "rehost" and sid not in exclude
    )
    condensed = nx.condensation(graph.subgraph(moving))
    cap_s, cap_v = caps
    slot, load_s, load_v = 2, 0, 0
    while slot_blocked(slot, periods):
        slot += 1
    out: dict[str, int] = {}
    for node in reversed(list(nx.lexicographical_topological_sort(condensed))):
        members = sorted(condensed.nodes[node]["members"])
        size = sum(len(servers_by_system[m]) for m in members)
        vcpu = sum(servers[i]["vcpu"] for m in members for i in servers_by_system[m])
        own = [b for m in members for b in by_id[m].get("blackouts", [])]
        while (load_s and (load_s + size > cap_s or load_v + vcpu > cap_v)) or slot_blocked(
            slot, own
        ):
            slot, load_s, load_v = slot + 1, 0, 0
            while slot_blocked(slot, periods):
                slot += 1
        for m in members:
            out[m] = slot
        load_s += size
        load_v += vcpu
    return out


def main(argv: list[str]) -> int:
    """Print a generated estate as YAML: ``estate.py N [SEED]``."""
    import yaml

    n = int(argv[1]) if len(argv) > 1 else 1000
    seed = int(argv[2]) if len(argv) > 2 else 7
    sys.stdout.write(yaml.safe_dump(generate(n, seed), sort_keys=False, allow_unicode=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
