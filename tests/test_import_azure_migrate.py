"""Azure Migrate import template: tolerant headers, 20 disks, utilisation to p95 fields."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.catalog import load_catalog
from migration.importers.azure_migrate import read_azure_migrate
from migration.importers.common import BadValue, MissingColumn

HEADER = [
    "*Server Name",
    "IP addresses",
    "*Cores",
    "*Memory (In MB)",
    "*OS name",
    "OS version",
    "OS architecture",
    "CPU utilization percentage",
    "Memory utilization percentage",
    "Number of disks",
]
for _n in range(1, 21):
    HEADER += [f"Disk {_n} size (In GB)", f"Disk {_n} read throughput (MB per second)"]


def _write(path: Path, rows: list[dict[str, object]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def _rows() -> list[dict[str, object]]:
    big = {
        "*Server Name": "gis-db01.city.local",
        "IP addresses": "10.1.0.5;10.1.0.6",
        "*Cores": 8,
        "*Memory (In MB)": 32768,
        "*OS name": "Microsoft Windows Server 2019 Datacenter",
        "CPU utilization percentage": 35,
        "Memory utilization percentage": "60.5",
    }
    for n in range(1, 21):
        big[f"Disk {n} size (In GB)"] = n * 10
    small = {
        "*Server Name": "gis-app01",
        "*Cores": 2,
        "*Memory (In MB)": 4096,
        "*OS name": "Ubuntu",
        "OS version": "22.04",
        "Disk 1 size (In GB)": 64,
    }
    return [big, small]


def test_template_imports_with_all_disks_and_utilisation(tmp_path: Path) -> None:
    """All 20 disks, MB memory and percentages arrive in catalog units."""
    result = read_azure_migrate(_write(tmp_path / "am.csv", _rows()))
    db = next(s for s in result.servers if s.name == "gis-db01.city.local")
    assert db.disks_gb == tuple(float(n * 10) for n in range(1, 21))
    assert (db.vcpu, db.memory_gb, db.cpu_p95, db.memory_p95) == (8, 32.0, 0.35, 0.605)
    assert db.ips == ("10.1.0.5", "10.1.0.6")
    assert db.os == "windows-server-2019"
    app = next(s for s in result.servers if s.name == "gis-app01")
    assert app.os == "ubuntu-22.04"


@pytest.mark.parametrize(
    "variant",
    [
        ["Server name", "cores", "MEMORY", "os name", "disk 1 size"],
        ["*SERVER NAME", "*Cores", "*Memory (In MB)", "*OS Name", "Disk 1 Size (In GB)"],
    ],
)
def test_headers_match_without_star_case_or_units(tmp_path: Path, variant: list[str]) -> None:
    """``*``, case and unit suffixes do not matter, nor does column order."""
    values = ["web01", "2", "2048", "CentOS 7", "50"]
    header, row = list(reversed(variant)), list(reversed(values))
    path = tmp_path / "am.csv"
    path.write_text(",".join(header) + "\n" + ",".join(row) + "\n")
    (server,) = read_azure_migrate(path).servers
    assert (server.name, server.vcpu, server.memory_gb, server.os, server.disks_gb) == (
        "web01",
        2,
        2.0,
        "centos-7",
        (50.0,),
    )


def test_cli_writes_a_valid_catalog(tmp_path: Path) -> None:
    """The CLI's catalog validates, with FQDNs shortened to host names and p95 fields set."""
    source = _write(tmp_path / "am.csv", _rows())
    out = tmp_path / "catalog.yaml"
    result = CliRunner().invoke(cli, ["import", "azure-migrate", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    catalog = load_catalog(out)
    assert [s.id for s in catalog.systems] == ["gis"]
    servers = catalog.servers_by_id
    assert servers["gis-db01"].cpu_p95 == 0.35
    assert servers["gis-db01"].ip == "10.1.0.5"
    assert servers["gis-app01"].memory_p95 is None


def test_missing_mandatory_columns_are_named(tmp_path: Path) -> None:
    """Every missing mandatory column is listed."""
    path = tmp_path / "am.csv"
    path.write_text("Server Name,OS name\nweb01,Ubuntu\n")
    with pytest.raises(MissingColumn) as info:
        read_azure_migrate(path, "am.csv")
    assert str(info.value) == (
        "2 problems in the input:\nam.csv: missing column 'Cores'\nam.csv: missing column 'Memory'"
    )


def test_bad_cells_are_reported_by_row_and_column(tmp_path: Path) -> None:
    """A number that is not a number, and a percentage over 100, name row and column."""
    rows = _rows()
    rows[0]["*Cores"] = "eight"
    rows[1]["CPU utilization percentage"] = 140
    with pytest.raises(BadValue) as info:
        read_azure_migrate(_write(tmp_path / "am.csv", rows), "am.csv")
    assert str(info.value) == (
        "2 problems in the input:\n"
        "am.csv: row 2, column '*Cores': expected a number, got 'eight'\n"
        "am.csv: row 3, column 'CPU utilization percentage': expected a number >= 0 and "
        "<= 100, got '140'"
    )


def test_cli_bad_input_exit_1_nothing_written(tmp_path: Path) -> None:
    """Bad input: exit 1, the message, no file."""
    path = tmp_path / "am.csv"
    path.write_text("Server Name,Cores,Memory,OS name\nweb01,2,lots,Ubuntu 22.04\n")
    out = tmp_path / "catalog.yaml"
    result = CliRunner().invoke(cli, ["import", "azure-migrate", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: row 2, column 'Memory': expected a number, got 'lots'\n"
    )
    assert not out.exists()
