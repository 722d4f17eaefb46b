"""overlap.<lang>.md: the overlap report as Markdown, through one jinja2 environment.

Python computes and formats every figure here; the template only places them. The
environment has StrictUndefined (a missing value is an error, never an empty cell) and
autoescapes HTML templates (none yet; Markdown is not escaped but table cells are).
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from migration.catalog.capabilities import capability_name
from migration.overlap.reasons import labels, reason_text
from migration.overlap.report import Group, OverlapReport
from migration.overlap.whatif import Row, WhatIf

LANGS = ("sv", "en")


@functools.cache
def environment() -> Environment:
    """The overlap report's jinja2 environment."""
    env = Environment(
        loader=PackageLoader("migration.overlap", "templates"),
        undefined=StrictUndefined,
        autoescape=lambda name: name is not None and name.endswith(".html.jinja2"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = lambda value: str(value).replace("|", "\\|").replace("\n", " ")
    return env


def money(value: float, lang: str) -> str:
    """A whole-euro amount with a thousands separator (space in Swedish, comma in English)."""
    text = f"{value:,.0f}"
    return text.replace(",", "\u00a0") if lang == "sv" else text


def render_overlap_markdown(report: OverlapReport, lang: str, whatif: WhatIf | None = None) -> str:
    """The whole overlap.<lang>.md."""
    if lang not in LANGS:
        raise ValueError(f"lang must be sv or en, got {lang!r}")
    t = labels()[lang]
    names = {m.id: m.name for g in report.groups for m in g.members}
    totals = report.totals
    context = {
        "t": t,
        "organisation": report.organisation,
        "totals": totals,
        "retire_names": ", ".join(f"{names[i]} (`{i}`)" for i in report.retire),
        "lower": "" if totals["complete"] else f" ({t['lower_bound']})",
        "money": {
            "first": money(float(totals["savings_first_year_eur"]), lang),
            "run": money(float(totals["run_savings_eur_per_year"]), lang),
            "avoided": money(float(totals["migration_effort_avoided_eur"]), lang),
            "effort": money(float(totals["one_time_effort_eur"]), lang),
        },
        "whatif": _whatif_rows(whatif, t, lang) if whatif else [],
        "groups": [_group(g, t, lang) for g in report.groups],
        "no_groups": t["no_groups"].format(
            declared=totals["systems_with_capabilities"], systems=report.systems
        ),
        "suggestions": [
            {
                "kind": t["kinds"][s.kind],
                "shared": s.shared,
                "systems": ", ".join(
                    f"{name} (`{i}`)" for i, name in zip(s.systems, s.names, strict=True)
                ),
                "sectors": ", ".join(s.sectors),
            }
            for s in report.suggestions
        ],
        "basis": list(report.basis_text(lang).values()),
    }
    return environment().get_template("overlap.md.jinja2").render(**context)


def format_row(row: Row, lang: str) -> tuple[str, str, str]:
    """A what-if row's before, after and signed difference as text."""

    def shown(value: float) -> str:
        return money(value, lang) if row.unit == "EUR" else f"{value:g}"

    sign = "+" if row.difference > 0 else ""
    return shown(row.before), shown(row.after), sign + shown(row.difference)


def _whatif_rows(whatif: WhatIf, t: dict[str, Any], lang: str) -> list[dict[str, str]]:
    rows = []
    for row in whatif.rows:
        before, after, difference = format_row(row, lang)
        label = t["metrics"][row.metric].format(year=whatif.year)
        rows.append({"label": label, "before": before, "after": after, "difference": difference})
    return rows


def _group(group: Group, t: dict[str, Any], lang: str) -> dict[str, Any]:
    names = {m.id: m.name for m in group.members}

    def named(system_id: str | None) -> str:
        return f"{names[system_id]} (`{system_id}`)" if system_id else ""

    members = []
    for m in group.members:
        c = m.cost
        members.append(
            {
                "system": named(m.id),
                "sector": m.sector,
                "level": m.level,
                "owner": m.owner,
                "vendor": m.vendor or "",
                "criticality": m.criticality,
                "users": "" if m.users is None else m.users,
                "disposition": m.disposition,
                "ada": money(c.ada_monthly_eur, lang),
                "licences": money(c.licence_monthly_eur, lang),
                "saas": money(c.saas_monthly_eur, lang),
                "cloud": "" if c.cloud_monthly_eur is None else money(c.cloud_monthly_eur, lang),
                "outcome": t["outcomes"][m.outcome],
            }
        )
    saving = (
        t["saving_line"].format(
            first=money(group.savings_eur_per_year, lang),
            run=money(group.run_savings_eur_per_year, lang),
            avoided=money(group.migration_effort_avoided_eur, lang),
            effort=money(group.one_time_effort_eur, lang),
        )
        + ("" if group.complete else f" ({t['lower_bound']})")
        if group.retire
        else t["no_saving"]
    )
    migration = (
        t["migration_line"].format(
            servers=group.servers_avoided,
            vcpu=group.vcpu_avoided,
            waves=", ".join(str(w) for w in group.waves_touched),
        )
        if group.servers_avoided
        else ""
    )
    capability = group.capability
    title = capability_name(capability, lang)
    return {
        "title": f"{title} (`{capability}`)" if title != capability else f"`{capability}`",
        "keep": named(group.keep),
        "retire": ", ".join(named(i) for i in group.retire),
        "members": members,
        "saving": saving,
        "migration": migration,
        "repoint": [
            t["repoint"].format(
                consumer=f"`{r.consumer}`", retired=f"`{r.retired}`", keep=f"`{r.keep}`"
            )
            for r in group.repoint
        ],
        "reasons": [
            f"{named(m.id)}: {reason_text(m.reason[0], m.reason[1], lang)}" for m in group.members
        ],
    }


def render_plan_section(report: OverlapReport, whatif: WhatIf | None, top: int = 5) -> str:
    """The sections appended to plan.md (English): the what-if, and the top overlap findings.

    Empty when there is neither a what-if nor a group with a system to retire.
    """
    t = labels()["en"]
    found = [g for g in report.groups if g.retire][:top]
    totals = report.totals
    context = {
        "what_if": whatif,
        "retired": ", ".join(f"`{i}`" for i in whatif.retired) if whatif else "",
        "rows": _whatif_rows(whatif, t, "en") if whatif else [],
        "groups": [
            {
                "capability": f"`{g.capability}`",
                "keep": f"`{g.keep}`",
                "retire": ", ".join(f"`{i}`" for i in g.retire),
                "saving": money(g.savings_eur_per_year, "en"),
                "servers": g.servers_avoided,
            }
            for g in found
        ],
        "total_groups": totals["groups"],
        "with_retirements": totals["groups_with_retirements"],
        "first": money(float(totals["savings_first_year_eur"]), "en"),
        "run": money(float(totals["run_savings_eur_per_year"]), "en"),
        "lower": "" if totals["complete"] else " (at least: not every part is priced)",
    }
    return environment().get_template("plan-section.md.jinja2").render(**context)
