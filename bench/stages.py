"""The whole ``utflytt plan``, stage by stage, against the planning core and a naive planner.

For each size a generated estate (``bench/estate.py``) is written as a catalog file once;
then, in the same run and each in a fresh interpreter on that file, the naive planner of
``bench/waves.py`` is timed, and the whole ``utflytt plan`` (``app.pipeline.run_plan``) runs
with every stage timed (wall and CPU seconds) and its memory measured (resident set after
the stage and the peak so far: the run's own, not the generator's). plan.json and the exit
plan are rendered in the write phase, one file at a time: their rows are nested in the
``write`` row, and the first exit-plan file's row includes the report assembly listed just
before it.

Each stage's CPU time is shown as a multiple of the naive planner ("x naive") and of the
planning core ("x core", the ``plan waves`` stage). Targets (issue 18): the whole run within
10x the naive planner's CPU time and 1.5 GB peak at 100,000 servers; the last line of each
size says whether they are met (PASS/FAIL at 100k).

The generated estates plan for AWS by default (``--target``): at 100k servers their ~20,000
systems do not fit Azure's address plan (2,000 systems per spoke), so an Azure run stops
there with an error. Every quota is raised so the limit check runs in full without failing
on the generator's hub systems.

    python bench/stages.py                      # 1k, 10k and 100k servers (minutes, ~1.5 GB)
    python bench/stages.py --sizes 1000,10000   # about a minute
    python bench/stages.py --sizes 100000 --formats ''   # everything but the exit plan
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import runpy
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PEAK_TARGET_MB = 1536
TIME_TARGET_X_NAIVE = 10.0
TARGET_SIZE = 100_000  # the targets are set for this size; smaller sizes show the trend
REGIONS = {"azure": "swedencentral", "aws": "eu-north-1"}


def _bench_module(name: str) -> dict[str, Any]:
    """The globals of another bench script, run by path (not imported: bench/ must not go
    on sys.path, where bench/waves.py would shadow the waves package)."""
    return runpy.run_path(str(BENCH / f"{name}.py"), run_name=f"bench_{name}")


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _generate(n: int, seed: int, target: str, catalog_path: Path) -> dict[str, Any]:
    """Worker: write the generated estate as a catalog file."""
    generate = _bench_module("estate")["generate"]
    from migration.catalog.models import Quotas

    document = generate(n, seed)
    # The generated hubs (monitoring, AD) admit thousands of consumers still at the
    # provider, over the default rules/prefixes per NSG or security group: every quota is
    # raised so the run can be measured (the limit check itself still runs in full).
    quotas = dict.fromkeys(Quotas.model_fields, 1_000_000)  # rules x groups within it:
    quotas |= {"aws_rules_per_security_group": 60_000, "aws_security_groups_per_eni": 16}
    document["planning"]["quotas"] = quotas
    _spread_environments(document)
    document["planning"]["target"] = target
    document["planning"]["region"] = REGIONS[target]
    catalog_path.write_text(json.dumps(document, default=str), "utf-8")
    return {}


ENVIRONMENT_CAPACITY = 40_000  # servers: one AWS VPC (/16 at most) holds ~48,000 static IPs


def _spread_environments(document: dict[str, Any]) -> None:
    """Bench-only: a generated estate whose prod servers outgrow one environment network
    (AWS: one /16 VPC; the 100k estate has ~68,000 prod servers) gets its systems spread
    over prod, test and dev in turn, so the whole run reaches its last stage. The naive
    planner plans the same catalog, so the comparison stays fair."""
    servers = document["servers"]
    prod = sum(1 for s in servers if s.get("environment", "prod") == "prod")
    if prod <= ENVIRONMENT_CAPACITY:
        return
    systems = sorted({s["system"] for s in servers})
    env = {name: ("prod", "test", "dev")[i % 3] for i, name in enumerate(systems)}
    for server in servers:
        server["environment"] = env[server["system"]]
    print(
        f"  (bench only: {prod} prod servers outgrow one environment network; systems spread "
        "over prod, test and dev in turn)",
        file=sys.stderr,
    )


def _naive(catalog_path: Path) -> dict[str, Any]:
    """Worker: the naive planner of bench/waves.py on the loaded catalog (timed alone)."""
    naive_plan = _bench_module("waves")["naive_plan"]
    from migration.catalog import load_catalog

    catalog = load_catalog(catalog_path)
    started, cpu = time.perf_counter(), time.process_time()
    naive_plan(catalog)
    return {"naive_s": time.perf_counter() - started, "naive_cpu": time.process_time() - cpu}


def _whole_run(catalog_path: Path, formats: tuple[str, ...]) -> dict[str, Any]:
    """Worker: the whole ``utflytt plan`` with stage timings; its peak is the run's own."""
    from app.pipeline import PipelineOptions, run_plan

    rows: list[dict[str, Any]] = []

    @contextlib.contextmanager
    def stage(name: str) -> Iterator[None]:
        began, cpu = time.perf_counter(), time.process_time()
        yield
        rows.append(
            {
                "stage": "write (the renderings above included)" if name == "write" else name,
                "seconds": time.perf_counter() - began,
                "cpu": time.process_time() - cpu,
                "rss_mb": _rss_mb(),
                "peak_mb": _peak_mb(),
            }
        )

    folder = catalog_path.parent
    started, cpu = time.perf_counter(), time.process_time()
    result = run_plan(
        catalog_path,
        folder / "build",
        PipelineOptions(stack_config_dir=folder / "stacks" / "config", formats=formats),
        stage=stage,
    )
    total_s, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    sizes = {p.name: p.stat().st_size for p in result.written}
    return {
        "total_s": total_s,
        "total_cpu": total_cpu,
        "peak_mb": _peak_mb(),
        "warnings": len(result.plan.warnings),
        "waves": len(result.plan.waves),
        "plan_json_mb": sizes.get("plan.json", 0) / 2**20,
        "stages": rows,
    }


