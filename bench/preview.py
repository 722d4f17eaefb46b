"""Offline preview throughput: our harness vs plain Pulumi mocks, in one run.

Previews the example's largest wave (planned from examples/mariehamn/catalog.yaml with
the wave planner, or a given --plan) and a synthetic 1,000-server wave. Plain mocks (no
alias stripping, no GC tuning, Pulumi's threaded MockMonitor path) run first, before the
GC is tuned for the process; plain mocks manage about 10-35 resources/s, so by default
they preview a 200-server sample of the synthetic wave (the cost per resource is
constant; --full-plain runs all 1,000). Target: >= 200 resources/s for ours.

Each figure is one run's wall time (``res/s``) and the process's CPU time over it
(``cpu res/s``: less sensitive to other jobs on the machine; the load average is printed
before and after). ``--repeat N`` previews each case N times with our harness and reports
the median. A fast run leaves its objects frozen for the process's exit instead of
collecting them (see ``stacks.testing._fast_run``); ``release s`` is what collecting them
costs (``stacks.testing.release_memory``), paid by long-running processes only, and
``incl. release`` is the rate with it counted.

    .venv/bin/python bench/preview.py [--plan build/plan.json] [--full-plain] [--repeat 3]

``--estate`` runs ``bench/preview_estate.py`` instead: every stack of generated 120- and
1,000-system estates per cloud (``utflytt preview --all``) against the old per-stack path.
"""

from __future__ import annotations

import argparse
import os
import runpy
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migration.plan import Flow, NotMigrated, Plan, PlannedServer, PlannedSystem, Target, Wave  # noqa: E402
from stacks.config import settings_for_stack  # noqa: E402
from stacks.testing import release_memory, run_offline_full  # noqa: E402

TARGET = 200.0


def synthetic_plan(servers: int, per_system: int = 20) -> Plan:
    """One wave of ``servers`` rehosted servers (app + db per system, AD in wave 0)."""
    from datetime import date

    systems: dict[str, PlannedSystem] = {
        "ad": PlannedSystem(
            name="AD",
            level="shared",
            sector="it",
            owner="IT",
            disposition="rehost",
            criticality="critical",
            data_classification="internal",
            personal_data=True,
            foundation=True,
            rpo_hours=4,
        ),
    }
    planned: dict[str, PlannedServer] = {
        "dc01": PlannedServer(
            wave=0,
            sku="Standard_D2s_v5",
            system="ad",
            os="windows-server-2019",
            disks_gb=(128,),
            role="infra",
        ),
    }
    flows = []
    for i in range(servers):
        system = f"sys{i // per_system:03d}"
        if system not in systems:
            systems[system] = PlannedSystem(
                name=system,
                level="citizen" if i // per_system % 10 == 0 else "sector",
                sector="s",
                owner="Owner",
                disposition="rehost",
                criticality="medium",
                data_classification="confidential",
                personal_data=False,
                cost_centre="42",
                rpo_hours=24,
            )
        sid = f"{system}-srv{i % per_system:02d}"
        planned[sid] = PlannedServer(
            wave=1,
            sku="Standard_D4s_v5",
            system=system,
            os="windows-server-2019",
            disks_gb=(128, 256),
            role="web" if i % per_system == 0 else "app",
        )
        flows.append(Flow(**{"from": sid, "to": "dc01", "ports": ("tcp/389", "udp/53")}))
        if i % per_system:
            flows.append(Flow(**{"from": f"{system}-srv00", "to": sid, "ports": ("tcp/8443",)}))
    d = date(2027, 2, 1)
    return Plan(
        catalog_sha256="f" * 64,
        target=Target(provider="azure", region="swedencentral"),
        notice_date=None,
        deadline=None,
        waves=(
            Wave(number=0, name="wave-00", start=d, end=d),
            Wave(number=1, name="wave-01", start=d, end=d),
        ),
        not_migrated=NotMigrated(),
        servers=planned,
        organisation="Synthetic",
        source_networks=("10.10.0.0/16",),
        systems=systems,
        flows=tuple(flows),
    )


