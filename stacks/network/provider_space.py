"""The addresses still in use at the hosting provider, which no cloud address space may hold.

Both clouds choose their address space (Azure's hub-and-spoke space, AWS's VPC CIDRs) from a
fixed list of candidates, taking the first that overlaps nothing at the provider. "At the
provider" is the source networks, which the VPN routes, and also the address of every server
still there that no source network holds (``validate`` warns about each:
``ip-outside-source-networks``). Were such an address inside the cloud's space, the cloud
would route it locally, and its ``/32`` permit would admit a cloud address. One rule, here;
``azure/`` and ``aws/`` only ask it.
"""

from __future__ import annotations

import bisect
import ipaddress
from dataclasses import dataclass

from migration.ipv4 import ipv4_int
from migration.plan import Plan
from stacks.plancache import per_plan_fields


@dataclass(frozen=True)
class ProviderSpace:
    """Sorted, disjoint ``(first, last)`` address ranges in use at the provider."""

    ranges: tuple[tuple[int, int], ...]

    def overlaps(self, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
        """True when ``network`` holds any address in use at the provider."""
        if network.version != 4:
            return False
        first = int(network.network_address)
        last = int(network.broadcast_address)
        # the ranges are sorted and disjoint: of those starting at or before ``last``, the
        # last one also ends last, so it alone can reach back to ``first``
        i = bisect.bisect_right(self.ranges, (last, 1 << 32))
        return i > 0 and self.ranges[i - 1][1] >= first


@per_plan_fields("source_networks", "servers")  # once per plan, not per stack
def provider_space(plan: Plan) -> ProviderSpace:
    """The source networks and the addresses of servers still at the provider (not marked
    ``migrated``) that no source network holds, as disjoint ranges."""
    spans: list[tuple[int, int]] = []
    for text in plan.source_networks:
        net = ipaddress.ip_network(text, strict=False)
        if net.version == 4:
            spans.append((int(net.network_address), int(net.broadcast_address)))
    for server in plan.servers.values():
        if server.ip is not None and not server.migrated:
            address = ipv4_int(server.ip)
            spans.append((address, address))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + 1:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return ProviderSpace(tuple(merged))