def _worker(role: str, args: dict[str, Any], out: Path) -> None:
    """Subprocess body: one role, its result as JSON in ``out``."""
    sys.path.insert(0, str(ROOT))
    path = Path(args["catalog"])
    if role == "generate":
        result = _generate(args["n"], args["seed"], args["target"], path)
    elif role == "naive":
        result = _naive(path)
    else:
        result = _whole_run(path, tuple(args["formats"]))
    out.write_text(json.dumps(result), encoding="utf-8")


def _subprocess(role: str, args: dict[str, Any]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", role, json.dumps(args), str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"{role} n={args.get('n')}: worker failed:\n{proc.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result
    finally:
        out.unlink(missing_ok=True)


def _run(n: int, seed: int, formats: str, target: str) -> dict[str, Any]:
    """One size: the estate written once, then the naive planner and the whole run, each in
    a fresh interpreter on the same catalog file (so the run's peak memory is its own, not
    the generator's or the naive planner's)."""
    with tempfile.TemporaryDirectory() as folder:
        args = {"n": n, "seed": seed, "target": target, "catalog": f"{folder}/catalog.json"}
        _subprocess("generate", args)
        naive = _subprocess("naive", args)
        run = _subprocess("plan", args | {"formats": [f for f in formats.split(",") if f]})
    return {"n": n, **naive, **run}


def report(result: dict[str, Any]) -> str:
    """One table per size: every stage, its share, and the run against its targets."""
    from tabulate import tabulate

    # ratios use CPU time: wall time on a shared machine measures the neighbours too
    naive = max(result["naive_cpu"], 1e-9)
    core = max(sum(r["cpu"] for r in result["stages"] if r["stage"] == "plan waves"), 1e-9)
    rows = []
    for row in result["stages"]:
        rows.append(
            [
                row["stage"],
                f"{row['seconds']:.2f}",
                f"{row['cpu']:.2f}",
                f"{row['cpu'] / naive:.1f}x",
                f"{row['cpu'] / core:.1f}x",
                f"{row['rss_mb']:.0f}",
                f"{row['peak_mb']:.0f}",
            ]
        )
    total, peak = result["total_cpu"], result["peak_mb"]
    rows.append(
        ["whole run", f"{result['total_s']:.2f}", f"{total:.2f}", f"{total / naive:.1f}x",
         f"{total / core:.1f}x", "", f"{peak:.0f}"]
    )  # fmt: skip
    table = tabulate(
        rows,
        headers=["stage", "wall s", "CPU s", "x naive", "x core", "RSS MB", "peak MB"],
        colalign=("left", "right", "right", "right", "right", "right", "right"),
    )
    ok_time = total / naive <= TIME_TARGET_X_NAIVE
    ok_peak = peak <= PEAK_TARGET_MB
    verdict = ("PASS" if ok_time and ok_peak else "FAIL") if result["n"] >= TARGET_SIZE else "-"
    return "\n".join(
        [
            f"n = {result['n']:,} servers: {result['waves']} waves, {result['warnings']:,} "
            f"warnings, plan.json {result['plan_json_mb']:.1f} MB",
            f"naive planner {naive:.2f} s CPU; planning core {core:.2f} s CPU "
            f"({core / naive:.1f}x naive)",
            table,
            f"whole run {total / naive:.1f}x naive (target <= {TIME_TARGET_X_NAIVE:g}x): "
            f"{'ok' if ok_time else 'MISSED'}; peak {peak:.0f} MB (target <= "
            f"{PEAK_TARGET_MB} MB): {'ok' if ok_peak else 'MISSED'}; issue 18 at "
            f"{TARGET_SIZE:,} servers: {verdict}",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help="comma-separated server counts"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--formats",
        default="md,html,xlsx",
        help="exit-plan formats to render ('' for none: the rest of the run alone)",
    )
    parser.add_argument(
        "--target",
        choices=sorted(REGIONS),
        default="aws",
        help="cloud to plan for (default aws: at 100k servers the estate's ~20,000 systems "
        "do not fit Azure's address plan, 2,000 systems per spoke, so azure stops at ~10k)",
    )
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        role, worker_args, out = args.worker
        _worker(role, json.loads(worker_args), Path(out))
        return 0
    for n in (int(size) for size in args.sizes.split(",")):
        print(report(_run(n, args.seed, args.formats, args.target)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
