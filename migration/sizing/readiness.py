"""Readiness of a server for Azure or AWS: ready, conditionally ready, not ready or unknown.

Each verdict carries its reasons (one sentence each, naming the fact and its source), so that
the plan and the exit plan can say *why* a server needs work before it can move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

READY = "ready"
CONDITIONAL = "conditionally ready"
NOT_READY = "not ready"
UNKNOWN = "unknown"
SEVERITY = {READY: 0, CONDITIONAL: 1, UNKNOWN: 2, NOT_READY: 3}

# Size limits of the targets (GB). Azure: managed data disks up to 32 767 GiB (P80/E80), OS
# disk up to 4 095 GiB; AWS: gp3 volumes up to 16 384 GiB.
MAX_DISK_GB = {"azure": 32767.0, "aws": 16384.0}
MAX_OS_DISK_GB = {"azure": 4095.0, "aws": 16384.0}

WINDOWS_2016_END = date(2027, 1, 12)
_S43 = "Microsoft lifecycle [S43]"
_LINUX_LIFECYCLE = "vendor lifecycle page"


@dataclass(frozen=True)
class OsInfo:
    """What the catalog's OS slug tells: family, version, 32-bit, end of support."""

    slug: str
    family: str  # "windows" | "linux" | "unknown"
    name: str  # human name, e.g. "Windows Server 2012 R2"
    bits32: bool = False
    end_of_support: date | None = None
    eos_source: str = ""
    unsupported: bool = False  # too old to run at all on the targets


_BITS32 = re.compile(r"(?:^|-)(x86|i386|i686|32bit|32-bit)$")
_WINDOWS = re.compile(r"^windows(?:-server)?-(\d{4})(r2)?$")
_LINUX = re.compile(
    r"^(ubuntu|rhel|redhat|centos|debian|sles|suse|rocky|almalinux|alma|oracle-linux|ol|"
    r"amazon-linux|fedora)-(\d+)(?:\.(\d+))?$"
)

# End of (extended) support for Windows Server versions.
_WINDOWS_EOS: dict[str, tuple[date | None, str, bool]] = {
    "2000": (date(2010, 7, 13), _S43, True),
    "2003": (date(2015, 7, 14), _S43, True),
    "2008": (date(2020, 1, 14), _S43, False),
    "2012": (date(2023, 10, 10), _S43, False),
    "2016": (WINDOWS_2016_END, _S43, False),
    "2019": (None, "", False),
    "2022": (None, "", False),
    "2025": (None, "", False),
}
# End of standard support for Linux releases (date, source).
_LINUX_EOS: dict[tuple[str, str], date] = {
    ("centos", "6"): date(2020, 11, 30),
    ("centos", "7"): date(2024, 6, 30),
    ("centos", "8"): date(2021, 12, 31),
    ("rhel", "6"): date(2020, 11, 30),
    ("rhel", "7"): date(2024, 6, 30),
    ("ubuntu", "14"): date(2019, 4, 30),
    ("ubuntu", "16"): date(2021, 4, 30),
    ("ubuntu", "18"): date(2023, 5, 31),
    ("ubuntu", "20"): date(2025, 5, 31),
    ("debian", "8"): date(2020, 6, 30),
    ("debian", "9"): date(2022, 6, 30),
    ("debian", "10"): date(2024, 6, 30),
    ("sles", "11"): date(2019, 3, 31),
    ("sles", "12"): date(2024, 10, 31),
}
_ALIASES = {"redhat": "rhel", "suse": "sles", "alma": "almalinux", "ol": "oracle-linux"}
_NAMES = {
    "rhel": "RHEL",
    "centos": "CentOS",
    "ubuntu": "Ubuntu",
    "debian": "Debian",
    "sles": "SLES",
    "rocky": "Rocky Linux",
    "almalinux": "AlmaLinux",
    "oracle-linux": "Oracle Linux",
    "amazon-linux": "Amazon Linux",
    "fedora": "Fedora",
}


def classify_os(slug: str) -> OsInfo:
    """Parse an OS slug such as ``windows-server-2012r2`` or ``centos-7``."""
    text = slug.lower()
    bits32 = False
    match32 = _BITS32.search(text)
    if match32:
        bits32 = True
        text = text[: match32.start()]
    windows = _WINDOWS.match(text)
    if windows:
        year, r2 = windows.group(1), windows.group(2)
        name = f"Windows Server {year}{' R2' if r2 else ''}"
        if year not in _WINDOWS_EOS:
            return OsInfo(slug, "windows", name, bits32)
        eos, source, unsupported = _WINDOWS_EOS[year]
        return OsInfo(slug, "windows", name, bits32, eos, source, unsupported)
    linux = _LINUX.match(text)
    if linux:
        distro = _ALIASES.get(linux.group(1), linux.group(1))
        major = linux.group(2)
        version = major + (f".{linux.group(3)}" if linux.group(3) else "")
        name = f"{_NAMES[distro]} {version}"
        key_major = major if distro != "ubuntu" else major
        eos = _LINUX_EOS.get((distro, key_major))
        if distro == "ubuntu" and linux.group(3) not in (None, "04"):
            # interim releases (xx.10) are short-lived: unknown support status
            return OsInfo(slug, "linux", name, bits32, None, "", False)
        return OsInfo(slug, "linux", name, bits32, eos, _LINUX_LIFECYCLE if eos else "", False)
    return OsInfo(slug, "unknown", slug, bits32)


@dataclass(frozen=True)
class Readiness:
    """A readiness verdict and its reasons."""

    level: str
    reasons: tuple[str, ...]


def os_readiness(info: OsInfo, provider: str, as_of: date) -> list[tuple[str, str]]:
    """(level, reason) pairs from the operating system alone."""
    target = "Azure" if provider == "azure" else "AWS"
    found: list[tuple[str, str]] = []
    if info.family == "unknown":
        found.append(
            (
                UNKNOWN,
                f"operating system {info.slug!r} is not recognised; "
                f"check that {target} supports it",
            )
        )
    if info.bits32:
        found.append(
            (
                NOT_READY,
                f"32-bit operating system ({info.slug}): {target} runs "
                "64-bit guests only; rebuild on a 64-bit OS",
            )
        )
    if info.unsupported:
        found.append(
            (
                NOT_READY,
                f"{info.name} is not supported on {target} (support ended "
                f"{info.end_of_support}, {info.eos_source}); upgrade first",
            )
        )
    elif info.end_of_support is not None and info.end_of_support <= as_of:
        if info.family == "windows" and provider == "azure":
            remedy = "Azure gives Extended Security Updates free [S44]; plan an upgrade"
        elif info.family == "windows":
            remedy = "on AWS Extended Security Updates must be bought; plan an upgrade"
        else:
            remedy = "plan an upgrade or paid extended support"
        found.append(
            (
                CONDITIONAL,
                f"{info.name}: support ended {info.end_of_support} ({info.eos_source}); {remedy}",
            )
        )
    return found


def combine(found: list[tuple[str, str]]) -> Readiness:
    """The worst level found, with every reason in order; ready when nothing was found."""
    if not found:
        return Readiness(READY, ())
    level = max((lvl for lvl, _ in found), key=lambda lvl: SEVERITY[lvl])
    return Readiness(level, tuple(reason for _, reason in found))
