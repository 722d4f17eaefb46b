"""RVTools headers: which column holds which field, in each header generation.

Display names (RVTools 4.x with ``MiB``, older with ``MB``: the unit is stripped when
matching) and the oldest, tab-prefixed camelCase generation (:data:`CAMEL_CASE`), mapped
column by column. docs/rvtools-headers.md lists the mapping for users.
"""

from __future__ import annotations

__all__ = ["CAMEL_CASE", "SHEETS", "SPECS", "Spec"]

SHEETS = ("vInfo", "vDisk", "vPartition", "vNetwork")

CAMEL_CASE: dict[str, dict[str, str]] = {
    "vInfo": {
        "VM": "vInfoVMName",
        "VM UUID": "vInfoUUID",
        "Powerstate": "vInfoPowerstate",
        "Template": "vInfoTemplate",
        "SRM Placeholder": "vInfoSRMPlaceHolder",
        "DNS Name": "vInfoGuestHostName",
        "CPUs": "vInfoCPUs",
        "Memory": "vInfoMemory",
        "NICs": "vInfoNICs",
        "Disks": "vInfoNumVirtualDisks",
        "Total disk capacity MiB": "vInfoTotalDiskCapacityMiB",
        "Provisioned MiB": "vInfoProvisioned",
        "In Use MiB": "vInfoInUse",
        "Primary IP Address": "vInfoPrimaryIPAddress",
        "Folder": "vInfoFolder",
        "Datacenter": "vInfoDataCenter",
        "Cluster": "vInfoCluster",
        "Host": "vInfoHost",
        "OS according to the configuration file": "vInfoOS",
        "OS according to the VMware Tools": "vInfoOSTools",
    },
    "vPartition": {
        "VM": "vPartitionVMName",
        "VM UUID": "vPartitionUUID",
        "Disk": "vPartitionDisk",
        "Capacity MiB": "vPartitionCapacityMiB",
        "Consumed MiB": "vPartitionConsumedMiB",
    },
}
"""The camelCase header generation: sheet -> display name -> camelCase header (as written).

vDisk and vNetwork have no known camelCase form; they are read by their display names.
"""

# field -> (header names, required); names are matched after normalise_header
Spec = dict[str, tuple[tuple[str, ...], bool]]


def _spec(sheet: str, fields: dict[str, tuple[str, bool]]) -> Spec:
    """Each field's display name and, where the sheet has one, its camelCase alias."""
    aliases = CAMEL_CASE.get(sheet, {})
    return {
        name: ((header, aliases[header]) if header in aliases else (header,), required)
        for name, (header, required) in fields.items()
    }


_KEY_COLUMNS = {
    "vm": ("VM", True),
    "vm_uuid": ("VM UUID", False),
    "vm_id": ("VM ID", False),
    "sdk_uuid": ("VI SDK UUID", False),
    "template": ("Template", False),
    "srm": ("SRM Placeholder", False),
}
_VINFO: Spec = _spec(
    "vInfo",
    {
        **_KEY_COLUMNS,
        "powerstate": ("Powerstate", True),
        "cpus": ("CPUs", True),
        "memory": ("Memory", True),
        "total_disk": ("Total disk capacity MiB", False),
        "provisioned": ("Provisioned MiB", False),
        "in_use": ("In Use MiB", False),
        "primary_ip": ("Primary IP Address", False),
        "folder": ("Folder", False),
        "annotation": ("Annotation", False),
        "os_config": ("OS according to the configuration file", False),
        "os_tools": ("OS according to the VMware Tools", False),
    },
)
_VDISK: Spec = _spec(
    "vDisk",
    {
        **_KEY_COLUMNS,
        "capacity": ("Capacity MiB", True),
        "disk_key": ("Disk Key", False),
        "disk": ("Disk", False),
    },
)
_VPARTITION: Spec = _spec(
    "vPartition",
    {**_KEY_COLUMNS, "consumed": ("Consumed MiB", True), "capacity": ("Capacity MiB", False)},
)
_VNETWORK: Spec = _spec("vNetwork", {**_KEY_COLUMNS, "ipv4": ("IPv4 Address", True)})
SPECS: dict[str, Spec] = {
    "vInfo": _VINFO,
    "vDisk": _VDISK,
    "vPartition": _VPARTITION,
    "vNetwork": _VNETWORK,
}
