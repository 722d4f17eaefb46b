"""Read sheets of cells from an XLSX workbook, a folder of per-sheet CSV files or one CSV.

The XLSX reader is a streaming parser of the sheet XML written for speed: openpyxl reads
about 60,000 cells a second, which makes a 10,000-VM RVTools export (2.5 million cells) take
far longer than the 30 s we allow; this reader takes a few seconds. It understands what
spreadsheet writers put in a worksheet: shared and inline strings, booleans, numbers, error
values, missing ``r`` references and namespace prefixes. Every cell comes back as text.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from migration.importers.common import (
    Cell,
    ImporterError,
    MissingSheet,
    Problem,
    Table,
    normalise_header,
)

__all__ = ["read_csv", "read_csv_folder", "read_workbook"]

_CHUNK = 1 << 22
_ROW = re.compile(r"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
# one cell with its reference: (column letters, row number, other attributes, content)
_FAST_CELL = re.compile(
    r'<(?:\w+:)?c\b(?:([^>]*?)\br="([A-Z]+)(\d+)")?([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S
)
_ATTR_R = re.compile(r'\br="([A-Z]+)(\d+)"')
_ATTR_T = re.compile(r'\bt="(\w+)"')
_ROW_R = re.compile(r'\br="(\d+)"')
_VALUE = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_TEXT = re.compile(r"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.S)
_PHONETIC = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _unescape(text: str) -> str:
    if "&" in text:
        text = html.unescape(text)
    if "_x" in text:
        text = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


_COLUMN_CACHE: dict[str, int] = {}


def _column_index(letters: str) -> int:
    index = _COLUMN_CACHE.get(letters)
    if index is None:
        index = 0
        for char in letters:
            index = index * 26 + (ord(char) - 64)
        index -= 1
        _COLUMN_CACHE[letters] = index
    return index


class _Workbook:
    """The parts of an XLSX package that name sheets and hold shared strings."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.sheets = self._sheet_paths()
        self._shared: list[str] | None = None

    def _sheet_paths(self) -> dict[str, str]:
        workbook = ElementTree.fromstring(self.archive.read("xl/workbook.xml"))
        rels_xml = self.archive.read("xl/_rels/workbook.xml.rels")
        targets = {
            el.get("Id", ""): el.get("Target", "")
            for el in ElementTree.fromstring(rels_xml).iter()
            if _local(el.tag) == "Relationship"
        }
        paths: dict[str, str] = {}
        for el in workbook.iter():
            if _local(el.tag) != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            target = targets.get(rid, "")
            if not target:
                continue
            if target.startswith("/"):
                path = target.lstrip("/")
            else:
                path = str(PurePosixPath("xl") / target)
            paths[el.get("name", "")] = path
        return paths

    @property
    def shared(self) -> list[str]:
        if self._shared is None:
            self._shared = self._read_shared()
        return self._shared

    def _read_shared(self) -> list[str]:
        try:
            handle = self.archive.open("xl/sharedStrings.xml")
        except KeyError:
            return []
        strings: list[str] = []
        with handle:
            for _, element in ElementTree.iterparse(handle, events=("end",)):
                if _local(element.tag) != "si":
                    continue
                parts: list[str] = []
                for child in element:
                    name = _local(child.tag)
                    if name == "t":
                        parts.append(child.text or "")
                    elif name == "r":
                        parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
                strings.append("".join(parts))
                element.clear()
        return strings

    def _chunks(self, path: str) -> Iterator[str]:
        """The worksheet XML in pieces that each end after a complete row."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        buffer = ""
        with self.archive.open(path) as handle:
            while True:
                chunk = handle.read(_CHUNK)
                buffer += decoder.decode(chunk, final=not chunk)
                cut = len(buffer) if not chunk else _last_row_end(buffer)
                if cut:
                    yield buffer[:cut]
                    buffer = buffer[cut:]
                if not chunk:
                    return

    def table(self, path: str, display: str, sheet: str, keep: set[str] | None) -> Table:
        """One worksheet as a Table; only columns whose normalised header is in ``keep``.

        The fast path reads cells by their ``r`` reference with one regular expression per
        chunk and skips unwanted columns without decoding them; sheets whose cells lack
        references take the row-by-row path.
        """
        try:
            return self._fast_table(path, display, sheet, keep)
        except _NoReferences:
            return _table_from_rows(display, sheet, self.rows(path))

    def _fast_table(self, path: str, display: str, sheet: str, keep: set[str] | None) -> Table:
        shared = self.shared
        header_row = 0
        header: dict[int, str] = {}
        wanted: dict[str, int] | None = None  # column letters -> index
        width = 0
        rows: dict[int, list[Cell]] = {}
        for text in self._chunks(path):
            for before, letters, row_text, after, content in _FAST_CELL.findall(text):
                if not letters:
                    raise _NoReferences
                if wanted is not None:
                    index = wanted.get(letters)
                    if index is None or not content:
                        continue
                    value = _value(before + after, content, shared)
                    if value is None:
                        continue
                    number = int(row_text)
                    cells = rows.get(number)
                    if cells is None:
                        cells = rows[number] = [None] * width
                    cells[index] = value
                    continue
                number = int(row_text)
                if header_row and number != header_row:
                    wanted, width = _wanted_columns(header, keep)  # the header is complete
                    index = wanted.get(letters)
                    if index is None or not content:
                        continue
                    value = _value(before + after, content, shared)
                    if value is not None:
                        cells = rows[number] = [None] * width
                        cells[index] = value
                    continue
                value = _value(before + after, content, shared) if content else None
                if value is not None and value.strip():
                    header_row = number
                    header[_column_index(letters)] = value
        if wanted is None:
            wanted, width = _wanted_columns(header, keep)
        names = [""] * (max(header) + 1 if header else 0)
        for index, name in header.items():
            names[index] = name.strip()
        return Table(display, sheet, tuple(names), sorted(rows.items()))

    def rows(self, path: str) -> Iterator[tuple[int, list[Cell]]]:
        """(row number, cells) of one worksheet, row by row (cells may lack references)."""
        shared = self.shared
        last_row = 0
        for text in self._chunks(path):
            for match in _ROW.finditer(text):
                attrs, body = match.group(1), match.group(2)
                found = _ROW_R.search(attrs)
                last_row = int(found.group(1)) if found else last_row + 1
                yield last_row, _cells(body or "", shared)


class _NoReferences(Exception):
    """A worksheet's cells carry no ``r`` references: read it row by row."""


