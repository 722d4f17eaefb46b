"""Rendering the exit plan: goldens, escaping, spreadsheet safety, files and the CLI."""

from __future__ import annotations

import io
import json
import os
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.cli import cli
from exit_plan import (
    ExitPlanOptionError,
    exit_plan_files,
    load_checklist,
    render_exit_plan,
    write_exit_plan,
)
from exit_plan.report import cost_view
from exit_plan.testing import sample_catalog, sample_cost, sample_plan
from migration.catalog import Catalog, load_catalog_with_digest
from migration.tables import escape_markdown
from tests import golden_exit_plan as golden
from waves.markdown import render_plan_markdown

REGENERATE = golden.REGENERATE
XSS = "<script>alert(1)</script>"


def _render(lang: str, fmt: str, **kw: object) -> bytes:
    catalog = kw.get("catalog") or sample_catalog()
    cost = kw["cost"] if "cost" in kw else sample_cost()
    return render_exit_plan(catalog, sample_plan(), cost, lang, fmt, as_of=golden.AS_OF)  # type: ignore[arg-type]


def _files(**kw: object) -> dict[str, bytes]:
    catalog = kw.get("catalog") or sample_catalog()
    files = exit_plan_files(
        catalog,  # type: ignore[arg-type]
        sample_plan(),
        sample_cost(),
        ("sv", "en"),
        ("md", "html"),
        as_of=golden.AS_OF,
    )
    return dict(files)


PARTS = [
    (name, lang, part)
    for name in ("sample", "mariehamn")
    for lang in ("sv", "en")
    for part in ("md", "appendix.md")
] + [("sample", "sv", "json")]


@pytest.mark.parametrize(("name", "lang", "part"), PARTS)
def test_golden(name: str, lang: str, part: str) -> None:
    """The summary, the appendix and exit-plan.json of the sample and of the bundled example
    equal their golden files byte for byte (the example is planned and costed in-process
    from examples/mariehamn/catalog.yaml). Regenerate all with `make golden`."""
    path = golden.golden_path(lang, name, part)
    actual = golden.render(lang, name, part)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(actual.encode("utf-8"))
    expected = path.read_bytes().decode("utf-8") if path.exists() else ""
    assert actual == expected, f"{path} is out of date; regenerate with: {REGENERATE}"


def test_summary_has_mermaid_and_every_item_cites_a_listed_source() -> None:
    """Gantt and dependency graph are Mermaid; every checklist item in the appendix cites
    a source the summary's source list holds."""
    files = _files()
    text = files["exit-plan.sv.md"].decode("utf-8")
    assert "```mermaid\ngantt" in text and "```mermaid\nflowchart LR" in text
    listed = set(re.findall(r'<a id="src-([a-z0-9-]+)"></a>', text))
    appendix = files["exit-plan.sv.appendix.md"].decode("utf-8")
    sections = re.split(r"\n#### ", appendix.split("## Bilaga B")[0])[1:]
    assert len(sections) > 40
    for section in sections:
        cited = re.findall(r"`([a-z0-9-]+)`", section.split("- Källor:")[1].splitlines()[0])
        assert cited, section.splitlines()[0]
        assert set(cited) <= listed


# English words that do not occur in Swedish prose; a Swedish sentence holding one of them
# (outside a quoted title, a URL or code) is an English sentence that slipped through.
ENGLISH = re.compile(
    r"\b(the|and|with|which|must|should|from|this|that|are|is|of|to|for|not|be|will|"
    r"missing|unknown|review|needed|price|left out)\b"
)


def _prose(text: str) -> list[str]:
    """The sentences of a Swedish report with quoted titles, URLs and code removed."""
    text = re.sub(r"“[^”]*”", "", text)  # quoted official titles
    text = re.sub(r"<https?://[^>]*>|https?://\S+", "", text)
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["sample", "mariehamn"])
def test_swedish_report_has_no_english_sentences(name: str) -> None:
    """The Swedish summary and appendix hold no English sentence outside quoted titles:
    source descriptions, warnings, risks and headers are Swedish."""
    for part in ("md", "appendix.md"):
        text = golden.render("sv", name, part)
        english = [line for line in _prose(text) if ENGLISH.search(line.lower())]
        assert english == [], f"{part}: {english[:5]}"


