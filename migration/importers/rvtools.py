"""RVTools exports (XLSX "Export all to Excel", or a folder of one CSV per tab) -> servers.

Reads vInfo (required), vDisk, vPartition and vNetwork; joins them on VI SDK UUID + VM UUID
(VM names are not unique); skips templates and SRM placeholders; keeps powered-off VMs but
flags them. Headers are matched tolerantly: any column order, ``MiB`` (RVTools 4.x) and
``MB`` (older) unit suffixes, case. The numbers are the same in both generations: older
RVTools wrote "MB" for what are mebibytes.

The oldest generation (old RVTools versions and export scripts) writes tab-prefixed
camelCase headers (``vInfoVMName``, ``vPartitionCapacityMiB``); :data:`CAMEL_CASE` maps them
column by column to the display names (docs/rvtools-headers.md). Such exports usually hold
only vInfo (and vPartition): without vDisk a VM gets one disk from vInfo's total disk
capacity, else its provisioned space, else its partitions' capacity, marked for checking.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from migration.catalog.models import DISK_GB_MAX, DISKS_MAX, MEMORY_GB_MAX, VCPU_MAX
from migration.importers.common import (
    ESTIMATED_DISKS_NOTE,
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
    normalise_header,
    number_cell,
    parse_bool,
    parse_int,
    parse_number,
)
from migration.importers.osmap import os_slug
from migration.importers.rvtools_headers import CAMEL_CASE, SHEETS, SPECS, Spec
from migration.importers.sources import missing_sheet, read_csv_folder, read_workbook
from migration.ipv4 import server_address_problem

__all__ = ["CAMEL_CASE", "SHEETS", "read_rvtools"]

MIB_PER_GB = 1024.0
# the catalog's bounds, in the export's unit: a value beyond them is the export's error
MEMORY_MIB_MAX = MEMORY_GB_MAX * MIB_PER_GB
DISK_MIB_MAX = DISK_GB_MAX * MIB_PER_GB
Columns = dict[str, int | None]


@dataclass
class _Vm:
    name: str
    key: str
    uuid: str
    row: int
    power_state: str
    vcpu: int
    memory_mib: float
    total_disk_mib: float | None
    provisioned_mib: float | None
    in_use_mib: float | None
    primary_ip: str
    folder: str
    annotation: str
    os_text: str
    disks: list[tuple[tuple[float, tuple[object, ...], int], float]] = field(default_factory=list)
    used_mib: float | None = None
    partition_mib: float | None = None  # capacity of its partitions (vPartition)
    ips: list[str] = field(default_factory=list)


def read_rvtools(path: Path, display: str | None = None) -> ImportResult:
    """Read an RVTools export at ``path`` (an .xlsx workbook or a folder of CSV files).

    Raises an :class:`~migration.importers.common.ImporterError` naming sheet, row and
    column for a missing sheet, a missing column or a value that cannot be read.
    """
    shown = display if display is not None else str(path)
    if path.is_dir():
        tables = read_csv_folder(path, shown, SHEETS)
        kind = "RVTools CSV folder"
    elif not path.exists():
        raise ImporterError([Problem(shown, message="no such file or folder")])
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        keep = {
            sheet: {normalise_header(h) for names, _ in spec.values() for h in names}
            for sheet, spec in SPECS.items()
        }
        tables = read_workbook(path, shown, SHEETS, keep)
        kind = "RVTools xlsx"
    else:
        raise ImporterError(
            [Problem(shown, message="expected an RVTools .xlsx workbook or a folder of its CSVs")]
        )
    if "vInfo" not in tables:
        raise missing_sheet(shown, "vInfo", folder=path.is_dir())

    problems: list[Problem] = []
    columns = {name: _columns(table, SPECS[name], problems) for name, table in tables.items()}
    if problems:
        raise MissingColumn(problems)

    vinfo = tables["vInfo"]
    vms, skipped = _read_vinfo(vinfo, columns["vInfo"], problems)
    skipped_keys = {key for key, _, _ in skipped}
    warnings: list[str] = []
    for name, reader in (
        ("vDisk", _add_disk),
        ("vPartition", _add_partition),
        ("vNetwork", _add_network),
    ):
        if name in tables:
            orphans = _read_child(tables[name], columns[name], vms, skipped_keys, reader, problems)
            if orphans:
                warnings.append(
                    f"{name}: {orphans} row(s) for VMs that are not in vInfo were ignored"
                )
    if problems:
        raise BadValue(problems)

    servers = []
    for vm in vms.values():
        server = _server(vm, vinfo, columns["vInfo"], problems)
        if server is not None:
            servers.append(server)
    if problems:
        raise BadValue(problems)

    generation = (
        "camelCase"
        if vinfo.column(CAMEL_CASE["vInfo"]["VM"]) is not None
        else "MiB"
        if vinfo.has_header_with(" MiB")
        else "MB"
        if vinfo.has_header_with(" MB")
        else ""
    )
    missing = tuple(s for s in SHEETS if s not in tables)
    warnings.extend(
        f"sheet {s} is missing: {_MISSING_EFFECT[s]}" for s in missing if s in _MISSING_EFFECT
    )
    detected = Detected(
        format=kind,
        source=shown,
        header_generation=generation,
        sheets=tuple(s for s in SHEETS if s in tables),
        missing_sheets=missing,
        skipped=tuple(sorted((name, reason) for _, name, reason in skipped)),
        warnings=tuple(warnings),
    )
    servers.sort(key=lambda s: (s.name.lower(), s.uuid))
    return ImportResult(tuple(servers), detected)


_MISSING_EFFECT = {
    "vDisk": "one disk per VM from vInfo's total disk capacity (else provisioned space, else "
    "vPartition capacity), marked for checking",
    "vPartition": "used space from vInfo 'In Use MiB'",
    "vNetwork": "IP addresses from vInfo 'Primary IP Address' only",
}


def _columns(table: Table, spec: Spec, problems: list[Problem]) -> Columns:
    found: Columns = {}
    for name, (headers, required) in spec.items():
        found[name] = table.column(*headers)
        if found[name] is None and required:
            alias = f" (or {headers[1]!r})" if len(headers) > 1 else ""
            problems.append(table.problem(0, "", f"missing column {headers[0]!r}{alias}"))
    if found["vm_uuid"] is None and found["vm_id"] is None:
        problems.append(table.problem(0, "", "missing column 'VM UUID' (sheets are joined on it)"))
    return found


def _key(
    table: Table, number: int, cells: Sequence[Cell], cols: Columns, problems: list[Problem]
) -> tuple[str, str] | None:
    uuid = cell(cells, cols["vm_uuid"]) or cell(cells, cols["vm_id"])
    if not uuid:
        column = cols["vm_uuid"] if cols["vm_uuid"] is not None else cols["vm_id"]
        assert column is not None
        problems.append(table.problem(number, column, "empty (sheets are joined on it)"))
        return None
    return f"{cell(cells, cols['sdk_uuid'])}/{uuid.lower()}", uuid


def _flag(
    table: Table, number: int, cells: Sequence[Cell], position: int | None, problems: list[Problem]
) -> bool:
    try:
        return parse_bool(cell(cells, position))
    except CellError as exc:
        assert position is not None
        problems.append(table.problem(number, position, str(exc)))
        return False


def _read_vinfo(
    table: Table, cols: Columns, problems: list[Problem]
) -> tuple[dict[str, _Vm], list[tuple[str, str, str]]]:
    vms: dict[str, _Vm] = {}
    first_row: dict[str, int] = {}
    skipped: list[tuple[str, str, str]] = []
    for number, cells in non_empty_rows(table):
        name = cell(cells, cols["vm"])
        keyed = _key(table, number, cells, cols, problems)
        if keyed is None:
            continue
        key, uuid = keyed
        if _flag(table, number, cells, cols["template"], problems):
            skipped.append((key, name, "template"))
            continue
        if _flag(table, number, cells, cols["srm"], problems):
            skipped.append((key, name, "SRM placeholder"))
            continue
        if not name:
            assert cols["vm"] is not None
            problems.append(table.problem(number, cols["vm"], "expected the VM's name"))
            continue
        if key in vms:
            where = cols["vm_uuid"] if cols["vm_uuid"] is not None else cols["vm_id"]
            assert where is not None
            problems.append(
                table.problem(
                    number, where, f"duplicate VM UUID {uuid!r} (first at row {first_row[key]})"
                )
            )
            continue
        cpus_text = cell(cells, cols["cpus"])
        try:
            vcpu = parse_int(cpus_text, minimum=1, maximum=VCPU_MAX)
        except CellError as exc:
            assert cols["cpus"] is not None
            problems.append(table.problem(number, cols["cpus"], str(exc)))
            vcpu = 1
        memory = number_cell(table, number, cells, cols["memory"], problems, True, MEMORY_MIB_MAX)
        if memory is None and not cell(cells, cols["memory"]):
            assert cols["memory"] is not None
            problems.append(
                table.problem(number, cols["memory"], "expected a number > 0, got nothing")
            )
        os_text = cell(cells, cols["os_tools"]) or cell(cells, cols["os_config"])
        first_row[key] = number
        vms[key] = _Vm(
            name=name,
            key=key,
            uuid=uuid,
            row=number,
            power_state=cell(cells, cols["powerstate"]) or "poweredOn",
            vcpu=vcpu,
            memory_mib=memory or 1.0,
            total_disk_mib=number_cell(table, number, cells, cols["total_disk"], problems),
            provisioned_mib=number_cell(table, number, cells, cols["provisioned"], problems),
            in_use_mib=number_cell(table, number, cells, cols["in_use"], problems),
            primary_ip=cell(cells, cols["primary_ip"]),
            folder=cell(cells, cols["folder"]),
            annotation=cell(cells, cols["annotation"]),
            os_text=os_text,
        )
    return vms, skipped


_DIGITS = re.compile(r"(\d+)")


def _natural(text: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p.lower() for p in _DIGITS.split(text))


def _add_disk(
    vm: _Vm,
    table: Table,
    number: int,
    cells: Sequence[Cell],
    cols: Columns,
    problems: list[Problem],
) -> None:
    capacity = number_cell(table, number, cells, cols["capacity"], problems, maximum=DISK_MIB_MAX)
    if capacity is None or capacity == 0:
        return
    key_text = cell(cells, cols["disk_key"])
    try:
        disk_key = parse_number(key_text) if key_text else math.inf
    except CellError:
        disk_key = math.inf
    vm.disks.append(((disk_key, _natural(cell(cells, cols["disk"])), number), capacity))


def _add_partition(
    vm: _Vm,
    table: Table,
    number: int,
    cells: Sequence[Cell],
    cols: Columns,
    problems: list[Problem],
) -> None:
    consumed = number_cell(table, number, cells, cols["consumed"], problems)
    if consumed is not None:
        vm.used_mib = (vm.used_mib or 0.0) + consumed
    capacity = number_cell(table, number, cells, cols["capacity"], problems, maximum=DISK_MIB_MAX)
    if capacity is not None:
        vm.partition_mib = (vm.partition_mib or 0.0) + capacity


_IP_SPLIT = re.compile(r"[\s,;]+")


def _add_network(
    vm: _Vm,
    table: Table,
    number: int,
    cells: Sequence[Cell],
    cols: Columns,
    problems: list[Problem],
) -> None:
    for text in _IP_SPLIT.split(cell(cells, cols["ipv4"])):
        address = _ipv4(text)
        if address and address not in vm.ips:
            vm.ips.append(address)


def _ipv4(text: str) -> str | None:
    """A server's IPv4 address, or None (blank, IPv6, link-local, loopback, unparseable:
    what the catalog's ``ip`` refuses, :func:`~migration.ipv4.server_address_problem`)."""
    address = text.strip()
    return address if address and server_address_problem(address) is None else None


