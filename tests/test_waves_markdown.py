"""plan.md: summary, Gantt, wave tables with reason codes and environments, per-wave
dependency pictures, warnings, hybrid flows grouped with days, quality in plain words."""

from __future__ import annotations

import re
from pathlib import Path

from migration.catalog import load_catalog_with_digest
from migration.plan import HybridFlow, PlannedServer
from waves import plan_waves
from waves.markdown import render_plan_markdown
from waves.markdown_sections import ReasonCodes, hybrid_groups, split_reason

SMALL = Path(__file__).parent / "data" / "small.yaml"


def _small() -> tuple[str, str]:
    catalog, digest = load_catalog_with_digest(SMALL)
    return render_plan_markdown(plan_waves(catalog, digest), catalog), digest


def test_plan_markdown_summarises_waves_reasons_and_warnings() -> None:
    """The small catalog's plan.md has the summary, both waves with reasons, the warning."""
    text, digest = _small()
    head = text.split("\n## Timeline\n")[0]
    assert head == (
        "# Migration plan: Testby kommun\n\n"
        "Leaving **ÅDA** for **azure** (swedencentral).\n\n"
        "- Servers moving: 3 of 3 in 2 waves (2027-02-01 to 2027-02-28)\n"
        "- Not moving: retain 0, retire 0, repurchase 0\n"
        "- Notice date: 2027-06-30; contract ends: 2027-12-31\n"
        "- Warnings: 1; hybrid flows (server pairs): 2\n"
        f"- Catalog SHA-256: `{digest}`\n"
    )
    assert "| R1 | foundation system: moves with the landing zone |" in text
    assert "| ad | prod | 1 | R1 |" in text
    assert "| wave-00 | 2027-02-01 | 2027-02-14 | 1 | 1 | 2 |  | 2 |" in text
    assert "### `no-pilot` (1)\n\n- no system qualifies for a pilot wave" in text
    assert "| economy (prod) | ad (prod) | 2 | tcp/389 tcp/636 | wave-01 | wave-00 | 14 |" in text
    assert "- Every hard rule holds: capacity, providers before consumers" in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_gantt_has_waves_blackouts_notice_and_deadline() -> None:
    """The Timeline's Mermaid Gantt: a task per wave, the blackout, both milestones."""
    text, _ = _small()
    gantt = text.split("```mermaid\ngantt\n")[1].split("```")[0]
    assert "    wave-00 (1 server) :w0, 2027-02-01, 2027-02-15\n" in gantt
    assert "    wave-01 (2 servers) :w1, 2027-02-15, 2027-03-01\n" in gantt
    assert "    section Blackouts\n    Semester :crit, b0, 2027-06-20, 2027-08-11\n" in gantt
    assert "    Notice date :milestone, notice, 2027-06-30, 0d\n" in gantt
    assert "    Contract ends :milestone, deadline, 2027-12-31, 0d\n" in gantt


def test_each_wave_draws_its_systems_and_direct_providers() -> None:
    """wave-01's picture has economy and its provider ad (wave 0), not the whole estate."""
    text, _ = _small()
    wave1 = text.split("### wave-01")[1].split("## Warnings")[0]
    assert "```mermaid\nflowchart LR\n" in wave1
    assert 'w00_ad["Active Directory (ad)<br/>1 server"]' in wave1
    assert re.search(r"w01_economy -->\|\"tcp/389, tcp/636\"\| w00_ad", wave1)


def test_reason_codes_give_each_text_once_with_parameters_in_the_cell() -> None:
    """Per-environment reasons are split; names and wave numbers stay in the cell."""
    reason = (
        "dev: earliest wave with room after its providers; moves no later than prod (wave 2); "
        "prod: earliest wave with room after its providers; with its providers gis, map; "
        "test: earliest wave with room after its providers; moves no later than prod (wave 2)"
    )
    parts = split_reason(reason)
    assert parts == {
        "dev": ["earliest wave with room after its providers", "moves no later than prod (wave 2)"],
        "prod": ["earliest wave with room after its providers", "with its providers gis, map"],
        "test": [
            "earliest wave with room after its providers",
            "moves no later than prod (wave 2)",
        ],
    }
    codes = ReasonCodes()
    assert codes.cell(parts["dev"]) == "R1; R2 (wave 2)"
    assert codes.cell(parts["prod"]) == "R1; R3 (gis, map)"
    assert codes.cell(parts["test"]) == "R1; R2 (wave 2)"
    assert codes.legend() == [
        ("R1", "earliest wave with room after its providers"),
        ("R2", "moves no later than prod …"),
        ("R3", "with its providers …"),
    ]


def test_repeated_reasons_appear_once_in_the_legend_on_the_example() -> None:
    """No reason text is repeated in plan.md's wave tables: they hold codes only."""
    from migration.examples import EXAMPLE_CATALOG

    catalog, digest = load_catalog_with_digest(EXAMPLE_CATALOG)
    text = render_plan_markdown(plan_waves(catalog, digest), catalog)
    assert text.count("earliest wave with room after its providers") == 1
    assert text.count("foundation system: moves with the landing zone") == 1
    rows = [line for line in text.splitlines() if line.startswith("| ") and " | R" in line]
    assert rows and all(len(line) < 120 for line in rows)


def test_hybrid_flows_are_grouped_by_system_and_environment_pair() -> None:
    """Two server pairs of one system pair with the same waves are one group of 2 flows."""
    _, digest = _small()
    catalog, _ = load_catalog_with_digest(SMALL)
    plan = plan_waves(catalog, digest)
    servers = dict(plan.servers)
    servers["eko-test01"] = PlannedServer(wave=0, system="economy", environment="test")
    plan = plan.model_copy(update={"servers": servers})
    flows = [
        HybridFlow.model_validate(
            {"from": a, "to": "dc01", "ports": p, "from_wave": w, "to_wave": 0, "days": d}
        )
        for a, p, w, d in (
            ("eko-app01", ["tcp/636"], 1, 14),
            ("eko-db01", ["tcp/389"], 1, 14),
            ("eko-test01", ["tcp/389"], 0, 0),
        )
    ]
    groups = hybrid_groups(plan, flows)
    assert [(g.from_system, g.from_env, g.to_system, g.flows, g.ports, g.days) for g in groups] == [
        ("economy", "prod", "ad", 2, ("tcp/389", "tcp/636"), 14),
        ("economy", "test", "ad", 1, ("tcp/389",), 0),
    ]


def test_plan_md_groups_warnings_by_code_with_first_examples() -> None:
    """120 warnings of two codes: counts first, then under each code its first five
    messages and how many more plan.json holds (a reader cannot use 13,000 lines)."""
    from migration.plan import Warning_

    catalog, digest = load_catalog_with_digest(SMALL)
    plan = plan_waves(catalog, digest)
    warnings = tuple(
        Warning_(code="split" if i % 3 else "repoint", message=f"message {i}") for i in range(120)
    )
    text = render_plan_markdown(plan.model_copy(update={"warnings": warnings}), catalog)
    section = text.split("## Warnings\n")[1].split("\n## Hybrid flows")[0]
    assert "| split | 80 |\n| repoint | 40 |" in section
    assert section.index("### `split` (80)") < section.index("### `repoint` (40)")
    split = [i for i in range(120) if i % 3][:5]
    repoint = [i for i in range(120) if not i % 3][:5]
    shown = [i for i in range(120) if f"- message {i}\n" in section]
    assert shown == sorted(split + repoint)
    assert "- ... and 75 more (plan.json `warnings`)" in section
    assert "- ... and 35 more (plan.json `warnings`)" in section