def test_the_english_detector_fires() -> None:
    """Negative test: an English sentence in the Swedish text is found."""
    text = "Allt är svenskt.\nThe notice period is longer than two months.\n“The title”"
    assert [line for line in _prose(text) if ENGLISH.search(line.lower())] == [
        "The notice period is longer than two months."
    ]


class TestEscaping:
    def test_html_escapes_catalog_text(self) -> None:
        """A system named like a script tag renders as text in HTML."""
        catalog = sample_catalog({"portal": XSS})
        html = _render("en", "html", catalog=catalog).decode("utf-8")
        assert XSS not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script" not in html.lower()

    def test_markdown_escapes_catalog_text(self) -> None:
        """The same name cannot inject HTML into the Markdown summary or appendix, nor break
        the Mermaid graph; the organisation and provider names are escaped too."""
        catalog = sample_catalog({"portal": XSS + ' "x" | y'})
        catalog = catalog.model_copy(
            update={
                "organisation": XSS,
                "contract": catalog.contract.model_copy(update={"provider": "[x](javascript:1)"}),
            }
        )
        files = _files(catalog=catalog)
        for name in ("exit-plan.en.md", "exit-plan.en.appendix.md", "exit-plan.sv.md"):
            text = files[name].decode("utf-8")
            assert XSS not in text and "[x](javascript" not in text, name
        text = files["exit-plan.en.md"].decode("utf-8")
        assert '"x"' not in text.split("flowchart LR")[1].split("```")[0]

    @given(st.text(alphabet=st.sampled_from("ab &\\`*_[]<>|#\t\n\u00a0\u2028å")))
    def test_markdown_escape_is_one_line_with_every_special_escaped(self, text: str) -> None:
        """The one Markdown escape, character by character: whitespace runs become one
        space (ends trimmed), ``&`` an entity, each special backslash-escaped, the rest
        kept (the shortcut for text with nothing to escape changes no byte)."""
        expected = "".join(
            "&amp;" if c == "&" else "\\" + c if c in "\\`*_[]<>|#" else c
            for c in " ".join(text.split())
        )
        assert escape_markdown(text) == expected
        assert escape_markdown("a_b") == "a\\_b" and escape_markdown(" x\ty ") == "x y"

    def test_plan_md_escapes_catalog_text(self) -> None:
        """plan.md (waves.markdown) escapes the organisation, the provider and warnings."""
        plan = sample_plan().model_copy(
            update={"organisation": XSS, "provider_name": "[x](javascript:1) | *b*"}
        )
        text = render_plan_markdown(plan)
        assert XSS not in text and "[x](javascript" not in text
        assert "\\<script\\>alert(1)\\</script\\>" in text.splitlines()[0]
        assert "\\| \\*b\\*" in text


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
        assert [s.title for s in book.worksheets][2:5] == [
            "Servers in move order",
            "Risk register",
            "Cost comparison",
        ]

    def test_swedish_sheet_headers(self) -> None:
        """Every header row of the Swedish workbook is Swedish."""
        book = load_workbook(io.BytesIO(_render("sv", "xlsx")))
        headers = [str(c.value) for s in book.worksheets for c in s[1] if c.value]
        assert "Senast" in headers and "Ansvarig" in headers and "Titel" in headers
        assert not [h for h in headers if ENGLISH.search(h.lower())]

    def test_deterministic_bytes(self) -> None:
        """Two renders give identical bytes (no timestamps in the file)."""
        assert _render("sv", "xlsx") == _render("sv", "xlsx")


def test_without_cost_the_report_says_so() -> None:
    """With no cost model the sections say it is missing instead of failing."""
    text = _render("en", "md", cost=None).decode("utf-8")
    assert "No cost model (cost.json) was given" in text
    html = _render("en", "html", cost=None).decode("utf-8")
    costs = html.split('<section id="costs">')[1].split("</section>")[0]
    assert "<svg" not in costs and "No cost model" in costs


