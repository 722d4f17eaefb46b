"""Mermaid and DOT rendering of a hand-built plan, and `utflytt graph`."""

from __future__ import annotations

from click.testing import CliRunner

from app.cli import cli
from migration.fileio import dumps_json
from migration.plan import Flow, Plan, PlannedServer
from tests.builders import hand_plan, planned_system
from waves.render_graph import render_dot, render_mermaid


def make_plan() -> Plan:
    servers = {
        "dc01": PlannedServer(wave=0, system="ad"),
        "eko-app01": PlannedServer(wave=1, system="economy"),
        "eko-db01": PlannedServer(wave=1, system="economy"),
        "eko-test01": PlannedServer(wave=0, system="economy", environment="test"),
        "arkiv01": PlannedServer(wave=None, system="archive", disposition="retain"),
    }
    flows = (
        Flow.model_validate({"from": "eko-app01", "to": "dc01", "ports": ["tcp/389", "tcp/636"]}),
        Flow.model_validate({"from": "eko-db01", "to": "dc01", "ports": ["tcp/389"]}),
        Flow.model_validate(
            {
                "from": "eko-app01",
                "to": "eko-db01",
                "ports": ["tcp/1433"],
                "latency_sensitive": True,
            }
        ),
        Flow.model_validate(
            {"from": "eko-app01", "to": "arkiv01", "ports": ["tcp/443"], "latency_sensitive": True}
        ),
    )
    systems = {"ad": planned_system("Active Directory"), "economy": planned_system('Eko "Raha"')}
    return hand_plan(servers, (0, 1), flows, ("arkiv01",), systems, catalog_sha256="a" * 64)


MERMAID = """\
flowchart LR
  subgraph wave00["wave-00 2027-02-01..2027-02-14"]
    w00_ad["Active Directory (ad)<br/>1 server"]
    w00_economy["Eko #quot;Raha#quot; (economy)<br/>1 server"]
  end
  subgraph wave01["wave-01 2027-02-15..2027-02-28"]
    w01_economy["Eko #quot;Raha#quot; (economy)<br/>2 servers"]
  end
  subgraph stays["not migrated"]
    stay_archive["archive<br/>1 server"]
  end
  w01_economy ==>|"tcp/443"| stay_archive
  w01_economy -->|"tcp/389, tcp/636"| w00_ad
"""


class TestRender:
    def test_mermaid_exact(self):
        """Waves are subgraphs, systems carry server counts, LS edges are thick, ports label."""
        assert render_mermaid(make_plan()) == MERMAID

    def test_dot_clusters_and_bold_edges(self):
        """DOT has one cluster per wave, escaped labels and bold latency-sensitive edges."""
        dot = render_dot(make_plan())
        assert "subgraph cluster_wave00 {" in dot and "subgraph cluster_stays {" in dot
        assert 'w01_economy [label="Eko \\"Raha\\"\\n(economy)\\n2 servers"];' in dot
        assert 'w01_economy -> stay_archive [label="tcp/443", penwidth=3, style=bold];' in dot
        assert 'w01_economy -> w00_ad [label="tcp/389, tcp/636"];' in dot
        assert dot.startswith("digraph plan {\n") and dot.endswith("}\n")

    def test_deterministic_under_input_order(self):
        """Reversing the flows and servers changes no byte of the output."""
        plan = make_plan()
        shuffled = plan.model_copy(
            update={
                "flows": tuple(reversed(plan.flows)),
                "servers": dict(reversed(list(plan.servers.items()))),
            }
        )
        assert render_mermaid(shuffled) == render_mermaid(plan)
        assert render_dot(shuffled) == render_dot(plan)


class TestGraphCommand:
    def test_writes_mermaid_to_stdout(self, tmp_path):
        """`utflytt graph PLAN` prints Mermaid."""
        path = tmp_path / "plan.json"
        path.write_text(dumps_json(make_plan().to_json_dict()))
        result = CliRunner().invoke(cli, ["graph", str(path)])
        assert result.exit_code == 0
        assert result.output == MERMAID

    def test_dot_to_file(self, tmp_path):
        """`--format dot -o FILE` writes the file and says so."""
        path = tmp_path / "plan.json"
        path.write_text(dumps_json(make_plan().to_json_dict()))
        out = tmp_path / "g.dot"
        result = CliRunner().invoke(cli, ["graph", str(path), "--format", "dot", "-o", str(out)])
        assert result.exit_code == 0
        assert result.output == f"wrote {out}\n"
        assert out.read_text() == render_dot(make_plan())

    def test_wave_option_draws_the_wave_and_its_direct_providers(self, tmp_path):
        """`--wave 1`: economy's wave-1 node and the providers it needs, nothing else."""
        path = tmp_path / "plan.json"
        path.write_text(dumps_json(make_plan().to_json_dict()))
        result = CliRunner().invoke(cli, ["graph", str(path), "--wave", "1"])
        assert result.exit_code == 0
        assert result.output == (
            "flowchart LR\n"
            '  subgraph wave00["wave-00 2027-02-01..2027-02-14"]\n'
            '    w00_ad["Active Directory (ad)<br/>1 server"]\n'
            "  end\n"
            '  subgraph wave01["wave-01 2027-02-15..2027-02-28"]\n'
            '    w01_economy["Eko #quot;Raha#quot; (economy)<br/>2 servers"]\n'
            "  end\n"
            '  subgraph stays["not migrated"]\n'
            '    stay_archive["archive<br/>1 server"]\n'
            "  end\n"
            '  w01_economy ==>|"tcp/443"| stay_archive\n'
            '  w01_economy -->|"tcp/389, tcp/636"| w00_ad\n'
        )
        wave0 = CliRunner().invoke(cli, ["graph", str(path), "--wave", "0"])
        assert "w00_economy" in wave0.output and "w01_economy" not in wave0.output
        assert "-->" not in wave0.output  # wave 0's systems need nothing outside it

    def test_unknown_wave_is_an_error(self, tmp_path):
        """`--wave 7` on a two-wave plan exits 1 naming the waves there are."""
        path = tmp_path / "plan.json"
        path.write_text(dumps_json(make_plan().to_json_dict()))
        result = CliRunner().invoke(cli, ["graph", str(path), "--wave", "7"])
        assert result.exit_code == 1
        assert result.output == "Error: no wave 7 in the plan (waves 0..1)\n"

    def test_missing_plan_is_an_error(self, tmp_path):
        """A missing plan exits 1 naming the file."""
        missing = tmp_path / "nope.json"
        result = CliRunner().invoke(cli, ["graph", str(missing)])
        assert result.exit_code == 1
        assert result.output == (f"Error: {missing}: cannot read plan: No such file or directory\n")
