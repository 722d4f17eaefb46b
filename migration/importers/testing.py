"""Synthetic RVTools exports for tests and benchmarks (like ``structlog.testing``).

Writes the four sheets the importer reads with the full RVTools 4.x column lists (the other
columns are there so that the importer meets real widths and orders), in either header
generation (``MiB`` or the older ``MB``), as an XLSX workbook or a folder of CSV files.
"""

from __future__ import annotations

import csv
import random
import uuid as uuidlib
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migration.importers.rvtools import CAMEL_CASE

__all__ = ["FakeVm", "synthetic_vms", "write_rvtools_csv_folder", "write_rvtools_xlsx"]

_TAIL = (
    "Annotation,Datacenter,Cluster,Host,Folder,OS according to the configuration file,"
    "OS according to the VMware Tools,VM ID,VM UUID,VI SDK Server,VI SDK UUID"
)
HEADERS: dict[str, list[str]] = {
    "vInfo": (
        "VM,Powerstate,Template,SRM Placeholder,Config status,DNS Name,Connection state,"
        "Guest state,Heartbeat,Consolidation Needed,PowerOn,Suspended To Memory,Suspend time,"
        "Suspend Interval,Creation date,Change Version,CPUs,Overall Cpu Readiness,Memory,"
        "Active Memory,NICs,Disks,Total disk capacity MiB,Fixed Passthru HotPlug,"
        "min Required EVC Mode Key,Latency Sensitivity,Op Notification Timeout,EnableUUID,CBT,"
        "Primary IP Address,Network #1,Network #2,Network #3,Network #4,Network #5,Network #6,"
        "Network #7,Network #8,Num Monitors,Video Ram KiB,Resource pool,Folder ID,Folder,vApp,"
        "DAS protection,FT State,FT Role,FT Latency,FT Bandwidth,FT Sec. Latency,"
        "Vm Failover In Progress,Provisioned MiB,In Use MiB,Unshared MiB,HA Restart Priority,"
        "HA Isolation Response,HA VM Monitoring,Cluster rule(s),Cluster rule name(s),"
        "Boot Required,Boot delay,Boot retry delay,Boot retry enabled,Boot BIOS setup,"
        "Reboot PowerOff,EFI Secure boot,Firmware,HW version,HW upgrade status,"
        "HW upgrade policy,HW target,Path,Log directory,Snapshot directory,Suspend directory,"
        "Annotation,Datacenter,Cluster,Host,OS according to the configuration file,"
        "OS according to the VMware Tools,Customization Info,Guest Detailed Data,VM ID,"
        "SMBIOS UUID,VM UUID,VI SDK Server type,VI SDK API Version,VI SDK Server,VI SDK UUID"
    ).split(","),
    "vDisk": (
        "VM,Powerstate,Template,SRM Placeholder,Disk,Disk Key,Disk UUID,Disk Path,Capacity MiB,"
        "Raw,Disk Mode,Sharing mode,Thin,Eagerly Scrub,Split,Write Through,Level,Shares,"
        "Reservation,Limit,Controller,Label,SCSI Unit #,Unit #,Shared Bus,Path,Raw LUN ID,"
        "Raw Comp. Mode,Internal Sort Column," + _TAIL
    ).split(","),
    "vPartition": (
        "VM,Powerstate,Template,SRM Placeholder,Disk Key,Disk,Capacity MiB,Consumed MiB,"
        "Free MiB,Free %,Internal Sort Column," + _TAIL
    ).split(","),
    "vNetwork": (
        "VM,Powerstate,Template,SRM Placeholder,NIC label,Adapter,Network,Switch,Connected,"
        "Starts Connected,Mac Address,Type,IPv4 Address,IPv6 Address,Direct Path IO,"
        "Internal Sort Column," + _TAIL
    ).split(","),
}
SDK_UUID = "6f1c0d2e-aaaa-4bbb-8ccc-000000000001"


