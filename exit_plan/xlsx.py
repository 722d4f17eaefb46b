"""The spreadsheet: checklist and runbooks with status and owner columns, the cost tables.

Safe by construction: every text cell goes through :func:`safe_text`, so text from the
catalog can never be read as a formula (``=``, ``+``, ``-``, ``@`` and control characters at
the start get a leading apostrophe). Deterministic: fixed document dates and zip timestamps.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from exit_plan.data import Checklist, Lang
from migration.spreadsheet import new_workbook, safe_cell, workbook_bytes

_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


safe_text = safe_cell  # every text cell of the exit plan goes through this


def _append(sheet: Worksheet, row: list[object]) -> None:
    sheet.append([safe_text(v) for v in row])


def _header(sheet: Worksheet, names: list[str], widths: list[int]) -> None:
    _append(sheet, list(names))
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=sheet.max_row, column=index)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width


def _status_column(sheet: Worksheet, column: int, choices: list[str], rows: int) -> None:
    if rows == 0:
        return
    letter = get_column_letter(column)
    formula = '"' + ",".join(c.replace('"', "") for c in choices) + '"'
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{rows + 1}")


def _dates(sheet: Worksheet, column: int) -> None:
    for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
        if isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"


def _checklist_sheet(book: Workbook, report: dict[str, Any], label: Any) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = label("checklist")[:31]
    names = ["id", "phase", "item", "subject", "due", "owner", "status", "evidence", "sources"]
    _header(sheet, [label(n) for n in names], [26, 18, 48, 36, 12, 34, 14, 40, 36])
    status = label("status.open")
    for row in report["checklist_rows"]:
        _append(
            sheet,
            [
                row["id"],
                row["phase"],
                row["title"],
                row["subject"],
                row["due"],
                row["owner"],
                status,
                row["evidence"],
                row["sources"],
            ],
        )
    _dates(sheet, 5)
    _status_column(
        sheet,
        7,
        [label(f"status.{s}") for s in ("open", "doing", "done", "na")],
        len(report["checklist_rows"]),
    )
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _runbook_sheet(book: Workbook, report: dict[str, Any], label: Any) -> None:
    sheet = book.create_sheet(label("runbooks")[:31])
    names = ["wave", "date", "day", "task", "owner", "status", "sources"]
    _header(sheet, [label(n) for n in names], [10, 12, 8, 70, 28, 14, 40])
    count = 0
    for book_view in report["runbooks"]:
        for task in book_view["tasks"]:
            _append(
                sheet,
                [
                    book_view["name"],
                    task["date"],
                    task["day"],
                    task["title"],
                    task["owner"],
                    label("status.open"),
                    ", ".join(task["sources"]),
                ],
            )
            count += 1
    _dates(sheet, 2)
    _status_column(sheet, 6, [label(f"status.{s}") for s in ("open", "doing", "done", "na")], count)
    sheet.freeze_panes = "A2"


def _cost_sheet(book: Workbook, report: dict[str, Any], label: Any) -> None:
    sheet = book.create_sheet(label("costs")[:31])
    cost = report["cost"]
    if cost is None:
        _append(sheet, [label("no_cost")])
        return
    years = cost["years"]
    sheet.column_dimensions["A"].width = 22
    for title, field, extra in (
        ("yearly", "yearly", True),
        ("cumulative", "cumulative", False),
    ):
        _append(sheet, [f"{label(title)} ({cost['currency']})"])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        header = ["", *years] + ([label("total"), label("cost_source")] if extra else [])
        _append(sheet, header)
        for row in cost["rows"]:
            values: list[object] = [row["label"], *row[field]]
            if extra:
                values += [row["total"], row["source"]]
            _append(sheet, values)
        _append(sheet, [])
    _append(
        sheet,
        [
            "",
            label("one_time"),
            label("npv"),
            label("break_even"),
            label("sensitivity"),
            label("pricing_option"),
        ],
    )
    for row in cost["rows"]:
        sens = row["sensitivity"]
        _append(
            sheet,
            [
                row["label"],
                row["one_time"],
                row["npv"],
                (row["break_even"] or label("no_break_even")) if row["has_break_even"] else "",
                f"{sens['low']:.0f}–{sens['high']:.0f}" if sens else "",
                row["pricing_option"] or "",
            ],
        )
    if cost["parts"]:
        _append(sheet, [])
        _append(sheet, [f"{label('cost_parts')} ({cost['currency']})"])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        _append(sheet, ["", *years, label("total"), label("one_time"), label("cost_source")])
        for row in cost["parts"]:
            _append(
                sheet, [row["label"], *row["yearly"], row["total"], row["one_time"], row["source"]]
            )
    _append(sheet, [])
    _append(sheet, [label("price_books")])
    for price_book in cost["price_books"]:
        _append(
            sheet,
            [
                price_book.get("provider"),
                price_book.get("region"),
                price_book.get("source"),
                f"{label('retrieved')} {price_book.get('retrieved')}",
                price_book.get("note") or "",
            ],
        )
    for row_cells in sheet.iter_rows():
        for cell in row_cells:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0"


def _sources_sheet(book: Workbook, report: dict[str, Any], label: Any) -> None:
    sheet = book.create_sheet(label("source_list")[:31])
    _header(sheet, ["key", label("kind"), "title", "section", "url"], [24, 22, 50, 60, 60])
    for source in report["sources"]:
        _append(
            sheet,
            [
                source["key"],
                source["kind"],
                source["title"],
                source["section"],
                source["url"] or "",
            ],
        )


def render_xlsx(report: dict[str, Any], checklist: Checklist, lang: Lang) -> bytes:
    """The workbook as bytes."""

    def label(key: str) -> str:
        return checklist.label(key, lang)

    book = new_workbook()
    _checklist_sheet(book, report, label)
    _runbook_sheet(book, report, label)
    _cost_sheet(book, report, label)
    _sources_sheet(book, report, label)
    return workbook_bytes(book)
