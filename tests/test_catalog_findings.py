"""Placeholders and unknown dependencies are findings: validate lists them, --strict fails,
plan/cost/exit-plan refuse a draft organisation or contract; --json prints errors too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cli import cli
from migration.catalog import load_catalog
from migration.catalog.findings import (
    DraftCatalogError,
    find_findings,
    find_placeholders,
    load_final_catalog,
)

SMALL = Path(__file__).parent / "data" / "small.yaml"
TEXT = SMALL.read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str, name: str = "catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _draft(tmp_path: Path) -> Path:
    """small.yaml as an import draft: TODO organisation, provider and owner, a marker."""
    text = (
        TEXT.replace("organisation: Testby kommun", "organisation: TODO  # PLACEHOLDER")
        .replace("  provider: ÅDA", "  provider: TODO  # PLACEHOLDER")
        .replace("    owner: IT-enheten", "    owner: TODO  # PLACEHOLDER: the department")
        .replace(
            "    sector: finance",
            "    sector: finance  # PLACEHOLDER: a free slug",
        )
    )
    return _write(tmp_path, "# PLACEHOLDERS: each is marked '# PLACEHOLDER'\n" + text)


def test_a_finished_catalog_has_no_findings() -> None:
    """small.yaml: no placeholder; every system has a dependency (economy -> ad)."""
    findings = find_findings(load_catalog(SMALL), SMALL)
    assert not findings and findings.placeholders == () and findings.dependencies_unknown == ()


def test_placeholders_are_found_with_their_lines(tmp_path: Path) -> None:
    """TODO values and '# PLACEHOLDER' lines are listed; the header comment is not."""
    path = _draft(tmp_path)
    assert [str(i) for i in find_placeholders(path)] == [
        f"{path}:3:1: organisation: placeholder value TODO",
        f"{path}:6:3: provider: placeholder value TODO",
        f"{path}:20:5: owner: placeholder value TODO (the department)",
        f"{path}:29:5: sector: placeholder value finance (a free slug)",
    ]


def test_a_system_with_no_dependency_either_way_is_dependencies_unknown(tmp_path: Path) -> None:
    """Remove economy's only dependency: both ad and economy are then unknown."""
    text = TEXT.replace("    depends_on:\n      - to: ad\n        ports: [tcp/389, tcp/636]\n", "")
    assert text != TEXT
    path = _write(tmp_path, text)
    findings = find_findings(load_catalog(path), path)
    assert [str(i) for i in findings.dependencies_unknown] == [
        f"{path}:15:9: ad: dependencies unknown: no dependency declared to or from this system",
        f"{path}:25:9: economy: dependencies unknown: no dependency declared to or from "
        "this system",
    ]


def test_validate_warns_and_strict_fails(tmp_path: Path) -> None:
    """validate: exit 0 with the warnings; --strict: exit 1, the exact error line."""
    path = _draft(tmp_path)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        "\nWarning: 4 placeholders remain (fill in each value, then delete its "
        "'# PLACEHOLDER'):\n"
        f"{path}:3:1: organisation: placeholder value TODO\n"
        f"{path}:6:3: provider: placeholder value TODO\n"
        f"{path}:20:5: owner: placeholder value TODO (the department)\n"
        f"{path}:29:5: sector: placeholder value finance (a free slug)\n"
    )
    strict = CliRunner().invoke(cli, ["validate", str(path), "--strict"])
    assert strict.exit_code == 1
    assert strict.stderr == (
        "Error: catalog is not final (--strict): 4 placeholders, "
        "0 systems with dependencies unknown\n"
    )
    clean = CliRunner().invoke(cli, ["validate", str(SMALL), "--strict"])
    assert clean.exit_code == 0 and "Warning" not in clean.output


