"""``utflytt plan``: files written, table printed, JSON mode, errors with exit 1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.cli.options import EXAMPLE_CATALOG
from migration.plan import read_plan

SMALL = Path(__file__).parent / "data" / "small.yaml"

TABLE = """\
  wave  start       end           systems    servers    vCPU  frozen
------  ----------  ----------  ---------  ---------  ------  --------
     0  2027-02-01  2027-02-14          1          1       2
     1  2027-02-15  2027-02-28          1          2       8

Warnings (2):
  no-pilot: no system qualifies for a pilot wave (low criticality, not citizen-facing, at most 2 dependant systems): wave 1 is an ordinary wave
  network-source-network: server eko-db01 has no ip: its flows into the cloud are admitted from the whole source network(s) 10.10.0.0/16; add its ip

"""
NO_STACKS = (
    "stack configs: none written (no Pulumi project beside the catalog; create one with "
    "`utflytt init DIR`, or pass --stack-config-dir)\n"
)


OUTPUTS = (
    "plan.json",
    "plan.md",
    "cost.json",
    "cost.csv",
    "cost.xlsx",
    "exit-plan.json",
    "exit-plan.sv.md",
    "exit-plan.sv.appendix.md",
    "exit-plan.sv.html",
    "exit-plan.sv.xlsx",
)


@pytest.fixture(autouse=True)
def _outside_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a folder without Pulumi.yaml, so no stack config is written by default."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


class TestPlanCommand:
    def test_writes_plan_json_and_md_and_prints_the_wave_table(self, tmp_path: Path) -> None:
        """The small catalog plans into two waves; every output is written and named."""
        result = CliRunner().invoke(cli, ["plan", str(SMALL), "-o", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert result.output == (
            TABLE + "Plan: 3 servers in 2 waves, 2027-02-01 to 2027-02-28; 2 warnings; "
            f"10 files in {tmp_path}/\n" + NO_STACKS
        )
        verbose = CliRunner().invoke(cli, ["plan", str(SMALL), "-o", str(tmp_path), "-v"])
        assert "".join(f"wrote {tmp_path / name}\n" for name in OUTPUTS) in verbose.output
        quiet = CliRunner().invoke(cli, ["plan", str(SMALL), "-o", str(tmp_path), "--quiet"])
        assert quiet.output == (
            "Plan: 3 servers in 2 waves, 2027-02-01 to 2027-02-28; 2 warnings; "
            f"10 files in {tmp_path}/\n" + NO_STACKS
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
            f"together\n  at {catalog}:54: server 'eko-app01' pinned_wave\n"
            f"  at {catalog}:69: server 'eko-db01' pinned_wave\n"
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


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    result = CliRunner().invoke(cli, ["init", str(project)])
    assert result.exit_code == 0, result.output
    (project / "catalog.yaml").write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    return project


def test_init_scaffolds_a_project_and_keeps_existing_files(tmp_path: Path) -> None:
    """init writes Pulumi.yaml, __main__.py, .gitignore, README and stacks/; never overwrites."""
    project = tmp_path / "p"
    (project).mkdir()
    (project / "README.md").write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(project)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"created {project}/Pulumi.yaml\ncreated {project}/__main__.py\n"
        f"created {project}/.gitignore\ncreated {project}/stacks/\n"
        f"kept {project}/README.md (exists)\n"
        f"next: put your catalog in {project}/catalog.yaml, then "
        f"`utflytt plan {project}/catalog.yaml -o {project}/build`\n"
    )
    assert (project / "README.md").read_text(encoding="utf-8") == "mine\n"
    pulumi_yaml = (project / "Pulumi.yaml").read_text(encoding="utf-8")
    assert "name: p\n" in pulumi_yaml and "stackConfigDir: stacks\n" in pulumi_yaml
    assert "main(Path(__file__).resolve().parent)" in (project / "__main__.py").read_text()


def test_plan_writes_stack_configs_into_the_project_beside_the_catalog(tmp_path: Path) -> None:
    """Pulumi.yaml beside the catalog: configs go to its stackConfigDir, planPath relative."""
    project = _project(tmp_path)
    build = project / "build"
    result = CliRunner().invoke(cli, ["plan", str(project / "catalog.yaml"), "-o", str(build)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        f"stack configs: 3 written, 0 unchanged, 0 stale ({project}/stacks)\n"
        f"allocations: updated {project}/stacks/allocations.json\n"
    )
    configs = sorted(p.name for p in (project / "stacks").iterdir())
    assert configs == [
        "Pulumi.foundation.yaml",
        "Pulumi.wave-00.yaml",
        "Pulumi.wave-01.yaml",
        "allocations.json",
    ]
    text = (project / "stacks" / "Pulumi.wave-01.yaml").read_text(encoding="utf-8")
    assert "  utflytt:planPath: build/plan.json\n" in text
    assert "  utflytt:wave: 1\n" in text


def test_replan_keeps_secrets_and_reports_a_stale_stack_without_deleting(tmp_path: Path) -> None:
    """A secret and encryptionsalt survive a re-plan; a wave the plan lost is stale, kept."""
    project = _project(tmp_path)
    args = ["plan", str(project / "catalog.yaml"), "-o", str(project / "build")]
    assert CliRunner().invoke(cli, args).exit_code == 0
    wave = project / "stacks" / "Pulumi.wave-01.yaml"
    secret = "encryptionsalt: v1:salt\nconfig:\n  utflytt:adminPassword:\n    secure: v1:pw\n"
    wave.write_text(wave.read_text(encoding="utf-8").replace("config:\n", secret))
    old = project / "stacks" / "Pulumi.wave-05.yaml"
    old.write_text("encryptionsalt: v1:x\nconfig: {}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        "Stale stack configs (may still be deployed: `pulumi destroy` it first):\n"
        f"  {old}\n"
        "Plan: 3 servers in 2 waves, 2027-02-01 to 2027-02-28; 2 warnings; "
        f"10 files in {project}/build/\n"
        f"stack configs: 1 written, 2 unchanged, 1 stale ({project}/stacks)\n"
    )
    text = wave.read_text(encoding="utf-8")
    assert "encryptionsalt: v1:salt\n" in text and "    secure: v1:pw\n" in text
    assert old.read_text(encoding="utf-8") == "encryptionsalt: v1:x\nconfig: {}\n"


def test_a_catalog_elsewhere_never_writes_into_the_current_project(tmp_path: Path) -> None:
    """Run from a project root, planning a catalog outside it writes no stack config there."""
    project = _project(tmp_path)
    os.chdir(project)
    result = CliRunner().invoke(cli, ["plan", str(SMALL), "-o", "build"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(NO_STACKS)
    assert list((project / "stacks").iterdir()) == []


def test_stack_config_dir_option_wins(tmp_path: Path) -> None:
    """--stack-config-dir writes there; planPath is relative to the Pulumi.yaml above it."""
    project = _project(tmp_path)
    target = project / "elsewhere"
    args = ["plan", str(SMALL), "-o", str(project / "build"), "--stack-config-dir", str(target)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    text = (target / "Pulumi.wave-00.yaml").read_text(encoding="utf-8")
    assert "  utflytt:planPath: build/plan.json\n" in text


def test_same_catalog_gives_the_same_bytes(tmp_path: Path) -> None:
    """Two runs write byte-identical plan, cost and exit-plan files."""
    runner = CliRunner()
    for name in ("a", "b"):
        assert runner.invoke(cli, ["plan", str(SMALL), "-o", str(tmp_path / name)]).exit_code == 0
    for name in OUTPUTS:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_unknown_pins_file_is_an_error(tmp_path: Path) -> None:
    """A pins file that cannot be read is an error (exit 1) and nothing is written."""
    missing = tmp_path / "no.json"
    result = CliRunner().invoke(
        cli, ["plan", str(SMALL), "-o", str(tmp_path / "out"), "--pins", str(missing)]
    )
    assert result.exit_code == 1
    assert result.output == f"Error: {missing}: cannot read pins: No such file or directory\n"
    assert not (tmp_path / "out").exists()


class TestPlanOfAnotherCatalog:
    """Commands that take a catalog and ``--plan`` refuse a plan made from another catalog."""

    def test_cost_refuses_a_plan_of_another_catalog(self, tmp_path: Path) -> None:
        """Before the fix `cost` priced the example's servers with the small catalog's waves."""
        runner = CliRunner()
        out = tmp_path / "small"
        assert runner.invoke(cli, ["plan", str(SMALL), "-o", str(out)]).exit_code == 0
        plan_path = out / "plan.json"
        digest = read_plan(plan_path).catalog_sha256
        other = tmp_path / "other.yaml"
        other.write_text(SMALL.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        args = ["cost", str(other), "--plan", str(plan_path), "-o", str(tmp_path / "c")]
        result = runner.invoke(cli, args)
        assert result.exit_code == 1
        assert result.output.startswith(
            f"Error: {plan_path} was made from another catalog than {other}\n(catalog SHA-256 "
        )
        assert f"plan says {digest[:12]}).\nRun `utflytt plan {other}` again" in result.output
        assert not (tmp_path / "c").exists()
        same = ["cost", str(SMALL), "--plan", str(plan_path), "-o", str(tmp_path / "c"), "--json"]
        assert runner.invoke(cli, same).exit_code == 0


def test_the_bundled_example_never_lands_in_a_users_project(tmp_path: Path) -> None:
    """`utflytt plan` without CATALOG from a project made by init writes no stack config."""
    project = _project(tmp_path)
    os.chdir(project)
    result = CliRunner().invoke(cli, ["plan", "-o", "build", "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        "stack configs: none written (no Pulumi project here for the bundled example; create one "
        "with `utflytt init DIR`, or pass --stack-config-dir)\n"
    )
    assert list((project / "stacks").iterdir()) == []
