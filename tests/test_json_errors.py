"""``--json`` error output carries the same places as the human message: every line the
``Error:`` text names (a catalog line, a wave sheet row, an inventory row) is an error object
with file, line and field. Exact output of both forms."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from app.cli import cli
from migration.errors import Issue, PlanError
from migration.importers.testing import FakeVm, write_rvtools_xlsx
from waves.planner import PlanOptions, _with_pin_origin

TAGS = """\
version: 1
organisation: Testby
contract: {provider: ÅDA, notice_months: 6, ends: 2027-12-31}
planning: {target: aws, region: eu-north-1}
systems:
  - {id: app, name: App, level: shared, sector: it, owner: "IT & drift", disposition: rehost,
     criticality: low, data_classification: internal, personal_data: false}
servers:
  - {id: app01, system: app, role: app, os: ubuntu-22.04, vcpu: 2, memory_gb: 4,
     disks_gb: [64]}
"""

PINS = """\
version: 1
organisation: Testby
contract: {provider: ÅDA, notice_months: 6, ends: 2027-12-31}
systems:
  - {id: ad, name: AD, level: shared, sector: it, owner: IT, disposition: rehost,
     criticality: low, data_classification: internal, personal_data: false}
  - {id: app, name: App, level: shared, sector: it, owner: IT, disposition: rehost,
     criticality: low, data_classification: internal, personal_data: false,
     depends_on: [{to: ad, ports: [tcp/389]}]}
servers:
  - {id: ad01, system: ad, role: infra, os: ubuntu-22.04, vcpu: 2, memory_gb: 4,
     disks_gb: [64], pinned_wave: 3}
  - {id: app01, system: app, role: app, os: ubuntu-22.04, vcpu: 2, memory_gb: 4,
     disks_gb: [64], pinned_wave: 1}
