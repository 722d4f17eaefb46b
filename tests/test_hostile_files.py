"""Hostile files given to the commands that read something other than a catalog (wave sheets,
pins, allocations, plan.json, inventory exports): each is one ``Error:`` line naming the file
(and row), exit 1; never a traceback, never a silent pass. Found by a sweep over every
command (issue #18); one test per finding."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.catalog import load_catalog
from migration.errors import CatalogError, InputFileError
from migration.fileio import read_json_input
from migration.importers.azure_migrate import read_azure_migrate
from migration.importers.common import BadValue, clean_text
from migration.importers.testing import FakeVm, write_rvtools_csv_folder, write_rvtools_xlsx
from tests.test_catalog_bounds import BASE
from tests.test_import_azure_migrate import _rows as azure_rows
from tests.test_import_azure_migrate import _write as write_azure
from waves.csvio import read_pin_file


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small plan (build/plan.json beside its catalog)."""
    folder = tmp_path_factory.mktemp("planned")
    (folder / "c.yaml").write_text(BASE, encoding="utf-8")
    assert _invoke("plan", str(folder / "c.yaml"), "-o", str(folder / "build"), "-q")[0] == 0
    return folder


def test_a_wave_sheet_cell_over_the_csv_limit_names_its_row(planned: Path, tmp_path: Path) -> None:
    """Was: "unexpected Error: field larger than field limit" (csv.Error, a bug line)."""
    sheet = tmp_path / "waves.csv"
    sheet.write_text("server,wave\n" + "x" * 200_000 + ",1\n", encoding="utf-8")
    code, output = _invoke("waves", "pins", str(sheet), "--plan", str(planned / "build/plan.json"))
    assert (code, output) == (
        1,
        f"Error: {sheet}: row 2: not readable as CSV: field larger than field limit (131072)\n",
    )


def test_a_pin_beyond_the_last_wave_is_refused_in_the_pins_file(
    planned: Path, tmp_path: Path
) -> None:
    """Was: OverflowError (int too large to convert to C int) from the planner."""
    pins = tmp_path / "pins.json"
    pins.write_text('{"pins": {"app01": ' + "9" * 50 + "}}", encoding="utf-8")
    code, output = _invoke(
        "plan", str(planned / "c.yaml"), "-o", str(tmp_path / "b"), "--pins", str(pins)
    )
    assert (code, output) == (
        1,
        f"Error: {pins}: pins.app01: expected a wave number <= 2600 (the highest wave a pin may "
        "name), got 9999999999999999999999999999999999999999…\n",
    )


def test_a_wave_sheet_wave_beyond_the_last_is_an_issue_with_its_row(
    planned: Path, tmp_path: Path
) -> None:
    """Was: accepted, and written into the pins file the planner then choked on."""
    sheet = tmp_path / "waves.csv"
    sheet.write_text("server,wave\napp01,2601\n", encoding="utf-8")
    code, output = _invoke("waves", "pins", str(sheet), "--plan", str(planned / "build/plan.json"))
    assert (code, output) == (
        1,
        f"Error: {sheet}: 1 error in the wave sheet\n"
        f"{sheet}:2:2: wave: expected a wave number <= 2600 (the highest wave a pin may name), "
        "got 2601\n",
    )


def test_a_pin_origin_that_is_not_one_line_of_text_is_not_repeated(tmp_path: Path) -> None:
    """An origin is printed in error messages: a terminal escape in it is replaced by the
    pins file's own field."""
    pins = tmp_path / "pins.json"
    pins.write_text(
        json.dumps({"pins": {"a": 1, "b": 2}, "origin": {"a": "x\x1b[31m:3", "b": "waves.csv:4"}}),
        encoding="utf-8",
    )
    assert read_pin_file(pins) == ({"a": 1, "b": 2}, {"a": f"{pins}: pins.a", "b": "waves.csv:4"})


def test_json_nested_thousands_deep_names_the_file(tmp_path: Path) -> None:
    """Was: "Error: input nested too deeply to process" (the safety net, no file named)."""
    folder = tmp_path / "stacks"
    folder.mkdir()
    (folder / "allocations.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert _invoke("allocations", "release", "web", "--stack-config-dir", str(folder)) == (
        1,
        f"Error: {folder / 'allocations.json'}: not an allocations.json (nested too deeply)\n",
    )
    with pytest.raises(InputFileError):
        read_json_input(folder / "allocations.json", "allocations", "an allocations.json")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (("graph", "/dev/zero"), "a plan.json"),
        (("diff", "/dev/zero", "/dev/zero"), "a plan.json"),
        (("preview", "wave-01", "--plan", "/dev/zero"), "a plan.json"),
    ],
)
def test_a_device_is_refused_at_its_first_megabyte(args: tuple[str, ...], kind: str) -> None:
    """Was: read to the end (all memory) before any check."""
    assert _invoke(*args) == (1, f"Error: /dev/zero: not {kind} (binary byte at offset 0)\n")


