"""The HTML report in headless Chromium: no console errors, sections and charts visible,
a screenshot kept, and a print-to-PDF that carries the checklist."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from exit_plan import render_exit_plan
from exit_plan.testing import sample_catalog, sample_cost, sample_plan
from tests import golden_exit_plan as golden

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECTIONS = [
    "summary",
    "timeline",
    "risks",
    "waves",
    "costs",
    "signatures",
    "sources",
    "checklist",
    "runbooks",
]
AS_OF = date(2026, 12, 5)
SUMMARY_PAGES = 16  # the decision summary: at most ~15 printed A4 pages before appendix A

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"
    ),
]


def _inputs(name: str) -> tuple[Any, Any, Any]:
    if name == "sample":
        catalog = sample_catalog({"portal": "<script>alert(1)</script>"})
        return catalog, sample_plan(), sample_cost()
    return golden.example_inputs()


@pytest.fixture(scope="module", params=["sample", "mariehamn"])
def browser_page(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    sync_api = pytest.importorskip("playwright.sync_api")
    base = tmp_path_factory.mktemp(f"exit-plan-browser-{request.param}")
    html = base / "exit-plan.sv.html"
    catalog, plan, cost = _inputs(request.param)
    html.write_bytes(render_exit_plan(catalog, plan, cost, "sv", "html", as_of=AS_OF))
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(base / "profile"),
            executable_path=str(CHROMIUM),
            args=ARGS,
            headless=True,
            viewport={"width": 1200, "height": 900},
            offline=True,
        )
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))

        def on_dialog(dialog: Any) -> None:
            problems.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        yield page, problems, base, request.param, plan
        context.close()


def test_no_console_errors_and_no_script_runs(browser_page: Any) -> None:
    """The page loads without console errors; the script-like system name never runs."""
    page, problems, _, name, _ = browser_page
    assert problems == []
    assert page.locator("script").count() == 0
    if name == "sample":
        assert "<script>alert(1)</script>" in page.inner_text("#waves")


def test_sections_and_charts_are_visible(browser_page: Any) -> None:
    """Every section is visible; the Gantt has a bar per wave and the blackouts, each wave
    with dependencies its own view; both cost charts are drawn with bars, lines and the
    break-even."""
    page, _, base, name, plan = browser_page
    for section in SECTIONS:
        assert page.locator(f"#{section}").is_visible(), section
    for chart in ("#chart-yearly svg", "#chart-cumulative svg"):
        box = page.locator(chart).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150, chart
    assert page.locator("#chart-yearly svg rect[height]").count() >= 12
    assert page.locator("#chart-cumulative svg polyline").count() == 3
    if name == "sample":  # the example's moves do not pay for themselves within the horizon
        assert page.locator("#chart-cumulative svg line.break-even").count() == 1
    gantt = page.locator("#gantt svg")
    assert gantt.is_visible()
    assert page.locator("#gantt svg rect.bar").count() >= len(plan.waves)
    assert page.locator("#gantt svg path.milestone.gate").count() >= 5
    if name == "mariehamn":
        assert page.locator("#gantt svg rect.blackout").count() >= 1
        assert page.locator("#gantt svg line.as-of").count() == 1
        assert page.locator("#gantt svg rect.bar.critical").count() >= 1
        assert page.locator("#gantt svg rect.bar.pilot").count() == 1
        assert page.locator("#runbooks figure.deps svg").count() >= 5
    shot = base / "exit-plan.png"
    page.locator("#timeline").screenshot(path=str(shot))  # the Gantt and the options
    assert shot.stat().st_size > 10_000


def test_print_to_pdf_has_the_checklist(browser_page: Any) -> None:
    """A print-to-PDF spans several pages and its text holds the checklist items."""
    page, _, base, name, _ = browser_page
    page.emulate_media(media="print")
    assert page.locator("#checklist").is_visible()
    assert not page.locator("nav").is_visible()
    pdf = base / "exit-plan.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        assert data.count(b"/Type /Page") > 2
        return
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) > 3
    checklist_pages = [p for p in pages if "Beslut om utflyttning och mandat" in p]
    assert checklist_pages, "the first checklist item is not in the PDF"
    assert "Intyg om radering från ÅDA" in text
    appendix = next(
        n
        for n, p in enumerate(pages)
        if "Bilaga A: Fullständig checklista" in p
        and "Beslut om utflyttning" in p
        or "Bilaga A: Fullständig checklista\n" in p
    )
    assert appendix <= SUMMARY_PAGES, f"decision summary is {appendix} pages ({name})"
