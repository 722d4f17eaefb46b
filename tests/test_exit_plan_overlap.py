"""The exit plan's decision summary lists the top overlap findings (issue: overlap §5.2)."""

from __future__ import annotations

from exit_plan import exit_plan_files
from exit_plan.overlap import overlap_rows
from tests.golden_exit_plan import AS_OF, _overlap, example_inputs


def test_the_summary_lists_the_top_overlap_findings_in_both_languages() -> None:
    catalog, plan, cost = example_inputs()
    overlap = _overlap(catalog, plan)
    files = dict(exit_plan_files(catalog, plan, cost, ("sv", "en"), ("md", "html"), as_of=AS_OF,
                                 overlap=overlap))  # fmt: skip
    rows = overlap_rows(overlap, "sv")
    assert len(rows) == 5  # the example has at least three groups that retire a system
    savings = [g.savings_eur_per_year for g in overlap.groups if g.retire]
    top = sorted(savings, reverse=True)[:5]
    assert [r.keep for r in rows] == [
        next(g.keep for g in overlap.groups if g.savings_eur_per_year == s and g.retire)
        for s in top
    ]
    sv = files["exit-plan.sv.md"].decode()
    en = files["exit-plan.en.md"].decode()
    html = files["exit-plan.sv.html"].decode()
    assert "## Överlappande system" in sv and "## Overlapping systems" in en
    for row in rows:
        assert f"| {row.keep} | {row.retire} | {row.saving} |" in sv
        assert f"<td>{row.keep}</td><td>{row.retire}</td>" in html


def test_no_overlap_section_without_an_analysis() -> None:
    catalog, plan, cost = example_inputs()
    files = dict(exit_plan_files(catalog, plan, cost, ("sv",), ("md",), as_of=AS_OF))
    assert "Överlappande system" not in files["exit-plan.sv.md"].decode()
    assert overlap_rows(None, "sv") == ()