def test_write_exit_plan_checks_options_before_writing(tmp_path: Path) -> None:
    """A bad language writes nothing; good options write one file per language and format."""
    with pytest.raises(ExitPlanOptionError, match="unknown language 'fi'"):
        write_exit_plan(sample_catalog(), sample_plan(), None, tmp_path, langs=("sv", "fi"))
    assert list(tmp_path.iterdir()) == []
    paths = write_exit_plan(
        sample_catalog(), sample_plan(), sample_cost(), tmp_path, langs=("sv", "en")
    )
    assert [p.name for p in paths] == ["exit-plan.json"] + [
        name
        for lang in ("sv", "en")
        for name in (
            f"exit-plan.{lang}.md",
            f"exit-plan.{lang}.appendix.md",
            f"exit-plan.{lang}.html",
            f"exit-plan.{lang}.xlsx",
        )
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
                "--as-of",
                "2027-01-01",
                "--doc-version",
                "2.1",
                "-o",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        assert result.output == "".join(
            f"wrote {out / name}\n"
            for name in ("exit-plan.json", "exit-plan.en.md", "exit-plan.en.appendix.md")
        )
        text = (out / "exit-plan.en.md").read_text(encoding="utf-8")
        assert "Legal review required" in text
        assert "| Version | 2.1 |" in text and "| As of (overdue" in text
        document = json.loads((out / "exit-plan.json").read_text(encoding="utf-8"))["document"]
        assert document["as_of"] == "2027-01-01" and document["version"] == "2.1"

    def test_bad_as_of_is_a_usage_error(self, tmp_path: Path) -> None:
        """--as-of must be a date: exit code 2 and the option named, nothing written."""
        catalog, plan, _ = self._inputs(tmp_path)
        out = tmp_path / "out"
        result = CliRunner().invoke(
            cli,
            [
                "exit-plan",
                str(catalog),
                "--plan",
                str(plan),
                "--as-of",
                "5.12.2026",
                "-o",
                str(out),
            ],
        )
        assert result.exit_code == 2
        assert "Invalid value for '--as-of': expected a date YYYY-MM-DD, got '5.12.2026'" in (
            result.output
        )
        assert not out.exists()

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
        rows = {r.key: r for r in view.rows}
        assert list(rows) == ["stay", "azure", "aws"]
        assert rows["stay"].label == "Stanna hos ÅDA"
        assert rows["azure"].label == "Flytta till Azure"
        assert rows["stay"].total == cost["stay"]["total"]
        for key in ("azure", "aws"):
            path = cost["paths"][key]
            assert rows[key].total == path["total"]
            assert list(rows[key].yearly) == [path["yearly"][y] for y in view.years]
            parts = cost["providers"]["ada"]["one_time"] + cost["providers"][key]["one_time"]
            assert rows[key].one_time == parts
        assert [p.key for p in view.parts] == ["ada", "azure", "aws"]

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
        legal = text.split("## Juridisk granskning krävs")[1].split("## Riskregister")[0]
        assert re.search(r"utträdesavgift på 18\s000 EUR", legal)
        assert "uppsägningstid är 6 månader" in legal
        assert "Legal review needed" not in legal


def test_large_per_server_items_fold_per_wave(monkeypatch: pytest.MonkeyPatch) -> None:
    """A per-server item with more servers than the limit is one row per wave in the
    appendix and the spreadsheet (json keeps every row); --server-detail lists them all."""
    import exit_plan.report as report_module

    monkeypatch.setattr(report_module, "SERVER_ROWS", 0)
    catalog, plan, cost = sample_catalog(), sample_plan(), sample_cost()
    folded = dict(exit_plan_files(catalog, plan, cost, ("en",), ("md",), as_of=golden.AS_OF))
    full = dict(
        exit_plan_files(
            catalog, plan, cost, ("en",), ("md",), as_of=golden.AS_OF, server_detail=True
        )
    )
    appendix = folded["exit-plan.en.appendix.md"].decode("utf-8")
    detail = full["exit-plan.en.appendix.md"].decode("utf-8")
    assert "| 2 servers in wave-02 |" in appendix
    assert "2 servers in" not in detail and "| eko-app01 (windows-server-2019) |" in detail
    rows = json.loads(folded["exit-plan.json"])["checklist"]
    assert rows == json.loads(full["exit-plan.json"])["checklist"]


class TestDocumentControl:
    def test_default_approvers_sign_with_empty_lines(self) -> None:
        """Without approvals in the catalog the three signing roles get empty lines."""
        text = _files()["exit-plan.sv.md"].decode("utf-8")
        block = text.split("## Godkännande och underskrifter")[1].split("## ")[0]
        assert "| stadsdirektör | &nbsp; |" in block
        assert "| IT-chef | &nbsp; |" in block and "| upphandlare | &nbsp; |" in block

    def test_approvals_from_the_catalog(self) -> None:
        """The catalog's optional approvals replace the defaults, names escaped."""
        document = sample_catalog().model_dump(mode="json", by_alias=True, exclude_defaults=True)
        document["approvals"] = [
            {"role": "stadsdirektör", "name": "Anna *A*"},
            {"role": "ekonomichef"},
        ]
        catalog = Catalog.model_validate(document)
        files = _files(catalog=catalog)
        text = files["exit-plan.sv.md"].decode("utf-8")
        assert "| stadsdirektör: Anna \\*A\\* | &nbsp; |" in text
        assert "| ekonomichef | &nbsp; |" in text and "upphandlare" not in text
        approvals = json.loads(files["exit-plan.json"])["document"]["approvals"]
        assert approvals == [
            {"role": "stadsdirektör", "name": "Anna *A*"},
            {"role": "ekonomichef", "name": None},
        ]

    def test_overdue_follows_as_of(self) -> None:
        """An item is overdue exactly when it falls due before --as-of."""
        catalog, plan, cost = sample_catalog(), sample_plan(), sample_cost()
        for as_of in (date(2025, 1, 1), date(2027, 2, 1), date(2030, 1, 1)):
            files = dict(exit_plan_files(catalog, plan, cost, ("sv",), ("md",), as_of=as_of))
            document = json.loads(files["exit-plan.json"])
            rows = document["checklist"]
            assert document["document"]["as_of"] == as_of.isoformat()
            for row in rows:
                assert row["overdue"] == (row["due"] is not None and row["due"] < str(as_of))
            overdue = sum(row["overdue"] for row in rows)
            text = files["exit-plan.sv.md"].decode("utf-8")
            assert f"| Försenade punkter | {overdue} |" in text
        assert overdue == len(rows)  # by 2030 everything is due


def test_swedish_html_has_no_english_sentences() -> None:
    """The Swedish HTML (summary and appendices) reads Swedish outside quoted titles."""
    import html as html_module

    text = _files()["exit-plan.sv.html"].decode("utf-8")
    body = text.split("<body>")[1]
    body = re.sub(r"<svg.*?</svg>", "", body, flags=re.S)
    body = re.sub(r"<code>.*?</code>|<span class=\"id\">.*?</span>", "", body, flags=re.S)
    plain = html_module.unescape(re.sub(r"<[^>]+>", "\n", body))
    english = [line for line in _prose(plain) if ENGLISH.search(line.lower())]
    assert english == []


def test_exit_plan_json_follows_the_contract() -> None:
    """exit-plan.json has the keys DESIGN.md names, with dates as ISO strings, every gate a
    wave name and every flow a (system, environment) pair with an action."""
    catalog, plan, cost = golden.example_inputs()
    files = dict(exit_plan_files(catalog, plan, cost, ("sv",), (), as_of=golden.AS_OF))
    doc = json.loads(files["exit-plan.json"])
    assert set(doc["document"]) == {"version", "generated", "as_of", "catalog_sha256", "approvals"}
    names = {w.name for w in plan.waves}
    for row in doc["checklist"]:
        assert {
            "id",
            "title",
            "kind",
            "due",
            "gates",
            "owner",
            "evidence",
            "sources",
            "overdue",
        } <= set(row)
        assert row["gates"] is None or row["gates"] in names
        assert row["kind"] in {
            "legal",
            "governance",
            "procurement",
            "contract",
            "data",
            "technical",
            "decommission",
        }
    for book in doc["runbooks"]:
        assert {"wave", "start", "end", "servers", "steps", "rollback", "flows"} <= set(book)
        for flow in book["flows"]:
            assert {"from_system", "from_env", "to_system", "to_env", "ports", "action"} <= set(
                flow
            )
            assert flow["action"] in ("open", "close")
    assert doc["risks"] and {"id", "level", "title"} <= set(doc["risks"][0])
