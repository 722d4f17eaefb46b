"""Wave planning: dependency-aware, dated, explainable migration waves.

``plan_waves(catalog, catalog_sha256, options=PlanOptions(), sizing=None)`` returns a
:class:`migration.plan.Plan`. Writing plan.json, plan.md and the rest is the pipeline's job
(:mod:`app.pipeline`, what ``utflytt plan`` runs).
"""

from waves.planner import PlanOptions, plan_waves

__all__ = ["PlanOptions", "plan_waves"]