def example_plan(path: str | None) -> tuple[Plan, int] | None:
    """The example's plan and its largest wave, or None when it cannot be had."""
    from migration.plan import read_plan

    if path:
        plan = read_plan(path)
    else:
        catalog = ROOT / "examples" / "mariehamn" / "catalog.yaml"
        try:
            from migration.catalog import load_catalog_with_digest
            from waves import plan_waves

            cat, digest = load_catalog_with_digest(catalog)
            plan = plan_waves(cat, digest)
        except Exception as exc:  # the planner is another module's: report, don't fail
            print(f"example: cannot plan {catalog}: {exc}")
            return None
    if plan.target.provider != "azure":
        plan = plan.model_copy(update={"target": Target(provider="azure", region="swedencentral")})
    counts: dict[int, int] = {}
    for srv in plan.servers.values():
        if srv.wave is not None and srv.disposition in ("rehost", "replatform", "rebuild"):
            counts[srv.wave] = counts.get(srv.wave, 0) + 1
    wave = max(sorted(counts), key=lambda w: counts[w])
    return plan, wave


@dataclass(frozen=True)
class Timing:
    """One preview: resources registered, wall and CPU seconds."""

    resources: int
    wall: float
    cpu: float


def timed(plan: Plan, wave: int, fast: bool, outputs: dict[str, Any]) -> Timing:
    settings = settings_for_stack(plan, f"wave-{wave:02d}", "plan.json")
    start, cpu = time.perf_counter(), time.process_time()
    run = run_offline_full(settings, plan, stack_outputs={"foundation": outputs}, fast=fast)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Timing(sum(1 for r in run.resources if r.kind == "register"), elapsed, cpu)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def foundation_outputs(plan: Plan, fast: bool) -> dict[str, Any]:
    return run_offline_full(
        settings_for_stack(plan, "foundation", "plan.json"), plan, fast=fast
    ).outputs


def main() -> int:
    if "--estate" in sys.argv:  # every stack of generated estates: bench/preview_estate.py
        estate = runpy.run_path(str(ROOT / "bench" / "preview_estate.py"), run_name="estate")
        return int(estate["main"](sys.argv[1:]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--plan", help="plan.json of the example (default: plan the bundled catalog)"
    )
    parser.add_argument(
        "--full-plain", action="store_true", help="plain mocks on all 1,000 servers"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="previews per case with our harness (median)"
    )
    args = parser.parse_args()
    cases: list[tuple[str, Plan, int, Plan]] = []
    example = example_plan(args.plan)
    if example:
        plan, wave = example
        cases.append((f"example wave-{wave:02d}", plan, wave, plan))
    big = synthetic_plan(1000)
    cases.append(
        ("synthetic 1,000 servers", big, 1, big if args.full_plain else synthetic_plan(200))
    )

    print(f"load average before: {load()}")
    plain: dict[str, Timing] = {}
    for label, _plan, wave, plain_plan in cases:  # plain first: before the GC is tuned
        plain[label] = timed(plain_plan, wave, False, foundation_outputs(plain_plan, False))
    rows = []
    ok = True
    for label, plan, wave, _ in cases:
        outputs = foundation_outputs(plan, True)
        runs, releases = [], []
        for _ in range(args.repeat):
            runs.append(timed(plan, wave, True, outputs))
            releases.append(release_memory())  # outside the timing; reported on its own
        wall = statistics.median(r.wall for r in runs)
        cpu = statistics.median(r.cpu for r in runs)
        release = statistics.median(releases)
        n = runs[0].resources
        ok = ok and n / wall >= TARGET
        rows.append((label, n, wall, cpu, release, plain[label]))
    print(
        f"{'case':26}{'resources':>10}{'s':>8}{'res/s':>7}{'cpu res/s':>10}"
        f"{'release s':>10}{'incl. release':>14}   plain: {'resources':>9}{'s':>8}{'res/s':>7}"
        f"{'cpu res/s':>10}  speed-up"
    )
    for label, n, wall, cpu, release, p in rows:
        print(
            f"{label:26}{n:>10}{wall:>8.2f}{n / wall:>7.0f}{n / cpu:>10.0f}"
            f"{release:>10.2f}{n / (wall + release):>14.0f}          {p.resources:>9}{p.wall:>8.2f}"
            f"{p.resources / p.wall:>7.0f}{p.resources / p.cpu:>10.0f}"
            f"  {(n / wall) / (p.resources / p.wall):>6.1f}x"
        )
    print(f"load average after: {load()}")
    median = f" (median of {args.repeat})" if args.repeat > 1 else ""
    print(f"target >= {TARGET:.0f} resources/s{median}: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