"""

AWS_TAG_RULE = (
    "AWS tag value: at most 256 letters, digits, spaces and _ . : / = + - @; no space at "
    "either end (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Tag.html)"
)
PIN_MESSAGE = (
    "pins contradict a dependency: server 'app01' is pinned to wave 1, before 'ad01' pinned "
    "to wave 3, which it depends on (directly or through others; a provider never moves after "
    "its consumer, test and dev never after prod)"
)


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _catalog(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_refused_tag_value_names_its_line_in_both_forms(tmp_path: Path) -> None:
    path = _catalog(tmp_path, TAGS)
    human = (
        "Error: 1 cloud name or tag value derived from the catalog would be refused:\n"
        "  system app owner: 'IT & drift': characters not allowed: '&'\n"
        f"    {AWS_TAG_RULE}\n"
        f"  at {path}:6: system 'app' owner\n"
    )
    assert _invoke("validate", str(path)) == (1, "", human)
    expected = {
        "error": "1 cloud name or tag value derived from the catalog would be refused:",
        "errors": [
            {
                "column": 60,
                "file": str(path),
                "line": 6,
                "message": "system 'app' owner: 'IT & drift': characters not allowed: '&' "
                f"({AWS_TAG_RULE})",
                "path": "systems[0].owner",
            }
        ],
    }
    build = str(tmp_path / "b")
    for args in (("validate", str(path)), ("plan", str(path), "-o", build)):
        code, out, err = _invoke(*args, "--json")
        assert (code, json.loads(out), err) == (1, expected, human)
    assert not (tmp_path / "b").exists()


def test_a_pin_contradiction_names_both_catalog_lines_in_json(tmp_path: Path) -> None:
    path = _catalog(tmp_path, PINS)
    out_dir = str(tmp_path / "build")
    code, out, err = _invoke("plan", str(path), "-o", out_dir)
    assert (code, out, err) == (
        1,
        "",
        f"Error: {PIN_MESSAGE}\n"
        f"  at {path}:14: server 'app01' pinned_wave\n"
        f"  at {path}:12: server 'ad01' pinned_wave\n",
    )
    code, out, _ = _invoke("plan", str(path), "-o", out_dir, "--json")
    assert code == 1
    assert json.loads(out) == {
        "error": PIN_MESSAGE,
        "errors": [
            {
                "column": 35,
                "file": str(path),
                "line": 14,
                "message": "server 'app01' pinned_wave",
                "path": "servers[1].pinned_wave",
            },
            {
                "column": 35,
                "file": str(path),
                "line": 12,
                "message": "server 'ad01' pinned_wave",
                "path": "servers[0].pinned_wave",
            },
        ],
    }


def test_an_option_pins_wave_sheet_row_is_an_error_object() -> None:
    """A pin made in a wave sheet names its row; a pin from --pins names its field."""
    options = PlanOptions(
        pins={"a1": 2, "b1": 4}, pin_origin={"a1": "waves.csv:7", "b1": "pins.json: pins.b1"}
    )
    error = PlanError("pins contradict", [("servers", "a1"), ("servers", "b1")])
    located = _with_pin_origin(error, options)
    assert located.where == (
        "waves.csv:7: server 'a1' pinned to wave 2",
        "pins.json: pins.b1: server 'b1' pinned to wave 4",
    )
    assert located.issues == (
        Issue("waves.csv", 7, 0, "wave", "server 'a1' pinned to wave 2"),
        Issue("pins.json", 0, 0, "pins.b1", "server 'b1' pinned to wave 4"),
    )


def test_an_unreadable_inventory_row_is_an_error_object(tmp_path: Path) -> None:
    path = write_rvtools_xlsx(tmp_path / "e.xlsx", [FakeVm("a", "u-1", memory_mib="8 GB")])
    out = tmp_path / "catalog.yaml"
    code, stdout, stderr = _invoke("import", "rvtools", str(path), "-o", str(out), "--json")
    assert code == 1
    assert stderr == (
        f"Error: {path}: sheet vInfo, row 2, column 'Memory': expected a number, got '8 GB'\n"
    )
    assert json.loads(stdout)["errors"] == [
        {
            "column": 0,
            "file": str(path),
            "line": 2,
            "message": "expected a number, got '8 GB'",
            "path": "vInfo!Memory",
        }
    ]


def test_a_wave_sheet_error_is_an_error_object(tmp_path: Path) -> None:
    path = _catalog(tmp_path, PINS.replace(", pinned_wave: 3", "").replace(", pinned_wave: 1", ""))
    build = tmp_path / "build"
    assert _invoke("plan", str(path), "-o", str(build), "-q")[0] == 0
    sheet = tmp_path / "waves.csv"
    assert _invoke("waves", "export", str(build / "plan.json"), "-o", str(sheet))[0] == 0
    lines = sheet.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("wave")] = "soon"
    sheet.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    code, stdout, stderr = _invoke(
        "waves", "pins", str(sheet), "--plan", str(build / "plan.json"), "--json"
    )
    assert code == 1
    column = header.index("wave") + 1
    assert stderr == (
        f"Error: {sheet}: 1 error in the wave sheet\n"
        f"{sheet}:2:{column}: wave: expected a whole wave number >= 0, got 'soon'\n"
    )
    assert json.loads(stdout)["errors"] == [
        {
            "column": column,
            "file": str(sheet),
            "line": 2,
            "message": "expected a whole wave number >= 0, got 'soon'",
            "path": "wave",
        }
    ]


def test_validate_json_locates_the_second_suppliers_refusals_too(tmp_path: Path) -> None:
    """A valid Azure catalog whose owner AWS would refuse: exit 0, a warning line in text,
    and the same place as a warning object (file, line, column, path) in --json."""
    path = _catalog(tmp_path, TAGS.replace("planning: {target: aws, region: eu-north-1}\n", ""))
    code, out, err = _invoke("validate", str(path), "--json")
    assert code == 0 and err == ""
    document = json.loads(out)
    assert document["warnings"] == [
        "with --target aws: 1 cloud name or tag value derived from the catalog would be "
        "refused:\n  system app owner: 'IT & drift': characters not allowed: '&'\n"
        f"    {AWS_TAG_RULE}\n  at {path}:5: system 'app' owner"
    ]
    assert document["warning_issues"] == [
        {
            "column": 60,
            "file": str(path),
            "line": 5,
            "message": "with --target aws: system 'app' owner: 'IT & drift': characters not "
            f"allowed: '&' ({AWS_TAG_RULE})",
            "path": "systems[0].owner",
        }
    ]