@dataclass(frozen=True)
class FakeVm:
    """One VM of a synthetic export; a NIC is a tuple of its IPv4 addresses."""

    name: str
    uuid: str
    cpus: int | str = 2
    memory_mib: float | str = 4096
    disks_mib: Sequence[float | str] = (40960,)
    consumed_mib: Sequence[float] = ()
    nics: Sequence[Sequence[str]] = ()
    powerstate: str = "poweredOn"
    template: bool = False
    srm: bool = False
    folder: str = ""
    annotation: str = ""
    os_tools: str = ""
    os_config: str = ""
    primary_ip: str = ""
    sdk_uuid: str = SDK_UUID


def _common(vm: FakeVm) -> dict[str, Any]:
    return {
        "VM": vm.name,
        "Powerstate": vm.powerstate,
        "Template": vm.template,
        "SRM Placeholder": vm.srm,
        "Annotation": vm.annotation,
        "Datacenter": "DC1",
        "Cluster": "Cluster1",
        "Host": "esx01.example.local",
        "Folder": vm.folder,
        "OS according to the configuration file": vm.os_config,
        "OS according to the VMware Tools": vm.os_tools,
        "VM ID": f"vm-{zlib.crc32(vm.uuid.encode()) % 100000}",
        "VM UUID": vm.uuid,
        "VI SDK Server": "vcenter.example.local",
        "VI SDK UUID": vm.sdk_uuid,
    }


def _rows(vms: Iterable[FakeVm]) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in HEADERS}
    for vm in vms:
        base = _common(vm)
        total = sum(float(d) for d in vm.disks_mib if not isinstance(d, str))
        rows["vInfo"].append(
            {
                **base,
                "CPUs": vm.cpus,
                "Memory": vm.memory_mib,
                "NICs": len(vm.nics),
                "Disks": len(vm.disks_mib),
                "Total disk capacity MiB": total,
                "Primary IP Address": vm.primary_ip,
                "Provisioned MiB": total,
                "In Use MiB": total / 2,
                "Firmware": "bios",
                "HW version": "19",
                "Config status": "green",
                "DNS Name": vm.name.lower(),
            }
        )
        for number, size in enumerate(vm.disks_mib):
            rows["vDisk"].append(
                {
                    **base,
                    "Disk": f"Hard disk {number + 1}",
                    "Disk Key": 2000 + number,
                    "Capacity MiB": size,
                    "Thin": True,
                    "Controller": "SCSI controller 0",
                }
            )
        for number, used in enumerate(vm.consumed_mib):
            rows["vPartition"].append(
                {
                    **base,
                    "Disk": f"C:\\{number}",
                    "Disk Key": number,
                    "Consumed MiB": used,
                    "Capacity MiB": used * 2,
                }
            )
        for number, nic in enumerate(vm.nics):
            rows["vNetwork"].append(
                {
                    **base,
                    "NIC label": f"Network adapter {number + 1}",
                    "Adapter": "vmxnet3",
                    "Network": "VLAN10",
                    "Connected": True,
                    "IPv4 Address": ", ".join(nic),
                }
            )
    return rows


def _headers(sheet: str, order_seed: int | None) -> list[str]:
    headers = list(HEADERS[sheet])
    if order_seed is not None:
        random.Random(order_seed).shuffle(headers)
    return headers


def _table(
    sheet: str,
    rows: list[dict[str, Any]],
    generation: str,
    order_seed: int | None,
    drop: Sequence[str],
) -> Iterator[list[Any]]:
    canonical = [h for h in _headers(sheet, order_seed) if h not in drop]
    if generation == "camelCase":  # the oldest generation: only the columns it had
        camel = CAMEL_CASE.get(sheet, {})
        canonical = [h for h in canonical if h in camel]
        yield [camel[h] for h in canonical]
    else:
        yield [h if generation == "MiB" else h.replace(" MiB", " MB") for h in canonical]
    for row in rows:
        yield [row.get(h) for h in canonical]


