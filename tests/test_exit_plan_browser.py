"""The HTML report in headless Chromium: no console errors, sections and charts visible,
a screenshot kept, and a print-to-PDF that carries the checklist."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from exit_plan import render_exit_plan
from exit_plan.testing import sample_catalog, sample_cost, sample_plan

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
SECTIONS = ["summary", "legal", "waves", "checklist", "runbooks", "costs", "sources"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"
    ),
]


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> Any:
    sync_api = pytest.importorskip("playwright.sync_api")
    base = tmp_path_factory.mktemp("exit-plan-browser")
    html = base / "exit-plan.sv.html"
    catalog = sample_catalog({"portal": "<script>alert(1)</script>"})
    html.write_bytes(render_exit_plan(catalog, sample_plan(), sample_cost(), "sv", "html"))
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
        yield page, problems, base
        context.close()


def test_no_console_errors_and_no_script_runs(browser_page: Any) -> None:
    """The page loads without console errors; the script-like system name never runs."""
    page, problems, _ = browser_page
    assert problems == []
    assert "<script>alert(1)</script>" in page.inner_text("#waves")


def test_sections_and_charts_are_visible(browser_page: Any) -> None:
    """Every section is visible; both charts are drawn with bars, lines and the break-even."""
    page, _, base = browser_page
    for section in SECTIONS:
        assert page.locator(f"#{section}").is_visible(), section
    for chart in ("#chart-yearly svg", "#chart-cumulative svg"):
        box = page.locator(chart).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150, chart
    assert page.locator("#chart-yearly svg rect[height]").count() >= 12
    assert page.locator("#chart-cumulative svg polyline").count() == 3
    assert page.locator("#chart-cumulative svg line.break-even").count() == 1
    shot = base / "exit-plan.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_print_to_pdf_has_the_checklist(browser_page: Any) -> None:
    """A print-to-PDF spans several pages and its text holds the checklist items."""
    page, _, base = browser_page
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
    assert "Checklista" in text and "Intyg om radering från ÅDA" in text
