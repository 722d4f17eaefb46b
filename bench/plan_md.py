"""plan.md rendering benchmark: time at 10k and 100k servers, and their ratio.

    python bench/plan_md.py               # 1k and 10k servers
    python bench/plan_md.py --full        # adds 100k (planning it takes about a minute)

The renderer reads servers, flows and reasons once each, so 10x the servers should cost
about 10x the time (the baseline printed beside it). Before issue 17 the per-wave system
table scanned every server of the wave per system: 77x from 10k to 100k.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.append(str(Path(__file__).resolve().parent))

from app.pipeline import plan_catalog  # noqa: E402
from bench.estate import generate  # noqa: E402
from migration.catalog import Catalog  # noqa: E402
from waves import PlanOptions  # noqa: E402
from waves.markdown import render_plan_markdown  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="add 100k servers")
    args = parser.parse_args()
    sizes = [1_000, 10_000, *([100_000] if args.full else [])]
    previous: tuple[int, float] | None = None
    print(f"{'servers':>8} {'flows':>8} {'plan.md s':>10} {'ratio':>7} {'linear':>7}")
    for n in sizes:
        catalog = Catalog.model_validate(generate(n, 7))
        plan = plan_catalog(catalog, "0" * 64, PlanOptions())
        start = time.perf_counter()
        render_plan_markdown(plan, catalog)
        seconds = time.perf_counter() - start
        ratio = f"{seconds / previous[1]:.1f}x" if previous else "-"
        linear = f"{n / previous[0]:.0f}x" if previous else "-"
        print(f"{n:>8} {len(plan.flows):>8} {seconds:>10.2f} {ratio:>7} {linear:>7}")
        previous = (n, seconds)


if __name__ == "__main__":
    main()
