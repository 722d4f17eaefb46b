"""Shared importer parts: headers, cells, slugs, OS names, the XLSX reader."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

import openpyxl
import pytest

from migration.importers.common import (
    CellError,
    ImporterError,
    normalise_header,
    parse_bool,
    parse_number,
    slugify,
)
from migration.importers.osmap import os_slug
from migration.importers.sources import read_csv, read_workbook


@pytest.mark.parametrize(
    ("header", "normalised"),
    [
        ("Provisioned MiB", "provisioned"),
        ("Provisioned MB", "provisioned"),
        ("*Memory (In MB)", "memory"),
        ("  *Server   Name ", "server name"),
        ("Disk 3 size (In GB)", "disk 3 size"),
        ("CPU usage %", "cpu usage"),
        ("\ufeffVM", "vm"),
    ],
)
def test_normalise_header(header: str, normalised: str) -> None:
    """Stars, case, spaces, parentheses and unit suffixes do not matter."""
    assert normalise_header(header) == normalised


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("4096", 4096.0),
        ("4096.5", 4096.5),
        ("4,096", 4096.0),
        ("12,5", 12.5),
        ("1 024", 1024.0),
        ("1\u00a0024,5", 1024.5),
        ("4.096E3", 4096.0),
    ],
)
def test_parse_number(text: str, number: float) -> None:
    """Numbers as exports write them in different locales."""
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["four", "", "nan", "1.2.3", "8 GB"])
def test_parse_number_rejects(text: str) -> None:
    """Anything else is an error that quotes the cell."""
    with pytest.raises(CellError, match="expected a number, got"):
        parse_number(text)


def test_parse_bool() -> None:
    """RVTools' True/False, 1/0 and blank."""
    assert [parse_bool(t) for t in ("True", "false", "1", "0", "")] == [
        True,
        False,
        True,
        False,
        False,
    ]
    with pytest.raises(CellError):
        parse_bool("maybe")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("EKO-App01", "eko-app01"),
        ("Ålands Äldreomsorg", "alands-aldreomsorg"),
        ("web_01.city.local", "web-01-city-local"),
        ("Økonomi/Løn", "okonomi-lon"),
        ("###", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    """Slugs match the catalog's id pattern."""
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Microsoft Windows Server 2019 (64-bit)", "windows-server-2019"),
        ("Microsoft Windows Server 2012 R2 Datacenter", "windows-server-2012r2"),
        ("Microsoft Windows Server 2016 or later (64-bit)", "windows-server-2016"),
        ("Microsoft Windows Server 2003 Standard (32-bit)", "windows-server-2003-32bit"),
        ("Ubuntu 22.04.3 LTS", "ubuntu-22.04"),
        ("Ubuntu Linux (64-bit)", "ubuntu-unknown"),
        ("Red Hat Enterprise Linux 8 (64-bit)", "rhel-8"),
        ("CentOS 7 (64-bit)", "centos-7"),
        ("CentOS Linux release 7.9.2009 (Core)", "centos-7"),
        ("SUSE Linux Enterprise 15 (64-bit)", "sles-15"),
        ("Debian GNU/Linux 11 (64-bit)", "debian-11"),
        ("Other 4.x or later Linux (64-bit)", "linux-unknown"),
        ("VMware Photon OS (64-bit)", "unknown"),
        ("", "unknown"),
    ],
)
def test_os_slug(text: str, slug: str) -> None:
    """OS strings from VMware Tools and configuration files map to catalog slugs."""
    assert os_slug(text) == slug


