"""Operating-system names as exports write them -> the catalog's OS slugs.

``Microsoft Windows Server 2012 R2 (64-bit)`` -> ``windows-server-2012r2``,
``Ubuntu 22.04.3 LTS`` -> ``ubuntu-22.04``, ``Red Hat Enterprise Linux 8 (64-bit)`` ->
``rhel-8``, ``CentOS 7 (64-bit)`` -> ``centos-7``. A known family without a version gives
``<family>-unknown`` and anything else ``unknown``: both are slugs the readiness check does not
recognise, so it flags them for a human to fill in. 32-bit systems get a ``-32bit`` suffix,
which the readiness check reads.
"""

from __future__ import annotations

import re

UNKNOWN_OS = "unknown"

_BITS32 = re.compile(r"\b(32-bit|32 bit|x86|i386|i686)\b", re.I)
_BITNESS = re.compile(r"\(?\b(?:32|64)[- ]?bit\)?", re.I)
_WINDOWS_SERVER = re.compile(r"windows\s+server\s+(\d{4})(\s*r2)?", re.I)
_WINDOWS_CLIENT = re.compile(r"windows\s+(xp|vista|7|8\.1|8|10|11)\b", re.I)
# (pattern, slug family, how many version parts to keep)
_LINUX: tuple[tuple[re.Pattern[str], str, int], ...] = (
    (re.compile(r"ubuntu", re.I), "ubuntu", 2),
    (re.compile(r"red\s*hat|rhel", re.I), "rhel", 1),
    (re.compile(r"centos", re.I), "centos", 1),
    (re.compile(r"rocky", re.I), "rocky", 1),
    (re.compile(r"alma\s*linux", re.I), "almalinux", 1),
    (re.compile(r"oracle\s*linux", re.I), "oracle-linux", 1),
    (re.compile(r"suse|sles", re.I), "sles", 1),
    (re.compile(r"debian", re.I), "debian", 1),
    (re.compile(r"amazon\s*linux", re.I), "amazon-linux", 1),
    (re.compile(r"fedora", re.I), "fedora", 1),
)
_VERSION = re.compile(r"(?<![\d.])(\d{1,2})(?:\.(\d{1,2}))?")
_OTHER_FAMILIES = (
    (re.compile(r"freebsd", re.I), "freebsd"),
    (re.compile(r"solaris", re.I), "solaris"),
    (re.compile(r"linux", re.I), "linux"),
    (re.compile(r"windows", re.I), "windows"),
)


def os_slug(text: str) -> str:
    """The catalog OS slug for an export's OS text (``unknown`` when it says nothing)."""
    value = " ".join(text.split())
    if not value:
        return UNKNOWN_OS
    suffix = "-32bit" if _BITS32.search(value) else ""
    value = _BITNESS.sub(" ", value)
    windows = _WINDOWS_SERVER.search(value)
    if windows:
        return f"windows-server-{windows.group(1)}{'r2' if windows.group(2) else ''}{suffix}"
    client = _WINDOWS_CLIENT.search(value)
    if client:
        return f"windows-{client.group(1)}{suffix}"
    for pattern, family, parts in _LINUX:
        found = pattern.search(value)
        if not found:
            continue
        version = _VERSION.search(value, found.end())
        if version is None:
            return f"{family}-unknown{suffix}"
        major, minor = version.group(1), version.group(2)
        if parts == 2:
            return f"{family}-{major}{'.' + minor if minor else ''}{suffix}"
        return f"{family}-{major}{suffix}"
    for pattern, family in _OTHER_FAMILIES:
        if pattern.search(value):
            return f"{family}-unknown{suffix}"
    return UNKNOWN_OS
