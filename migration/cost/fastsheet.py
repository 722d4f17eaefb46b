"""A large sheet (one row per server) written as XML text, 10x faster than openpyxl cells.

openpyxl writes the sheet's frame (header, column widths, frozen panes) and two template
rows; :func:`rewriter` then replaces the template rows with the real ones, reusing the
style ids openpyxl gave the template's bold and € cells, so styles stay consistent.
Strings are inline (``t="inlineStr"``), escaped, and defused like ``safe_cell``.

A rewriter yields the sheet's new XML in pieces of about a megabyte (the text before the
template rows, the rows, the text after them): :func:`migration.spreadsheet.workbook_bytes`
compresses each piece as it comes, so a 100k-row sheet (70 MB of XML) never sits in memory
whole, nor the list of its rows' text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from migration.spreadsheet import safe_cell

_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ROW = re.compile(rb"<row [^>]*r=\"2\".*?</row>\s*<row [^>]*r=\"3\".*?</row>", re.S)
_STYLE = re.compile(rb'<c r="([A-Z]+)([23])"[^>]*? s="(\d+)"')
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
CHUNK = 1 << 20
"""Characters of row XML gathered before a piece is yielded."""


def _pieces(rows: Iterable[str]) -> Iterator[bytes]:
    """The rows' XML, UTF-8 encoded, in pieces of about :data:`CHUNK` characters."""
    pending: list[str] = []
    size = 0
    for row in rows:
        pending.append(row)
        size += len(row)
        if size >= CHUNK:
            yield "".join(pending).encode("utf-8")
            pending, size = [], 0
    if pending:
        yield "".join(pending).encode("utf-8")


def _around(data: bytes, pattern: re.Pattern[bytes], body: Iterable[bytes]) -> Iterator[bytes]:
    """``data`` with the first match of ``pattern`` replaced by the pieces of ``body``
    (``data`` unchanged, the pieces dropped, when nothing matches: as ``re.sub`` would)."""
    match = pattern.search(data)
    if match is None:
        yield data
        return
    yield data[: match.start()]
    yield from body
    yield data[match.end() :]


def template_rows(width: int, money: Iterable[int]) -> tuple[list[Any], list[Any]]:
    """The two rows to append through openpyxl: a bold total row and a plain one."""
    cols = set(money)
    bold = ["total" if i == 1 else (0.0 if i in cols else None) for i in range(1, width + 1)]
    plain = ["x" if i == 1 else (0.0 if i in cols else None) for i in range(1, width + 1)]
    return bold, plain


def _escape(value: str) -> str:
    """A text cell's content: defused (``safe_cell``), control characters dropped, escaped."""
    return escape(_INVALID.sub("", str(safe_cell(value))))


class _Escaped(dict[str, str]):
    """:func:`_escape` of each distinct text once (a sheet's texts repeat: systems, sizes,
    readiness). Only for ``str`` itself: a subclass may print otherwise than it compares."""

    def __missing__(self, value: str) -> str:
        text = self[value] = _escape(value)
        return text


