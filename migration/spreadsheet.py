"""What every spreadsheet utflytt writes shares: safe cells and the same bytes every run.

- Text from a catalog may start with a character a spreadsheet evaluates (``=``, ``+``,
  ``-``, ``@``, tab, CR, LF: formula injection); :func:`safe_cell` prefixes it with ``'``.
- openpyxl stamps the save time into ``docProps/core.xml`` and into every zip entry;
  :func:`workbook_bytes` fixes both, so the same input gives byte-identical workbooks.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


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


def workbook_bytes(
    book: Workbook, rewrite: Mapping[str, Callable[[bytes], bytes]] | None = None
) -> bytes:
    """The saved workbook with every timestamp fixed, so equal input gives equal bytes.

    ``rewrite``: zip member name -> a function that rewrites its bytes (a large sheet written
    faster than openpyxl writes cells).
    """
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_DATE.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            if rewrite and info.filename in rewrite:
                data = rewrite[info.filename](data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)
    return out.getvalue()
