"""Rendering the exit plan: goldens, escaping, spreadsheet safety, files and the CLI."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from app.cli import cli
from exit_plan import ExitPlanOptionError, load_checklist, render_exit_plan, write_exit_plan
from exit_plan.report import cost_view
from exit_plan.testing import sample_catalog, sample_cost, sample_plan
from migration.catalog import load_catalog_with_digest
from tests import golden_exit_plan as golden

REGENERATE = golden.REGENERATE
XSS = "<script>alert(1)</script>"


def _render(lang: str, fmt: str, **kw: object) -> bytes:
    catalog = kw.get("catalog") or sample_catalog()
    cost = kw["cost"] if "cost" in kw else sample_cost()
    return render_exit_plan(catalog, sample_plan(), cost, lang, fmt)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["sample", "mariehamn"])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_markdown_golden(name: str, lang: str) -> None:
    """The Markdown of the sample and of the bundled example equals its golden file, byte for
    byte (the example is planned and costed in-process from examples/mariehamn/catalog.yaml)."""
    path = golden.golden_path(lang, name)
    actual = golden.render(lang, name)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(actual.encode("utf-8"))
    expected = path.read_bytes().decode("utf-8") if path.exists() else ""
    assert actual == expected, f"{path} is out of date; regenerate with: {REGENERATE}"


def test_markdown_has_mermaid_and_every_item_cites_a_listed_source() -> None:
    """Gantt and dependency graph are Mermaid; every item's source is in the source list."""
    text = _render("sv", "md").decode("utf-8")
    assert "```mermaid\ngantt" in text and "```mermaid\nflowchart LR" in text
    listed = set(re.findall(r'<a id="src-([a-z0-9-]+)"></a>', text))
    sections = re.split(r"\n#### ", text.split("## Körplaner per våg")[0])[1:]
    assert len(sections) > 40
    for section in sections:
        cited = re.findall(r"\]\(#src-([a-z0-9-]+)\)", section)
        assert cited, section.splitlines()[0]
        assert set(cited) <= listed


class TestEscaping:
    def test_html_escapes_catalog_text(self) -> None:
        """A system named like a script tag renders as text in HTML."""
        catalog = sample_catalog({"portal": XSS})
        html = _render("en", "html", catalog=catalog).decode("utf-8")
        assert XSS not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script" not in html.lower()

    def test_markdown_escapes_catalog_text(self) -> None:
        """The same name cannot inject HTML into the Markdown or break the Mermaid graph."""
        catalog = sample_catalog({"portal": XSS + ' "x" | y'})
        text = _render("en", "md", catalog=catalog).decode("utf-8")
        assert XSS not in text
        assert '"x"' not in text.split("flowchart LR")[1].split("```")[0]


class TestSpreadsheet:
    NASTY = {
        "portal": '=HYPERLINK("http://evil")',
        "economy": "+cmd",
        "gis": "-2+3",
        "payroll": "@SUM(A1)",
    }

    def test_no_cell_from_catalog_text_is_a_formula(self) -> None:
        """Catalog text starting with =, +, - or @ is prefixed with an apostrophe."""
        catalog = sample_catalog(self.NASTY)
        book = load_workbook(io.BytesIO(_render("sv", "xlsx", catalog=catalog)))
        seen = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        assert cell.data_type != "f", cell.coordinate
                        assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
                        seen.append(cell.value)
        for name in self.NASTY.values():
            assert any(v.startswith("'" + name) for v in seen), name

    def test_checklist_sheet_has_status_and_owner(self) -> None:
        """The checklist sheet has an owner and a status column on every row, dates as dates."""
        book = load_workbook(io.BytesIO(_render("en", "xlsx")))
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        assert "Owner" in header and "Status" in header and "Due" in header
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) > 80
        status = header.index("Status")
        assert all(r[status] == "open" for r in rows)
        assert book.worksheets[2].title == "Cost comparison"

    def test_deterministic_bytes(self) -> None:
        """Two renders give identical bytes (no timestamps in the file)."""
        assert _render("sv", "xlsx") == _render("sv", "xlsx")


def test_without_cost_the_report_says_so() -> None:
    """With no cost model the sections say it is missing instead of failing."""
    text = _render("en", "md", cost=None).decode("utf-8")
    assert "No cost model (cost.json) was given" in text
    html = _render("en", "html", cost=None).decode("utf-8")
    assert "<svg" not in html and "No cost model" in html


def test_write_exit_plan_checks_options_before_writing(tmp_path: Path) -> None:
    """A bad language writes nothing; good options write one file per language and format."""
    with pytest.raises(ExitPlanOptionError, match="unknown language 'fi'"):
        write_exit_plan(sample_catalog(), sample_plan(), None, tmp_path, langs=("sv", "fi"))
    assert list(tmp_path.iterdir()) == []
    paths = write_exit_plan(
        sample_catalog(), sample_plan(), sample_cost(), tmp_path, langs=("sv", "en")
    )
    assert [p.name for p in paths] == [
        f"exit-plan.{lang}.{fmt}" for lang in ("sv", "en") for fmt in ("md", "html", "xlsx")
    ]


