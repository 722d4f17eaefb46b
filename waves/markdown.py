"""plan.md: the plan to read at a glance.

Summary, a Gantt chart of the waves with blackouts, notice date and contract end, the wave
table, then per wave: its systems per environment with reason codes (the legend gives each
reason text once) and a picture of the wave's systems and their direct providers; warnings;
hybrid flows grouped by system and environment pair, with days; the quality panel in plain
words. Plain string building: the plan is already decided, this only formats it, in time
linear in the plan's size (servers, flows and reasons are each read once).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from migration.catalog import Catalog
from migration.plan import Plan, Wave
from migration.tables import escape_markdown
from migration.warning_groups import group_by_code
from waves.markdown_sections import (
    ReasonCodes,
    count_servers,
    env_order,
    gantt_lines,
    hybrid_groups,
    quality_lines,
    split_reason,
)
from waves.render_graph import mermaid_flowchart, wave_views

__all__ = ["render_plan_markdown"]

MAX_LISTED = 50  # hybrid flow groups listed in full up to this many
MAX_DRAWN = 40  # systems drawn in a wave's dependency picture; more: `utflytt graph --wave`


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    def cell(value: object) -> str:
        return escape_markdown(value)

    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out.extend("| " + " | ".join(cell(v) for v in row) + " |" for row in rows)
    return out


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_plan_markdown(plan: Plan, catalog: Catalog | None = None) -> str:
    """The whole plan.md text (ends with a newline); ``catalog`` adds its blackouts."""
    migrating = sum(1 for s in plan.servers.values() if s.wave is not None)
    used = [w for w in plan.waves if w.servers]
    lines = [
        f"# Migration plan: {escape_markdown(plan.organisation)}",
        "",
        f"Leaving **{escape_markdown(plan.provider_name)}** for **{plan.target.provider}** "
        f"({plan.target.region}).",
        "",
        f"- Servers moving: {migrating} of {len(plan.servers)} in "
        f"{_plural(len(used), 'wave')} ({plan.waves[0].start} to {plan.waves[-1].end})",
        f"- Not moving: retain {len(plan.not_migrated.retain)}, retire "
        f"{len(plan.not_migrated.retire)}, repurchase {len(plan.not_migrated.repurchase)}",
        f"- Notice date: {plan.notice_date or 'none (no contract end)'}; "
        f"contract ends: {plan.deadline or 'not set'}",
        f"- Warnings: {len(plan.warnings)}; hybrid flows (server pairs): {len(plan.hybrid_flows)}",
        f"- Catalog SHA-256: `{plan.catalog_sha256}`",
        "",
        "## Timeline",
        "",
        *gantt_lines(plan, catalog),
        "",
        "## Waves",
        "",
    ]
    rows = [
        [
            w.name,
            w.start,
            w.end,
            len(w.systems),
            len(w.servers),
            w.vcpu,
            "yes" if w.frozen else "",
            w.hybrid_flows_open,
        ]
        for w in plan.waves
    ]
    lines += _table(
        [
            "wave",
            "start",
            "end",
            "systems",
            "servers",
            "vCPU",
            "frozen",
            "flows over the VPN (server pairs)",
        ],
        rows,
    )
    codes = ReasonCodes()
    counts = count_servers(plan)
    views = wave_views(plan)
    titles = {w.number: f"{w.name} {w.start}..{w.end}" for w in plan.waves}
    wave_sections: list[str] = []
    for wave in plan.waves:
        wave_sections += ["", f"### {wave.name} ({wave.start} to {wave.end})", ""]
        if not wave.systems:
            wave_sections.append("Landing zone only." if wave.number == 0 else "Empty.")
            continue
        wave_sections += _risk(wave)
        wave_sections += _table(
            ["system", "environment", "servers", "why here"],
            _system_rows(wave, counts, codes),
        )
        nodes, edges = views.get(wave.number, ([], []))
        own = sum(1 for n in nodes if n.wave == wave.number and not n.stays)
        wave_sections.append("")
        if len(nodes) <= MAX_DRAWN:
            wave_sections.append(
                f"What {wave.name} needs: its systems and their direct providers "
                "(thick arrows: latency-sensitive)."
            )
            wave_sections += ["", "```mermaid", *mermaid_flowchart(nodes, edges, titles), "```"]
        else:
            wave_sections.append(
                f"What {wave.name} needs: {_plural(own, 'system')} and "
                f"{_plural(len(nodes) - own, 'direct provider')}, too many to draw here: "
                f"`utflytt graph --wave {wave.number}`."
            )
    lines += ["", "Reasons (the codes in the wave tables):", ""]
    lines += _table(["code", "reason"], codes.legend())
    lines += wave_sections
    lines += _warnings(plan)
    lines += _hybrid(plan)
    lines += ["", "## Quality", "", *quality_lines(plan)]
    return "\n".join(lines) + "\n"


def _risk(wave: Wave) -> list[str]:
    risk = wave.risk
    crit = risk.get("criticality", {})
    if not isinstance(crit, dict):
        return []
    counts = ", ".join(f"{k} {v}" for k, v in crit.items() if v)
    citizens = risk.get("citizen_systems", []) or []
    names = ", ".join(map(str, citizens)) if isinstance(citizens, list | tuple) else ""
    return [
        f"Risk: criticality {counts or 'none'}; citizen-facing: {names or 'none'}; "
        f"readiness unknown: {risk.get('readiness_unknown', 0)}.",
        "",
    ]


def _system_rows(
    wave: Wave, counts: dict[tuple[int, str], dict[str, int]], codes: ReasonCodes
) -> list[list[object]]:
    """One row per system and group of environments placed here for the same reasons."""
    rows: list[list[object]] = []
    for system in wave.systems:
        per_env = counts.get((wave.number, system), {})
        reasons = split_reason(wave.reasons.get(system, ""))
        cells: dict[str, list[str]] = {}
        for env in env_order(per_env):
            clauses = reasons.get(env, reasons.get(None, []))
            cells.setdefault(codes.cell(clauses), []).append(env)
        for cell, envs in cells.items():
            rows.append([system, ", ".join(envs), sum(per_env[e] for e in envs), cell])
    return rows


def _warnings(plan: Plan) -> list[str]:
    """The warnings grouped by code (most frequent first) after a table of counts: each
    code's first examples, and how many more plan.json holds."""
    lines = ["", "## Warnings", ""]
    if not plan.warnings:
        return [*lines, "None."]
    groups = group_by_code(plan.warnings, lambda w: w.code)
    lines += _table(["code", "count"], [(g.code, g.count) for g in groups])
    for group in groups:
        lines += ["", f"### `{group.code}` ({group.count})", ""]
        lines += [f"- {w.message}" for w in group.examples]
        if group.more:
            lines.append(f"- ... and {group.more} more (plan.json `warnings`)")
    return lines


