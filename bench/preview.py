"""Offline preview throughput: our harness vs plain Pulumi mocks, in one run.

Previews the example's largest wave (planned from examples/mariehamn/catalog.yaml with
the wave planner, or a given --plan) and a synthetic 1,000-server wave. Plain mocks (no
alias stripping, no GC tuning) run first, before the GC is tuned for the process; plain
mocks manage about 20-35 resources/s, so by default they preview a 200-server sample of the
synthetic wave (the cost per resource is constant; --full-plain runs all 1,000).
Target: >= 200 resources/s for ours.

    .venv/bin/python bench/preview.py [--plan build/plan.json] [--full-plain]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migration.plan import Flow, NotMigrated, Plan, PlannedServer, PlannedSystem, Target, Wave  # noqa: E402
from stacks.config import settings_for_stack  # noqa: E402
from stacks.testing import run_offline_full  # noqa: E402

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


def timed(plan: Plan, wave: int, fast: bool, outputs: dict[str, Any]) -> tuple[int, float]:
    settings = settings_for_stack(plan, f"wave-{wave:02d}", "plan.json")
    start = time.perf_counter()
    run = run_offline_full(settings, plan, stack_outputs={"foundation": outputs}, fast=fast)
    elapsed = time.perf_counter() - start
    return sum(1 for r in run.resources if r.kind == "register"), elapsed


def foundation_outputs(plan: Plan, fast: bool) -> dict[str, Any]:
    return run_offline_full(
        settings_for_stack(plan, "foundation", "plan.json"), plan, fast=fast
    ).outputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--plan", help="plan.json of the example (default: plan the bundled catalog)"
    )
    parser.add_argument(
        "--full-plain", action="store_true", help="plain mocks on all 1,000 servers"
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

    plain: dict[str, tuple[int, float]] = {}
    for label, _plan, wave, plain_plan in cases:  # plain first: before the GC is tuned
        plain[label] = timed(plain_plan, wave, False, foundation_outputs(plain_plan, False))
    rows = []
    ok = True
    for label, plan, wave, _ in cases:
        n, secs = timed(plan, wave, True, foundation_outputs(plan, True))
        pn, psecs = plain[label]
        rate, prate = n / secs, pn / psecs
        ok = ok and rate >= TARGET
        rows.append((label, n, secs, rate, pn, psecs, prate))
    print(
        f"{'case':28}{'resources':>10}{'s':>8}{'res/s':>8}   plain: {'resources':>9}{'s':>8}{'res/s':>8}  speed-up"
    )
    for label, n, secs, rate, pn, psecs, prate in rows:
        print(
            f"{label:28}{n:>10}{secs:>8.2f}{rate:>8.0f}          {pn:>9}{psecs:>8.2f}{prate:>8.0f}  {rate / prate:>6.1f}x"
        )
    print(f"target >= {TARGET:.0f} resources/s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