def test_a_plan_from_a_pipe_is_still_read(planned: Path) -> None:
    """Bounding devices must not refuse a pipe: `diff <(git show ...) build/plan.json`."""
    plan = planned / "build" / "plan.json"
    read, write = os.pipe()
    payload = plan.read_bytes()

    def feed() -> None:  # a pipe holds 64 KiB: the writer runs beside the reader
        with os.fdopen(write, "wb") as sink:
            sink.write(payload)

    writer = threading.Thread(target=feed)
    writer.start()
    code, output = _invoke("diff", f"/dev/fd/{read}", str(plan))
    writer.join()
    os.close(read)
    assert (code, output) == (0, "no changes\n")


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("name: App", 'name: "A\\u202epp"'),  # a right-to-left override ("Trojan Source")
        ("owner: IT", 'owner: "I\\u200bT"'),  # a zero-width space: two owners look alike
    ],
)
def test_invisible_direction_and_zero_width_characters_are_refused(
    tmp_path: Path, text: str, column: str
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(BASE.replace(text, column), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    (issue,) = info.value.issues
    assert issue.line == 5
    assert issue.message.startswith("expected one line of text without control characters")


# ------------------------------------------------------------------------------ importers


@pytest.mark.parametrize(
    ("vm", "expected"),
    [
        (
            FakeVm("a", "u-1", memory_mib=1e30),
            "sheet vInfo, row 2, column 'Memory': expected a number <= 67,108,864, got '1e+30'",
        ),
        (
            FakeVm("a", "u-1", disks_mib=(1e30,)),
            "sheet vDisk, row 2, column 'Capacity MiB': expected a number <= 1,073,741,824, "
            "got '1e+30'",
        ),
        (
            FakeVm("a", "u-1", disks_mib=tuple([1024.0] * 257)),
            "sheet vInfo, row 2, column 'VM': VM 'a' has 257 disks (at most 256)",
        ),
    ],
)
def test_rvtools_values_beyond_the_catalog_bounds_are_refused_with_their_cell(
    tmp_path: Path, vm: FakeVm, expected: str
) -> None:
    """Was: imported (exit 0) into a draft that `validate` then refused."""
    source = write_rvtools_xlsx(tmp_path / "e.xlsx", [vm])
    code, output = _invoke("import", "rvtools", str(source), "-o", str(tmp_path / "c.yaml"))
    assert (code, output) == (1, f"Error: {source}: {expected}\n")
    assert not (tmp_path / "c.yaml").exists()


def test_azure_migrate_values_beyond_the_catalog_bounds_are_refused(tmp_path: Path) -> None:
    rows = azure_rows()
    rows[1].update({"*Memory (In MB)": 1e300, "Disk 1 size (In GB)": 2_000_000})
    source = write_azure(tmp_path / "a.csv", rows)
    with pytest.raises(BadValue) as info:
        read_azure_migrate(source, "a.csv")
    assert str(info.value) == (
        "2 problems in the input:\n"
        "a.csv: row 3, column '*Memory (In MB)': expected a number >= 1 and <= 67108864, got "
        "'1e+300'\n"
        "a.csv: row 3, column 'Disk 1 size (In GB)': expected a number >= 0 and <= 1,048,576, "
        "got '2000000'"
    )


def test_control_characters_in_an_export_never_reach_the_draft(tmp_path: Path) -> None:
    """Was: a raw ESC in a comment made the draft "not a text file"; a 100,000-character
    name made it invalid. Now the draft is a catalog `validate` reads (placeholders aside)."""
    vms = [
        FakeVm(
            "eko\x1b[31m-app01\u202e",
            "u-1",
            folder="/Servers/\x07Eko",
            os_tools="Windows\x00 Server 2019",
            powerstate="poweredOff\x1b",
            annotation="a\nb\x0b",
        ),
        FakeVm("x" * 100_000, "u-2"),
    ]
    source = write_rvtools_csv_folder(tmp_path / "export", vms)
    out = tmp_path / "c.yaml"
    code, output = _invoke(
        "import", "rvtools", str(source), "-o", str(out), "--organisation", "Testby",
        "--provider", "ÅDA",
    )  # fmt: skip
    assert code == 0 and "\x1b" not in output
    text = out.read_text(encoding="utf-8")
    assert not any(ch in text for ch in "\x00\x07\x0b\x1b\u202e")
    catalog = load_catalog(out)  # no CatalogError: every name fits its field
    assert max(len(system.name) for system in catalog.systems) <= 200


def test_clean_text() -> None:
    assert clean_text("  a\x1b[31mb\u202ec\u200bd\r\ne ") == "a [31mb c d e"
    assert clean_text("x" * 10, 5) == "xxxx…"
