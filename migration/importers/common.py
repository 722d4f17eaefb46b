"""What every importer shares: the error family, tables of cells, header and cell parsing.

Error family (all are :class:`~migration.errors.InputFileError`, so the CLI prints
``Error: ...`` and exits 1, and nothing is written)::

    ImporterError            one or more problems, each naming file, sheet, row and column
      MissingSheet           a sheet (or CSV file) the format needs is not there
      MissingColumn          a column the format needs is not in the header row
      BadValue               a cell that cannot be read (a number that is not a number, ...)

Every cell reaches an importer as text (or ``None`` when empty), whether it came from an
XLSX workbook or a CSV file, so one set of parsers serves both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from migration.errors import InputFileError, Issue

Cell = str | None

__all__ = [
    "BadValue",
    "Cell",
    "ImportedServer",
    "ImporterError",
    "MissingColumn",
    "MissingSheet",
    "Problem",
    "Table",
    "clean_line",
    "clean_text",
    "normalise_header",
    "number_cell",
    "parse_bool",
    "parse_number",
    "slugify",
]

MAX_LISTED = 20  # problems listed in one error message; the rest are counted


@dataclass(frozen=True, order=True)
class Problem:
    """One unreadable thing in an input: where (file, sheet, row, column) and what."""

    file: str
    sheet: str = ""
    row: int = 0  # 1-based as the user sees it in Excel or a text editor; 0 = whole sheet
    column: str = ""  # the header text as written in the file
    message: str = ""

    def __str__(self) -> str:
        where = [f"sheet {self.sheet}"] if self.sheet else []
        if self.row:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        place = ", ".join(where)
        return f"{self.file}: {place}: {self.message}" if place else f"{self.file}: {self.message}"

    def issue(self) -> Issue:
        """The problem as an :class:`Issue` (``--json``): the row as its line, the field as
        ``sheet!column`` (Excel's way of naming a sheet's cell range)."""
        cell = f"{self.sheet}!{self.column}" if self.sheet and self.column else self.column
        return Issue(self.file, self.row, 0, cell or self.sheet, self.message)


class ImporterError(InputFileError):
    """An inventory export cannot be imported; ``problems`` says where and why."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        lines = [str(p) for p in self.problems[:MAX_LISTED]]
        if len(self.problems) > MAX_LISTED:
            lines.append(f"... and {len(self.problems) - MAX_LISTED} more")
        if len(self.problems) == 1:
            text = lines[0]
        else:
            text = "\n".join([f"{len(self.problems)} problems in the input:", *lines])
        super().__init__(text, [p.issue() for p in self.problems])


class MissingSheet(ImporterError):
    """A sheet (or per-sheet CSV file) that the format needs is missing."""


class MissingColumn(ImporterError):
    """A column that the format needs is missing from the header row."""


class BadValue(ImporterError):
    """A cell holds something that cannot be read as what the column means."""


class CellError(ValueError):
    """Raised by the cell parsers; the reader adds file, sheet, row and column."""


ESTIMATED_DISKS_NOTE = "one disk from "
"""How a server's note starts when its disks were estimated (RVTools without vDisk rows)."""

# ---------------------------------------------------------------------------- headers

_UNIT_SUFFIX = re.compile(r"\s+(mib|mb|gib|gb|kib|kb|%)$")
_PARENS = re.compile(r"\([^)]*\)")
_SPACES = re.compile(r"\s+")


def normalise_header(text: object) -> str:
    """Header text reduced to what identifies the column across versions of an export.

    Drops ``*`` (mandatory marks), case, anything in parentheses and a trailing unit, so that
    ``Provisioned MiB`` and ``Provisioned MB`` (older RVTools), ``*Memory (In MB)`` and
    ``memory`` all match.
    """
    value = "" if text is None else str(text)
    value = value.replace("*", " ").replace("\ufeff", "")
    value = _PARENS.sub(" ", value)
    value = _SPACES.sub(" ", value).strip().lower()
    value = _UNIT_SUFFIX.sub("", value)
    return value