_ChildReader = Callable[[_Vm, Table, int, Sequence[Cell], Columns, list[Problem]], None]


def _read_child(
    table: Table,
    cols: Columns,
    vms: dict[str, _Vm],
    skipped: set[str],
    reader: _ChildReader,
    problems: list[Problem],
) -> int:
    """Add one child sheet's rows to their VMs; return how many rows had no VM."""
    orphans = 0
    for number, cells in non_empty_rows(table):
        keyed = _key(table, number, cells, cols, problems)
        if keyed is None:
            continue
        vm = vms.get(keyed[0])
        if vm is None:
            if keyed[0] not in skipped:
                orphans += 1
            continue
        reader(vm, table, number, cells, cols, problems)
    return orphans


def _server(vm: _Vm, vinfo: Table, cols: Columns, problems: list[Problem]) -> ImportedServer | None:
    notes: list[str] = []
    estimate = next(
        (
            (mib, source)
            for mib, source in (
                (vm.total_disk_mib, "vInfo total"),
                (vm.provisioned_mib, "vInfo provisioned space"),
                (vm.partition_mib, "vPartition capacity"),
            )
            if mib
        ),
        None,
    )
    if len(vm.disks) > DISKS_MAX:
        column = cols["vm"] if cols["vm"] is not None else "VM"
        problems.append(
            vinfo.problem(
                vm.row, column, f"VM {vm.name!r} has {len(vm.disks)} disks (at most {DISKS_MAX})"
            )
        )
        return None
    if vm.disks:
        disks = tuple(float(math.ceil(mib / MIB_PER_GB)) for _, mib in sorted(vm.disks))
    elif estimate is not None:
        disks = (float(math.ceil(estimate[0] / MIB_PER_GB)),)
        notes.append(f"{ESTIMATED_DISKS_NOTE}{estimate[1]} (no vDisk rows): check disks_gb")
    else:
        column = cols["total_disk"] if cols["total_disk"] is not None else "Total disk capacity MiB"
        problems.append(
            vinfo.problem(
                vm.row,
                column,
                f"VM {vm.name!r} has no disks (no vDisk rows, and no total, provisioned or "
                "partition capacity)",
            )
        )
        return None
    used = vm.used_mib if vm.used_mib is not None else vm.in_use_mib
    ips = list(vm.ips)
    primary = _ipv4(vm.primary_ip)
    if primary:
        if primary in ips:
            ips.remove(primary)
        ips.insert(0, primary)
    return ImportedServer(
        name=vm.name,
        key=vm.key,
        uuid=vm.uuid,
        row=vm.row,
        vcpu=vm.vcpu,
        memory_gb=max(0.01, round(vm.memory_mib / MIB_PER_GB, 2)),
        disks_gb=disks,
        os_text=vm.os_text,
        os=os_slug(vm.os_text),
        ips=tuple(ips),
        power_state=vm.power_state,
        folder=vm.folder,
        annotation=vm.annotation,
        used_gb=round(used / MIB_PER_GB, 1) if used is not None else None,
        notes=tuple(notes),
    )
