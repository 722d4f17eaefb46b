"""The Azure Migrate CSV import template -> servers.

Headers are matched without ``*`` (mandatory marks), case or unit suffixes, in any order:
``*Server Name``, ``IP addresses``, ``*Cores``, ``*Memory (In MB)``, ``*OS name``,
``OS version``, ``CPU utilization percentage``, ``Memory utilization percentage``,
``Number of disks``, ``Disk N size (In GB)`` for N = 1..20. Utilisation percentages become
``cpu_p95``/``memory_p95`` (0..1): the template's figures are what sizing should cover.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from migration.catalog.models import DISK_GB_MAX, MEMORY_GB_MAX, VCPU_MAX
from migration.importers.common import (
    BadValue,
    Cell,
    CellError,
    Detected,
    ImportedServer,
    ImporterError,
    ImportResult,
    MissingColumn,
    Problem,
    Table,
    cell,
    non_empty_rows,
    parse_int,
    parse_number,
    read_number,
)
from migration.importers.osmap import os_slug
from migration.importers.sources import read_csv
from migration.ipv4 import server_address_problem

__all__ = ["MAX_DISKS", "read_azure_migrate"]

MAX_DISKS = 20
_REQUIRED = {"name": "Server name", "cores": "Cores", "memory": "Memory", "os": "OS name"}
_OPTIONAL = {
    "ips": ("IP addresses", "IP address"),
    "os_version": ("OS version",),
    "cpu": ("CPU utilization percentage", "CPU utilisation percentage"),
    "mem_util": ("Memory utilization percentage", "Memory utilisation percentage"),
}
_IP_SPLIT = re.compile(r"[\s,;]+")


def read_azure_migrate(path: Path, display: str | None = None) -> ImportResult:
    """Read an Azure Migrate import-template CSV; raise ImporterError naming row and column."""
    shown = display if display is not None else str(path)
    if not path.is_file():
        raise ImporterError([Problem(shown, message="no such file")])
    table = read_csv(path, shown)
    problems: list[Problem] = []
    cols: dict[str, int | None] = {}
    for key, header in _REQUIRED.items():
        cols[key] = table.column(header)
        if cols[key] is None:
            problems.append(table.problem(0, "", f"missing column {header!r}"))
    if problems:
        raise MissingColumn(problems)
    for key, headers in _OPTIONAL.items():
        cols[key] = table.column(*headers)
    disk_cols = [table.column(f"Disk {n} size") for n in range(1, MAX_DISKS + 1)]

    servers: list[ImportedServer] = []
    first_row: dict[str, int] = {}
    for number, cells in non_empty_rows(table):
        before = len(problems)

        def number_at(
            key: str,
            minimum: float,
            maximum: float | None = None,
            at: int = number,
            row: Sequence[Cell] = cells,
        ) -> float | None:
            return _number_at(table, at, row, cols[key], problems, minimum, maximum)

        name = cell(cells, cols["name"])
        name_col = cols["name"]
        assert name_col is not None
        if not name:
            problems.append(table.problem(number, name_col, "expected the server's name"))
        elif name.lower() in first_row:
            problems.append(
                table.problem(
                    number,
                    name_col,
                    f"duplicate server {name!r} (first at row {first_row[name.lower()]})",
                )
            )
        first_row.setdefault(name.lower(), number)
        cores_col = cols["cores"]
        assert cores_col is not None
        vcpu = 1
        try:
            vcpu = parse_int(cell(cells, cores_col), minimum=1, maximum=VCPU_MAX)
        except CellError as exc:
            problems.append(table.problem(number, cores_col, str(exc)))
        memory = number_at("memory", 1, MEMORY_GB_MAX * 1024)
        if memory is None and not cell(cells, cols["memory"]):
            assert cols["memory"] is not None
            problems.append(
                table.problem(number, cols["memory"], "expected a number > 0, got nothing")
            )
        cpu = number_at("cpu", 0, 100)
        mem_util = number_at("mem_util", 0, 100)
        disks: list[float] = []
        for position in disk_cols:
            text = cell(cells, position)
            if not text or position is None:
                continue
            try:
                size = parse_number(text)
            except CellError as exc:
                problems.append(table.problem(number, position, str(exc)))
                continue
            if size < 0 or size > DISK_GB_MAX:
                problems.append(
                    table.problem(
                        number,
                        position,
                        f"expected a number >= 0 and <= {DISK_GB_MAX:,}, got {text!r}",
                    )
                )
            elif size > 0:
                disks.append(size)
        if len(problems) > before:
            continue
        notes: tuple[str, ...] = ()
        if not disks:
            disks = [128.0]
            notes = ("no disk sizes in the export: disks_gb [128] is a PLACEHOLDER",)
        os_text = " ".join(
            t for t in (cell(cells, cols["os"]), cell(cells, cols["os_version"])) if t
        )
        servers.append(
            ImportedServer(
                name=name,
                key=name.lower(),
                uuid=f"row{number}",
                row=number,
                vcpu=vcpu,
                memory_gb=max(0.01, round((memory or 0) / 1024, 2)),
                disks_gb=tuple(disks),
                os_text=os_text,
                os=os_slug(os_text),
                ips=_ips(cell(cells, cols["ips"])),
                cpu_p95=round(cpu / 100, 4) if cpu is not None else None,
                memory_p95=round(mem_util / 100, 4) if mem_util is not None else None,
                notes=notes,
            )
        )
    if problems:
        raise BadValue(problems)
    servers.sort(key=lambda s: (s.name.lower(), s.row))
    detected = Detected(
        format="Azure Migrate CSV", source=shown, sheets=(), warnings=tuple(_warnings(servers))
    )
    return ImportResult(tuple(servers), detected)


def _number_at(
    table: Table,
    number: int,
    cells: Sequence[Cell],
    position: int | None,
    problems: list[Problem],
    minimum: float,
    maximum: float | None,
) -> float | None:
    read = read_number(table, number, cells, position, problems)
    if read is None or position is None:
        return None
    value, text = read
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and <= {maximum:.0f}" if maximum is not None else ""
        problems.append(
            table.problem(
                number, position, f"expected a number >= {minimum:g}{upper}, got {text!r}"
            )
        )
        return None
    return value


def _ips(text: str) -> tuple[str, ...]:
    """The server's IPv4 addresses in export order (IPv6, link-local, loopback and anything
    else the catalog's ``ip`` refuses are left out: the draft must pass ``validate``)."""
    found: list[str] = []
    for part in _IP_SPLIT.split(text):
        if part and server_address_problem(part) is None and part not in found:
            found.append(part)
    return tuple(found)


def _warnings(servers: list[ImportedServer]) -> list[str]:
    placeholders = [s.name for s in servers if s.notes]
    if not placeholders:
        return []
    return [
        f"{len(placeholders)} server(s) without disk sizes got a 128 GB placeholder disk: "
        + ", ".join(placeholders[:10])
    ]