def _wanted_columns(header: dict[int, str], keep: set[str] | None) -> tuple[dict[str, int], int]:
    width = max(header) + 1 if header else 0
    wanted = {}
    for index, name in header.items():
        if keep is None or normalise_header(name) in keep:
            wanted[_column_letters(index)] = index
    return wanted, width


def _column_letters(index: int) -> str:
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _value(attrs: str, content: str, shared: Sequence[str]) -> str | None:
    kind_match = _ATTR_T.search(attrs) if "t=" in attrs else None
    kind = kind_match.group(1) if kind_match else "n"
    if kind == "inlineStr":
        text = _PHONETIC.sub("", content) if "rPh" in content else content
        return _unescape("".join(_TEXT.findall(text)))
    found = _VALUE.search(content)
    if found is None:
        return None
    raw = found.group(1)
    if kind == "s":
        return shared[int(raw)]
    if kind == "b":
        return "True" if raw.strip() == "1" else "False"
    return _unescape(raw)


def _last_row_end(buffer: str) -> int:
    """Index just after the last complete ``</row>`` (prefixed or not) or ``<row/>``."""
    end = buffer.rfind("row>")
    while end != -1:
        start = buffer.rfind("<", 0, end)
        if start != -1 and buffer[start + 1] == "/":
            return end + 4
        end = buffer.rfind("row>", 0, end)
    return 0


def _cells(body: str, shared: Sequence[str]) -> list[Cell]:
    cells: list[Cell] = []
    position = -1
    for match in _CELL.finditer(body):
        attrs, content = match.group(1), match.group(2)
        ref = _ATTR_R.search(attrs)
        position = _column_index(ref.group(1)) if ref else position + 1
        value = _value(attrs, content, shared) if content else None
        if value is None:
            continue
        if position >= len(cells):
            cells.extend([None] * (position - len(cells) + 1))
        cells[position] = value
    return cells


def _table_from_rows(
    display: str, sheet: str, rows: Iterable[tuple[int, Sequence[Cell]]]
) -> Table:
    iterator = iter(rows)
    header: tuple[str, ...] = ()
    for _, cells in iterator:  # the first non-empty row is the header
        if any(c for c in cells):
            header = tuple((c or "").strip() for c in cells)
            break
    return Table(display, sheet, header, list(iterator))


def read_workbook(path: Path, display: str, wanted: Sequence[str],
                  columns: Mapping[str, set[str]] | None = None) -> dict[str, Table]:
    """The ``wanted`` sheets of an XLSX workbook (names matched ignoring case).

    ``columns`` (by sheet) limits each sheet to the columns whose normalised header is in
    the set; the others read as empty. Missing sheets are absent from the result; the caller
    decides which it needs.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            book = _Workbook(archive)
            by_lower = {name.lower(): name for name in book.sheets}
            tables: dict[str, Table] = {}
            for sheet in wanted:
                actual = by_lower.get(sheet.lower())
                if actual is None:
                    continue
                keep = columns.get(sheet) if columns is not None else None
                tables[sheet] = book.table(book.sheets[actual], display, actual, keep)
            return tables
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError) as exc:
        raise ImporterError(
            [Problem(display, message=f"not a readable XLSX workbook ({exc})")]
        ) from None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(path: Path, display: str, sheet: str = "") -> Table:
    """One CSV file (comma, semicolon or tab separated; UTF-8 or Windows-1252)."""
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        raise ImporterError([Problem(display, message=f"cannot read: {exc.strerror}")]) from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        start = 1
        for record in reader:
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