@dataclass
class Table:
    """The rows of one sheet (or CSV file): header texts, then cells as text or None."""

    file: str  # how the user names the file (as given on the command line)
    sheet: str  # sheet name ("" for a lone CSV file)
    header: tuple[str, ...]
    rows: Sequence[tuple[int, Sequence[Cell]]]  # (row number in the file, cells)
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for position, text in enumerate(self.header):
            self._index.setdefault(normalise_header(text), position)

    def column(self, *names: str) -> int | None:
        """Position of the first column whose normalised header is one of ``names``."""
        for name in names:
            position = self._index.get(normalise_header(name))
            if position is not None:
                return position
        return None

    def require(self, *names: str) -> int:
        """As :meth:`column`, but raise :class:`MissingColumn` naming the first name."""
        position = self.column(*names)
        if position is None:
            raise MissingColumn([self.problem(0, "", f"missing column {names[0]!r}")])
        return position

    def header_text(self, position: int) -> str:
        """The header as written in the file, for messages."""
        return str(self.header[position])

    def problem(self, row: int, column: int | str, message: str) -> Problem:
        """A :class:`Problem` located in this table; ``column`` is a position or a text."""
        text = self.header_text(column) if isinstance(column, int) else column
        return Problem(self.file, self.sheet, row, text, message)

    def has_header_with(self, suffix: str) -> bool:
        """True when some header ends with ``suffix`` (e.g. `` MiB``), case-insensitive."""
        low = suffix.lower()
        return any(str(h).lower().rstrip().endswith(low) for h in self.header)


def cell(cells: Sequence[Cell], position: int | None) -> str:
    """The stripped text at ``position`` ('' when the column or the cell is absent)."""
    if position is None or position >= len(cells):
        return ""
    value = cells[position]
    return "" if value is None else value.strip()


