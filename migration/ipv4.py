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

import bisect
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

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


SERVER_ADDRESS_EXAMPLE = "an IPv4 address such as 10.1.2.3"
"""What a server's ``ip`` must be, in the words of every message that refuses one."""

# (first address, last address, why no server at the provider has one); the rest of the
# IPv4 space (private, shared 100.64/10, public, documentation ranges) can be a server's
_NOT_A_SERVER = (
    (0, 0x00FFFFFF, "the unspecified address, or 'this network' (0.0.0.0/8)"),
    (0x7F000000, 0x7FFFFFFF, "a loopback address: every server has it for itself"),
    (
        0xA9FE0000,
        0xA9FEFFFF,
        "a link-local address (169.254.0.0/16), not routed beyond its own segment",
    ),
    (0xE0000000, 0xEFFFFFFF, "a multicast address"),
    (0xF0000000, 0xFFFFFFFF, "a reserved or broadcast address (240.0.0.0/4)"),
)


def _reserved(first: int, last: int) -> str | None:
    """Why some address in ``first..last`` cannot be a server's, or None when none is."""
    for low, high, why in _NOT_A_SERVER:
        if first <= high and low <= last:
            return why
    return None


def server_address_problem(text: str) -> str | None:
    """Why ``text`` cannot be a server's address at the provider, or None when it can.

    One rule for the catalog's ``ip`` field and for the importers (which skip what it
    refuses rather than write a draft that ``validate`` refuses): an IPv4 dotted quad (the
    cloud networks utflytt plans, and the ``/32`` that admits a server still at the provider,
    are IPv4), not unspecified, loopback, link-local, multicast or reserved.
    """
    if _CANONICAL.fullmatch(text) is None:  # ipaddress reads IPv4 only in this form
        try:
            ipaddress.IPv6Address(text)
        except ValueError:
            return "not an IP address"
        return "an IPv6 address: the networks utflytt plans are IPv4-only"
    value = ipv4_int(text)
    return _reserved(value, value)


PROVIDER_NETWORK_EXAMPLE = "an IPv4 network in CIDR form such as 10.10.0.0/16"
"""What a network at the provider (``source_networks``) must be, in every message."""


def provider_network_problem(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> str | None:
    """Why ``network`` cannot be a network at the provider, or None when it can.

    The same rule as :func:`server_address_problem`, for a whole network: IPv4 only, and
    none of its addresses unspecified, loopback, link-local, multicast or reserved (servers
    live there, and the hybrid connection routes it, so it holds only such addresses).
    """
    if network.version == 6:
        return "an IPv6 network: the networks utflytt plans are IPv4-only"
    if network.prefixlen == 0:
        return "every address, the default route: not a network at the provider"
    why = _reserved(int(network.network_address), int(network.broadcast_address))
    return None if why is None else f"it holds {why}"


@dataclass(frozen=True)
class AddressRanges:
    """IPv4 addresses as sorted, disjoint ``(first, last)`` int ranges: "does any of them
    lie in ...?" in one bisection. Built by :meth:`of` from ranges in any order."""

    ranges: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, spans: Iterable[tuple[int, int]]) -> AddressRanges:
        """Overlapping and adjacent ranges merged."""
        merged: list[tuple[int, int]] = []
        for first, last in sorted(spans):
            if merged and first <= merged[-1][1] + 1:
                if last > merged[-1][1]:
                    merged[-1] = (merged[-1][0], last)
            else:
                merged.append((first, last))
        return cls(tuple(merged))

    def overlaps(self, first: int, last: int) -> bool:
        """True when some address ``first..last`` is in a range."""
        # sorted and disjoint: of the ranges starting at or before ``last``, the last one
        # also ends last, so it alone can reach back to ``first``
        i = bisect.bisect_right(self.ranges, (last, 1 << 32))
        return i > 0 and self.ranges[i - 1][1] >= first

    def holds(self, address: int) -> bool:
        """True when ``address`` is in a range."""
        return self.overlaps(address, address)

    def overlaps_network(self, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
        """True when ``network`` holds an address in a range (never for IPv6)."""
        return network.version == 4 and self.overlaps(
            int(network.network_address), int(network.broadcast_address)
        )
