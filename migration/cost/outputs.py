"""cost.json, cost.csv and cost.xlsx from a :class:`~migration.cost.comparison.CostReport`,
and the human text; an incomplete total is shown as a lower bound ("≥") everywhere."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from migration.catalog import Catalog
from migration.cost.comparison import CostReport, compare_costs
from migration.cost.options import CostOptions
from migration.cost.xlsx import SERIES, is_lower_bound, series_of, to_xlsx
from migration.fileio import dumps_json
from migration.generation import write_generation
from migration.plan import Plan
from migration.tables import render_table

__all__ = ["render_text", "summary_rows", "to_csv", "to_xlsx", "write_cost_outputs"]


def summary_rows(doc: dict[str, Any]) -> list[list[Any]]:
    """Rows of the yearly view: label, one column per year, total, NPV."""
    years = [str(y) for y in doc["years"]]
    rows = []
    for key, label in SERIES:
        series = series_of(doc, key)
        rows.append([label, *(series["yearly"][y] for y in years), series["total"], series["npv"]])
    return rows


def _money(value: float, lower: bool) -> str:
    return f"≥{value:,.0f}" if lower else f"{value:,.0f}"


def _saving(path: dict[str, Any]) -> str:
    if path["complete"]:
        return f"{path['yearly_saving_eur']:,.0f}"
    if path["yearly_saving_eur"] == 0:
        return f"not priced ({path['unpriced_servers']} servers without a price)"
    return f"≥{path['yearly_saving_eur']:,.0f}"


def render_text(report: CostReport) -> str:
    """The human comparison: yearly table, completeness, break-even, optimisations, sources."""
    doc = report.to_json_dict()
    years = [str(y) for y in doc["years"]]
    option = doc["providers"]["azure"]["pricing_option"]
    lines = [f"Cost comparison, {doc['currency']}, pricing option {option}", ""]
    rows = []
    for (key, _label), row in zip(SERIES, summary_rows(doc), strict=True):
        lower = is_lower_bound(doc, key)
        rows.append([row[0], *(_money(v, lower) for v in row[1:])])
    lines.append(render_table(["", *years, "total", "NPV"], rows))
    lines.append("")
    for provider in ("azure", "aws"):
        data = doc["providers"][provider]
        if data["complete"]:
            lines.append(f"{data['label']}: complete, every line priced")
            continue
        lines.append(f"{data['label']}: INCOMPLETE, totals are lower bounds (≥); unpriced:")
        lines.extend(
            f"  - {u['what']} ({u['count']}): {u['why']}"
            if u["count"]
            else f"  - {u['what']}: {u['why']}"
            for u in data["unpriced"]
        )
    lines.append("")
    share = f"{doc['assumptions']['sensitivity']:.0%}"
    for provider in ("azure", "aws"):
        data = doc["providers"][provider]
        lower = not data["complete"]
        sens = doc["sensitivity"][provider]
        when = doc["break_even"][provider] or "not within the horizon"
        low, high = _money(sens["low"], lower), _money(sens["high"], lower)
        lines.append(
            f"{data['label']}: break-even {when}; cloud total {_money(data['total'], lower)} "
            f"(prices -{share}: {low}, +{share}: {high})"
        )
    for provider, rec in doc.get("reconciliation", {}).items():
        if "stacks_monthly_eur" not in rec:
            continue
        comparable = rec["comparable"]
        lines.append(
            f"{doc['providers'][provider]['label']}: stacks {rec['stacks_monthly_eur']:,.0f} "
            f"EUR/month against the model's {rec['model_monthly_eur']:,.0f} "
            f"({rec['difference_pct']} %); lines both price: "
            f"{comparable['difference_pct']} %; itemised: "
            + (", ".join(i["component"] for i in rec["items"]) or "none")
        )
    facts = doc["facts"]
    lines.append(
        f"ÅDA: exit day {facts['exit_date']} ({facts['exit_date_source']}), notice by "
        f"{facts['notice_date'] or 'n/a'}, "
        + (
            "full exit, exit fee due"
            if facts["exit_fee_due"]
            else f"{facts['servers_staying_at_ada']} servers stay, no exit fee"
        )
    )
    lines.append("")
    lines.append("optimisations (EUR a year, beside as planned):")
    for provider, paths in doc["optimisations"].items():
        parts = [f"{name} {_saving(p)}" for name, p in paths.items()]
        lines.append(f"  {provider}: " + "; ".join(parts))
    lines.append("")
    for book in doc["price_books"]:
        fx = book["fx"] or {}
        note = f" [{book['note']}]" if book["note"] else ""
        lines.append(
            f"prices: {book['provider']} {book['source']} {book['region']} "
            f"{book['retrieved']}{note}; EUR/USD {fx.get('eur_per_usd')} of {fx.get('date')}"
        )
    if doc["legal_flags"]:
        lines.append("")
        lines.extend(f"legal review: {f['message']} ({f['source']})" for f in doc["legal_flags"])
    if doc["warnings"]:
        lines.append("")
        lines.extend(f"warning: {w['code']}: {w['message']}" for w in doc["warnings"])
    return "\n".join(lines) + "\n"


def to_csv(report: CostReport) -> str:
    """Long-form CSV: series, label, component, year, amount (EUR), lower_bound."""
    doc = report.to_json_dict()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["series", "label", "component", "year", "amount_eur", "lower_bound"])
    for key, label in SERIES:
        series = series_of(doc, key)
        lower = "true" if is_lower_bound(doc, key) else "false"
        for year, value in series["yearly"].items():
            writer.writerow([key, label, "total", year, f"{value:.2f}", lower])
        for component, values in series.get("components", {}).items():
            for year, value in values.items():
                writer.writerow([key, label, component, year, f"{value:.2f}", lower])
    return buffer.getvalue()


def write_cost_outputs(
    catalog: Catalog, plan: Plan, out_dir: str | Path, options: CostOptions | None = None
) -> list[Path]:
    """Compute the comparison and write cost.json, cost.csv and cost.xlsx; return the paths.

    Everything is computed before anything is written, so invalid input writes nothing.
    """
    report = compare_costs(catalog, plan, options)
    return write_report(report, catalog, plan, out_dir)


def write_report(
    report: CostReport, catalog: Catalog, plan: Plan, out_dir: str | Path
) -> list[Path]:
    """Write an already computed report's three files atomically."""
    folder = Path(out_dir)
    payloads: list[tuple[str, str | bytes]] = [
        ("cost.json", dumps_json(report.to_json_dict())),
        ("cost.csv", to_csv(report)),
        ("cost.xlsx", to_xlsx(report, catalog, plan)),
    ]
    return write_generation([(folder / name, data) for name, data in payloads])
