"""Whole-catalog checks of ``source_networks``, the networks at the provider.

The hybrid connection routes these networks (Azure: the local network gateway's address
prefixes; AWS: the VPN's static routes), and the network policy summarises the addresses of
servers still there only within one of them. Each field is checked on its own
(:func:`migration.ipv4.provider_network_problem`: IPv4, and none of its addresses unusable);
this module checks the list and the servers against it:

- **Nested or repeated networks** are an error naming both entries: two CIDR networks are
  either disjoint or one lies inside the other, so overlap is containment. Routes and
  prefix lists built from both would be duplicated; list the wider one once.
- **A server still at the provider whose ip lies outside every source network** is a
  warning (``ip-outside-source-networks``): the hybrid connection does not route its
  address, so flows between it and the cloud cannot work. Only when the catalog lists
  source networks (without them there is no hybrid connection to check against).

The list check runs on the raw merged document, as :mod:`migration.catalog.addresses` does,
so it is reported in the same run as field errors; an entry the field check refuses is
skipped here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from migration.catalog.checks import Loc, Problem
from migration.catalog.models import Catalog
from migration.catalog.source import issues_at
from migration.errors import Issue
from migration.ipv4 import AddressRanges, ipv4_int, provider_network_problem

OUTSIDE_CODE = "ip-outside-source-networks"
"""The code of the warning for a server whose ip no source network holds."""

RELATED = "{related}"
"""Where a problem's message names the related entry's ``file:line`` (see the loader)."""

LISTED_NETWORKS = 5
"""Source networks named in one warning before "and N more"."""

_WHY = "routes and prefix lists built from both would be duplicated"


def nested_networks(networks: Sequence[ipaddress.IPv4Network]) -> list[tuple[int, int]]:
    """``(inner, wider)`` index pairs: each entry lying inside another, with the widest
    entry that holds it (the first listed of equal ones); a repeated entry lies inside its
    first listing. Sorted by ``inner``; O(n log n).

    Two CIDR networks are disjoint or nested, so in order of (first address, prefix length,
    position) an entry lies inside another exactly when it lies inside the last entry not
    itself inside one.
    """
    order = sorted(
        range(len(networks)),
        key=lambda i: (int(networks[i].network_address), networks[i].prefixlen, i),
    )
    found: list[tuple[int, int]] = []
    widest = -1
    for index in order:
        if widest >= 0 and networks[index].broadcast_address <= networks[widest].broadcast_address:
            found.append((index, widest))
        else:
            widest = index
    return sorted(found)


def nested_network_problems(document: dict[str, Any]) -> Iterator[Problem]:
    """Yield one problem per source network listed twice or lying inside another."""
    listed = document.get("source_networks")
    if not isinstance(listed, list):
        return
    positions: list[int] = []
    networks: list[ipaddress.IPv4Network] = []
    for position, text in enumerate(listed):
        if not isinstance(text, str):
            continue
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError:
            continue
        if isinstance(network, ipaddress.IPv4Network) and provider_network_problem(network) is None:
            positions.append(position)
            networks.append(network)
    for inner, wider in nested_networks(networks):
        loc: Loc = ("source_networks", positions[inner])
        wider_loc: Loc = ("source_networks", positions[wider])
        if networks[inner] == networks[wider]:
            message = f"source network {networks[inner]} is listed twice (first at {RELATED})"
            advice = "list it once"
        else:
            message = f"{networks[inner]} lies inside {networks[wider]} ({RELATED})"
            advice = "list the wider one once"
        yield loc, f"{message}: {advice} ({_WHY})", wider_loc


def outside_source_networks(catalog: Catalog) -> list[tuple[Loc, str]]:
    """``(field path, message)`` of each server still at the provider whose ip lies
    outside every source network (none when the catalog lists no source network); the
    message without its code, which ``validate`` and the plan's warning each show their
    own way."""
    if not catalog.source_networks:
        return []
    routed = AddressRanges.of(
        (int(n.network_address), int(n.broadcast_address))
        for n in (ipaddress.IPv4Network(text) for text in catalog.source_networks)
    )
    shown = ", ".join(catalog.source_networks[:LISTED_NETWORKS])
    more = len(catalog.source_networks) - LISTED_NETWORKS
    listing = f"{shown} and {more} more" if more > 0 else shown
    found: list[tuple[Loc, str]] = []
    for index, server in enumerate(catalog.servers):
        if server.migrated or server.ip is None:
            continue
        if routed.holds(ipv4_int(server.ip)):
            continue
        found.append(
            (
                ("servers", index, "ip"),
                f"server {server.id!r} at {server.ip} lies outside every source network "
                f"({listing}): the hybrid connection does not route it, so flows between "
                "it and the cloud cannot work; add its network to source_networks, or "
                "correct its ip",
            )
        )
    return found


def outside_source_network_issues(catalog: Catalog, path: str | Path) -> list[Issue]:
    """The same warnings as :class:`Issue` at the line of each server's ``ip``.

    The files are read again only when there is something to warn about.
    """
    found = [
        (loc, f"{message} ({OUTSIDE_CODE})") for loc, message in outside_source_networks(catalog)
    ]
    return issues_at(Path(path), found)
