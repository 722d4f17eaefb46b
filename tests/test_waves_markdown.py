"""plan.md: the readable plan (summary, waves with reasons, warnings, hybrid flows, quality)."""

from __future__ import annotations

from pathlib import Path

from migration.catalog import load_catalog_with_digest
from waves import plan_waves
from waves.markdown import render_plan_markdown

SMALL = Path(__file__).parent / "data" / "small.yaml"


def test_plan_markdown_summarises_waves_reasons_and_warnings() -> None:
    """The small catalog's plan.md has the summary, both waves with reasons, the warning."""
    catalog, digest = load_catalog_with_digest(SMALL)
    text = render_plan_markdown(plan_waves(catalog, digest))
    head = text.split("\n## Waves\n")[0]
    assert head == (
        "# Migration plan: Testby kommun\n\n"
        "Leaving **ÅDA** for **azure** (swedencentral).\n\n"
        "- Servers moving: 3 of 3 in 2 waves (2027-02-01 to 2027-02-28)\n"
        "- Not moving: retain 0, retire 0, repurchase 0\n"
        "- Notice date: 2027-06-30; contract ends: 2027-12-31\n"
        "- Warnings: 1; hybrid flows: 2\n"
        f"- Catalog SHA-256: `{digest}`\n"
    )
    assert "| ad | 1 | foundation system: moves with the landing zone |" in text
    assert "| wave-00 | 2027-02-01 | 2027-02-14 | 1 | 1 | 2 |  | 2 |" in text
    assert "- `no-pilot`: no system qualifies for a pilot wave" in text
    assert "| eko-app01 | dc01 | tcp/389 tcp/636 | wave-01 | wave-00 | 14 |" in text
    assert "| gates\\_ok | True |" in text  # escaped, renders as gates_ok
    assert text.endswith("\n") and not text.endswith("\n\n")
