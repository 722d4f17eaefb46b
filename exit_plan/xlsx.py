"""The spreadsheet: checklist, runbooks, risks and the cost tables, streamed.

Written with openpyxl's write-only mode (rows are streamed, so a 100k-server plan does not
hold a million cell objects). Safe by construction: every text cell goes through
:func:`safe_text`, so text from the catalog can never be read as a formula (``=``, ``+``,
``-``, ``@`` and control characters at the start get a leading apostrophe). Deterministic:
fixed document dates and zip timestamps. Every header is an interface label, so the Swedish
workbook is Swedish throughout.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation

from exit_plan.data import Checklist, Lang
from exit_plan.view import ExitPlanView
from migration.cost.fastsheet import table_rewriter
from migration.spreadsheet import FIXED_TIME, safe_cell, write_workbook

_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_WRAP = Alignment(wrap_text=True, vertical="top")
_BOLD = Font(bold=True)
Label = Callable[[str], str]

safe_text = safe_cell  # every text cell of the exit plan goes through this


class _Sheet:
    """A streamed sheet that knows its row count (write-only sheets do not)."""

    def __init__(self, book: Workbook, title: str, widths: Iterable[int] = ()) -> None:
        self.sheet: WriteOnlyWorksheet = book.create_sheet(title[:31])
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.rows = 0

    def row(self, values: Sequence[object], bold: bool = False, wrap: bool = False) -> None:
        """Append one row: plain values (dates get openpyxl's date format), styled cells
        only for headers and wrapped text, so 100k rows stream quickly."""
        if not bold and not wrap:
            self.sheet.append([safe_text(v) for v in values])
            self.rows += 1
            return
        cells = []
        for value in values:
            cell = WriteOnlyCell(self.sheet, value=safe_text(value))
            if bold:
                cell.font = _BOLD
                cell.fill = _HEADER_FILL
            if wrap:
                cell.alignment = _WRAP
            cells.append(cell)
        self.sheet.append(cells)
        self.rows += 1

    def status(self, column: int, choices: list[str], first: int, last: int) -> None:
        if last < first:
            return
        letter = get_column_letter(column)
        formula = '"' + ",".join(c.replace('"', "") for c in choices) + '"'
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.add(f"{letter}{first}:{letter}{last}")
        self.sheet.data_validations.append(validation)


def _statuses(label: Label) -> list[str]:
    return [label(f"status.{s}") for s in ("open", "doing", "done", "na")]


def _checklist_sheet(
    book: Workbook, report: ExitPlanView, label: Label
) -> Callable[[bytes], Iterator[bytes]]:
    """The checklist sheet's frame through openpyxl; its rows (one per system or server
    item: 100k at scale) are written as XML by the returned rewriter of the sheet's file."""
    names = [
        "id",
        "phase",
        "item",
        "subject",
        "due",
        "overdue",
        "gates",
        "owner",
        "status",
        "evidence",
        "sources",
    ]
    sheet = _Sheet(book, label("checklist"), [26, 18, 48, 36, 12, 12, 10, 34, 14, 40, 36])
    sheet.sheet.freeze_panes = "C2"
    sheet.row([label(n) for n in names], bold=True)
    status = label("status.open")
    overdue = label("overdue")
    rows = (  # made while the sheet is rewritten, not held as a list
        [
            row.id,
            row.phase,
            row.title,
            row.subject,
            row.due,
            overdue if row.overdue else "",
            row.gates,
            row.owner,
            status,
            row.evidence,
            ", ".join(row.sources),
        ]
        for row in report.tracking_rows
    )
    sheet.row(["template", *[""] * 3, FIXED_TIME.date()])  # gives the due column its style
    last = len(report.tracking_rows) + 1
    sheet.status(9, _statuses(label), 2, last)
    sheet.sheet.auto_filter.ref = f"A1:K{last}"
    return table_rewriter(rows, len(names))


def _runbook_sheet(book: Workbook, report: ExitPlanView, label: Label) -> None:
    names = ["wave", "date", "day", "task", "owner", "status", "sources"]
    sheet = _Sheet(book, label("runbooks"), [10, 12, 8, 70, 28, 14, 40])
    sheet.sheet.freeze_panes = "A2"
    sheet.row([label(n) for n in names], bold=True)
    for view in report.runbooks:
        for task in view.tasks:
            sheet.row(
                [
                    view.name,
                    task.date,
                    task.day,
                    task.title,
                    task.owner,
                    label("status.open"),
                    ", ".join(task.sources),
                ]
            )
    sheet.status(6, _statuses(label), 2, sheet.rows)


