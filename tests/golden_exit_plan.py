"""Golden files of the exit plan (Markdown summary and appendix in both languages, and
exit-plan.json), and the one command to refresh them:

    make golden        (= .venv/bin/python -m tests.golden_exit_plan --regenerate)

(or run the tests with UPDATE_GOLDEN=1). Two inputs, each in sv and en:

- ``sample``: the fixed small sample in exit_plan.testing (hand-made plan and cost document);
- ``mariehamn``: the bundled example examples/mariehamn/catalog.yaml, planned and costed
  in-process exactly as ``utflytt plan`` does (app.pipeline.plan_catalog +
  migration.cost.compare_costs, default options).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from exit_plan import exit_plan_files
from exit_plan.testing import sample_catalog, sample_cost, sample_plan
from migration.catalog import Catalog
from migration.plan import Plan

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests" / "golden" / "exit_plan"
EXAMPLE_CATALOG = ROOT / "examples" / "mariehamn" / "catalog.yaml"
LANGS = ("sv", "en")
AS_OF = date(2026, 12, 5)  # fixed, so overdue marks and the document date do not move
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


def golden_path(lang: str, name: str = "sample", part: str = "md") -> Path:
    """Where the golden file of input ``name`` in ``lang`` lives (part: md, appendix.md,
    json; the json is language-neutral apart from its texts, kept in sv)."""
    if part == "json":
        return GOLDEN_DIR / f"{name}.exit-plan.json"
    return GOLDEN_DIR / f"{name}.{lang}.{part}"


def render_files(name: str = "sample") -> dict[str, bytes]:
    """Every exit-plan file of input ``name`` (Markdown only, both languages, json); the
    example's summary carries the overlap findings as ``utflytt plan`` gives them."""
    catalog, plan, cost = INPUTS[name]()
    overlap = _overlap(catalog, plan) if name == "mariehamn" else None
    return dict(exit_plan_files(catalog, plan, cost, LANGS, ("md",), as_of=AS_OF, overlap=overlap))


def _overlap(catalog: Catalog, plan: Plan) -> Any:
    """The overlap analysis of ``utflytt plan`` (default cost options)."""
    from migration.cost import CostOptions, compare_costs
    from migration.overlap import analyse_overlap

    options = CostOptions()
    return analyse_overlap(catalog, plan, compare_costs(catalog, plan, options), options)


def render(lang: str, name: str = "sample", part: str = "md") -> str:
    """One file of input ``name`` in ``lang`` as text."""
    files = render_files(name)
    key = "exit-plan.json" if part == "json" else f"exit-plan.{lang}.{part}"
    return files[key].decode("utf-8")


def regenerate() -> list[Path]:
    """Rewrite every golden file (every input, every language, every part)."""
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for name in INPUTS:
        files = render_files(name)
        for lang in LANGS:
            for part in ("md", "appendix.md"):
                path = golden_path(lang, name, part)
                path.write_bytes(files[f"exit-plan.{lang}.{part}"])
                written.append(path)
        if name == "sample":  # the example's json is 0.7 MB; its Markdown is golden already
            path = golden_path("sv", name, "json")
            path.write_bytes(files["exit-plan.json"])
            written.append(path)
    return written


if __name__ == "__main__":
    if sys.argv[1:] != ["--regenerate"]:
        sys.exit(f"usage: {REGENERATE}")
    for path in regenerate():
        print(f"wrote {path}")
