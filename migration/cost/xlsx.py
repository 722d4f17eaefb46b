"""cost.xlsx: a sheet per view, € formats, frozen headers, formulas for totals.

Written with openpyxl's write-only (streaming) workbook, so a 100,000-server estate writes
in seconds; text from the catalog never starts with a formula character (``safe_cell``).
Sheets: Summary, Components, Monthly, Servers, Assumptions, Prices, Price books, Unpriced,
Optimisations, Warnings, Legal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from migration.catalog import Catalog
from migration.cost.comparison import CostReport
from migration.cost.fastsheet import rewriter, template_rows
from migration.plan import Plan
from migration.spreadsheet import FIXED_TIME, safe_cell, workbook_bytes

EURO = '#,##0.00 "€"'
SERIES = (
    ("stay", "ÅDA, stay"),
    ("ada", "ÅDA, move path"),
    ("azure", "Azure"),
    ("aws", "AWS"),
    ("path-azure", "Move to Azure (ÅDA + Azure)"),
    ("path-aws", "Move to AWS (ÅDA + AWS)"),
)
_BOLD = Font(bold=True)


def series_of(doc: dict[str, Any], key: str) -> dict[str, Any]:
    """A series of cost.json by its row key (stay, ada, azure, aws, path-<provider>)."""
    if key == "stay":
        result: dict[str, Any] = doc["stay"]
    elif key.startswith("path-"):
        result = doc["paths"][key[5:]]
    else:
        result = doc["providers"][key]
    return result


def is_lower_bound(doc: dict[str, Any], key: str) -> bool:
    """True when the series leaves out an unpriced item (its totals are lower bounds)."""
    provider = key[5:] if key.startswith("path-") else key
    return provider in ("azure", "aws") and not doc["providers"][provider].get("complete", True)


class _Sheet:
    """A write-only sheet: a bold frozen header, € cells in the money columns."""

    def __init__(
        self, book: Workbook, title: str, header: Sequence[str], money: Iterable[int] = ()
    ) -> None:
        self.ws: WriteOnlyWorksheet = book.create_sheet(title)
        self.ws.freeze_panes = "B2"
        self.money = frozenset(money)
        for index, name in enumerate(header, start=1):
            width = 14 if index in self.money else max(12, min(48, len(name) + 4))
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.append([self._cell(h, bold=True) for h in header])
        self.rows = 1

    def _cell(self, value: Any, bold: bool = False, money: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=safe_cell(value) if not _formula(value) else value)
        if bold:
            cell.font = _BOLD
        if money:
            cell.number_format = EURO
        return cell

    def append(self, row: Sequence[Any], bold: bool = False) -> None:
        """One row; money columns (1-based) get the € format."""
        money = self.money
        if not money and not bold:
            self.ws.append([safe_cell(v) for v in row])
        else:
            self.ws.append(
                [
                    self._cell(v, bold, i in money) if (bold or i in money) else safe_cell(v)
                    for i, v in enumerate(row, start=1)
                ]
            )
        self.rows += 1

    def total_row(self, label: str, columns: Iterable[int], width: int) -> None:
        """A bold row of SUM formulas over the rows above, in the given columns."""
        cols = set(columns)
        row: list[Any] = [label, *([None] * (width - 1))]
        for col in cols:
            letter = get_column_letter(col)
            row[col - 1] = f"=SUM({letter}2:{letter}{self.rows})"
        self.append(row, bold=True)


def _formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=SUM(")


def to_xlsx(
    report: CostReport,
    catalog: Catalog,
    plan: Plan,
    extra_sheets: Sequence[tuple[str, list[str], list[list[Any]]]] = (),
) -> bytes:
    """The workbook (same input, same bytes); ``extra_sheets`` (title, header, rows) are
    appended, e.g. the overlap analysis."""
    doc = report.to_json_dict()
    years = [str(y) for y in doc["years"]]
    book = Workbook(write_only=True)
    book.properties.creator = "utflytt"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    n = len(years)
    summary = _Sheet(book, "Summary", ["", *years, "total", "NPV", "complete"], range(2, n + 4))
    for key, label in SERIES:
        series = series_of(doc, key)
        lower = is_lower_bound(doc, key)
        row = len(years) + 1
        total = f"=SUM(B{summary.rows + 1}:{get_column_letter(row)}{summary.rows + 1})"
        summary.append(
            [
                f"{label} (lower bound)" if lower else label,
                *(series["yearly"][y] for y in years),
                total,
                series["npv"],
                "no: lower bound, see Unpriced" if lower else "yes",
            ]
        )
    for provider in ("azure", "aws"):
        summary.append([f"break-even, {provider}", doc["break_even"][provider] or "none"])
    comp = _Sheet(book, "Components", ["series", "component", *years, "total"], range(3, n + 4))
    for key, label in SERIES:
        for component, values in series_of(doc, key).get("components", {}).items():
            r = comp.rows + 1
            comp.append([label, component, *(values[y] for y in years), _sum_range(3, n + 2, r)])
    keys = ("stay", "ada", "azure", "aws")
    monthly = _Sheet(
        book, "Monthly", ["month", "ÅDA stay", "ÅDA move", "Azure", "AWS"], range(2, 6)
    )
    totals = {k: [sum(col) for col in zip(*report.monthly[k].values(), strict=True)] for k in keys}
    for i, month in enumerate(report.months):
        monthly.append([month, *(round(totals[k][i], 2) for k in keys)])
    monthly.total_row("total", range(2, 6), 5)
    servers = _servers(book, report, catalog, plan)
    _assumptions(book, doc)
    _prices(book, doc)
    _simple(
        book,
        "Price books",
        [
            "provider",
            "region",
            "planned region",
            "source",
            "retrieved",
            "EUR per USD",
            "fx date",
            "fx source",
            "note",
        ],
        [
            [
                b["provider"],
                b["region"],
                b["planned_region"],
                b["source"],
                b["retrieved"],
                (b["fx"] or {}).get("eur_per_usd"),
                (b["fx"] or {}).get("date"),
                (b["fx"] or {}).get("source"),
                b["note"],
            ]
            for b in doc["price_books"]
        ],
    )
    _simple(
        book,
        "Unpriced",
        ["provider", "what", "why", "count", "subjects"],
        [
            [p, u["what"], u["why"], u["count"], ", ".join(u["subjects"][:50])]
            for p in ("azure", "aws")
            for u in doc["providers"][p]["unpriced"]
        ],
    )
    opt = _Sheet(
        book,
        "Optimisations",
        ["provider", "path", "EUR/month", "EUR/year", "complete", "note"],
        (3, 4),
    )
    for provider, paths in doc["optimisations"].items():
        for name, path in paths.items():
            opt.append(
                [
                    provider,
                    name,
                    path["monthly_saving_eur"],
                    path["yearly_saving_eur"],
                    "yes" if path["complete"] else f"no ({path['unpriced_servers']} left out)",
                    path["note"],
                ]
            )
    _simple(
        book, "Warnings", ["code", "message"], [[w["code"], w["message"]] for w in doc["warnings"]]
    )
    _simple(
        book,
        "Legal",
        ["code", "message", "source"],
        [[f["code"], f["message"], f["source"]] for f in doc["legal_flags"]],
    )
    for title, header, rows in extra_sheets:
        _simple(book, title, header, rows)
    # Servers is the fourth sheet created: openpyxl names it sheet4.xml
    return workbook_bytes(book, {"xl/worksheets/sheet4.xml": servers})


def _sum_range(first: int, last: int, row: int) -> str:
    return f"=SUM({get_column_letter(first)}{row}:{get_column_letter(last)}{row})"


def _simple(book: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = _Sheet(book, title, header)
    for row in rows:
        sheet.append(row)


def _servers(book: Workbook, report: CostReport, catalog: Catalog, plan: Plan) -> Any:
    """The Servers sheet's frame through openpyxl; its rows by the fast writer."""
    header = ["server", "system", "wave"]
    for name in ("Azure", "AWS"):
        header += [f"{name} size", f"{name} readiness", f"{name} EUR/month", f"{name} reasons"]
    money = (6, 10)
    sheet = _Sheet(book, "Servers", header, money)
    bold, plain = template_rows(len(header), money)
    sheet.append(bold, bold=True)
    sheet.append(plain)
    sizing = report.sizing

    def rows() -> Any:
        for server in catalog.servers:
            planned = plan.servers.get(server.id)
            row: list[Any] = [server.id, server.system, planned.wave if planned else None]
            for provider in ("azure", "aws"):
                sized = sizing[provider].get(server.id)
                if sized is None:
                    row += [None, None, None, None]
                else:
                    price = None if sized.monthly_price is None else round(sized.monthly_price, 2)
                    row += [sized.sku, sized.readiness, price, "; ".join(sized.readiness_reasons)]
            yield row

    return rewriter(rows(), len(header), money, money, count=len(catalog.servers))


