"""Catalog loading benchmark: a 100,000-server catalog as JSON and as YAML.

Prints load+validation time (wall and CPU) and peak memory for each format (each measured in
a fresh subprocess, so peaks don't mix), compares against the targets (JSON < 5 s, YAML <
30 s on a 2-core machine), and checks that an error in such a file still reports its line
number. Loading is single-threaded, so on an idle machine wall time equals CPU time; the
verdict uses CPU time so that other jobs on a shared machine don't decide it, and the load
average is printed beside the figures.

    python bench/catalog.py            # 100,000 servers
    python bench/catalog.py --servers 10000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as Dumper  # type: ignore[assignment]

TARGETS = {"json": 5.0, "yaml": 30.0}
OSES = [
    "windows-server-2019",
    "windows-server-2022",
    "ubuntu-22.04",
    "rhel-8",
    "windows-server-2016",
]


def generate(servers: int, seed: int = 1) -> dict[str, Any]:
    """A valid catalog with ``servers`` servers in systems of 2-8 servers, app->db deps."""
    rng = random.Random(seed)
    systems: list[dict[str, Any]] = [
        {
            "id": "ad",
            "name": "AD",
            "level": "shared",
            "sector": "it",
            "owner": "IT",
            "disposition": "rehost",
            "foundation": True,
            "criticality": "critical",
            "data_classification": "internal",
            "personal_data": True,
        },
    ]
    server_list: list[dict[str, Any]] = []
    count = 0
    index = 0
    while count < servers:
        index += 1
        sid = f"sys-{index:06d}"
        size = min(rng.randint(2, 8), servers - count)
        systems.append(
            {
                "id": sid,
                "name": f"System {index}",
                "level": rng.choice(["office", "shared", "sector", "citizen"]),
                "sector": f"sector-{index % 11}",
                "owner": "Förvaltningen",
                "disposition": "rehost",
                "criticality": rng.choice(["low", "medium", "high", "critical"]),
                "data_classification": "internal",
                "personal_data": bool(index % 2),
                "depends_on": [{"to": "ad", "ports": ["tcp/389", "tcp/636"]}],
            }
        )
        db_id = f"{sid}-db"
        for n in range(size):
            server_id = db_id if n == 0 else f"{sid}-app{n}"
            server: dict[str, Any] = {
                "id": server_id,
                "system": sid,
                "role": "db" if n == 0 else "app",
                "os": rng.choice(OSES),
                "vcpu": rng.choice([2, 4, 8]),
                "memory_gb": rng.choice([4, 8, 16, 32]),
                "disks_gb": [128, rng.choice([100, 500])],
                "cpu_p95": round(rng.random(), 2),
                "monthly_cost": 120.0,
                "ip": f"10.{(count >> 16) & 255}.{(count >> 8) & 255}.{count & 255}",
            }
            if n:
                server["depends_on"] = [
                    {"to": db_id, "ports": ["tcp/1433"], "latency_sensitive": True}
                ]
            server_list.append(server)
            count += 1
    return {
        "version": 1,
        "organisation": "Benchmark stad",
        "currency": "EUR",
        "contract": {"provider": "ÅDA", "notice_months": 6, "ends": "2029-12-31"},
        "systems": systems,
        "servers": server_list,
    }


def _measure(path: Path) -> dict[str, Any]:
    """Run the loader in a fresh interpreter; return seconds and peak RSS in MB."""
    code = (
        "import resource, sys, time, json\n"
        "from migration.catalog import load_catalog\n"
        "from migration.errors import CatalogError\n"
        "t = time.perf_counter()\n"
        "try:\n"
        "    c = load_catalog(sys.argv[1]); result = {'servers': len(c.servers)}\n"
        "except CatalogError as e:\n"
        "    result = {'errors': [str(i) for i in e.issues][:3]}\n"
        "result['seconds'] = time.perf_counter() - t\n"
        "ru = resource.getrusage(resource.RUSAGE_SELF)\n"
        "result['cpu'] = ru.ru_utime + ru.ru_stime\n"
        "result['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps(result))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--servers", type=int, default=100_000)
    args = parser.parse_args()
    document = generate(args.servers)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {
            "json": folder / "catalog.json",
            "yaml": folder / "catalog.yaml",
        }
        files["json"].write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        files["yaml"].write_text(
            yaml.dump(document, Dumper=Dumper, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        print(f"catalog: {args.servers:,} servers, {len(document['systems']):,} systems")
        print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(
            f"{'format':<6} {'size MB':>8} {'wall s':>8} {'cpu s':>7} {'target':>7} "
            f"{'peak MB':>8}  result"
        )
        for fmt, path in files.items():
            result = _measure(path)
            ok = result["cpu"] < TARGETS[fmt] and "servers" in result
            failures += not ok
            size = path.stat().st_size / 1e6
            print(
                f"{fmt:<6} {size:>8.1f} {result['seconds']:>8.2f} {result['cpu']:>7.2f} "
                f"{TARGETS[fmt]:>6.0f}s "
                f"{result['peak_mb']:>8.0f}  {'ok' if ok else 'FAIL'}"
            )
        # an error near the end of the file must still be reported with its line number
        document["servers"][-1]["vcpu"] = 0
        for fmt, path in files.items():
            if fmt == "json":
                path.write_text(
                    json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8"
                )
            else:
                path.write_text(
                    yaml.dump(document, Dumper=Dumper, allow_unicode=True, sort_keys=False),
                    encoding="utf-8",
                )
            result = _measure(path)
            errors = result.get("errors", [])
            has_line = bool(errors) and ":" in errors[0] and errors[0].split(":")[1].isdigit()
            failures += not has_line
            print(
                f"{fmt} with an error: {result['seconds']:.2f} s -> "
                f"{errors[0] if errors else 'NO ERROR'}"
            )
    print("all targets met" if not failures else f"{failures} target(s) missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
