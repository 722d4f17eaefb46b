"""Dependency exports merged into a hand-written catalog, keeping every other byte."""

from __future__ import annotations

import csv
import difflib
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.catalog import load_catalog
from migration.importers.common import MissingColumn
from migration.importers.dependencies import import_dependencies, read_dependencies

CATALOG = """\
# Hand-written catalog: comments, key order and quoting must survive an import.
version: 1
organisation: Testby kommun
currency: EUR
contract:
  provider: ÅDA   # leaving in 2027
  notice_months: 6
  ends: 2027-12-31
systems:
  - id: ad
    name: "Active Directory"
    level: shared
    sector: central-administration
    owner: IT-enheten
    disposition: rehost
    foundation: true
    criticality: critical
    data_classification: internal
    personal_data: true
  - id: economy
    name: Ekonomisystem
    level: shared
    sector: finance
    owner: Ekonomiavdelningen
    disposition: rehost
    criticality: high
    data_classification: confidential
    personal_data: true
servers:
  # the domain controller
  - id: dc01
    system: ad
    role: infra
    os: windows-server-2019
    vcpu: 2
    memory_gb: 8
    disks_gb: [128]
    ip: 10.10.0.10
    cpu_p95: null       # not measured
    monthly_cost: 90.0  # from the 2024 invoice

  # application server, hand-tuned
  - id: eko-app01
    system: economy
    role: app
    os: windows-server-2019
    vcpu: 4
    memory_gb: 16
    disks_gb: [128, 500]
    ip: 10.10.4.21
    depends_on:
      - to: eko-db01
        ports: [tcp/1433]
        latency_sensitive: true   # measured by Kalle
    monthly_cost: 210.0
  - id: eko-db01
    system: economy
    role: db
    os: windows-server-2016
    vcpu: 4
    memory_gb: 32
    disks_gb: [128, 1000]
    ip: 10.10.4.30
    monthly_cost: 300.0
    licences: {windows_software_assurance: true, sql: standard}
planning:
  start: 2027-02-01
"""

HEADER = [
    "Time slot",
    "Source server name",
    "Source IP",
    "Source application",
    "Source process",
    "Destination server name",
    "Destination IP",
    "Destination application",
    "Destination process",
    "Destination port",
]


def _row(
    slot: str, src: str, dst: str, port: object, dst_ip: str = "", process: str = ""
) -> list[object]:
    return [slot, src, "", "", "", dst, dst_ip, "", process, port]


def _export(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


ROWS = [
    _row("2027-01-01 00:00", "EKO-APP01.city.local", "dc01", 389, process="lsass.exe"),
    _row("2027-01-01 01:00", "EKO-APP01.city.local", "dc01", 389, process="lsass.exe"),
    _row("2027-01-01 01:00", "eko-app01", "", 636, dst_ip="10.10.0.10"),
    _row("2027-01-01 00:00", "eko-app01", "eko-db01", 1433),
    _row("2027-01-01 00:00", "eko-app01", "eko-db01", 1434),
    _row("2027-01-01 00:00", "eko-db01", "", 443, dst_ip="93.184.216.34"),
    _row("2027-01-01 00:00", "eko-db01", "eko-db01", 1433),
    _row("2027-01-01 00:00", "printsrv", "dc01", 445),
]


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG, encoding="utf-8")
    return _export(tmp_path / "deps.csv", ROWS), catalog


def test_edges_ports_weights_unknown_hosts_and_self_connections(tmp_path: Path) -> None:
    """Rows become weighted edges; unknown hosts and self-connections are reported."""
    export, catalog_path = _setup(tmp_path)
    edges, report = read_dependencies(export, load_catalog(catalog_path))
    assert [(e.source, e.target, e.ports, e.weight, e.processes) for e in edges] == [
        ("eko-app01", "dc01", ("tcp/389", "tcp/636"), 2, ("lsass.exe",)),
        ("eko-app01", "eko-db01", ("tcp/1433", "tcp/1434"), 1, ()),
    ]
    assert report.unknown_hosts == (("93.184.216.34", 1), ("printsrv", 1))
    assert report.self_connections == (("eko-db01", 1),)


