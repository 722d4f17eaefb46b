"""Large sheets are streamed: rewritten in pieces, compressed as they come, same bytes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import Workbook

from migration.cost import fastsheet
from migration.cost.fastsheet import rewriter, table_rewriter, template_rows
from migration.spreadsheet import FIXED_TIME, workbook_bytes, write_workbook

WIDTH = 3
MONEY = (3,)


def _book() -> Workbook:
    book = Workbook(write_only=True)
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    sheet = book.create_sheet("Servers")
    sheet.append(["server", "system", "EUR/month"])
    bold, plain = template_rows(WIDTH, MONEY)
    sheet.append(bold)
    sheet.append(plain)
    return book


def _rows(n: int, consumed: list[int] | None = None) -> Iterator[list[Any]]:
    for i in range(n):
        if consumed is not None:
            consumed.append(i)
        yield [f"srv-{i:05d}", "=not a formula" if i % 7 == 0 else "sys", i * 1.5]


SHEET = "xl/worksheets/sheet1.xml"


class TestPieces:
    def test_pieces_are_streamed_not_built_whole(self, monkeypatch):
        """The first pieces are out before most rows are read (a sheet is never whole)."""
        monkeypatch.setattr(fastsheet, "CHUNK", 2_000)
        consumed: list[int] = []
        rewrite = rewriter(_rows(5_000, consumed), WIDTH, MONEY, MONEY, count=5_000)
        source = zipfile.ZipFile(io.BytesIO(workbook_bytes(_book()))).read(SHEET)
        pieces = rewrite(source)
        next(pieces), next(pieces)
        assert len(consumed) < 100
        rest = list(pieces)
        assert len(consumed) == 5_000
        assert max(len(p) for p in rest) < 4_000

    def test_streamed_workbook_has_the_bytes_of_a_whole_one(self, monkeypatch):
        """Pieces compressed one by one give the bytes of the sheet written at once."""
        monkeypatch.setattr(fastsheet, "CHUNK", 1_000)
        streamed = workbook_bytes(
            _book(), {SHEET: rewriter(_rows(3_000), WIDTH, MONEY, MONEY, count=3_000)}
        )
        whole_rewrite = rewriter(_rows(3_000), WIDTH, MONEY, MONEY)  # no count: a list

        def whole(data: bytes) -> bytes:
            return b"".join(whole_rewrite(data))

        assert streamed == workbook_bytes(_book(), {SHEET: whole})
        sheet = zipfile.ZipFile(io.BytesIO(streamed)).read(SHEET).decode()
        assert "<f>SUM(C2:C3001)</f>" in sheet
        assert "'=not a formula" in sheet

    def test_into_a_file_the_same_bytes(self, tmp_path):
        path = tmp_path / "book.xlsx"
        with path.open("wb") as handle:
            write_workbook(
                _book(), handle, {SHEET: rewriter(_rows(50), WIDTH, MONEY, MONEY, count=50)}
            )
        expected = workbook_bytes(
            _book(), {SHEET: rewriter(_rows(50), WIDTH, MONEY, MONEY, count=50)}
        )
        assert path.read_bytes() == expected

    def test_a_wrong_row_count_is_an_error(self):
        source = zipfile.ZipFile(io.BytesIO(workbook_bytes(_book()))).read(SHEET)
        with pytest.raises(ValueError, match="10 rows, 11 announced"):
            b"".join(rewriter(_rows(10), WIDTH, MONEY, MONEY, count=11)(source))

    def test_table_rows_replace_the_template_row(self):
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Checklist")
        sheet.append(["id", "due"])
        sheet.append(["template", FIXED_TIME.date()])
        rows = ([f"item-{i}", None] for i in range(3))
        data = workbook_bytes(book, {SHEET: table_rewriter(rows, 2)})
        text = zipfile.ZipFile(io.BytesIO(data)).read(SHEET).decode()
        assert "template" not in text
        assert [f'<row r="{n}">' in text for n in (2, 3, 4, 5)] == [True, True, True, False]


class _Shown(str):
    """A text that prints otherwise than it compares (an Enum mixing in str does)."""

    def __str__(self) -> str:
        return "shown"


class TestTextCells:
    """Each distinct text is escaped once per sheet; every cell still gets its own."""

    def _sheet(self, rows: list[list[Any]]) -> str:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Table")
        sheet.append(["a", "b"])
        sheet.append(["template", "template"])
        data = workbook_bytes(book, {SHEET: table_rewriter(iter(rows), 2)})
        return zipfile.ZipFile(io.BytesIO(data)).read(SHEET).decode()

    @staticmethod
    def _cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'

    def test_repeated_texts_are_defused_and_escaped_in_every_cell(self):
        text = self._sheet([["=1+1", "a<b&c\x01"], ["=1+1", "a<b&c\x01"]])
        for row in (2, 3):
            assert self._cell(f"A{row}", "'=1+1") in text
            assert self._cell(f"B{row}", "a&lt;b&amp;c") in text

    def test_a_str_subclass_is_written_as_it_prints_not_as_the_text_it_equals(self):
        text = self._sheet([["value", _Shown("value")], [_Shown("value"), "value"]])
        assert self._cell("A2", "value") in text
        assert self._cell("B2", "shown") in text
        assert self._cell("A3", "shown") in text
        assert self._cell("B3", "value") in text
