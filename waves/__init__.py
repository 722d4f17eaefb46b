"""Wave planning: dependency-aware, dated, explainable migration waves.

``plan_waves(catalog, catalog_sha256, options=PlanOptions(), sizing=None)`` returns a
:class:`migration.plan.Plan`; ``write_plan(catalog_path, out_dir, options)`` also writes
plan.json and plan.md (what ``utflytt plan`` runs).
"""

from waves.pipeline import PlanOutputs, write_plan
from waves.planner import PlanOptions, plan_waves

__all__ = ["PlanOptions", "PlanOutputs", "plan_waves", "write_plan"]
