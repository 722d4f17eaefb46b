"""Wave assignment as CSV, for people who plan in a spreadsheet, and back as pins.

``export_csv(plan)`` writes one row per migrating server (plain UTF-8, comma, header row).
Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) get a leading ``'``, which spreadsheets show as text.

``read_pins(path, plan)`` reads an edited copy back (comma, semicolon or tab separated, as
a spreadsheet saves it in any locale; UTF-8 with or without a BOM, or Windows-1252; LF or
CRLF line endings: the importers' reader, shared) and returns the edits as pins
``{server id: wave}`` (only rows whose wave differs from the plan), which the planner then
enforces and checks against every rule (``PlanOptions(pins=...)``). It reports every
problem at once, each with file, row and column, as one :class:`InputFileError`: missing
header columns, unknown or duplicate servers, a wave that is not a whole number, a wave for
a server that does not migrate, a change to an already-migrated server, and two servers of
one move group (system + environment) given different waves.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path

from migration.catalog.models import MAX_WAVE
from migration.errors import InputFileError, Issue
from migration.fileio import read_input_bytes, read_json_input
from migration.importers.sources import csv_reader, csv_records, decode_text, separator_hint
from migration.plan import Plan
from migration.spreadsheet import FORMULA_START

__all__ = [
    "COLUMNS",
    "export_csv",
    "pins_json",
    "read_pin_file",
    "read_pins",
    "read_pins_json",
    "read_pins_with_rows",
]

COLUMNS = ("server", "system", "environment", "wave", "start", "end", "frozen", "reason")
REQUIRED = ("server", "wave")


TOO_LATE = f"expected a wave number <= {MAX_WAVE} (the highest wave a pin may name)"


def _short(text: str, limit: int = 40) -> str:
    """``text``, cut to ``limit`` characters (a cell or value can be megabytes long)."""
    return text if len(text) <= limit else text[:limit] + "…"


def _is_line(value: object) -> bool:
    """A short line of printable text (a pin's origin is printed in error messages)."""
    return isinstance(value, str) and 0 < len(value) <= 300 and value.isprintable()


def _safe(text: str) -> str:
    """Neutralise spreadsheet formula injection in a text cell."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _unsafe(text: str) -> str:
    """Undo :func:`_safe` (a spreadsheet may keep or drop the quote)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def export_csv(plan: Plan) -> str:
    """The plan's wave assignment as CSV text, sorted by wave, system and server."""
    waves = {w.number: w for w in plan.waves}
    rows = []
    for sid, server in plan.servers.items():
        if server.wave is None:
            continue
        wave = waves.get(server.wave)
        rows.append(
            (
                server.wave,
                server.system,
                sid,
                [
                    _safe(sid),
                    _safe(server.system),
                    _safe(server.environment),
                    str(server.wave),
                    wave.start.isoformat() if wave else "",
                    wave.end.isoformat() if wave else "",
                    "yes" if wave and wave.frozen else "no",
                    _safe(server.reason or (wave.reasons.get(server.system, "") if wave else "")),
                ],
            )
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for _, _, _, cells in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
        writer.writerow(cells)
    return out.getvalue()


def read_pins(path: str | Path, plan: Plan) -> dict[str, int]:
    """Edited CSV -> pins for the rows whose wave differs from ``plan``.

    Raises :class:`InputFileError` listing every problem (file, row, column, expected).
    """
    return read_pins_with_rows(path, plan)[0]


def read_pins_with_rows(path: str | Path, plan: Plan) -> tuple[dict[str, int], dict[str, str]]:
    """As :func:`read_pins`, plus where each pin was made: ``{server: "file:row"}``."""
    file = Path(path)
    text = decode_text(read_input_bytes(file, "wave sheet", "a wave sheet"))
    name = str(file)
    reader, _ = csv_reader(text)
    rows = list(csv_records(reader, name))
    if not rows:
        raise InputFileError(f"{name}: empty file; expected a header row {','.join(COLUMNS)}")
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputFileError(
            f"{name}:1: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)} in the header row "
            f"(expected {','.join(COLUMNS)})" + separator_hint(rows[0])
        )
    col_server, col_wave = header.index("server"), header.index("wave")
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    edits: dict[str, tuple[int, int]] = {}  # server -> (wave, row)
    for row_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def issue(col: int, message: str, row_no: int = row_no) -> None:
            issues.append(Issue(name, row_no, col + 1, header[col], message))

        sid = _unsafe(row[col_server].strip()) if col_server < len(row) else ""
        raw = _unsafe(row[col_wave].strip()) if col_wave < len(row) else ""
        if not sid:
            issue(col_server, "expected a server id, got an empty cell")
            continue
        if sid in seen:
            issue(col_server, f"duplicate row for server {sid!r} (first at row {seen[sid]})")
            continue
        seen[sid] = row_no
        planned = plan.servers.get(sid)
        if planned is None:
            issue(col_server, f"unknown server {sid!r} (not in the plan)")
            continue
        if planned.wave is None:
            if raw:
                issue(
                    col_wave,
                    f"server {sid!r} does not migrate (disposition {planned.disposition}); "
                    "expected an empty wave",
                )
            continue
        try:
            wave = int(raw)
            if wave < 0 or not raw.lstrip("+").isdigit():
                raise ValueError(raw)
        except ValueError:
            issue(col_wave, f"expected a whole wave number >= 0, got {_short(raw)!r}")
            continue
        if wave > MAX_WAVE:
            issue(col_wave, f"{TOO_LATE}, got {_short(raw)}")
            continue
        if wave == planned.wave:
            continue
        if planned.migrated:
            issue(
                col_wave,
                f"server {sid!r} is already migrated; its wave {planned.wave} is frozen",
            )
            continue
        edits[sid] = (wave, row_no)
    groups: dict[tuple[str, str], tuple[str, int, int]] = {}
    for sid, (wave, row_no) in sorted(edits.items(), key=lambda kv: kv[1][1]):
        server = plan.servers[sid]
        key = (server.system, server.environment)
        first = groups.setdefault(key, (sid, wave, row_no))
        if first[1] != wave:
            issues.append(
                Issue(
                    name,
                    row_no,
                    col_wave + 1,
                    "wave",
                    f"server {sid!r} is given wave {wave} but {first[0]!r} (row {first[2]}) "
                    f"wave {first[1]}; they move together ({server.system}, "
                    f"{server.environment})",
                )
            )
    if issues:
        count = len(issues)
        head = f"{name}: {count} error{'s' if count != 1 else ''} in the wave sheet"
        raise InputFileError("\n".join([head, *(str(i) for i in sorted(issues))]), issues)
    ordered = sorted(edits.items())
    return (
        {sid: wave for sid, (wave, _) in ordered},
        {sid: f"{name}:{row_no}" for sid, (_, row_no) in ordered},
    )


def pins_json(
    pins: Mapping[str, int], origin: Mapping[str, str] | None = None
) -> dict[str, object]:
    """The pins file: ``{"pins": {server: wave}}``, sorted; with ``origin`` (optional, the
    wave sheet row of each pin: ``{server: "file:row"}``) when known."""
    out: dict[str, object] = {"pins": {sid: pins[sid] for sid in sorted(pins)}}
    if origin:
        out["origin"] = {sid: origin[sid] for sid in sorted(origin) if sid in pins}
    return out


def read_pin_file(path: str | Path) -> tuple[dict[str, int], dict[str, str]]:
    """A pins file's pins and where each was made (its ``origin``, else the file itself)."""
    file = Path(path)
    pins = read_pins_json(file)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # read_pins_json has just read and parsed it
        data = {}
    given = data.get("origin") if isinstance(data, dict) else None
    given = given if isinstance(given, dict) else {}
    origin = {  # a hand-edited origin that is no one line of text is not repeated
        sid: given[sid] if _is_line(given.get(sid)) else f"{file}: pins.{sid}" for sid in pins
    }
    return pins, origin


def read_pins_json(path: str | Path) -> dict[str, int]:
    """Read a pins file written by ``utflytt waves pins``; InputFileError names the field."""
    file = Path(path)
    data = read_json_input(file, "pins", "a pins file")
    pins = data.get("pins") if isinstance(data, dict) else None
    if not isinstance(pins, dict):
        raise InputFileError(f'{file}: expected {{"pins": {{"server-id": wave, ...}}}}')
    out: dict[str, int] = {}
    for sid, wave in sorted(pins.items()):
        if not isinstance(wave, int) or isinstance(wave, bool) or wave < 0:
            raise InputFileError(
                f"{file}: pins.{sid}: expected a whole wave number >= 0, got {_short(repr(wave))}"
            )
        if wave > MAX_WAVE:
            raise InputFileError(f"{file}: pins.{sid}: {TOO_LATE}, got {_short(str(wave))}")
        out[sid] = wave
    return out
