"""Benchmark: import a 10,000-VM RVTools workbook (target: under 30 s).

Generates the workbook first (not timed; openpyxl writing takes a while), then times the
import: reading the four sheets (calamine), building the catalog draft, and validating it as
catalog v1. Also prints the load average: on a busy 2-core machine wall times stretch, CPU
time much less.

    .venv/bin/python bench/import.py [VMS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from migration.catalog import load_catalog
from migration.importers import GroupingRule, build_catalog, read_rvtools
from migration.importers.testing import synthetic_vms, write_rvtools_xlsx

LIMIT_SECONDS = 30.0


def main(count: int = 10_000) -> int:
    with tempfile.TemporaryDirectory(prefix="utflytt-bench-") as folder:
        workbook = Path(folder) / "rvtools.xlsx"
        started = time.perf_counter()
        write_rvtools_xlsx(workbook, synthetic_vms(count, systems=300))
        generated = time.perf_counter() - started
        size_mb = workbook.stat().st_size / 1e6
        print(f"generated {count} VMs ({size_mb:.1f} MB workbook) in {generated:.1f} s")

        started = time.perf_counter()
        cpu = time.process_time()
        result = read_rvtools(workbook)
        read = time.perf_counter() - started
        draft = build_catalog(result, GroupingRule())
        built = time.perf_counter() - started - read
        output = Path(folder) / "catalog.yaml"
        output.write_text(draft.text, encoding="utf-8")
        catalog = load_catalog(output)
        total = time.perf_counter() - started
        validated = total - read - built
        cpu = time.process_time() - cpu
    print(f"read sheets     {read:6.2f} s  ({len(result.servers)} servers)")
    print(
        f"build catalog   {built:6.2f} s  ({len(draft.text) / 1e6:.1f} MB YAML, "
        f"{draft.report.systems} systems)"
    )
    print(f"validate        {validated:6.2f} s  ({len(catalog.servers)} servers valid)")
    print(
        f"import total    {total:6.2f} s  (limit {LIMIT_SECONDS:.0f} s): "
        f"{'OK' if total < LIMIT_SECONDS else 'TOO SLOW'}; {cpu:.2f} s of CPU"
    )
    print("load average    " + " ".join(f"{n:.2f}" for n in os.getloadavg()))
    return 0 if total < LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
