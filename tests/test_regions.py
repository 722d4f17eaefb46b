"""``planning.region`` is a region of ``planning.target`` in the EU, checked at validate with
its line, the closest known name and the valid values; one list for catalog and stacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.catalog import load_catalog
from migration.errors import CatalogError
from migration.regions import DEFAULT_REGIONS, EU_REGIONS, region_problem
from stacks import config, security
from stacks.azure.layout import REGION_ABBREVIATIONS

CATALOG = """\
version: 1
organisation: Testby
contract: {{provider: ÅDA, notice_months: 6, ends: 2027-12-31}}
planning: {planning}
systems:
  - {{id: app, name: App, level: shared, sector: it, owner: IT, disposition: rehost,
     criticality: low, data_classification: internal, personal_data: false}}
servers:
  - {{id: app01, system: app, role: app, os: ubuntu-22.04, vcpu: 2, memory_gb: 4,
     disks_gb: [64]}}
"""
AZURE = (
    "austriaeast, belgiumcentral, denmarkeast, francecentral, francesouth, germanynorth, "
    "germanywestcentral, italynorth, northeurope, polandcentral, spaincentral, swedencentral, "
    "swedensouth, westeurope"
)
AWS = "eu-central-1, eu-north-1, eu-south-1, eu-south-2, eu-west-1, eu-west-3"


def _write(tmp_path: Path, planning: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(CATALOG.format(planning=planning), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("planning", "expected"),
    [
        ("{region: ab-}", f"4:20: planning.region: 'ab-' is not an Azure region in the EU; "
         f"expected one of: {AZURE}"),
        ("{region: swedencentrl}", "4:20: planning.region: 'swedencentrl' is not an Azure region "
         f"in the EU (did you mean 'swedencentral'?); expected one of: {AZURE}"),
        ("{region: eastus}", "4:20: planning.region: 'eastus' is not an Azure region in the EU; "
         f"expected one of: {AZURE}"),
        ("{region: eu-north-1}", "4:20: planning.region: 'eu-north-1' is an AWS region, but the "
         f"target is azure; expected one of: {AZURE}"),
        ("{target: aws, region: swedencentral}", "4:33: planning.region: 'swedencentral' is an "
         f"Azure region, but the target is aws; expected one of: {AWS}"),
        ("{target: aws, region: eu-nrth-1}", "4:33: planning.region: 'eu-nrth-1' is not an AWS "
         f"region in the EU (did you mean 'eu-north-1'?); expected one of: {AWS}"),
    ],
)  # fmt: skip
def test_a_region_outside_the_list_is_a_catalog_error_with_its_line(
    tmp_path: Path, planning: str, expected: str
) -> None:
    path = _write(tmp_path, planning)
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert [str(issue) for issue in info.value.issues] == [f"{path}:{expected}"]


@pytest.mark.parametrize(
    ("planning", "region"),
    [
        ("{}", "swedencentral"),
        ("{target: aws}", "eu-north-1"),  # was swedencentral: an Azure region in an AWS plan
        ("{target: aws, region: eu-south-2}", "eu-south-2"),
        ("{region: denmarkeast}", "denmarkeast"),
    ],
)
def test_a_known_region_or_the_targets_default_is_kept(
    tmp_path: Path, planning: str, region: str
) -> None:
    assert load_catalog(_write(tmp_path, planning)).planning.region == region


def test_validate_names_the_region_line_in_both_forms(tmp_path: Path) -> None:
    path = _write(tmp_path, "{region: ab-}")
    message = f"'ab-' is not an Azure region in the EU; expected one of: {AZURE}"
    human = CliRunner().invoke(cli, ["validate", str(path)])
    assert (human.exit_code, human.stdout, human.stderr) == (
        1,
        "",
        f"Error: catalog is invalid (1 error)\n{path}:4:20: planning.region: {message}\n",
    )
    as_json = CliRunner().invoke(cli, ["validate", str(path), "--json"])
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == {
        "valid": False,
        "errors": [
            {
                "file": str(path),
                "line": 4,
                "column": 20,
                "path": "planning.region",
                "message": message,
            }
        ],
    }


def test_every_region_is_known_to_the_stacks() -> None:
    """One list: the stacks' EU checks use it, and every Azure region has a CAF short name
    (else resource-group names would fall back to the region's first three letters)."""
    assert vars(security)["EU_REGIONS"] is EU_REGIONS is vars(config)["EU_REGIONS"]
    assert set(REGION_ABBREVIATIONS) == EU_REGIONS["azure"]
    assert len(set(REGION_ABBREVIATIONS.values())) == len(REGION_ABBREVIATIONS)
    for provider, region in DEFAULT_REGIONS.items():
        assert region_problem(provider, region) is None


def test_an_unknown_provider_is_not_judged_here() -> None:
    """The target's own check names an unknown target; the region check says nothing more."""
    assert region_problem("gcp", "europe-north1") is None


def test_prices_refresh_refuses_a_region_before_any_request() -> None:
    result = CliRunner().invoke(
        cli, ["prices", "refresh", "--provider", "aws", "--region", "../../x", "--eur-per-usd", "1"]
    )
    assert result.exit_code == 2
    assert (
        "Invalid value for '--region': '../../x' is not an AWS region in the EU; "
        f"expected one of: {AWS}"
    ) in result.stderr
