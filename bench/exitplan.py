"""Benchmark: the exit plan of a generated 100k-server estate, against the old per-wave scans.

Run ``.venv/bin/python bench/exitplan.py [SERVERS]``. The catalog and plan come from
``bench/cost.py`` (one wave per 2,000 servers), plus one temporary hybrid flow per server
from its wave to a server of wave 0. Timed, in the same run:

- baseline: the scans the exit plan used to do (``nonprod_only`` rebuilding
  ``servers_by_id`` and rescanning every server per system; every hybrid flow rescanned
  per wave), on the same input;
- now: the whole exit plan in Swedish (checklist, runbooks, risks, summary and appendix
  Markdown, streamed XLSX, exit-plan.json).
"""

from __future__ import annotations

import gc
import sys
import time
from datetime import date
from pathlib import Path

# Run as a script, bench/ comes first on sys.path and its waves.py would shadow the package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bench.cost import generate  # noqa: E402
from exit_plan import exit_plan_files  # noqa: E402
from exit_plan.facts import flow_waves  # noqa: E402
from migration.catalog import Catalog  # noqa: E402
from migration.plan import HybridFlow, Plan, Wave  # noqa: E402

LIMIT_SECONDS = 300.0  # on a shared 2-core machine; the baseline line shows the load


def with_flows(plan: Plan) -> Plan:
    """One temporary hybrid flow per moving server to the first server of wave 0."""
    first = plan.waves[0].servers[0]
    flows = [
        HybridFlow.model_validate(
            {
                "from": server_id,
                "to": first,
                "ports": ["tcp/443"],
                "from_wave": wave.number,
                "to_wave": 0,
                "days": 7 * wave.number,
            }
        )
        for wave in plan.waves[1:]
        for server_id in wave.servers
    ]
    return plan.model_copy(update={"hybrid_flows": tuple(flows)})


def old_nonprod_only(wave: Wave, catalog: Catalog) -> dict[str, str]:
    """The former implementation: servers_by_id per call, every wave server per system."""
    servers = catalog.servers_by_id
    result = {}
    for system_id in wave.systems:
        here = {
            servers[s].environment
            for s in wave.servers
            if s in servers and servers[s].system == system_id
        }
        if here and "prod" not in here:
            result[system_id] = ", ".join(sorted(here))
    return result


def baseline(catalog: Catalog, plan: Plan, limit_waves: int) -> float:
    """Seconds for the old scans on the first ``limit_waves`` waves, scaled to every wave."""
    waves = plan.waves[:limit_waves]
    start = time.perf_counter()
    for wave in waves:
        old_nonprod_only(wave, catalog)
        [f for f in plan.hybrid_flows if flow_waves(f)[0] == wave.number]
        [f for f in plan.hybrid_flows if flow_waves(f)[1] == wave.number]
    elapsed = time.perf_counter() - start
    return elapsed * len(plan.waves) / max(1, len(waves))


def main(count: int) -> int:
    catalog, plan = generate(count)
    plan = with_flows(plan)
    gc.collect()
    print(
        f"exit plan bench: {len(catalog.servers)} servers, {len(catalog.systems)} systems, "
        f"{len(plan.waves)} waves, {len(plan.hybrid_flows)} hybrid flows"
    )
    old = baseline(catalog, plan, limit_waves=3)
    print(f"baseline (old per-wave scans only, extrapolated from 3 waves): {old:.1f} s")
    start = time.perf_counter()
    files = exit_plan_files(catalog, plan, None, ("sv",), ("md", "xlsx"), as_of=date(2026, 12, 5))
    elapsed = time.perf_counter() - start
    sizes = ", ".join(f"{name} {len(data) / 1e6:.1f} MB" for name, data in files)
    print(f"now (whole exit plan, sv, md + xlsx + json): {elapsed:.1f} s ({sizes})")
    print(f"limit {LIMIT_SECONDS:.0f} s: {'ok' if elapsed <= LIMIT_SECONDS else 'TOO SLOW'}")
    return 0 if elapsed <= LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
