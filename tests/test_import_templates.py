"""The shipped blank templates import once filled in; the header docs match the code."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from app.cli import cli
from migration.catalog import load_catalog
from migration.importers.rvtools_headers import CAMEL_CASE

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "examples" / "templates"
DOC = (ROOT / "docs" / "import-headers.md").read_text(encoding="utf-8")


def test_the_azure_migrate_template_filled_in_imports(tmp_path: Path) -> None:
    """One row under the blank template's header (as Excel saves it: ';', CRLF) imports."""
    header = (TEMPLATES / "azure-migrate-import.csv").read_text(encoding="utf-8").strip()
    row = "eko-app01,10.0.0.5,4,16384,Windows Server 2019 Datacenter,,x64,35,60,2,128,500,,"
    sheet = tmp_path / "servers.csv"
    sheet.write_bytes(f"{header}\r\n{row}\r\n".replace(",", ";").encode("cp1252"))
    out = tmp_path / "catalog.yaml"
    result = CliRunner().invoke(cli, ["import", "azure-migrate", str(sheet), "-o", str(out)])
    assert result.exit_code == 0, result.output
    server = load_catalog(out).servers[0]
    assert (server.vcpu, server.memory_gb, server.disks_gb) == (4, 16.0, (128.0, 500.0))
    assert server.os == "windows-server-2019" and server.cpu_p95 == 0.35


def test_the_dependency_template_filled_in_merges(tmp_path: Path) -> None:
    """A connection row under the blank dependency header becomes a server dependency."""
    catalog = tmp_path / "catalog.yaml"
    servers = tmp_path / "servers.csv"
    header = (TEMPLATES / "azure-migrate-import.csv").read_text(encoding="utf-8").strip()
    servers.write_text(
        f"{header}\na01,,2,4096,Ubuntu 22.04,,,,,1,40,,,\nd01,,2,4096,Ubuntu 22.04,,,,,1,40,,,\n"
    )
    made = CliRunner().invoke(cli, ["import", "azure-migrate", str(servers), "-o", str(catalog)])
    assert made.exit_code == 0, made.output
    deps = tmp_path / "deps.csv"
    dep_header = (TEMPLATES / "dependencies.csv").read_text(encoding="utf-8").strip()
    deps.write_text(f"{dep_header}\n1,a01,,java,d01,,postgres,5432\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "dependencies", str(deps), "--into", str(catalog)])
    assert result.exit_code == 0, result.output
    a01 = next(s for s in load_catalog(catalog).servers if s.id == "a01")
    assert [(d.to, d.ports) for d in a01.depends_on] == [("d01", ("tcp/5432",))]


def test_every_camel_case_header_is_documented() -> None:
    """docs/import-headers.md has a row for each pair the importer maps."""
    for sheet, pairs in CAMEL_CASE.items():
        for display, camel in pairs.items():
            assert f"| {sheet} | `{camel}` | `{display}` |" in DOC, camel
