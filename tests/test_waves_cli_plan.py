"""``utflytt plan``: files written, table printed, JSON mode, errors with exit 1."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from migration.cli import EXAMPLE_CATALOG, cli
from migration.plan import read_plan

SMALL = Path(__file__).parent / "data" / "small.yaml"

TABLE = """\
  wave  start       end           systems    servers    vCPU  frozen
------  ----------  ----------  ---------  ---------  ------  --------
     0  2027-02-01  2027-02-14          1          1       2
     1  2027-02-15  2027-02-28          1          2       8

warnings: 1
"""


class TestPlanCommand:
    def test_writes_plan_json_and_md_and_prints_the_wave_table(self, tmp_path: Path) -> None:
        """The small catalog plans into two waves; both files are written and named."""
        result = CliRunner().invoke(cli, ["plan", str(SMALL), "-o", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert result.output == (
            TABLE + f"wrote {tmp_path / 'plan.json'}\nwrote {tmp_path / 'plan.md'}\n"
        )
        plan = read_plan(tmp_path / "plan.json")
        assert [w.servers for w in plan.waves] == [("dc01",), ("eko-app01", "eko-db01")]
        markdown = (tmp_path / "plan.md").read_text(encoding="utf-8")
        assert markdown.startswith("# Migration plan: Testby kommun\n")
        assert "| wave-01 | 2027-02-15 | 2027-02-28 | 1 | 2 | 8 |  | 0 |" in markdown

    def test_json_prints_the_same_bytes_as_plan_json(self, tmp_path: Path) -> None:
        """--json prints exactly the plan.json it writes."""
        result = CliRunner().invoke(cli, ["plan", str(SMALL), "-o", str(tmp_path), "--json"])
        assert result.exit_code == 0
        assert result.output == (tmp_path / "plan.json").read_text(encoding="utf-8")
        assert json.loads(result.output)["target"] == {
            "provider": "azure",
            "region": "swedencentral",
        }

    def test_target_option_switches_provider(self, tmp_path: Path) -> None:
        """--target aws plans for AWS in its default region."""
        result = CliRunner().invoke(
            cli, ["plan", str(SMALL), "-o", str(tmp_path), "--target", "aws", "--json"]
        )
        assert json.loads(result.output)["target"] == {"provider": "aws", "region": "eu-north-1"}

    def test_invalid_catalog_exits_1_and_writes_nothing(self, tmp_path: Path) -> None:
        """A broken catalog is an error with exit 1 and no output files."""
        bad = tmp_path / "bad.yaml"
        bad.write_text("version: 1\norganisation: X\n", encoding="utf-8")
        out = tmp_path / "out"
        result = CliRunner().invoke(cli, ["plan", str(bad), "-o", str(out)])
        assert result.exit_code == 1
        assert result.output.startswith("Error: catalog is invalid")
        assert not out.exists()

    def test_contradicting_pins_exit_1_naming_both_servers(self, tmp_path: Path) -> None:
        """A pin that contradicts a dependency is reported, nothing written."""
        text = SMALL.read_text(encoding="utf-8")
        text = text.replace(
            "    ip: 10.10.4.21\n", "    ip: 10.10.4.21\n    pinned_wave: 1\n"
        ).replace("    monthly_cost: 300.0\n", "    monthly_cost: 300.0\n    pinned_wave: 2\n")
        catalog = tmp_path / "pins.yaml"
        catalog.write_text(text, encoding="utf-8")
        out = tmp_path / "out"
        result = CliRunner().invoke(cli, ["plan", str(catalog), "-o", str(out)])
        assert result.exit_code == 1
        assert result.output == (
            "Error: servers 'eko-app01' and 'eko-db01' of system 'economy' (prod) are pinned "
            "to different waves (1 and 2); all servers of one system and environment move "
            "together\n"
        )
        assert not out.exists()

    def test_without_catalog_plans_the_bundled_example(self, tmp_path: Path) -> None:
        """No CATALOG plans examples/mariehamn/catalog.yaml within every hard rule."""
        if not EXAMPLE_CATALOG.exists():  # pragma: no cover - the example lands separately
            return
        result = CliRunner().invoke(cli, ["plan", "-o", str(tmp_path)])
        assert result.exit_code == 0, result.output
        plan = read_plan(tmp_path / "plan.json")
        assert plan.waves[0].number == 0 and len(plan.waves) > 2
        assert plan.quality.get("gates_ok") is True
