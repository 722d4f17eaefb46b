"""Benchmark: cost a generated 100k-server catalog (ÅDA vs Azure vs AWS) and write
cost.json, cost.csv and cost.xlsx, in under 10 s together.

Run ``.venv/bin/python bench/cost.py [SERVERS]``. The catalog and a simple plan (one wave per
2,000 servers, a week apart) are generated here; ``compare_costs`` and ``write_report`` are
timed (CPU), each printed beside the limit for both together.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from migration.catalog import Catalog
from migration.cost import CostOptions, compare_costs
from migration.cost.outputs import write_report
from migration.plan import NotMigrated, Plan, PlannedServer, Target, Wave

LIMIT_SECONDS = 10.0
PER_WAVE = 2000
OSES = [
    "windows-server-2019",
    "windows-server-2016",
    "windows-server-2012r2",
    "ubuntu-22.04",
    "rhel-8",
    "centos-7",
    "windows-server-2022",
    "debian-12",
]
ROLES = ["web", "app", "db", "file", "infra", "other"]
DISPOSITIONS = ["rehost"] * 7 + ["replatform", "retain", "retire", "repurchase"]


def generate(count: int, seed: int = 7) -> tuple[Catalog, Plan]:
    """A catalog of ``count`` servers in ``count // 20`` systems and a plan for it."""
    rng = random.Random(seed)
    systems = []
    for number in range(max(1, count // 20)):
        disposition = rng.choice(DISPOSITIONS)
        systems.append(
            {
                "id": f"sys-{number}",
                "name": f"System {number}",
                "level": "sector",
                "sector": "it",
                "owner": "IT",
                "disposition": disposition,
                "criticality": "medium",
                "data_classification": "internal",
                "personal_data": False,
                "monthly_licence_cost": rng.choice([0, 100, 400]),
                "saas_monthly_cost": 300 if disposition == "repurchase" else None,
            }
        )
    servers = []
    for number in range(count):
        cpu = rng.choice([1, 2, 4, 8, 16])
        servers.append(
            {
                "id": f"srv-{number}",
                "system": f"sys-{number % len(systems)}",
                "role": rng.choice(ROLES),
                "os": rng.choice(OSES),
                "vcpu": cpu,
                "memory_gb": cpu * rng.choice([2, 4, 8]),
                "disks_gb": [128]
                + [rng.choice([50, 200, 500, 1000]) for _ in range(rng.randint(0, 2))],
                "cpu_p95": rng.choice([None, 0.2, 0.5]),
                "monthly_cost": rng.uniform(50, 400),
                "licences": {
                    "windows_software_assurance": rng.random() < 0.5,
                    "sql": rng.choice(["none", "none", "standard"]),
                },
            }
        )
    catalog = Catalog.model_validate(
        {
            "version": 1,
            "organisation": "Bench",
            "systems": systems,
            "servers": servers,
            "contract": {
                "provider": "ÅDA",
                "notice_months": 6,
                "ends": date(2029, 12, 31),
                "monthly_base_fee": 4200.0,
                "exit_fee": 15000.0,
            },
        }
    )
    migrating = {s["id"] for s in systems if s["disposition"] in ("rehost", "replatform")}
    moving = [s["id"] for s in servers if s["system"] in migrating]
    start = date(2027, 2, 1)
    waves, planned = [], {}
    for number in range(0, len(moving), PER_WAVE):
        index = number // PER_WAVE
        chunk = tuple(moving[number : number + PER_WAVE])
        first = start + timedelta(days=7 * index)
        waves.append(
            Wave(
                number=index,
                name=f"wave-{index:02d}",
                start=first,
                end=first + timedelta(days=6),
                servers=chunk,
            )
        )
        planned.update({sid: PlannedServer(wave=index) for sid in chunk})
    for server in servers:
        planned.setdefault(server["id"], PlannedServer(wave=None))
    plan = Plan(
        catalog_sha256="0" * 64,
        target=Target(provider="azure", region="swedencentral"),
        notice_date=None,
        deadline=None,
        waves=tuple(waves),
        not_migrated=NotMigrated(),
        servers=planned,
    )
    return catalog, plan


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    catalog, plan = generate(count)
    began, cpu_began = time.perf_counter(), time.process_time()
    report = compare_costs(catalog, plan, CostOptions())
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    doc = report.to_json_dict()
    with tempfile.TemporaryDirectory() as folder:
        wbegan, wcpu_began = time.perf_counter(), time.process_time()
        paths = write_report(report, catalog, plan, Path(folder))
        welapsed = time.perf_counter() - wbegan
        wcpu = time.process_time() - wcpu_began
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in paths)
    # CPU time is the criterion: on a shared machine wall time measures the neighbours
    print(
        f"costed {count} servers, {len(plan.waves)} waves, {len(doc['years'])} years "
        f"in {cpu:.2f} s CPU ({elapsed:.2f} s wall)"
    )
    print(f"wrote {sizes} in {wcpu:.2f} s CPU ({welapsed:.2f} s wall)")
    print(f"together {cpu + wcpu:.2f} s CPU; limit {LIMIT_SECONDS:.0f} s")
    print(
        f"totals: ÅDA stay {doc['stay']['total']:,.0f}, "
        f"Azure {doc['providers']['azure']['total']:,.0f}, "
        f"AWS {doc['providers']['aws']['total']:,.0f} EUR"
    )
    return 0 if cpu + wcpu < LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
