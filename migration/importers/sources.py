"""Read sheets of cells from an XLSX workbook, a folder of per-sheet CSV files or one CSV.

Workbooks are read with calamine (``python-calamine``, Rust): openpyxl reads about 60,000
cells a second, far too slow for a 10,000-VM RVTools export (2.5 million cells in 30 s);
calamine reads it in about two seconds. Every cell comes back as text (``None`` when empty):
strings as written (shared or inline), booleans as ``True``/``False``, whole numbers without
a decimal point, other numbers as Python writes them, and dates as ISO 8601 text
(``2024-01-31`` or ``2024-01-31 12:00:00``). Error values (``#N/A``) read as empty.
"""

from __future__ import annotations

import _csv
import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import python_calamine

from migration.importers.common import (
    Cell,
    ImporterError,
    MissingSheet,
    Problem,
    Table,
    normalise_header,
)

__all__ = [
    "SEPARATORS",
    "csv_reader",
    "csv_records",
    "decode_text",
    "read_csv",
    "read_csv_folder",
    "read_workbook",
    "separator_hint",
]

SEPARATORS = (",", ";", "\t")
"""Separators a spreadsheet writes: comma, semicolon (Excel in Finland, Sweden, ...), tab."""

# what calamine gives for one cell
_Value = (
    int
    | float
    | str
    | bool
    | datetime.time
    | datetime.date
    | datetime.datetime
    | datetime.timedelta
)


def _text(value: _Value) -> Cell:
    """One workbook cell as text, or ``None`` when it is empty."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _sheet_table(
    sheet: python_calamine.CalamineSheet, display: str, name: str, keep: set[str] | None
) -> Table:
    """One worksheet as a Table; only columns whose normalised header is in ``keep``.

    The header is the first row with a non-blank cell; rows after it that have no value in
    a kept column are left out, and so are cells in columns without a header.
    """
    rows = sheet.to_python(skip_empty_area=False)  # row i is worksheet row i + 1, from A1
    header: list[str] = []
    first = len(rows)
    for number, values in enumerate(rows):
        texts = [_text(v) for v in values]
        if any(t and t.strip() for t in texts):
            header = [(t or "").strip() for t in texts]
            first = number + 1
            break
    while header and not header[-1]:
        header.pop()
    width = len(header)
    wanted = [
        i for i, h in enumerate(header) if h and (keep is None or normalise_header(h) in keep)
    ]
    table: list[tuple[int, Sequence[Cell]]] = []
    for number in range(first, len(rows)):
        values = rows[number]
        cells: list[Cell] = [None] * width
        found = False
        for index in wanted:
            if index < len(values):
                value = values[index]
                if value != "":
                    cells[index] = _text(value)
                    found = True
        if found:
            table.append((number + 1, cells))
    return Table(display, name, tuple(header), table)


def _table_from_rows(display: str, sheet: str, rows: Iterable[tuple[int, Sequence[Cell]]]) -> Table:
    iterator = iter(rows)
    header: tuple[str, ...] = ()
    for _, cells in iterator:  # the first non-empty row is the header
        if any(c for c in cells):
            header = tuple((c or "").strip() for c in cells)
            break
    return Table(display, sheet, header, list(iterator))


def read_workbook(
    path: Path, display: str, wanted: Sequence[str], columns: Mapping[str, set[str]] | None = None
) -> dict[str, Table]:
    """The ``wanted`` sheets of an XLSX workbook (names matched ignoring case).

    ``columns`` (by sheet) limits each sheet to the columns whose normalised header is in
    the set; the others read as empty. Missing sheets are absent from the result; the caller
    decides which it needs.
    """
    try:
        with python_calamine.CalamineWorkbook.from_path(path) as book:
            by_lower = {name.lower(): name for name in book.sheet_names}
            tables: dict[str, Table] = {}
            for sheet in wanted:
                actual = by_lower.get(sheet.lower())
                if actual is None:
                    continue
                keep = columns.get(sheet) if columns is not None else None
                tables[sheet] = _sheet_table(book.get_sheet_by_name(actual), display, actual, keep)
            return tables
    except python_calamine.CalamineError as exc:
        raise ImporterError(
            [Problem(display, message=f"not a readable XLSX workbook ({exc})")]
        ) from None


def decode_text(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (a BOM is dropped), else Windows-1252 (Excel's "CSV")."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_reader(text: str) -> tuple[_csv.Reader, str]:
    """A csv reader over ``text`` with the separator of its first line, and that separator.

    The separator is the one of :data:`SEPARATORS` the header row has most of; line endings
    (LF, CRLF, CR) are the csv module's business.
    """
    first = text.replace("\r\n", "\n").replace("\r", "\n").split("\n", 1)[0]
    delimiter = max(SEPARATORS, key=first.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), delimiter


def csv_records(reader: _csv.Reader, display: str, sheet: str = "") -> Iterator[list[str]]:
    """The reader's records; one the csv module cannot read (a cell over its 128 KiB limit,
    a NUL byte) is an :class:`ImporterError` naming the file and line, never a traceback."""
    try:
        yield from reader
    except csv.Error as exc:
        line = reader.line_num
        raise ImporterError(
            [Problem(display, sheet, line, message=f"not readable as CSV: {exc}")]
        ) from None


def separator_hint(header: Sequence[str]) -> str:
    """A hint when a header row read as one cell: the separator the file seems to use."""
    if len(header) != 1 or not header[0]:
        return ""
    counts = {ch: header[0].count(ch) for ch in set(header[0]) if not ch.isalnum() and ch != " "}
    counts = {ch: n for ch, n in counts.items() if n and ch not in "_-'\""}
    if not counts:
        return ""
    found = max(sorted(counts), key=lambda ch: counts[ch])
    return (
        f" (the header row is one cell: is the separator {found!r}? expected comma, "
        "semicolon or tab; save the sheet as CSV)"
    )


def read_csv(path: Path, display: str, sheet: str = "") -> Table:
    """One CSV file (comma, semicolon or tab separated; UTF-8 or Windows-1252)."""
    try:
        text = decode_text(path.read_bytes())
    except OSError as exc:
        raise ImporterError([Problem(display, message=f"cannot read: {exc.strerror}")]) from None
    reader, _ = csv_reader(text)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        start = 1
        for record in csv_records(reader, display, sheet):
            yield start, [c if c != "" else None for c in record]
            start = reader.line_num + 1

    table = _table_from_rows(display, sheet, rows())
    if not table.header:
        raise ImporterError([Problem(display, sheet, message="the file is empty")])
    return table


def read_csv_folder(folder: Path, display: str, wanted: Sequence[str]) -> dict[str, Table]:
    """Per-sheet CSV files as RVTools writes them (``RVTools_tabvInfo.csv``, or ``vInfo.csv``)."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
    tables: dict[str, Table] = {}
    for sheet in wanted:
        low = sheet.lower()
        for file in files:
            stem = file.stem.lower()
            if stem == low or stem.endswith(("tab" + low, "_" + low, "-" + low)):
                tables[sheet] = read_csv(file, f"{display.rstrip('/')}/{file.name}", sheet)
                break
    return tables


def missing_sheet(display: str, sheet: str, folder: bool) -> MissingSheet:
    """The error for a sheet that must be there."""
    hint = f" (expected a file named like RVTools_tab{sheet}.csv)" if folder else ""
    return MissingSheet([Problem(display, message=f"missing sheet {sheet!r}{hint}")])