def _moves_sheet(book: Workbook, report: ExitPlanView, label: Label) -> None:
    names = ["wave", "order", "servers", "systems", "role", "environment", "ip", "contact"]
    sheet = _Sheet(book, label("move_order"), [10, 6, 24, 24, 8, 10, 16, 30])
    sheet.sheet.freeze_panes = "A2"
    sheet.row([label(n) for n in names], bold=True)
    for view in report.runbooks:
        for move in view.moves:
            sheet.row(
                [
                    view.name,
                    move.order,
                    move.server,
                    move.system,
                    move.role,
                    move.environment,
                    move.ip,
                    move.contact,
                ]
            )


def _risk_sheet(book: Workbook, report: ExitPlanView, label: Label) -> None:
    sheet = _Sheet(book, label("risks"), [10, 40, 60, 60])
    sheet.row(
        [label(n) for n in ("risk_level", "item", "risk_detail", "risk_mitigation")], bold=True
    )
    for risk in report.risks:
        sheet.row(
            [label(f"risk_level.{risk.level}"), risk.title, risk.detail, risk.mitigation], wrap=True
        )


def _cost_sheet(book: Workbook, report: ExitPlanView, label: Label) -> None:
    out = _Sheet(book, label("costs"), [22])
    cost = report.cost
    if cost is None:
        out.row([label("no_cost")])
        return
    years = cost.years
    for title, field, extra in (
        ("yearly", "yearly", True),
        ("cumulative", "cumulative", False),
    ):
        out.row([f"{label(title)} ({cost.currency})"], bold=True)
        header = ["", *years] + ([label("total"), label("cost_source")] if extra else [])
        out.row(header)
        for row in cost.rows:
            values: list[object] = [row.label, *getattr(row, field)]
            if extra:
                values += [row.total, row.source]
            out.row(values)
        out.row([])
    out.row(
        [
            "",
            label("one_time"),
            label("npv"),
            label("break_even"),
            label("sensitivity"),
            label("pricing_option"),
        ],
    )
    for row in cost.rows:
        sens = row.sensitivity
        out.row(
            [
                row.label,
                row.one_time,
                row.npv,
                (row.break_even or label("no_break_even")) if row.has_break_even else "",
                f"{sens.low:.0f}–{sens.high:.0f}" if sens else "",
                row.pricing_option or "",
            ],
        )
    if cost.parts:
        out.row([])
        out.row([f"{label('cost_parts')} ({cost.currency})"], bold=True)
        out.row(["", *years, label("total"), label("one_time"), label("cost_source")])
        for row in cost.parts:
            out.row([row.label, *row.yearly, row.total, row.one_time, row.source])
    out.row([])
    out.row([label("price_books")])
    for price_book in cost.price_books:
        out.row(
            [
                price_book.get("provider"),
                price_book.get("region"),
                price_book.get("source"),
                f"{label('retrieved')} {price_book.get('retrieved')}",
                price_book.get("note") or "",
            ],
        )


def _sources_sheet(book: Workbook, report: ExitPlanView, label: Label) -> None:
    sheet = _Sheet(book, label("source_list"), [24, 22, 50, 60, 60])
    names = ("source_key", "kind", "source_title", "source_section", "source_url")
    sheet.row([label(n) for n in names], bold=True)
    for source in report.sources:
        sheet.row(
            [source["key"], source["kind"], source["title"], source["section"], source["url"] or ""]
        )


def render_xlsx(report: ExitPlanView, checklist: Checklist, lang: Lang) -> bytes:
    """The workbook as bytes (streamed sheets, fixed metadata)."""
    out = io.BytesIO()
    write_xlsx(report, checklist, lang, out)
    return out.getvalue()


def write_xlsx(report: ExitPlanView, checklist: Checklist, lang: Lang, handle: IO[bytes]) -> None:
    """The workbook written into ``handle`` (its large sheet streamed into it)."""

    def label(key: str) -> str:
        return checklist.label(key, lang)

    book = Workbook(write_only=True)
    book.properties.creator = "utflytt"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    checklist_rows = _checklist_sheet(book, report, label)  # the first sheet: sheet1.xml
    _runbook_sheet(book, report, label)
    if report.server_detail:
        _moves_sheet(book, report, label)
    _risk_sheet(book, report, label)
    _cost_sheet(book, report, label)
    _sources_sheet(book, report, label)
    write_workbook(book, handle, {"xl/worksheets/sheet1.xml": checklist_rows})