CAMEL_CASE_SHEETS = ("vInfo", "vPartition")
"""What an export of the camelCase generation typically holds (no vDisk, no vNetwork)."""


def write_rvtools_xlsx(
    path: Path,
    vms: Iterable[FakeVm],
    *,
    generation: str = "MiB",
    sheets: Sequence[str] = tuple(HEADERS),
    order_seed: int | None = None,
    drop_columns: Sequence[str] = (),
) -> Path:
    """An RVTools-like workbook; ``order_seed`` shuffles the columns of every sheet."""
    import openpyxl

    rows = _rows(vms)
    book = openpyxl.Workbook(write_only=True)
    for sheet in sheets:
        worksheet = book.create_sheet(sheet)
        for values in _table(sheet, rows[sheet], generation, order_seed, drop_columns):
            worksheet.append(values)
    book.save(path)
    return path


def write_rvtools_csv_folder(
    folder: Path,
    vms: Iterable[FakeVm],
    *,
    generation: str = "MiB",
    sheets: Sequence[str] = tuple(HEADERS),
    order_seed: int | None = None,
) -> Path:
    """RVTools' "Export all to CSV": one ``RVTools_tab<sheet>.csv`` per sheet."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = _rows(vms)
    for sheet in sheets:
        with (folder / f"RVTools_tab{sheet}.csv").open("w", newline="", encoding="utf-8-sig") as f:
            writer = csv.writer(f)
            for values in _table(sheet, rows[sheet], generation, order_seed, ()):
                writer.writerow(["" if v is None else v for v in values])
    return folder


_OS = (
    "Microsoft Windows Server 2019 (64-bit)",
    "Microsoft Windows Server 2016 (64-bit)",
    "Red Hat Enterprise Linux 8 (64-bit)",
    "Ubuntu Linux (64-bit)",
    "CentOS 7 (64-bit)",
    "Microsoft Windows Server 2012 R2 (64-bit)",
)
_SYSTEMS = (
    "eko",
    "hr",
    "skola",
    "vard",
    "gis",
    "arkiv",
    "web",
    "ad",
    "backup",
    "ekonomi",
    "bibliotek",
    "miljo",
    "bygg",
    "social",
    "kultur",
    "teknik",
)
_ROLES = ("app", "db", "web", "file", "srv")


def synthetic_vms(count: int, seed: int = 7, systems: int = 50) -> list[FakeVm]:
    """``count`` plausible VMs in about ``systems`` folders; deterministic for a seed."""
    rng = random.Random(seed)
    vms = []
    for number in range(count):
        system = f"{_SYSTEMS[number % len(_SYSTEMS)]}{(number % systems) // len(_SYSTEMS)}"
        role = _ROLES[rng.randrange(len(_ROLES))]
        disks = [rng.choice((40960, 61440, 102400))]
        disks += [rng.choice((51200, 204800, 512000)) for _ in range(rng.randrange(3))]
        # 250 hosts in each of 256 /24s of a /16 (64,000), then the next /16: all distinct
        ip = f"10.{10 + number // 64_000}.{(number // 250) % 256}.{number % 250 + 1}"
        vms.append(
            FakeVm(
                name=f"{system}-{role}{number:05d}",
                uuid=str(uuidlib.UUID(int=rng.getrandbits(128), version=4)),
                cpus=rng.choice((1, 2, 4, 8)),
                memory_mib=rng.choice((2048, 4096, 8192, 16384)),
                disks_mib=disks,
                consumed_mib=[d * 0.4 for d in disks],
                nics=[(ip,)],
                powerstate="poweredOff" if rng.random() < 0.05 else "poweredOn",
                folder=f"/Servers/{system}",
                os_tools=rng.choice(_OS),
                primary_ip=ip,
            )
        )
    return vms
