"""cost.json, cost.csv and cost.xlsx from a :class:`~migration.cost.model.CostReport`."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from migration.catalog import Catalog
from migration.cost.model import CostOptions, CostReport, compare_costs
from migration.fileio import dumps_json
from migration.generation import write_generation
from migration.plan import Plan
from migration.spreadsheet import new_workbook, safe_cell, workbook_bytes
from migration.tables import render_table

ROWS = (
    ("stay", "ÅDA, stay"),
    ("ada", "ÅDA, move path"),
    ("azure", "Azure"),
    ("aws", "AWS"),
    ("path-azure", "Move to Azure (ÅDA + Azure)"),
    ("path-aws", "Move to AWS (ÅDA + AWS)"),
)


def _series(doc: dict[str, Any], key: str) -> dict[str, Any]:
    if key == "stay":
        result: dict[str, Any] = doc["stay"]
    elif key.startswith("path-"):
        result = doc["paths"][key[5:]]
    else:
        result = doc["providers"][key]
    return result


def summary_rows(doc: dict[str, Any]) -> list[list[Any]]:
    """Rows of the yearly view: label, one column per year, total, NPV."""
    years = [str(y) for y in doc["years"]]
    rows = []
    for key, label in ROWS:
        series = _series(doc, key)
        rows.append([label, *(series["yearly"][y] for y in years), series["total"], series["npv"]])
    return rows


def render_text(report: CostReport) -> str:
    """The human comparison: yearly table, break-even, sensitivity, books, warnings, flags."""
    doc = report.to_json_dict()
    years = [str(y) for y in doc["years"]]
    option = doc["providers"]["azure"]["pricing_option"]
    lines = [f"Cost comparison, {doc['currency']}, pricing option {option}", ""]
    rows = [[r[0], *(f"{v:,.0f}" for v in r[1:])] for r in summary_rows(doc)]
    lines.append(render_table(["", *years, "total", "NPV"], rows))
    lines.append("")
    for provider in ("azure", "aws"):
        label = doc["providers"][provider]["label"]
        sens = doc["sensitivity"][provider]
        share = f"{doc['assumptions']['sensitivity']:.0%}"
        lines.append(
            f"{label}: break-even {doc['break_even'][provider] or 'not within the horizon'}; "
            f"cloud total {doc['providers'][provider]['total']:,.0f} "
            f"(prices -{share}: {sens['low']:,.0f}, +{share}: {sens['high']:,.0f})"
        )
    lines.append("")
    for book in doc["price_books"]:
        note = f" [{book['note']}]" if book["note"] else ""
        lines.append(
            f"prices: {book['provider']} {book['source']} {book['region']} "
            f"{book['retrieved']}{note}"
        )
    if doc["legal_flags"]:
        lines.append("")
        lines.extend(f"legal review: {f['message']} ({f['source']})" for f in doc["legal_flags"])
    if doc["warnings"]:
        lines.append("")
        lines.extend(f"warning: {w['code']}: {w['message']}" for w in doc["warnings"])
    return "\n".join(lines) + "\n"


def to_csv(report: CostReport) -> str:
    """Long-form CSV: series, component, year, amount (EUR)."""
    doc = report.to_json_dict()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["series", "label", "component", "year", "amount_eur"])
    for key, label in ROWS:
        series = _series(doc, key)
        for year, value in series["yearly"].items():
            writer.writerow([key, label, "total", year, f"{value:.2f}"])
        for component, values in series.get("components", {}).items():
            for year, value in values.items():
                writer.writerow([key, label, component, year, f"{value:.2f}"])
    return buffer.getvalue()


def to_xlsx(report: CostReport, catalog: Catalog, plan: Plan) -> bytes:
    """Workbook with a sheet per view; text cells never start with a formula character."""
    doc = report.to_json_dict()
    years = [str(y) for y in doc["years"]]
    book = new_workbook()

    def sheet(title: str, header: list[str], rows: list[list[Any]], first: bool = False) -> None:
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        ws.title = title
        ws.append([safe_cell(h) for h in header])
        for row in rows:
            ws.append([safe_cell(v) for v in row])

    sheet("Summary", ["", *years, "total", "NPV"], summary_rows(doc), first=True)
    component_rows = []
    for key, label in ROWS:
        for component, values in _series(doc, key).get("components", {}).items():
            component_rows.append([label, component, *(values[y] for y in years)])
    sheet("Components", ["series", "component", *years], component_rows)
    totals = {
        key: [sum(col) for col in zip(*report.monthly[key].values(), strict=True)]
        for key in ("stay", "ada", "azure", "aws")
    }
    monthly_rows = [
        [month, *(round(totals[k][i], 2) for k in ("stay", "ada", "azure", "aws"))]
        for i, month in enumerate(report.months)
    ]
    sheet("Monthly", ["month", "ÅDA stay", "ÅDA move", "Azure", "AWS"], monthly_rows)
    server_rows = []
    for server in catalog.servers:
        planned = plan.servers.get(server.id)
        row: list[Any] = [server.id, server.system, planned.wave if planned else None]
        for provider in ("azure", "aws"):
            sized = report.sizing[provider].get(server.id)
            if sized is None:
                row += [None, None, None, None]
            else:
                price = None if sized.monthly_price is None else round(sized.monthly_price, 2)
                row += [sized.sku, sized.readiness, price, "; ".join(sized.readiness_reasons)]
        server_rows.append(row)
    sheet(
        "Servers",
        [
            "server",
            "system",
            "wave",
            "Azure size",
            "Azure readiness",
            "Azure EUR/month",
            "Azure reasons",
            "AWS size",
            "AWS readiness",
            "AWS EUR/month",
            "AWS reasons",
        ],
        server_rows,
    )
    sheet(
        "Price books",
        ["provider", "region", "planned region", "source", "retrieved", "note"],
        [
            [
                b["provider"],
                b["region"],
                b["planned_region"],
                b["source"],
                b["retrieved"],
                b["note"],
            ]
            for b in doc["price_books"]
        ],
    )
    sheet("Warnings", ["code", "message"], [[w["code"], w["message"]] for w in doc["warnings"]])
    sheet(
        "Legal",
        ["code", "message", "source"],
        [[f["code"], f["message"], f["source"]] for f in doc["legal_flags"]],
    )
    return workbook_bytes(book)


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
    """Write an already computed report's three files as one unit (all or nothing)."""
    folder = Path(out_dir)
    payloads: list[tuple[str, str | bytes]] = [
        ("cost.json", dumps_json(report.to_json_dict())),
        ("cost.csv", to_csv(report)),
        ("cost.xlsx", to_xlsx(report, catalog, plan)),
    ]
    return write_generation([(folder / name, data) for name, data in payloads])