def _text(ref: str, text: str) -> str:
    """An inline text cell; ``text`` escaped by :func:`_escape`."""
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def rewriter(
    rows: Iterable[Sequence[Any]],
    width: int,
    money: Iterable[int],
    sum_columns: Iterable[int],
    count: int | None = None,
) -> Callable[[bytes], Iterator[bytes]]:
    """A function replacing the sheet's template rows with ``rows`` and a SUM total row,
    yielding the new sheet in pieces. ``count``: how many rows there are (the sheet's
    dimension, written before them, names the last); if not given, ``rows`` are read into
    a list first."""
    money_cols = set(money)
    letters = [get_column_letter(i) for i in range(1, width + 1)]

    def rewrite(data: bytes) -> Iterator[bytes]:
        styles = {(m[0].decode(), m[1].decode()): m[2].decode() for m in _STYLE.findall(data)}
        bold = styles.get(("A", "2"), "0")
        listed: Iterable[Sequence[Any]] = rows
        if count is None:
            listed = list(rows)
            total_row = len(listed) + 2
        else:
            total_row = count + 2  # the total row, after the header and the rows

        def lines() -> Iterator[str]:
            escaped = _Escaped()
            number = 1
            for number, row in enumerate(listed, start=2):
                cells = []
                for index, value in enumerate(row):
                    if value is None:
                        continue
                    cell_ref = f"{letters[index]}{number}"
                    if isinstance(value, str):
                        text = escaped[value] if type(value) is str else _escape(value)
                        cells.append(_text(cell_ref, text))
                    elif index + 1 in money_cols:
                        style = styles.get((letters[index], "3"), "0")
                        cells.append(f'<c r="{cell_ref}" s="{style}"><v>{value!r}</v></c>')
                    else:
                        cells.append(f'<c r="{cell_ref}" t="n"><v>{value!r}</v></c>')
                yield f'<row r="{number}">{"".join(cells)}</row>'
            if number + 1 != total_row:
                raise ValueError(f"rewriter: {number - 1} rows, {total_row - 2} announced")
            total = [f'<c r="A{total_row}" s="{bold}" t="inlineStr"><is><t>total</t></is></c>']
            for col in sorted(sum_columns):
                letter = letters[col - 1]
                style = styles.get((letter, "2"), bold)
                total.append(
                    f'<c r="{letter}{total_row}" s="{style}"><f>SUM({letter}2:{letter}{number})'
                    "</f></c>"
                )
            yield f'<row r="{total_row}">{"".join(total)}</row>'

        ref: bytes = f'<dimension ref="A1:{letters[-1]}{total_row}"/>'.encode()
        data = _DIMENSION.sub(lambda _m: ref, data, count=1)
        yield from _around(data, _ROW, _pieces(lines()))

    return rewrite


_EPOCH = date(1899, 12, 30)  # spreadsheet day 0 (openpyxl's default, the 1900 date system)
_ROW2 = re.compile(rb'<row r="2"[^>]*>.*?</row>', re.S)
_ROW2_STYLE = re.compile(rb'<c r="([A-Z]+)2"[^>]*? s="(\d+)"')


def table_rewriter(rows: Iterable[Sequence[Any]], width: int) -> Callable[[bytes], Iterator[bytes]]:
    """A function replacing a sheet's row 2 (a template row written through openpyxl, with
    a value in every column that needs a style, e.g. a date) with ``rows`` from row 2 on,
    yielding the new sheet in pieces.

    Each column keeps the style openpyxl gave its template cell (dates stay dates); text is
    inline, escaped and defused as :func:`_escape` does; ``None`` leaves the cell empty.
    """
    letters = [get_column_letter(i) for i in range(1, width + 1)]

    def rewrite(data: bytes) -> Iterator[bytes]:
        styles = {m[0].decode(): m[1].decode() for m in _ROW2_STYLE.findall(data)}

        def lines() -> Iterator[str]:
            escaped = _Escaped()
            for number, row in enumerate(rows, start=2):
                cells = []
                for letter, value in zip(letters, row, strict=False):
                    ref = f"{letter}{number}"
                    if value is None or value == "":
                        continue
                    if isinstance(value, str):
                        text = escaped[value] if type(value) is str else _escape(value)
                        cells.append(_text(ref, text))
                    elif isinstance(value, bool):
                        cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
                    elif isinstance(value, date):
                        style = styles.get(letter, "0")
                        days = (value - _EPOCH).days
                        cells.append(f'<c r="{ref}" s="{style}" t="n"><v>{days}</v></c>')
                    else:
                        cells.append(f'<c r="{ref}" t="n"><v>{value!r}</v></c>')
                yield f'<row r="{number}">{"".join(cells)}</row>'

        yield from _around(data, _ROW2, _pieces(lines()))

    return rewrite
