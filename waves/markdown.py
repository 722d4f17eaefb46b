"""plan.md: the plan as a readable Markdown document (summary, waves, reasons, warnings).

Plain string building: the plan is already sorted and decided, this only formats it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from migration.plan import Plan
from migration.tables import escape_markdown

__all__ = ["render_plan_markdown"]

MAX_LISTED = 50  # warnings and hybrid flows listed in full up to this many


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    def cell(value: object) -> str:
        return escape_markdown(value)

    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out.extend("| " + " | ".join(cell(v) for v in row) + " |" for row in rows)
    return out


def render_plan_markdown(plan: Plan) -> str:
    """The whole plan.md text (ends with a newline)."""
    migrating = sum(1 for s in plan.servers.values() if s.wave is not None)
    used = [w for w in plan.waves if w.servers]
    lines = [
        f"# Migration plan: {escape_markdown(plan.organisation)}",
        "",
        f"Leaving **{escape_markdown(plan.provider_name)}** for **{plan.target.provider}** "
        f"({plan.target.region}).",
        "",
        f"- Servers moving: {migrating} of {len(plan.servers)} in {len(used)} waves "
        f"({plan.waves[0].start} to {plan.waves[-1].end})",
        f"- Not moving: retain {len(plan.not_migrated.retain)}, retire "
        f"{len(plan.not_migrated.retire)}, repurchase {len(plan.not_migrated.repurchase)}",
        f"- Notice date: {plan.notice_date or 'none (no contract end)'}; "
        f"contract ends: {plan.deadline or 'not set'}",
        f"- Warnings: {len(plan.warnings)}; hybrid flows: {len(plan.hybrid_flows)}",
        f"- Catalog SHA-256: `{plan.catalog_sha256}`",
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
        ["wave", "start", "end", "systems", "servers", "vCPU", "frozen", "hybrid flows open"], rows
    )
    for wave in plan.waves:
        lines += ["", f"### {wave.name} ({wave.start} to {wave.end})", ""]
        if not wave.systems:
            lines.append("Landing zone only." if wave.number == 0 else "Empty.")
            continue
        risk = wave.risk
        crit = risk.get("criticality", {})
        if isinstance(crit, dict):
            counts = ", ".join(f"{k} {v}" for k, v in crit.items() if v)
            lines.append(
                f"Risk: criticality {counts or 'none'}; citizen-facing: "
                f"{', '.join(map(str, risk.get('citizen_systems', []) or [])) or 'none'}; "  # type: ignore[call-overload]
                f"readiness unknown: {risk.get('readiness_unknown', 0)}."
            )
            lines.append("")
        lines += _table(
            ["system", "servers", "why here"],
            [
                [
                    s,
                    sum(1 for x in wave.servers if plan.servers[x].system == s),
                    wave.reasons.get(s, ""),
                ]
                for s in wave.systems
            ],
        )
    lines += ["", "## Warnings", ""]
    if not plan.warnings:
        lines.append("None.")
    else:
        by_code = Counter(w.code for w in plan.warnings)
        lines += _table(["code", "count"], sorted(by_code.items()))
        lines.append("")
        for warning in plan.warnings[:MAX_LISTED]:
            lines.append(f"- `{warning.code}`: {escape_markdown(warning.message)}")
        if len(plan.warnings) > MAX_LISTED:
            lines.append(f"- ... and {len(plan.warnings) - MAX_LISTED} more (see plan.json)")
    lines += ["", "## Hybrid flows", ""]
    if not plan.hybrid_flows:
        lines.append("None: every dependency moves within one wave.")
    else:
        kinds = Counter(f.kind for f in plan.hybrid_flows)
        lines.append(", ".join(f"{kind}: {count}" for kind, count in sorted(kinds.items())) + ".")
        temporary = [f for f in plan.hybrid_flows if f.days is not None]
        longest = sorted(temporary, key=lambda f: (-(f.days or 0), f.from_, f.to))[:MAX_LISTED]
        if longest:
            lines += ["", f"Longest temporary flows (up to {MAX_LISTED}):", ""]
            lines += _table(
                ["from", "to", "ports", "from wave", "to wave", "days"],
                [
                    [f.from_, f.to, " ".join(f.ports), _wave(f.from_wave), _wave(f.to_wave), f.days]
                    for f in longest
                ],
            )
        permanent = sorted(
            {
                (f.kind, _system(plan, f.from_), _system(plan, f.to))
                for f in plan.hybrid_flows
                if f.days is None
            }
        )
        if permanent:
            lines += [
                "",
                "Permanent flows (retained systems) and flows to re-point, by system:",
                "",
            ]
            lines += _table(["kind", "from system", "to system"], permanent)
    lines += ["", "## Quality", ""]
    if not plan.quality:
        lines.append("Not computed.")
    else:
        flat = [(k, v) for k, v in sorted(plan.quality.items()) if not isinstance(v, dict | list)]
        lines += _table(["metric", "value"], flat)
        gates = plan.quality.get("gates")
        if isinstance(gates, dict):
            lines += ["", "Gates (each must be 0):", ""]
            lines += _table(["gate", "value"], sorted(gates.items()))
    return "\n".join(lines) + "\n"


def _system(plan: Plan, server_id: str) -> str:
    return plan.servers[server_id].system


def _wave(number: int | None) -> str:
    return "stays" if number is None else f"wave-{number:02d}"
