"""Golden files of the exit plan's Markdown (both languages), and the one command to refresh them.

    .venv/bin/python -m tests.golden_exit_plan --regenerate

(or run the tests with UPDATE_GOLDEN=1). Two inputs, each in sv and en:

- ``sample``: the fixed small sample in exit_plan.testing (hand-made plan and cost document);
- ``mariehamn``: the bundled example examples/mariehamn/catalog.yaml, planned and costed
  in-process exactly as ``utflytt plan`` does (app.pipeline.plan_catalog +
  migration.cost.compare_costs, default options).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, cast

from exit_plan import render_exit_plan
from exit_plan.data import Lang
from exit_plan.testing import sample_catalog, sample_cost, sample_plan
from migration.catalog import Catalog
from migration.plan import Plan

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests" / "golden" / "exit_plan"
EXAMPLE_CATALOG = ROOT / "examples" / "mariehamn" / "catalog.yaml"
LANGS = ("sv", "en")
REGENERATE = ".venv/bin/python -m tests.golden_exit_plan --regenerate"

Inputs = tuple[Catalog, Plan, dict[str, Any]]


def sample_inputs() -> Inputs:
    """The small hand-made sample."""
    return sample_catalog(), sample_plan(), sample_cost()


@cache
def example_inputs() -> Inputs:
    """The bundled Mariehamn example: catalog, plan and cost document, computed in-process."""
    from app.pipeline import PipelineOptions, plan_catalog
    from migration.catalog import load_catalog_with_digest
    from migration.cost import compare_costs

    options = PipelineOptions()
    catalog, digest = load_catalog_with_digest(EXAMPLE_CATALOG)
    plan = plan_catalog(catalog, digest, options.plan)
    report = compare_costs(catalog, plan, options.cost)
    return catalog, plan, report.to_json_dict()


INPUTS: dict[str, Callable[[], Inputs]] = {"sample": sample_inputs, "mariehamn": example_inputs}


def golden_path(lang: str, name: str = "sample") -> Path:
    """Where the golden Markdown of input ``name`` in ``lang`` lives."""
    return GOLDEN_DIR / f"{name}.{lang}.md"


def render(lang: str, name: str = "sample") -> str:
    """Input ``name``'s Markdown exit plan in ``lang``."""
    catalog, plan, cost = INPUTS[name]()
    return render_exit_plan(catalog, plan, cost, cast(Lang, lang), "md").decode("utf-8")


def regenerate() -> list[Path]:
    """Rewrite every golden file (every input, every language)."""
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for name in INPUTS:
        for lang in LANGS:
            path = golden_path(lang, name)
            path.write_bytes(render(lang, name).encode("utf-8"))
            written.append(path)
    return written


if __name__ == "__main__":
    if sys.argv[1:] != ["--regenerate"]:
        sys.exit(f"usage: {REGENERATE}")
    for path in regenerate():
        print(f"wrote {path}")
