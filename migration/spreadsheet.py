"""What every spreadsheet utflytt writes shares: safe cells and the same bytes every run.

- Text from a catalog may start with a character a spreadsheet evaluates (``=``, ``+``,
  ``-``, ``@``, tab, CR, LF: formula injection); :func:`safe_cell` prefixes it with ``'``.
- openpyxl stamps the save time into ``docProps/core.xml`` and into every zip entry;
  :func:`write_workbook` fixes both, so the same input gives byte-identical workbooks.
- A large sheet may be rewritten (written faster than openpyxl writes cells): its new XML
  comes in pieces and each is compressed as it comes, straight into the output, so a
  100k-row sheet is never held whole (nor the workbook twice).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import IO, Any

from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
Rewrite = Callable[[bytes], bytes | Iterable[bytes]]
"""A zip member's new bytes from its old ones: whole, or in pieces written as they come."""


def safe_cell(value: Any) -> Any:
    """A cell value a spreadsheet will not evaluate; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def new_workbook() -> Workbook:
    """An empty workbook with fixed metadata."""
    book = Workbook()
    book.properties.creator = "utflytt"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    return book


def workbook_bytes(book: Workbook, rewrite: Mapping[str, Rewrite] | None = None) -> bytes:
    """The saved workbook with every timestamp fixed, so equal input gives equal bytes
    (:func:`write_workbook` into memory)."""
    out = io.BytesIO()
    write_workbook(book, out, rewrite)
    return out.getvalue()


def write_workbook(
    book: Workbook, handle: IO[bytes], rewrite: Mapping[str, Rewrite] | None = None
) -> None:
    """Save the workbook into ``handle`` with every timestamp fixed.

    ``rewrite``: zip member name -> a function that rewrites its bytes (a large sheet
    written faster than openpyxl writes cells), returning them whole or in pieces.
    """
    if not handle.seekable():  # a zip written to a pipe has other bytes (data descriptors)
        handle.write(workbook_bytes(book, rewrite))
        return
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_DATE.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            new = rewrite[info.filename](data) if rewrite and info.filename in rewrite else data
            del data
            if isinstance(new, bytes):
                target.writestr(fixed, new)
                continue
            # the same bytes as writestr: deflate's output does not depend on how its
            # input is split, and the member's header is completed when it is closed
            with target.open(fixed, "w") as member:
                for piece in new:
                    member.write(piece)
