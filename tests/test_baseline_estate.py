"""The baseline at scale: a generated estate of about 120 systems (bench/estate.py), planned
for Azure and for AWS, every stack run offline; every baseline invariant holds on every
stack, and the plan warns for each system no backup schedule can meet."""

from __future__ import annotations

import ipaddress

import pytest

from app.pipeline import plan_catalog
from bench.estate import generate
from migration.catalog import Catalog
from migration.plan import Plan
from stacks import baseline
from stacks.config import settings_for_stack, stack_names
from stacks.security import check
from waves import PlanOptions

SERVERS = 560  # about 120 systems with the generator's defaults


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    document = generate(SERVERS, seed=7)
    for i, server in enumerate(document["servers"]):  # every consumer at ÅDA by its /32
        server.setdefault("ip", str(ipaddress.IPv4Address("10.20.0.1") + i))
    catalog = Catalog.model_validate(document)
    assert 110 <= len(catalog.systems) <= 130
    return catalog


def _plan(catalog: Catalog, target: str) -> Plan:
    return plan_catalog(catalog, "estate", PlanOptions(target=target, deterministic_time=0.2))


def _assert_backup_warnings(plan: Plan) -> None:
    expected = sorted(
        s
        for s in baseline.migrating_systems(plan)
        if not baseline.backup_interval(plan.systems[s].rpo_hours, plan.target.provider).meets_rpo
    )
    assert sorted(w.subjects[0] for w in plan.warnings if w.code == "backup-rpo") == expected


def test_every_azure_stack_of_a_120_system_estate_holds_the_baseline(catalog):
    from stacks.testing import run_offline_full

    plan = _plan(catalog, "azure")
    _assert_backup_warnings(plan)
    foundation = run_offline_full(settings_for_stack(plan, "foundation", "p"), plan)
    outputs = {"foundation": foundation.outputs}
    for stack in stack_names(plan):
        run = (
            foundation
            if stack == "foundation"
            else run_offline_full(settings_for_stack(plan, stack, "p"), plan, stack_outputs=outputs)
        )
        found = check(
            run.resources,
            region=plan.target.region,
            config=run.config,
            secret_keys=run.secret_keys,
            plan=plan,
        )
        assert found == [], f"{stack}: {[str(v) for v in found[:5]]}"


@pytest.mark.slow  # about 7 minutes under moto
def test_every_aws_stack_of_a_120_system_estate_holds_the_baseline(catalog):
    from stacks.aws.moto_mocks import MotoMocks
    from stacks.aws.offline import aws_config, run_aws_offline
    from stacks.aws.preview import preview_config

    plan = _plan(catalog, "aws")
    _assert_backup_warnings(plan)
    with MotoMocks(plan.target.region) as mocks:
        # the generator's source network is 10.0.0.0/8, which the default VPC pool
        # (10.100-199) lies in: pin the VPCs outside it
        cidrs = {"prod": "172.20.0.0/16", "test": "172.21.0.0/16", "dev": "172.22.0.0/16"}
        options = {"vpnPeerIp": "203.0.113.5", "vpcCidrs": cidrs}
        config = preview_config(plan, mocks, aws_config(options))
        for stack in stack_names(plan):
            run = run_aws_offline(settings_for_stack(plan, stack, "p"), plan, mocks, config)
            if stack == "foundation":
                mocks.stack_outputs["foundation"] = run.outputs
            found = check(run.resources, region=plan.target.region, provider="aws", plan=plan)
            assert found == [], f"{stack}: {[str(v) for v in found[:5]]}"
