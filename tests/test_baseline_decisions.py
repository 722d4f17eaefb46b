"""The baseline's provider-neutral decisions (stacks.baseline): backup schedules against RPO,
retention from data classification, tags spelled once, the VPN peer, public entrances."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from migration.catalog import load_catalog_with_digest
from migration.errors import UtflyttError
from stacks import baseline
from stacks.aws import layout as aws_layout
from stacks.azure import layout as azure_layout
from tests.stacks_fixtures import make_plan

DOCS = Path(__file__).resolve().parent.parent / "docs" / "security-baseline.md"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mariehamn" / "catalog.yaml"

# RPO h -> (Azure schedule h, meets), (AWS schedule h, meets); none of these is a boundary
# of both clouds, so a "round down to the previous tier" or "next tier up" bug shows.
RPO_CASES = {
    0.5: ((4, False), (1, False)),
    1: ((4, False), (1, True)),
    3: ((4, False), (2, True)),
    5: ((4, True), (4, True)),
    8: ((8, True), (8, True)),
    13: ((12, True), (12, True)),
    24: ((24, True), (24, True)),
    36: ((24, True), (24, True)),
}


@pytest.mark.parametrize("rpo", sorted(RPO_CASES))
def test_backup_schedule_is_the_least_frequent_that_meets_the_rpo(rpo):
    azure, aws = RPO_CASES[rpo]
    for provider, (hours, meets) in (("azure", azure), ("aws", aws)):
        choice = baseline.backup_interval(rpo, provider)
        assert (choice.hours, choice.meets_rpo) == (hours, meets), provider


def test_provider_tiers_follow_the_neutral_choice():
    """RPO 1 h is no longer a silent 4-hourly backup on Azure (it warns); AWS 8 h is 8-hourly."""
    assert azure_layout.backup_bucket(1, "secret") == "hourly-4h-secret"
    assert aws_layout.backup_tier(8, "internal") == ("rpo-8h-internal", "cron(0 */8 * * ? *)")
    assert aws_layout.backup_tier(2, "internal") == ("rpo-2h-internal", "cron(0 */2 * * ? *)")


@given(st.floats(min_value=0.01, max_value=1000), st.sampled_from(["azure", "aws"]))
def test_schedule_meets_rpo_and_no_less_frequent_one_would(rpo, provider):
    choice = baseline.backup_interval(rpo, provider)
    tiers = baseline.BACKUP_INTERVALS[provider]
    if choice.meets_rpo:
        assert choice.hours <= rpo
        later = [t for t in tiers if t > choice.hours]
        assert not later or later[0] > rpo
    else:
        assert choice.hours == tiers[0] > rpo


def test_plan_warns_for_every_system_no_backup_meets():
    """make_plan: AD's RPO 4 h fits Azure; an RPO of 1 h does not, and is named."""
    plan = make_plan()
    assert baseline.backup_warnings(plan) == []
    systems = dict(plan.systems)
    systems["ad"] = systems["ad"].model_copy(update={"rpo_hours": 1.0})
    warned = baseline.with_baseline_warnings(plan.model_copy(update={"systems": systems}))
    (warning,) = [w for w in warned.warnings if w.code == "backup-rpo"]
    assert warning.subjects == ("ad",)
    assert warning.message.startswith("system ad: RPO 1 h is shorter than the most frequent")


def test_the_example_plan_warns_where_azure_backup_cannot_meet_the_rpo():
    """The seven RPO-1 h systems of the example (medication, care records, ...) get a warning."""
    from app.pipeline import plan_catalog
    from waves import PlanOptions

    catalog, digest = load_catalog_with_digest(EXAMPLE)
    short = sorted(
        s.id for s in catalog.systems if s.migrates and s.rpo_hours is not None and s.rpo_hours < 4
    )
    assert short
    plan = plan_catalog(catalog, digest, PlanOptions(deterministic_time=0.2))
    warned = sorted(w.subjects[0] for w in plan.warnings if w.code == "backup-rpo")
    assert warned == [s for s in short if s in baseline.migrating_systems(plan)]


def _doc_table(heading: str) -> dict[str, tuple[int, int]]:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `?(\w+)`? \| (\d+) \| (\d+) \|", section, re.M)
    return {name: (int(a), int(b)) for name, a, b in rows}


