"""Wave sheet: CSV export with formula neutralising, edited sheet back as pins; CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.errors import InputFileError
from migration.fileio import dumps_json
from migration.plan import PlannedServer
from tests.test_waves_graph import make_plan
from waves.csvio import export_csv, read_pins, read_pins_json

EXPORT = """\
server,system,environment,wave,start,end,frozen,reason
dc01,ad,prod,0,2027-02-01,2027-02-14,no,foundation system
eko-test01,economy,test,0,2027-02-01,2027-02-14,no,
eko-app01,economy,prod,1,2027-02-15,2027-02-28,no,'=HYPERLINK(1)
eko-db01,economy,prod,1,2027-02-15,2027-02-28,no,
"""


def plan_with_reasons():
    plan = make_plan()
    servers = dict(plan.servers)
    servers["dc01"] = PlannedServer(wave=0, system="ad", reason="foundation system")
    servers["eko-app01"] = PlannedServer(wave=1, system="economy", reason="=HYPERLINK(1)")
    servers["old01"] = PlannedServer(wave=1, system="economy", migrated=True)
    return plan.model_copy(update={"servers": servers})


class TestExport:
    def test_rows_sorted_and_formulas_neutralised(self):
        """One row per migrating server; a cell starting with = gets a leading quote."""
        plan = make_plan()
        servers = {
            **plan.servers,
            "dc01": PlannedServer(wave=0, system="ad", reason="foundation system"),
            "eko-app01": PlannedServer(wave=1, system="economy", reason="=HYPERLINK(1)"),
        }
        assert export_csv(plan.model_copy(update={"servers": servers})) == EXPORT


class TestReadPins:
    def test_only_changed_rows_become_pins(self, tmp_path):
        """Unchanged rows are ignored; a quoted formula cell and a BOM are tolerated."""
        sheet = tmp_path / "w.csv"
        edited = EXPORT.replace("eko-app01,economy,prod,1", "eko-app01,economy,prod,3")
        edited = edited.replace("eko-db01,economy,prod,1", "eko-db01,economy,prod,3")
        sheet.write_text("\ufeff" + edited, encoding="utf-8")
        assert read_pins(sheet, plan_with_reasons()) == {"eko-app01": 3, "eko-db01": 3}

    def test_every_problem_is_listed_with_row_and_column(self, tmp_path):
        """Unknown, duplicate, non-integer, not-migrating, frozen and split-group rows."""
        sheet = tmp_path / "w.csv"
        sheet.write_text(
            "wave,server\n"
            "2,ghost\n"
            "x,dc01\n"
            "1,dc01\n"
            "3,arkiv01\n"
            "4,old01\n"
            "5,eko-app01\n"
            "6,eko-db01\n"
            "-1,eko-test01\n",
            encoding="utf-8",
        )
        with pytest.raises(InputFileError) as info:
            read_pins(sheet, plan_with_reasons())
        assert str(info.value) == "\n".join(
            [
                f"{sheet}: 7 errors in the wave sheet",
                f"{sheet}:2:2: server: unknown server 'ghost' (not in the plan)",
                f"{sheet}:3:1: wave: expected a whole wave number >= 0, got 'x'",
                f"{sheet}:4:2: server: duplicate row for server 'dc01' (first at row 3)",
                f"{sheet}:5:1: wave: server 'arkiv01' does not migrate (disposition retain); "
                "expected an empty wave",
                f"{sheet}:6:1: wave: server 'old01' is already migrated; its wave 1 is frozen",
                f"{sheet}:8:1: wave: server 'eko-db01' is given wave 6 but 'eko-app01' (row 7) "
                "wave 5; they move together (economy, prod)",
                f"{sheet}:9:1: wave: expected a whole wave number >= 0, got '-1'",
            ]
        )

    def test_missing_header_column(self, tmp_path):
        """A sheet without the wave column is rejected naming it."""
        sheet = tmp_path / "w.csv"
        sheet.write_text("server,system\ndc01,ad\n", encoding="utf-8")
        with pytest.raises(InputFileError, match=r"w.csv:1: missing column 'wave'"):
            read_pins(sheet, make_plan())

    @pytest.mark.parametrize(
        ("separator", "newline", "encoding", "bom"),
        [
            (";", "\r\n", "utf-8", "\ufeff"),  # Excel in Finland: "CSV UTF-8"
            (";", "\r\n", "cp1252", ""),  # Excel in Finland: "CSV (semicolon)"
            ("\t", "\n", "utf-8", ""),  # "Text (tab delimited)"
            (",", "\r\n", "utf-8", "\ufeff"),
        ],
    )
    def test_the_sheet_reads_back_as_a_spreadsheet_saves_it(
        self, tmp_path, separator, newline, encoding, bom
    ):
        """Separator, BOM, line endings and encoding are detected (the importers' reader)."""
        edited = EXPORT.replace("eko-app01,economy,prod,1", "eko-app01,economy,prod,3")
        edited = edited.replace("eko-db01,economy,prod,1", "eko-db01,economy,prod,3")
        edited = edited.replace("'=HYPERLINK(1)", "'=HYPERLINK(1) åäö")
        text = bom + edited.replace(",", separator).replace("\n", newline)
        sheet = tmp_path / "w.csv"
        sheet.write_bytes(text.encode(encoding))
        assert read_pins(sheet, plan_with_reasons()) == {"eko-app01": 3, "eko-db01": 3}

    def test_a_wrong_separator_gets_a_hint(self, tmp_path):
        """A pipe-separated sheet: the missing-columns error names the separator it found."""
        sheet = tmp_path / "w.csv"
        sheet.write_text("server|system|wave\ndc01|ad|0\n", encoding="utf-8")
        with pytest.raises(InputFileError) as info:
            read_pins(sheet, make_plan())
        assert str(info.value) == (
            f"{sheet}:1: missing columns 'server', 'wave' in the header row "
            "(expected server,system,environment,wave,start,end,frozen,reason) "
            "(the header row is one cell: is the separator '|'? expected comma, semicolon or "
            "tab; save the sheet as CSV)"
        )

    def test_pins_json_round_trip(self, tmp_path):
        """The pins file is read back; a bad wave names the server."""
        path = tmp_path / "pins.json"
        path.write_text('{"pins": {"b": 2, "a": 1}}')
        assert read_pins_json(path) == {"a": 1, "b": 2}
        path.write_text('{"pins": {"a": "2"}}')
        with pytest.raises(InputFileError, match=r"pins.a: expected a whole wave number"):
            read_pins_json(path)


class TestWavesCommands:
    def test_export_then_pins(self, tmp_path):
        """Export, edit the wave column, get pins: the spreadsheet round trip."""
        plan_path = tmp_path / "plan.json"
        plan_path.write_text(dumps_json(make_plan().to_json_dict()))
        sheet = tmp_path / "waves.csv"
        runner = CliRunner()
        result = runner.invoke(cli, ["waves", "export", str(plan_path), "-o", str(sheet)])
        assert result.exit_code == 0
        assert result.output == f"wrote {sheet} (4 servers)\n"
        text = sheet.read_text(encoding="utf-8")
        sheet.write_text(text.replace("eko-test01,economy,test,0", "eko-test01,economy,test,1"))
        pins = tmp_path / "pins.json"
        result = runner.invoke(
            cli, ["waves", "pins", str(sheet), "--plan", str(plan_path), "-o", str(pins)]
        )
        assert result.exit_code == 0
        assert result.output == (
            "server      system      planned    pinned\n"
            "----------  --------  ---------  --------\n"
            "eko-test01  economy           0         1\n"
            f"wrote {pins} (1 pin)\n"
        )
        assert json.loads(pins.read_text()) == {
            "origin": {"eko-test01": f"{sheet}:3"},
            "pins": {"eko-test01": 1},
        }

    def test_bad_sheet_exits_one_and_writes_nothing(self, tmp_path):
        """An invalid sheet is exit 1 with every error, and no pins file."""
        plan_path = tmp_path / "plan.json"
        plan_path.write_text(dumps_json(make_plan().to_json_dict()))
        sheet = tmp_path / "waves.csv"
        sheet.write_text("server,wave\nghost,1\n")
        pins = tmp_path / "pins.json"
        result = CliRunner().invoke(
            cli, ["waves", "pins", str(sheet), "--plan", str(plan_path), "-o", str(pins)]
        )
        assert result.exit_code == 1
        assert result.output == (
            f"Error: {sheet}: 1 error in the wave sheet\n"
            f"{sheet}:2:1: server: unknown server 'ghost' (not in the plan)\n"
        )
        assert not pins.exists()

    def test_no_edits(self, tmp_path):
        """An unedited sheet gives no pins and says so."""
        plan_path = tmp_path / "plan.json"
        plan_path.write_text(dumps_json(make_plan().to_json_dict()))
        sheet = tmp_path / "waves.csv"
        sheet.write_text(export_csv(make_plan()))
        result = CliRunner().invoke(cli, ["waves", "pins", str(sheet), "--plan", str(plan_path)])
        assert result.exit_code == 0
        assert result.output == "no edits: every wave matches the plan\n"


class TestEditedSheetsAreCheckedWithTheirRows:
    """An edited sheet goes through every planning rule; each message names its CSV row."""

    @pytest.fixture(autouse=True)
    def _outside_the_project(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)  # plan writes no stack configs into the repository

    @staticmethod
    def _pins_from_edits(tmp_path, edits: dict[str, int]):
        from pathlib import Path

        small = Path(__file__).parent / "data" / "small.yaml"
        runner = CliRunner()
        out = tmp_path / "build"
        assert runner.invoke(cli, ["plan", str(small), "-o", str(out)]).exit_code == 0
        sheet = out / "waves.csv"
        runner.invoke(cli, ["waves", "export", str(out / "plan.json"), "-o", str(sheet)])
        lines = sheet.read_text(encoding="utf-8").splitlines(keepends=True)
        for i, line in enumerate(lines):
            cells = line.split(",")
            if cells[0] in edits:
                cells[3] = str(edits[cells[0]])
                lines[i] = ",".join(cells)
        sheet.write_text("".join(lines), encoding="utf-8")
        pins = out / "pins.json"
        args = ["waves", "pins", str(sheet), "--plan", str(out / "plan.json"), "-o", str(pins)]
        assert runner.invoke(cli, args).exit_code == 0
        return small, out, sheet, pins

    def test_a_move_made_to_honour_an_edit_is_reported(self, tmp_path):
        """AD edited after its consumer: the consumer follows, and a warning says why.

        Before the fix the consumer was moved silently.
        """
        small, out, sheet, pins = self._pins_from_edits(tmp_path, {"dc01": 2})
        result = CliRunner().invoke(
            cli, ["plan", str(small), "-o", str(out), "--pins", str(pins), "--json"]
        )
        assert result.exit_code == 0, result.output
        planned = json.loads(result.output)
        assert planned["servers"]["eko-app01"]["wave"] == 2
        moves = [w for w in planned["warnings"] if w["code"] == "pin-moves"]
        assert [w["message"] for w in moves] == [
            f"economy/prod moves in wave 2 to honour the pin of 'dc01' ({sheet}:2), no earlier "
            "than wave 2: it depends on 'dc01'"
        ]

    def test_a_contradiction_between_two_edited_rows_names_both_rows(self, tmp_path):
        """Both ends edited into the wrong order: exit 1, each row and catalog line named."""
        edits = {"dc01": 4, "eko-app01": 3, "eko-db01": 3}
        small, out, sheet, pins = self._pins_from_edits(tmp_path, edits)
        result = CliRunner().invoke(cli, ["plan", str(small), "-o", str(out), "--pins", str(pins)])
        assert result.exit_code == 1
        assert result.output == (
            "Error: pins contradict a dependency: server 'eko-app01' is pinned to wave 3, before "
            "'dc01' pinned to wave 4, which it depends on (directly or through others; a "
            "provider never moves after its consumer, test and dev never after prod)\n"
            f"  at {sheet}:3: server 'eko-app01' pinned to wave 3\n"
            f"  at {sheet}:2: server 'dc01' pinned to wave 4\n"
            f"  at {small}:46: server 'eko-app01'\n"
            f"  at {small}:38: server 'dc01'\n"
        )
