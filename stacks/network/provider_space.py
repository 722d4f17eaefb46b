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

import ipaddress

from migration.ipv4 import AddressRanges, ipv4_int
from migration.plan import Plan
from stacks.plancache import per_plan_fields


@per_plan_fields("source_networks", "servers")  # once per plan, not per stack
def provider_space(plan: Plan) -> AddressRanges:
    """The source networks and the addresses of servers still at the provider (not marked
    ``migrated``), as disjoint ranges (an address inside a source network merges into it)."""
    spans: list[tuple[int, int]] = []
    for text in plan.source_networks:
        net = ipaddress.ip_network(text, strict=False)
        if net.version == 4:
            spans.append((int(net.network_address), int(net.broadcast_address)))
    for server in plan.servers.values():
        if server.ip is not None and not server.migrated:
            address = ipv4_int(server.ip)
            spans.append((address, address))
    return AddressRanges.of(spans)