def test_retention_table_in_the_docs_is_the_code():
    """docs/security-baseline.md states the retention the stacks use, per classification."""
    table = _doc_table("## Retention")
    assert table == {
        c: (baseline.BACKUP_RETENTION_DAYS[c], baseline.LOG_RETENTION_DAYS[c])
        for c in baseline.CLASSIFICATIONS
    }


def test_required_tags_are_spelled_the_same_on_both_clouds():
    plan = make_plan()
    azure = azure_layout.system_tags(plan, "economy", 1, {}, "test")
    aws = aws_layout.system_tags(plan, "economy", 1, "test")
    assert {k: azure[k] for k in baseline.REQUIRED_TAGS} == {
        k: aws[k] for k in baseline.REQUIRED_TAGS
    }
    assert {k: aws[k] for k in ("environment", "criticality", "personal-data", "wave")} == {
        "environment": "test",
        "criticality": "high",
        "personal-data": "yes",
        "wave": "wave-01",
    }
    lz_azure = azure_layout.landing_zone_tags(plan, {})
    lz_aws = aws_layout.foundation_tags(plan)
    assert set(baseline.REQUIRED_TAGS) <= set(lz_azure) & set(lz_aws)
    assert lz_aws["criticality"] == lz_azure["criticality"] == "critical"


@pytest.mark.parametrize(
    ("peer", "message"),
    [
        (None, "set utflytt:vpnPeerAddress to the public IPv4 address of"),
        ("", "set utflytt:vpnPeerAddress to the public IPv4 address of"),
        ("vpn.example.org", "expected a public IPv4 address, got 'vpn.example.org'"),
        ("10.10.0.1", "10.10.0.1 is not a public address"),
    ],
)
def test_a_missing_or_unusable_vpn_peer_is_an_error(peer, message):
    with pytest.raises(UtflyttError, match=re.escape(message)):
        baseline.require_vpn_peer(make_plan(), peer, "utflytt:vpnPeerAddress")


def test_no_vpn_no_peer_needed():
    assert baseline.require_vpn_peer(make_plan(source_networks=()), None, "k") is None
    assert baseline.require_vpn_peer(make_plan(), "203.0.113.5", "k") == "203.0.113.5"


def test_azure_foundation_without_a_peer_stops_with_the_key_to_set():
    from stacks.config import settings_for_stack
    from stacks.testing import run_offline_full

    plan = make_plan()
    with pytest.raises(baseline.VpnPeerMissingError, match="utflytt:vpnPeerAddress"):
        run_offline_full(
            settings_for_stack(plan, "foundation", "p"),
            plan,
            config={"utflytt:vpnPeerAddress": ""},
        )


def test_aws_foundation_without_a_peer_stops_with_the_key_to_set():
    from stacks.aws.moto_mocks import MotoMocks
    from stacks.aws.offline import run_aws_offline
    from stacks.settings import StackSettings
    from tests.aws_fixtures import small_plan

    settings = StackSettings("foundation", "foundation", "aws", "eu-north-1", "plan.json")
    with MotoMocks("eu-north-1") as mocks:
        with pytest.raises(baseline.VpnPeerMissingError, match=r"utflytt:aws\.vpnPeerIp"):
            run_aws_offline(settings, small_plan(), mocks, {})
        assert not [r for r in mocks.resources if r.type.endswith("CustomerGateway")]


def test_public_entrances_only_for_citizen_prod_unless_listed():
    plan = make_plan()
    portal = plan.systems["portal"]
    assert baseline.has_public_entrance(portal, "prod")
    assert not baseline.has_public_entrance(portal, "test")
    opened = portal.model_copy(update={"public_environments": ("test",)})
    assert baseline.has_public_entrance(opened, "test")
    assert not baseline.has_public_entrance(opened, "dev")
    assert not baseline.has_public_entrance(plan.systems["economy"], "prod")


def test_catalog_public_environments_only_on_citizen_systems(tmp_path):
    """The optional field is validated: test/dev only, citizen-level systems only."""
    from migration.catalog.models import System

    base = {
        "id": "portal",
        "name": "Portal",
        "level": "citizen",
        "sector": "it",
        "owner": "IT",
        "disposition": "rehost",
        "criticality": "low",
        "data_classification": "public",
        "personal_data": False,
    }
    assert System(**base, public_environments=["test"]).public_environments == ("test",)
    with pytest.raises(ValueError, match="only for citizen-level systems"):
        System(**{**base, "level": "shared"}, public_environments=["test"])
    with pytest.raises(ValueError):
        System(**base, public_environments=["prod"])
