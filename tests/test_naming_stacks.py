"""Every stack of catalogs whose ids are all 63 characters long, on both clouds, offline:
every resource name, nested name and tag value the stacks record meets its provider's rule
(stacks.naming_audit), and the long ids were really shortened (the test can fire)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.pipeline import plan_catalog
from bench.estate import generate
from migration.catalog import load_catalog_with_digest
from migration.plan import Plan
from stacks.config import settings_for_stack, stack_names
from stacks.naming_audit import audit
from stacks.naming_check import check_catalog_names, name_problems
from tests.test_naming import long_id_catalog
from waves import PlanOptions

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mariehamn" / "catalog.yaml"
VM = "azure-native:compute:VirtualMachine"
ALB = "aws:lb/loadBalancer:LoadBalancer"


def planned(tmp_path: Path, doc: dict[str, Any], target: str) -> Plan:
    path = long_id_catalog(tmp_path, doc, target)
    catalog, digest = load_catalog_with_digest(path)
    check_catalog_names(catalog, path, [target])  # what validate and plan run first
    assert name_problems(catalog, [target], templated=True) == []
    return plan_catalog(catalog, digest, PlanOptions())


def azure_runs(plan: Plan) -> Iterator[tuple[str, list[Any]]]:
    from stacks.testing import run_offline_full

    outputs: dict[str, Any] = {}
    for stack in stack_names(plan):
        settings = settings_for_stack(plan, stack, "build/plan.json")
        run = run_offline_full(settings, plan, stack_outputs=outputs or None)
        if stack == "foundation":
            outputs["foundation"] = run.outputs
        yield stack, run.resources


def aws_runs(plan: Plan) -> Iterator[tuple[str, list[Any]]]:
    from stacks.aws.moto_mocks import MotoMocks
    from stacks.aws.offline import aws_config, run_aws_offline
    from stacks.aws.preview import preview_config

    with MotoMocks(plan.target.region) as mocks:
        config = preview_config(plan, mocks, aws_config({"vpnPeerIp": "203.0.113.5"}))
        for stack in stack_names(plan):
            settings = settings_for_stack(plan, stack, "build/plan.json")
            run = run_aws_offline(settings, plan, mocks, config)
            if stack == "foundation":
                mocks.stack_outputs["foundation"] = run.outputs
            yield stack, list(run.resources)


SOURCES = {
    "example": lambda: yaml.safe_load(EXAMPLE.read_text()),
    # the generated estate's source network is 10.0.0.0/8: AWS's VPC pool needs room
    "estate": lambda: {**generate(60, seed=18), "source_networks": ["10.10.0.0/16"]},
}


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("target", ["azure", "aws"])
def test_every_recorded_name_of_a_63_character_estate_meets_its_rule(tmp_path, source, target):
    plan = planned(tmp_path, SOURCES[source](), target)
    problems: list[str] = []
    shortened = 0
    for stack, resources in (azure_runs if target == "azure" else aws_runs)(plan):
        problems += [f"{stack}: {p}" for p in audit(resources)]
        for r in resources:
            if r.type == VM:
                shortened += len(r.inputs["vmName"]) == 64  # vm- and 63 characters: shortened
            if r.type == ALB:
                shortened += len(r.inputs["name"]) == 32
    assert problems == []
    assert shortened > 0