# ------------------------------------------------------------------------------ cells

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def parse_number(text: str) -> float:
    """A number as exports write it: ``4096``, ``4096.5``, ``4,096``, ``12,5``, ``1 024``.

    Raise :class:`CellError` (``expected a number, got ...``) for anything else.
    """
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if _THOUSANDS.match(value):
        value = value.replace(",", "")
    elif _DECIMAL_COMMA.match(value):
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        raise CellError(f"expected a number, got {text!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise CellError(f"expected a number, got {text!r}")
    return number


def parse_int(text: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number (``4`` or ``4.0``), within ``minimum``..``maximum`` when given."""
    number = parse_number(text)
    if number != int(number):
        raise CellError(f"expected a whole number, got {text!r}")
    if minimum is not None and number < minimum:
        raise CellError(f"expected a whole number >= {minimum}, got {text!r}")
    if maximum is not None and number > maximum:
        raise CellError(f"expected a whole number <= {maximum}, got {text!r}")
    return int(number)


_TRUE = {"true", "1", "yes", "y", "ja", "x"}
_FALSE = {"false", "0", "no", "n", "nej", ""}


def read_number(
    table: Table, number: int, cells: Sequence[Cell], position: int | None, problems: list[Problem]
) -> tuple[float, str] | None:
    """The number in a cell and its text, or None when the cell is empty or (a problem) not
    a number; callers check its range."""
    text = cell(cells, position)
    if not text or position is None:
        return None
    try:
        return parse_number(text), text
    except CellError as exc:
        problems.append(table.problem(number, position, str(exc)))
        return None


def number_cell(
    table: Table,
    number: int,
    cells: Sequence[Cell],
    position: int | None,
    problems: list[Problem],
    positive: bool = False,
    maximum: float | None = None,
) -> float | None:
    """The number in a cell, or None when the cell is empty; a value that is not a number,
    below 0 (or 0 when ``positive``) or above ``maximum`` is a problem (and None)."""
    read = read_number(table, number, cells, position, problems)
    if read is None or position is None:
        return None
    value, text = read
    if value < 0 or (positive and value == 0):
        expected = "> 0" if positive else ">= 0"
        problems.append(
            table.problem(number, position, f"expected a number {expected}, got {text!r}")
        )
        return None
    if maximum is not None and value > maximum:
        problems.append(
            table.problem(number, position, f"expected a number <= {maximum:,.0f}, got {text!r}")
        )
        return None
    return value


def parse_bool(text: str) -> bool:
    """``True``/``False`` as RVTools writes them (also 1/0, yes/no; empty is false)."""
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise CellError(f"expected True or False, got {text!r}")


# ------------------------------------------------------------------------------ slugs

_TRANSLITERATE = str.maketrans(
    {"æ": "ae", "ø": "o", "ß": "ss", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "œ": "oe"}
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_MAX = 63


def slugify(text: str, max_length: int = SLUG_MAX) -> str:
    """``EKO-App01`` -> ``eko-app01``, ``Ålands Äldreomsorg`` -> ``alands-aldreomsorg``.

    The result matches the catalog's slug pattern, or is empty when nothing is left.
    """
    value = text.lower().translate(_TRANSLITERATE)
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = _NOT_SLUG.sub("-", value).strip("-")
    return value[:max_length].strip("-")


# Characters a catalog file or text field refuses (migration.catalog.models.TEXT_PATTERN):
# control characters, line and paragraph separators, noncharacters, bidirectional overrides
# and isolates, zero-width space, word joiner, byte-order mark
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]+"
)


def clean_line(text: str) -> str:
    """``text`` with each run of characters a catalog refuses replaced by one space."""
    return _UNSAFE.sub(" ", text)


def clean_text(text: str, max_length: int = 500) -> str:
    """``text`` as one line a catalog accepts: each run of characters it refuses (control,
    bidirectional override, zero-width; a tab or newline too) becomes one space, spaces at
    the ends go, and text longer than ``max_length`` is cut with "…". An export's names,
    folders, OS texts and notes reach the draft (and the terminal) only through here."""
    value = clean_line(text).strip()
    return value if len(value) <= max_length else value[: max_length - 1].rstrip() + "…"


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ImportedServer:
    """One server as an export describes it, before it is placed in a catalog.

    ``key`` identifies the server in the export (RVTools: VI SDK UUID + VM UUID; Azure
    Migrate: the server name); ``uuid`` disambiguates duplicate names.
    """

    name: str
    key: str
    uuid: str
    row: int
    vcpu: int
    memory_gb: float
    disks_gb: tuple[float, ...]
    os_text: str
    os: str
    ips: tuple[str, ...] = ()
    power_state: str = "poweredOn"
    folder: str = ""
    annotation: str = ""
    used_gb: float | None = None
    cpu_p95: float | None = None
    memory_p95: float | None = None
    notes: tuple[str, ...] = ()

    @property
    def powered_off(self) -> bool:
        """True for powered-off and suspended VMs."""
        return self.power_state.lower() not in ("poweredon", "on", "running", "")


def non_empty_rows(table: Table) -> Iterator[tuple[int, Sequence[Cell]]]:
    """The table's rows that hold at least one non-blank cell."""
    for number, cells in table.rows:
        if any(c is not None and c.strip() for c in cells):
            yield number, cells


@dataclass(frozen=True)
class Detected:
    """What an importer found out about its input, for the report.

    ``skipped`` lists (name, reason) of records deliberately left out (templates, SRM
    placeholders); ``warnings`` are facts a human should check.
    """

    format: str  # e.g. "RVTools xlsx", "RVTools CSV folder", "Azure Migrate CSV"
    source: str
    header_generation: str = ""  # RVTools: "MiB" (4.x) or "MB" (older)
    sheets: tuple[str, ...] = ()
    missing_sheets: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    """The servers an export describes, plus what was detected while reading it."""

    servers: tuple[ImportedServer, ...]
    detected: Detected
