"""Benchmark: the overlap analysis of a large estate, against the cost model it builds on.

Run ``.venv/bin/python bench/overlap.py [SERVERS]`` (default 100,000). The catalog and plan
come from bench/cost.py; every system gets one to three capabilities drawn from the bundled
vocabulary, and names that share words, so that there are hundreds of large groups and
many hints. Times, in the same run: ``compare_costs`` (the baseline the analysis needs
anyway) and ``analyse_overlap``; the verdict is that the analysis takes no longer than the
cost model.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cost import generate  # noqa: E402
from migration.catalog.capabilities import vocabulary  # noqa: E402
from migration.cost import compare_costs  # noqa: E402
from migration.overlap import analyse_overlap  # noqa: E402

WORDS = ["Bokning", "Ärende", "Journal", "Portal", "Register", "Arkiv", "Kassa", "Schema"]


def main(count: int) -> int:
    catalog, plan = generate(count)
    rng = random.Random(11)
    capabilities = list(vocabulary())
    systems = tuple(
        s.model_copy(
            update={
                "capabilities": tuple(rng.sample(capabilities, rng.randint(1, 3))),
                "name": f"{rng.choice(WORDS)}system {s.id}",
                "vendor": f"Vendor {rng.randint(1, 40)}",
                "sector": f"sector-{rng.randint(1, 12)}",
            }
        )
        for s in catalog.systems
    )
    catalog = catalog.model_copy(update={"systems": systems})
    started = time.perf_counter()
    report = compare_costs(catalog, plan)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    overlap = analyse_overlap(catalog, plan, report)
    spent = time.perf_counter() - started
    print(
        f"{count} servers, {len(systems)} systems: cost model {baseline:.2f} s (baseline), "
        f"overlap analysis {spent:.2f} s ({spent / baseline:.2f}x); {len(overlap.groups)} "
        f"groups, {len(overlap.retire)} to retire, {len(overlap.suggestions)} hints"
    )
    ok = spent <= baseline
    print("ok: analysis within the cost model's time" if ok else "SLOW: analysis slower")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
