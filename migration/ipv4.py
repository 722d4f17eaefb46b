"""IPv4 addresses as ints and back, fast for the common (canonical) text and exactly as
:mod:`ipaddress` reads and writes them.

The address planners handle one address per server: at 100k servers, building an
``ipaddress.IPv4Address`` for each (parse, then format) is most of their time. A canonical
dotted quad (four decimal octets, no leading zeros, each at most 255: what
``str(IPv4Address(...))`` writes) is read here directly; any other text goes to
:mod:`ipaddress`, so what is accepted, its value and the ``ValueError`` for anything else
are the same as ``int(ipaddress.IPv4Address(text))``.
"""

from __future__ import annotations

import ipaddress
import re

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_CANONICAL = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")


def is_canonical(text: str) -> bool:
    """True when ``text`` is an IPv4 address exactly as ``str(IPv4Address(text))`` writes it."""
    return _CANONICAL.fullmatch(text) is not None


def ipv4_int(text: str) -> int:
    """``int(ipaddress.IPv4Address(text))``: the same value, the same ValueError."""
    if _CANONICAL.fullmatch(text) is not None:
        a, b, c, d = text.split(".")
        return (int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d)
    return int(ipaddress.IPv4Address(text))


def ipv4_text(value: int) -> str:
    """``str(ipaddress.IPv4Address(value))`` for an int in range."""
    if not 0 <= value < 1 << 32:
        return str(ipaddress.IPv4Address(value))  # raises as ipaddress does
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"