def _assumptions(book: Workbook, doc: dict[str, Any]) -> None:
    assumptions = doc["assumptions"]
    sheet = _Sheet(book, "Assumptions", ["assumption", "value", "meaning", "set by"])
    explained = assumptions.get("explained", {})
    set_by = assumptions.get("set_by", {})
    for key, meaning in explained.items():
        value = assumptions.get(key)
        if isinstance(value, dict | list):
            value = json.dumps(value, sort_keys=True, ensure_ascii=False)
        sheet.append([key, value, meaning, set_by.get(key, "default")])
    for entry in doc["price_books"]:
        fx = entry.get("fx") or {}
        sheet.append(
            [
                f"fx {entry['provider']}",
                fx.get("eur_per_usd"),
                f"EUR per USD of {fx.get('date')}: {fx.get('source')}",
                "price book" if set_by.get("eur_per_usd") in (None, "default") else "assumption",
            ]
        )
    for key, value in sorted(doc["facts"].items()):
        sheet.append([f"fact: {key}", value, "computed by the cost model", "plan and catalog"])


def _prices(book: Workbook, doc: dict[str, Any]) -> None:
    header = [
        "provider",
        "item",
        "option",
        "price",
        "unit",
        "currency",
        "EUR",
        "EUR unit",
        "region",
        "retrieved",
        "basis",
        "confidence",
        "method",
        "source",
    ]
    sheet = _Sheet(book, "Prices", header, (7,))
    for provider, rows in doc["prices"].items():
        for p in rows:
            sheet.append(
                [
                    provider,
                    p["item"],
                    p["option"],
                    p["price"],
                    p["unit"],
                    p["currency"],
                    p["eur"],
                    p["eur_unit"],
                    p["region"],
                    p["retrieved"],
                    p["basis"],
                    p["confidence"],
                    p["method"],
                    p["source"],
                ]
            )
