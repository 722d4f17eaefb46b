"""Plan diff: servers that changed wave, waves added or removed, dates moved; `utflytt diff`."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from click.testing import CliRunner

from app.cli import cli
from migration.fileio import dumps_json
from migration.plan import Plan, PlannedServer, Wave
from tests.test_waves_graph import make_plan
from waves.diff import diff_plans


def changed(plan: Plan) -> Plan:
    servers = dict(plan.servers)
    servers["eko-app01"] = PlannedServer(wave=2, system="economy")
    servers["eko-db01"] = PlannedServer(wave=2, system="economy")
    servers["new01"] = PlannedServer(wave=2, system="economy")
    del servers["eko-test01"]
    waves = (
        plan.waves[0],
        Wave(
            number=2,
            name="wave-02",
            start=date(2027, 3, 1),
            end=date(2027, 3, 14),
            servers=("eko-app01", "eko-db01", "new01"),
        ),
    )
    waves = (waves[0].model_copy(update={"start": date(2027, 2, 2)}), waves[1])
    return plan.model_copy(update={"servers": servers, "waves": waves})


TEXT = """\
servers that changed wave (2):
  eko-app01  1 -> 2  (economy)
  eko-db01   1 -> 2  (economy)
servers added (1): new01
servers removed (1): eko-test01
waves added (1):
  wave-02  2027-03-01..2027-03-14  3 servers
waves removed (1):
  wave-01  2027-02-15..2027-02-28  0 servers
wave dates moved (1):
  wave-00  2027-02-01..2027-02-14 -> 2027-02-02..2027-02-14  (+1 days)
"""


class TestDiff:
    def test_identical_plans(self):
        """Two equal plans have no changes."""
        result = diff_plans(make_plan(), make_plan())
        assert result.empty
        assert result.render_text() == "no changes\n"

    def test_every_kind_of_change(self):
        """Moved servers, added/removed servers and waves, moved dates are all reported."""
        result = diff_plans(make_plan(), changed(make_plan()))
        assert result.render_text() == TEXT
        data: dict[str, Any] = result.to_json()
        assert data["servers_moved"] == [
            {"server": "eko-app01", "system": "economy", "from_wave": 1, "to_wave": 2},
            {"server": "eko-db01", "system": "economy", "from_wave": 1, "to_wave": 2},
        ]
        assert data["dates_moved"][0]["shift_days"] == 1

    def test_server_leaving_the_migration(self):
        """A server that stops migrating shows as moved to 'not migrated'."""
        new = make_plan()
        servers = {**new.servers, "dc01": PlannedServer(wave=None, system="ad")}
        result = diff_plans(make_plan(), new.model_copy(update={"servers": servers}))
        assert "  dc01  0 -> not migrated  (ad)" in result.render_text()


class TestDiffCommand:
    def _write(self, tmp_path, name, plan):
        path = tmp_path / name
        path.write_text(dumps_json(plan.to_json_dict()))
        return str(path)

    def test_text_exit_zero_when_different(self, tmp_path):
        """Differences are printed and the exit code stays 0."""
        old = self._write(tmp_path, "old.json", make_plan())
        new = self._write(tmp_path, "new.json", changed(make_plan()))
        result = CliRunner().invoke(cli, ["diff", old, new])
        assert result.exit_code == 0
        assert result.output == TEXT

    def test_json_and_no_changes(self, tmp_path):
        """`--json` prints the machine form; equal plans say no changes."""
        old = self._write(tmp_path, "old.json", make_plan())
        result = CliRunner().invoke(cli, ["diff", old, old, "--json"])
        assert result.exit_code == 0
        assert json.loads(result.output)["changed"] is False
        assert CliRunner().invoke(cli, ["diff", old, old]).output == "no changes\n"

    def test_exit_code_option_exits_one_only_when_plans_differ(self, tmp_path):
        """`--exit-code`: 1 with the same output when the plans differ, 0 when equal."""
        old = self._write(tmp_path, "old.json", make_plan())
        new = self._write(tmp_path, "new.json", changed(make_plan()))
        result = CliRunner().invoke(cli, ["diff", old, new, "--exit-code"])
        assert result.exit_code == 1 and result.output == TEXT
        as_json = CliRunner().invoke(cli, ["diff", old, new, "--exit-code", "--json"])
        assert as_json.exit_code == 1 and json.loads(as_json.output)["changed"] is True
        same = CliRunner().invoke(cli, ["diff", old, old, "--exit-code"])
        assert same.exit_code == 0 and same.output == "no changes\n"

    def test_invalid_plan_with_json_prints_the_error_as_json(self, tmp_path):
        """`--json` on a failure: stdout has {"error": ...}, exit 1."""
        old = self._write(tmp_path, "old.json", make_plan())
        missing = tmp_path / "missing.json"
        result = CliRunner().invoke(cli, ["diff", old, str(missing), "--json"])
        assert result.exit_code == 1
        assert json.loads(result.stdout) == {
            "error": f"{missing}: cannot read plan: No such file or directory",
            "errors": [],
        }

    def test_invalid_plan_exits_one(self, tmp_path):
        """A file that is not a plan exits 1 and names the file and field."""
        old = self._write(tmp_path, "old.json", make_plan())
        bad = tmp_path / "bad.json"
        bad.write_text('{"schema_version": 1}')
        result = CliRunner().invoke(cli, ["diff", old, str(bad)])
        assert result.exit_code == 1
        assert result.output.startswith(f"Error: {bad}: not a utflytt plan.json (schema 1): ")