def test_validate_strict_json_lists_the_findings_as_errors(tmp_path: Path) -> None:
    """--strict --json: valid false, every finding in errors with file/line/column/path."""
    path = _draft(tmp_path)
    result = CliRunner().invoke(cli, ["validate", str(path), "--strict", "--json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["valid"] is False
    assert document["errors"][0] == {
        "file": str(path),
        "line": 3,
        "column": 1,
        "path": "organisation",
        "message": "placeholder value TODO",
    }
    assert len(document["findings"]["placeholders"]) == 4


def test_validate_json_on_an_invalid_catalog_prints_errors_and_exits_one(tmp_path: Path) -> None:
    """An invalid catalog with --json: {"valid": false, "errors": [...]} on stdout, exit 1."""
    path = _write(tmp_path, TEXT.replace("    vcpu: 2\n", "    vcpu: two\n"))
    result = CliRunner().invoke(cli, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "valid": False,
        "errors": [
            {
                "file": str(path),
                "line": 42,
                "column": 11,
                "path": "servers[0].vcpu",
                "message": "expected a whole number, got 'two'",
            }
        ],
    }


def test_plan_cost_and_exit_plan_refuse_a_draft_organisation_or_contract(tmp_path: Path) -> None:
    """The three commands exit 1 naming the placeholder lines; nothing is written."""
    path = _draft(tmp_path)
    expected = (
        "Error: catalog is a draft: fill in its organisation and contract first "
        "(2 placeholders)\n"
        f"{path}:3:1: organisation: placeholder value TODO\n"
        f"{path}:6:3: provider: placeholder value TODO\n"
    )
    out = tmp_path / "out"
    for args in (
        ["plan", str(path), "-o", str(out)],
        ["cost", str(path), "-o", str(out)],
        ["exit-plan", str(path), "-o", str(out)],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, args
        assert result.stderr == expected, args
    assert not out.exists()


def test_a_json_draft_is_refused_by_its_values(tmp_path: Path) -> None:
    """JSON has no comments: an organisation of TODO is enough."""
    catalog = load_catalog(SMALL)
    data = json.loads(catalog.model_dump_json(by_alias=True, exclude_defaults=True))
    data["organisation"] = "TODO"
    path = _write(tmp_path, json.dumps(data, indent=2), "catalog.json")
    with pytest.raises(DraftCatalogError) as info:
        load_final_catalog(path)
    assert [i.path for i in info.value.issues] == ["organisation"]


def test_a_latency_sensitive_cycle_across_systems_names_every_partner(tmp_path: Path) -> None:
    """ad <-> economy, both latency-sensitive: validate names both; --strict still passes."""
    text = TEXT.replace(
        "        ports: [tcp/389, tcp/636]\n",
        "        ports: [tcp/389, tcp/636]\n        latency_sensitive: true\n",
        1,
    ).replace(
        "    personal_data: true\n  - id: economy",
        "    personal_data: true\n    depends_on: [{to: economy, latency_sensitive: true}]\n"
        "  - id: economy",
    )
    path = _write(tmp_path, text)
    result = CliRunner().invoke(cli, ["validate", str(path), "--strict"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        "\nNote: latency-sensitive cycles (each moves as one group):\n"
        f"{path}:15:9: ad: latency-sensitive cycle across 2 systems: ad, economy "
        "(they move in one wave)\n"
    )
    plain = find_findings(load_catalog(SMALL), SMALL)
    assert plain.latency_cycles == ()  # one direction only: no cycle


def test_big_totals_are_written_out_with_thousands() -> None:
    """2842910 GB is '2,842,910 GB', never '2.84291e+06 GB'."""
    from app.cli import format_summary

    summary = {
        "organisation": "X",
        "provider": "Y",
        "systems": 1,
        "servers": 1,
        "vcpu": 12000,
        "memory_gb": 48000.5,
        "disk_gb": 2842910.0,
        "systems_by_disposition": {},
        "servers_by_disposition": {},
        "systems_by_level": {},
        "servers_by_environment": {},
        "dependencies": {"system": 0, "server": 0, "latency_sensitive": 0},
    }
    line = format_summary(Path("c.yaml"), summary).splitlines()[1]
    assert line == (
        "X, leaving Y: 1 systems, 1 servers, 12,000 vCPU, 48,000.5 GB memory, 2,842,910 GB disk"
    )


_LINE = st.one_of(
    st.sampled_from(
        [
            "organisation: TODO",
            "  owner: TODO  # PLACEHOLDER: who",
            "# PLACEHOLDERS: header comment",
            "    sector: x  # PLACEHOLDER",
            "  - id: TODOS",
            '  "owner": "TODO",',
            "note: not a TODO here  # fine",
            "",
        ]
    ),
    st.text(alphabet="abc:#- TODOPLACEHOLDER\"'", max_size=30),
)


@settings(max_examples=80, deadline=None)
@given(lines=st.lists(_LINE, max_size=25), crlf=st.booleans())
def test_every_placeholder_found_is_on_a_line_that_holds_one(lines: list[str], crlf: bool) -> None:
    """Hostile text never crashes the scan; each hit names a line with TODO or the marker."""
    import tempfile

    text = ("\r\n" if crlf else "\n").join(lines)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.yaml"
        path.write_text(text, encoding="utf-8", newline="")
        found = find_placeholders(path)
    plain = text.replace("\r\n", "\n").split("\n")
    for issue in found:
        line = plain[issue.line - 1]
        assert not line.lstrip().startswith("#")
        assert "TODO" in line or "PLACEHOLDER" in line
    assert len({i.line for i in found}) == len(found)  # one finding per line