def test_xlsx_reader_matches_openpyxl(tmp_path: Path) -> None:
    """Shared strings, numbers, booleans and blanks read as openpyxl wrote them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "vInfo"
    rows = [
        ["VM", "CPUs", "Template", "Note"],
        ["a & b", 4, True, None],
        [None, 2.5, False, "x<y>"],
        ["ünï", None, None, "a = b"],
    ]
    for row in rows:
        sheet.append(row)
    sheet["F7"] = "far away"
    path = tmp_path / "b.xlsx"
    book.save(path)
    table = read_workbook(path, "b.xlsx", ["vinfo"])["vinfo"]
    assert table.header == ("VM", "CPUs", "Template", "Note")
    assert [(n, list(c)) for n, c in table.rows] == [
        (2, ["a & b", "4", "True", None]),
        (3, [None, "2.5", "False", "x<y>"]),
        (4, ["ünï", None, None, "a = b"]),
    ]  # 'far away' has no header: nothing to read it as


def test_xlsx_reader_inline_strings_and_prefixes(tmp_path: Path) -> None:
    """Inline strings, a namespace prefix and rows without ``r`` are understood.

    A hand-made but valid package: the package relationships (``_rels/.rels``), a worksheet
    relationship type and ``xml:space="preserve"`` on text with edge spaces are what every
    spreadsheet writer puts there, and calamine needs them.
    """
    path = tmp_path / "inline.xlsx"
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1"'
            f' Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
            '<sheet name="vDisk" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1"'
            f' Target="/xl/worksheets/s1.xml" Type="{rel}/worksheet"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/s1.xml",
            (
                f'<x:worksheet xmlns:x="{ns}"><x:sheetData>'
                '<x:row><x:c t="inlineStr"><x:is><x:t>VM</x:t></x:is></x:c>'
                '<x:c t="inlineStr"><x:is><x:r><x:t xml:space="preserve">Capacity </x:t></x:r>'
                "<x:r><x:t>MiB</x:t></x:r></x:is></x:c></x:row>"
                '<x:row><x:c t="inlineStr"><x:is><x:t>web&amp;01_x000D_</x:t></x:is></x:c>'
                "<x:c><x:v>2048</x:v></x:c></x:row>"
                "</x:sheetData></x:worksheet>"
            ),
        )
    table = read_workbook(path, "inline.xlsx", ["vDisk"])["vDisk"]
    assert table.header == ("VM", "Capacity MiB")
    assert [(n, list(c)) for n, c in table.rows] == [(2, ["web&01\r", "2048"])]


def test_xlsx_reader_dates_numbers_and_offset(tmp_path: Path) -> None:
    """Dates read as ISO text, numbers as written; a table may start below and right of A1."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "vInfo"
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = "VM", "Created", "Size", "Err"
    sheet["B5"], sheet["C5"], sheet["D5"] = "a", datetime.datetime(2024, 1, 31, 12, 0), 1e20
    sheet["C6"], sheet["D6"], sheet["E6"] = datetime.date(2024, 2, 1), -3, "#N/A"
    sheet["D7"] = 0.25
    path = tmp_path / "B.XLSX"
    book.save(path)
    table = read_workbook(path, "B.XLSX", ["VINFO"])["VINFO"]
    assert table.sheet == "vInfo"
    assert table.header == ("", "VM", "Created", "Size", "Err")
    assert [(n, list(c)) for n, c in table.rows] == [
        (5, [None, "a", "2024-01-31 12:00:00", "1e+20", None]),
        (6, [None, None, "2024-02-01", "-3", None]),  # error values read as empty
        (7, [None, None, None, "0.25", None]),
    ]


def test_xlsx_reader_keeps_only_wanted_columns(tmp_path: Path) -> None:
    """``columns`` limits a sheet to some headers; rows with none of them are left out."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "vDisk"
    for row in (
        ["VM", "Capacity MiB", "Path"],
        ["a", 10, "p"],
        [None, None, "only path"],
        ["b", 20, None],
    ):
        sheet.append(row)
    book.create_sheet("other")
    path = tmp_path / "c.xlsx"
    book.save(path)
    tables = read_workbook(path, "c.xlsx", ["vDisk", "vInfo"], {"vDisk": {"vm", "capacity"}})
    assert list(tables) == ["vDisk"]
    assert [(n, list(c)) for n, c in tables["vDisk"].rows] == [
        (2, ["a", "10", None]),
        (4, ["b", "20", None]),
    ]


def test_not_a_workbook(tmp_path: Path) -> None:
    """A file that is not an XLSX package is one clear error."""
    path = tmp_path / "x.xlsx"
    path.write_text("hello")
    with pytest.raises(ImporterError, match=r"^x\.xlsx: not a readable XLSX workbook"):
        read_workbook(path, "x.xlsx", ["vInfo"])


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    """A ZIP archive without a workbook in it is the same error."""
    path = tmp_path / "z.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ImporterError, match=r"^z\.xlsx: not a readable XLSX workbook \("):
        read_workbook(path, "z.xlsx", ["vInfo"])


def test_csv_semicolon_and_cp1252(tmp_path: Path) -> None:
    """Semicolon-separated Windows-1252 CSVs (Excel in Nordic locales) are read."""
    path = tmp_path / "x.csv"
    path.write_bytes("VM;Memory\nSkärgård;4096\n".encode("cp1252"))
    table = read_csv(path, "x.csv")
    assert table.header == ("VM", "Memory")
    assert [list(c) for _, c in table.rows] == [["Skärgård", "4096"]]
