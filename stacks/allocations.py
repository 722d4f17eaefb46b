"""The one allocation rule both clouds use: keep what is allocated, hand out new blocks and
addresses from the free aligned space, lowest first.

:class:`AddressPool` holds one network (a spoke, a VPC, a subnet's host range) with the
blocks already allocated reserved; :meth:`AddressPool.take` returns the lowest free aligned
block of the size asked for. Nothing already allocated ever moves, and which block a new
unit gets depends only on what is taken, never on where its id sorts among the others.
:func:`assign_hosts` does the same for the private IPs inside one subnet.

The entries themselves live in :mod:`migration.allocations` (``allocations.json``); the
Azure address plan (:mod:`stacks.network.addresses`) and the AWS layout build on these.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable, Mapping, Sequence

Block = str | ipaddress.IPv4Network


class AddressPool:
    """Free aligned space of one network, minus the blocks reserved or taken so far."""

    def __init__(self, network: Block, kept: Iterable[Block] = ()) -> None:
        self.network = ipaddress.IPv4Network(network)
        self._start = int(self.network.network_address)
        self._end = int(self.network.broadcast_address) + 1
        self._starts: list[int] = []  # taken space as merged, sorted [start, end) intervals
        self._ends: list[int] = []
        for block in kept:
            self.reserve(block)

    def __contains__(self, block: Block) -> bool:
        return ipaddress.IPv4Network(block).subnet_of(self.network)

    def is_free(self, block: Block) -> bool:
        """``block`` lies inside the network and overlaps nothing taken."""
        net = ipaddress.IPv4Network(block)
        if not net.subnet_of(self.network):
            return False
        start, end = int(net.network_address), int(net.broadcast_address) + 1
        return self._clash(start, end) is None

    def reserve(self, block: Block) -> None:
        """Mark ``block`` taken; ValueError when it is outside the network or overlaps."""
        net = ipaddress.IPv4Network(block)
        if not net.subnet_of(self.network):
            raise ValueError(f"{net} is outside {self.network}")
        start, end = int(net.network_address), int(net.broadcast_address) + 1
        if self._clash(start, end) is not None:
            raise ValueError(f"{net} overlaps a block already taken in {self.network}")
        self._insert(start, end)

    def take(self, prefix: int) -> ipaddress.IPv4Network | None:
        """The lowest free aligned /``prefix`` (now taken), or None when none is left."""
        size = 2 ** (32 - prefix)
        cursor = _align(self._start, size)
        while cursor + size <= self._end:
            clash = self._clash(cursor, cursor + size)
            if clash is None:
                self._insert(cursor, cursor + size)
                return ipaddress.IPv4Network((cursor, prefix))
            cursor = _align(self._ends[clash], size)
        return None

    def keep_or_take(self, kept: Block | None, prefix: int) -> ipaddress.IPv4Network | None:
        """The one allocation rule: an entry already allocated (``kept``) stays as it is
        (reserved now unless it already was); otherwise the lowest free aligned
        /``prefix`` is taken. None when nothing of that size is left."""
        if not kept:
            return self.take(prefix)
        net = ipaddress.IPv4Network(kept)
        if self.is_free(net):
            self.reserve(net)
        return net

    def _clash(self, start: int, end: int) -> int | None:
        """Index of a taken interval overlapping [start, end), the last such one."""
        i = bisect.bisect_left(self._starts, end) - 1
        if i >= 0 and self._ends[i] > start:
            return i
        return None

    def _insert(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self._starts, start)
        if i > 0 and self._ends[i - 1] == start:  # joins the interval before
            i -= 1
            start = self._starts[i]
            del self._starts[i], self._ends[i]
        if i < len(self._starts) and self._starts[i] == end:  # and the one after
            end = self._ends[i]
            del self._starts[i], self._ends[i]
        self._starts.insert(i, start)
        self._ends.insert(i, end)


def _align(value: int, size: int) -> int:
    return -(-value // size) * size


def assign_hosts(
    subnet: Block,
    servers: Sequence[str],
    kept: Mapping[str, str],
    taken: Iterable[str] = (),
    *,
    first: int = 4,
    last_reserved: int = 1,
) -> dict[str, str] | None:
    """Private IPs for ``servers`` in ``subnet``: a server keeps its ``kept`` address when
    it lies in the subnet's usable range (from offset ``first``, the last
    ``last_reserved`` addresses excluded) and nobody else holds it; the others get the
    lowest free usable addresses, in the order given. ``taken`` are addresses held by
    other entries (servers that left, another provider's plan). None when they do not fit.
    """
    net = ipaddress.IPv4Network(subnet)
    low = int(net.network_address) + first
    high = int(net.broadcast_address) + 1 - last_reserved
    used = {int(ipaddress.IPv4Address(ip)) for ip in taken}
    out: dict[str, str] = {}
    for sid in servers:
        ip = kept.get(sid)
        if not ip:
            continue
        value = int(ipaddress.IPv4Address(ip))
        if low <= value < high and value not in used:
            out[sid] = ip
            used.add(value)
    cursor = low
    for sid in servers:
        if sid in out:
            continue
        while cursor in used:
            cursor += 1
        if cursor >= high:
            return None
        out[sid] = str(ipaddress.IPv4Address(cursor))
        used.add(cursor)
    return {sid: out[sid] for sid in servers}