class TestCommand:
    def _inputs(self, tmp_path: Path) -> tuple[Path, Path, Path]:
        catalog_path = tmp_path / "catalog.yaml"
        document = sample_catalog().model_dump(mode="json", by_alias=True, exclude_defaults=True)
        catalog_path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        _, digest = load_catalog_with_digest(catalog_path)
        plan = sample_plan().model_copy(update={"catalog_sha256": digest})
        plan_path = tmp_path / "plan.json"
        plan_path.write_text(json.dumps(plan.to_json_dict()), encoding="utf-8")
        cost_path = tmp_path / "cost.json"
        cost_path.write_text(json.dumps(sample_cost()), encoding="utf-8")
        return catalog_path, plan_path, cost_path

    def test_writes_requested_files(self, tmp_path: Path) -> None:
        """`utflytt exit-plan` writes the asked language and format and lists them."""
        catalog, plan, cost = self._inputs(tmp_path)
        out = tmp_path / "out"
        result = CliRunner().invoke(
            cli,
            [
                "exit-plan",
                str(catalog),
                "--plan",
                str(plan),
                "--cost",
                str(cost),
                "--lang",
                "en",
                "--format",
                "md",
                "-o",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        assert result.output == f"wrote {out / 'exit-plan.en.md'}\n"
        assert "Legal review required" in (out / "exit-plan.en.md").read_text(encoding="utf-8")

    def test_stale_plan_is_an_error(self, tmp_path: Path) -> None:
        """A plan made from another catalog is refused, and nothing is written."""
        catalog, plan, _ = self._inputs(tmp_path)
        stale = json.loads(plan.read_text(encoding="utf-8"))
        stale["catalog_sha256"] = "f" * 64
        plan.write_text(json.dumps(stale), encoding="utf-8")
        out = tmp_path / "out"
        result = CliRunner().invoke(
            cli, ["exit-plan", str(catalog), "--plan", str(plan), "-o", str(out)]
        )
        assert result.exit_code == 1
        assert "was made from another catalog" in result.output
        assert not out.exists()

    def test_bad_cost_file_is_an_error(self, tmp_path: Path) -> None:
        """An invalid cost.json names the file and position."""
        catalog, plan, cost = self._inputs(tmp_path)
        cost.write_text("{not json", encoding="utf-8")
        result = CliRunner().invoke(
            cli,
            [
                "exit-plan",
                str(catalog),
                "--plan",
                str(plan),
                "--cost",
                str(cost),
                "-o",
                str(tmp_path / "o"),
            ],
        )
        assert result.exit_code == 1
        assert f"Error: {cost}:1:2: invalid JSON" in result.output

    def test_bad_lang_is_a_usage_error(self) -> None:
        """An unknown language is a usage error (exit code 2)."""
        result = CliRunner().invoke(cli, ["exit-plan", "--lang", "fi"])
        assert result.exit_code == 2


class TestExampleCosts:
    """The example's real cost.json: the comparison is staying at ÅDA vs moving to Azure vs
    moving to AWS (``stay`` and ``paths``), not the parts in ``providers``."""

    def test_comparison_rows_are_stay_and_the_paths(self) -> None:
        """Rows, totals and one-time costs come from stay/paths; the parts are listed apart."""
        catalog, plan, cost = golden.example_inputs()
        assert set(cost["providers"]) == {"ada", "azure", "aws"} and cost["stay"]
        view = cost_view(cost, load_checklist(), "sv")
        assert view is not None
        rows = {r["key"]: r for r in view["rows"]}
        assert list(rows) == ["stay", "azure", "aws"]
        assert rows["stay"]["label"] == "Stanna hos ÅDA"
        assert rows["azure"]["label"] == "Flytta till Azure"
        assert rows["stay"]["total"] == cost["stay"]["total"]
        for key in ("azure", "aws"):
            path = cost["paths"][key]
            assert rows[key]["total"] == path["total"]
            assert rows[key]["yearly"] == [path["yearly"][y] for y in view["years"]]
            parts = cost["providers"]["ada"]["one_time"] + cost["providers"][key]["one_time"]
            assert rows[key]["one_time"] == parts
        assert [p["key"] for p in view["parts"]] == ["ada", "azure", "aws"]

    def test_charts_compare_the_alternatives_and_say_there_is_no_break_even(self) -> None:
        """Three series in each chart; with break-even null for both clouds no marker is drawn
        and the chart and the text say there is none within the horizon."""
        catalog, plan, cost = golden.example_inputs()
        assert cost["break_even"] == {"azure": None, "aws": None}
        html = render_exit_plan(catalog, plan, cost, "sv", "html").decode("utf-8")
        costs = html.split('<section id="costs">')[1].split("</section>")[0]
        yearly = costs.split('id="chart-yearly"')[1].split("</svg>")[0]
        cumulative = costs.split('id="chart-cumulative"')[1].split("</svg>")[0]
        for label in ("Stanna hos ÅDA", "Flytta till Azure", "Flytta till AWS"):
            assert f">{label}</text>" in yearly and f">{label}</text>" in cumulative
        assert cumulative.count("<polyline") == 3
        assert 'class="break-even"' not in cumulative
        assert "ingen brytpunkt inom 2027–2030" in cumulative
        assert "Flytta till Azure: ingen brytpunkt inom 2027–2030" in costs

    def test_legal_flags_in_swedish_with_the_numbers(self) -> None:
        """The cost model's legal flags read in Swedish with the contract's numbers."""
        text = golden.render("sv", "mariehamn")
        legal = text.split("## Juridisk granskning krävs")[1].split("## Vågor")[0]
        assert re.search(r"utträdesavgift på 18\s000 EUR", legal)
        assert "uppsägningstid är 6 månader" in legal
        assert "Legal review needed" not in legal