def _hybrid(plan: Plan) -> list[str]:
    lines = ["", "## Hybrid flows", ""]
    if not plan.hybrid_flows:
        return [*lines, "None: every dependency moves within one wave."]
    kinds = Counter(f.kind for f in plan.hybrid_flows)
    lines.append(
        "Server-to-server flows that cross the VPN between the provider and the cloud: "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
        + ". Grouped below by system and environment pair; days is how long the flow stays "
        "open (none: it never closes)."
    )
    groups = hybrid_groups(plan, plan.hybrid_flows)
    lines += [""]
    lines += _table(
        ["from system (env)", "to system (env)", "flows", "ports", "from wave", "to wave", "days"],
        [
            [
                f"{g.from_system} ({g.from_env})",
                f"{g.to_system} ({g.to_env})",
                g.flows,
                " ".join(g.ports),
                _wave(g.from_wave),
                _wave(g.to_wave),
                g.days if g.days is not None else f"none ({g.kind})",
            ]
            for g in groups[:MAX_LISTED]
        ],
    )
    if len(groups) > MAX_LISTED:
        lines += ["", f"... and {len(groups) - MAX_LISTED} more groups (plan.json hybrid_flows)."]
    return lines


def _wave(number: int | None) -> str:
    return "stays" if number is None else f"wave-{number:02d}"