def test_merge_changes_only_the_changed_entries(tmp_path: Path) -> None:
    """Comments, quoting, key order and blank lines outside changed entries are unchanged."""
    export, catalog_path = _setup(tmp_path)
    report = import_dependencies(export, catalog_path)
    assert report.added == (("eko-app01", "dc01"),)
    assert report.updated == (("eko-app01", "eko-db01"),)
    merged = catalog_path.read_text(encoding="utf-8")
    diff = [
        line
        for line in difflib.unified_diff(
            CATALOG.splitlines(), merged.splitlines(), lineterm="", n=0
        )
    ]
    assert diff[2:] == [
        "@@ -53 +53 @@",
        "-        ports: [tcp/1433]",
        "+        ports: [tcp/1433, tcp/1434]",
        "@@ -54,0 +55,3 @@",
        "+      - to: dc01",
        "+        ports: [tcp/389, tcp/636]",
        "+        weight: 2",
    ]
    catalog = load_catalog(catalog_path)
    deps = {d.to: d for d in catalog.servers_by_id["eko-app01"].depends_on}
    assert deps["eko-db01"].latency_sensitive is True  # the hand edit survived


def test_new_depends_on_keeps_following_comments_in_place(tmp_path: Path) -> None:
    """A server without depends_on gains one; the comment after it stays after it."""
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text(CATALOG, encoding="utf-8")
    export = _export(
        tmp_path / "d.csv",
        [_row("t1", "dc01", "eko-db01", 445), _row("t2", "dc01", "eko-db01", 445)],
    )
    import_dependencies(export, catalog_path)
    merged = catalog_path.read_text(encoding="utf-8")
    expected = CATALOG.replace(
        "    monthly_cost: 90.0  # from the 2024 invoice\n",
        "    monthly_cost: 90.0  # from the 2024 invoice\n"
        "    depends_on:\n"
        "      - to: eko-db01\n"
        "        ports: [tcp/445]\n"
        "        weight: 2\n",
    )
    assert merged == expected


def test_second_import_changes_nothing(tmp_path: Path) -> None:
    """Importing the same export twice leaves the file as after the first time."""
    export, catalog_path = _setup(tmp_path)
    import_dependencies(export, catalog_path)
    once = catalog_path.read_bytes()
    report = import_dependencies(export, catalog_path)
    assert (report.added, report.updated, report.unchanged) == ((), (), 2)
    assert catalog_path.read_bytes() == once


def test_invalid_merge_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the merged text would not validate, the error says so and the file is untouched."""
    from migration.importers import dependencies

    export, catalog_path = _setup(tmp_path)

    def broken(text: str, edges: object) -> tuple[str, list[object], list[object], int]:
        return text.replace("vcpu: 4", "vcpu: 0", 1), [], [], 0

    monkeypatch.setattr(dependencies, "merge_into_text", broken)
    result = CliRunner().invoke(
        cli, ["import", "dependencies", str(export), "--into", str(catalog_path)]
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: merging the dependencies would make the catalog invalid; nothing was written\n"
        "catalog is invalid (1 error)\n"
        f"{catalog_path}:47:11: servers[1].vcpu: expected a number >= 1, got 0\n"
    )
    assert catalog_path.read_text(encoding="utf-8") == CATALOG


def test_cli_report_and_exit_codes(tmp_path: Path) -> None:
    """The CLI prints what it merged and what it could not place."""
    export, catalog_path = _setup(tmp_path)
    result = CliRunner().invoke(
        cli, ["import", "dependencies", str(export), "--into", str(catalog_path)]
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Read 8 connection rows from {export}: 2 dependencies between catalog servers.\n"
        f"{catalog_path}: 1 added, 1 updated (ports added), 0 already there.\n"
        "Unknown hosts (not in the catalog, not merged): 93.184.216.34 (1 rows), "
        "printsrv (1 rows)\n"
        "Self-connections (ignored): eko-db01 (1 rows)\n"
    )


def test_cli_bad_port_exit_1(tmp_path: Path) -> None:
    """A port that is not a number names row and column; the catalog is not touched."""
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text(CATALOG, encoding="utf-8")
    export = _export(tmp_path / "d.csv", [_row("t", "eko-app01", "dc01", "ldap")])
    result = CliRunner().invoke(
        cli, ["import", "dependencies", str(export), "--into", str(catalog_path)]
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {export}: row 2, column 'Destination port': expected a number, got 'ldap'\n"
    )
    assert catalog_path.read_text(encoding="utf-8") == CATALOG


def test_missing_columns(tmp_path: Path) -> None:
    """An export without destination port is refused, naming the column."""
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text(CATALOG, encoding="utf-8")
    export = tmp_path / "d.csv"
    export.write_text("Source server name,Destination server name\na,b\n")
    with pytest.raises(MissingColumn) as info:
        read_dependencies(export, load_catalog(catalog_path), "d.csv")
    assert str(info.value) == "d.csv: missing column 'Destination port'"
