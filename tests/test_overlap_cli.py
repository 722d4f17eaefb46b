"""`utflytt overlap`, `plan --retire` / `--what-if overlap`, validate warnings, goldens, scale."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from app.cli import cli
from app.overlap import plan_what_if
from app.pipeline import plan_catalog
from migration.catalog import Catalog, load_catalog
from migration.cost import CostOptions, compare_costs
from migration.errors import PlanError
from migration.overlap import analyse_overlap, retire_systems
from tests import golden_overlap as golden
from tests.golden_overlap import planted
from tests.test_waves_properties import check_hard_rules
from waves import PlanOptions

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def planted_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("overlap") / "catalog.yaml"
    document = planted().model_dump(mode="json", by_alias=True, exclude_defaults=True)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", golden.LANGS)
def test_markdown_golden(lang: str) -> None:
    """overlap.<lang>.md of the planted catalog equals its golden file, byte for byte."""
    path = golden.golden_path(lang)
    actual = golden.render(lang)
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"regenerate: {golden.REGENERATE}"


def test_overlap_command_writes_json_and_markdown(planted_file: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["overlap", str(planted_file), "-o", str(tmp_path), "--lang", "sv", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "overlap.en.md",
        "overlap.json",
        "overlap.sv.md",
    ]
    document = json.loads((tmp_path / "overlap.json").read_text(encoding="utf-8"))
    assert [g["capability"] for g in document["groups"]] == ["room-booking", "citizen-messaging"]
    assert document["what_if"]["retired"] == ["booking-b", "sms-b"]
    written = (tmp_path / "overlap.en.md").read_text(encoding="utf-8")
    digest = document["catalog_sha256"][:12]
    assert written == golden.render("en").replace("000000000000", digest)
    assert result.output.splitlines()[0] == (
        "2 capability groups, 2 with systems to retire; 1 hints (not counted)"
    )
    assert "room-booking       booking-a  booking-b" in result.output


def test_overlap_json_goes_to_stdout(planted_file: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["overlap", str(planted_file), "-o", str(tmp_path), "--json"])
    assert result.exit_code == 0
    document = json.loads(result.output)
    group = document["groups"][0]
    assert {"capability", "systems", "sectors", "monthly_cost_eur", "keep", "retire"} <= set(group)
    assert group["reasons"]["booking-a"].startswith("keep: covers the most capabilities")
    assert document["suggestions"][0]["kind"] == "vendor"


def test_overlap_of_a_missing_catalog_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = CliRunner().invoke(cli, ["overlap", str(missing), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert (
        result.output == f"Error: catalog is invalid (1 error)\n{missing}: no such file or folder\n"
    )
    assert not (tmp_path / "out").exists()


def test_vocabulary_is_listed() -> None:
    result = CliRunner().invoke(cli, ["overlap", "--vocabulary"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 2 + 60
    assert "case-management" in result.output and "Ärendehantering" in result.output


def test_retiring_an_unknown_system_is_an_error(planted_file: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["plan", str(planted_file), "-o", str(tmp_path), "--retire", "booking-c"]
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: --retire booking-c: no such system in the catalog; did you mean 'booking-b'?\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_what_if_is_a_usage_error(planted_file: Path) -> None:
    result = CliRunner().invoke(cli, ["plan", str(planted_file), "--what-if", "bogus"])
    assert result.exit_code == 2
    assert "Invalid value for '--what-if': 'bogus' is not 'overlap'." in result.output


def test_a_migrated_server_cannot_be_retired_in_a_what_if() -> None:
    catalog = planted()
    servers = tuple(
        s.model_copy(update={"migrated": True}) if s.id == "bkb01" else s for s in catalog.servers
    )
    with pytest.raises(
        PlanError, match="servers already migrated cannot be retired in a what-if: bkb01"
    ):
        retire_systems(catalog.model_copy(update={"servers": servers}), ["booking-b"])


def test_plan_what_if_overlap_is_valid_smaller_and_reported(
    planted_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The what-if plan keeps every hard rule, moves fewer servers and says what changed;
    run from a Pulumi project root it still writes no stack configs."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: x\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["plan", str(planted_file), "-o", "out", "--what-if", "overlap"]
    )
    assert result.exit_code == 0, result.output
    assert "what-if: retired booking-b, sms-b" in result.output
    assert not (tmp_path / "stacks").exists()
    plan = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    assert sorted(plan["not_migrated"]["retire"]) == ["bkb01", "old01", "smsb01"]
    what_if = json.loads((tmp_path / "out" / "what-if.json").read_text(encoding="utf-8"))
    rows = {r["metric"]: r for r in what_if["rows"]}
    assert rows["servers"]["before"] == 6 and rows["servers"]["after"] == 5
    assert rows["run_cost_last_year_eur"]["difference"] < 0
    assert "## What-if: `booking-b`, `sms-b` retired" in (tmp_path / "out" / "plan.md").read_text(
        encoding="utf-8"
    )


def test_plan_md_lists_the_top_overlap_findings(planted_file: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["plan", str(planted_file), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "plan.md").read_text(encoding="utf-8")
    assert "## Overlap: top findings" in text
    assert "| `room-booking` | `booking-a` | `booking-b` |" in text
    assert "What-if" not in text and not (tmp_path / "what-if.json").exists()
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "cost.xlsx")["Overlap"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("capability", "system", "sector", "disposition", "recommendation")
    assert ("room-booking", "booking-b", "harbour", "rehost", "retire") in [r[:5] for r in rows]


def test_validate_warns_but_exits_zero(tmp_path: Path) -> None:
    document = planted().model_dump(mode="json", by_alias=True, exclude_defaults=True)
    document["systems"][1]["capabilities"] = ["room-bokning", "payments"]
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path), "--json"])
    assert result.exit_code == 0
    line = next(
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "room-bokning" in text
    )
    column = path.read_text(encoding="utf-8").splitlines()[line - 1].index("room-bokning") + 1
    message = (
        "'room-bokning' of system 'booking-a' is not in the bundled vocabulary; did you mean "
        "'room-booking'? (a city's own capability starts with 'custom-'; list: utflytt "
        "overlap --vocabulary)"
    )
    document = json.loads(result.output)
    assert document["valid"] is True
    warning = f"{path}:{line}:{column}: systems[1].capabilities[0]: {message}"
    assert document["warnings"] == [warning]
    human = CliRunner().invoke(cli, ["validate", str(path)])
    assert human.exit_code == 0
    assert human.stderr == f"warning: {warning}\n"


def test_the_example_has_no_capability_warnings_and_at_least_three_groups() -> None:
    catalog = load_catalog(ROOT / "examples" / "mariehamn" / "catalog.yaml")
    from migration.catalog.capabilities import capability_warnings

    assert capability_warnings(catalog) == []
    plan = plan_catalog(catalog, "0" * 64, PlanOptions())
    report = analyse_overlap(catalog, plan, compare_costs(catalog, plan))
    with_retirements = [g for g in report.groups if g.retire]
    assert len(with_retirements) >= 3
    # realistic: a front end is never kept over the system it feeds
    keep = {g.capability: g.keep for g in report.groups}
    assert keep["e-services"] == "e-services" and keep["room-booking"] == "facility-booking"
    assert keep["building-permits"] == "permits" and keep["payments"] == "payment"


def generated(n: int, seed: int) -> tuple[Catalog, dict[str, set[str]]]:
    """A generated estate with planted groups: every 7th system shares one of 3 capabilities."""
    sys.path.insert(0, str(ROOT))
    from bench.estate import generate

    document: dict[str, Any] = generate(n, seed)
    planted_groups: dict[str, set[str]] = {}
    caps = ("payroll", "gis", "room-booking")
    for index, record in enumerate(document["systems"]):
        if record.get("foundation"):
            continue
        own = f"custom-own-{index}"
        if index % 7 == 0:
            shared = caps[(index // 7) % 3]
            planted_groups.setdefault(shared, set()).add(record["id"])
            record["capabilities"] = [shared, own] if index % 2 else [shared]
        else:
            record["capabilities"] = [own]
    return Catalog.model_validate(document), planted_groups


def test_planted_groups_are_found_exactly_in_a_generated_estate() -> None:
    catalog, planted_groups = generated(400, 11)
    plan = plan_catalog(catalog, "0" * 64, PlanOptions(deterministic_time=0.5))
    report = compare_costs(catalog, plan)
    overlap = analyse_overlap(catalog, plan, report)
    expected = {c: tuple(sorted(ids)) for c, ids in planted_groups.items() if len(ids) >= 2}
    assert {g.capability: g.systems for g in overlap.groups} == expected
    run = plan_what_if(
        catalog,
        "0" * 64,
        (plan, report),
        overlap.retire,
        PlanOptions(deterministic_time=0.5),
        CostOptions(),
    )
    check_hard_rules(run.catalog, run.plan)
    rows = {r.metric: r for r in run.what_if.rows}
    assert rows["servers"].after == rows["servers"].before - overlap.totals["servers_avoided"]
    assert rows["servers"].after < rows["servers"].before


def test_a_system_already_migrated_is_not_recommended_for_retirement() -> None:
    catalog = planted()
    servers = tuple(
        s.model_copy(update={"migrated": True}) if s.id == "bkb01" else s for s in catalog.servers
    )
    moved = catalog.model_copy(update={"servers": servers})
    plan = plan_catalog(moved, "0" * 64, PlanOptions(deterministic_time=0.5))
    report = analyse_overlap(moved, plan, compare_costs(moved, plan))
    group = next(g for g in report.groups if g.capability == "room-booking")
    assert group.retire == ()
    assert group.reasons()["booking-b"] == "stays: its servers are already migrated"


def test_a_catalog_without_capabilities_says_what_to_do(tmp_path: Path) -> None:
    small = ROOT / "tests" / "data" / "small.yaml"
    result = CliRunner().invoke(cli, ["overlap", str(small), "-o", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 0
    assert result.output.splitlines()[:2] == [
        "0 capability groups, 0 with systems to retire; 0 hints (not counted)",
        "no system declares capabilities: add `capabilities` to the catalog (the list: "
        "utflytt overlap --vocabulary)",
    ]
    text = (tmp_path / "overlap.en.md").read_text(encoding="utf-8")
    assert "No groups: 0 of 2 systems declare capabilities." in text
