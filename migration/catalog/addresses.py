"""Whole-catalog check of server addresses: one address, one server at the provider.

A server still at the provider is admitted into the cloud by its own ``/32`` (DESIGN.md,
"Network policy"), and the dependency importer matches connections to servers by address.
Two servers there with one ``ip`` would be admitted by one rule and mistaken for each
other, so the second is an error that names the first. The catalog has one address space at
the provider (``source_networks`` is a list for the VPN, with no server placed in one), so
there is no way to say two such servers live in separate networks. A server already
``migrated: true`` is in the cloud: its ``ip`` (the address it had) is admitted nowhere and
may since have been given to another server.

Like :mod:`migration.catalog.checks`, this runs on the raw merged document, so that it is
reported in the same run as field errors; an ``ip`` the field check refuses is skipped here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from migration.catalog.checks import Loc, Problem
from migration.ipv4 import server_address_problem


def duplicate_address_problems(document: dict[str, Any]) -> Iterator[Problem]:
    """Yield one problem for each server at the provider whose ``ip`` an earlier one has."""
    servers = document.get("servers")
    if not isinstance(servers, list):
        return
    first_seen: dict[str, tuple[Loc, str]] = {}
    for index, record in enumerate(servers):
        if not isinstance(record, dict) or record.get("migrated") is True:
            continue
        ip = record.get("ip")
        if not isinstance(ip, str) or server_address_problem(ip) is not None:
            continue
        server_id = record.get("id")
        name = repr(server_id) if isinstance(server_id, str) else f"servers[{index}]"
        loc: Loc = ("servers", index, "ip")
        if ip in first_seen:
            first_loc, first_name = first_seen[ip]
            yield (
                loc,
                f"server {name} has the ip of server {first_name} ({ip}): a server still "
                "at the provider is admitted into the cloud by its own /32, so one rule would "
                "admit both; give each its own address (or mark the one that has moved "
                "migrated: true)",
                first_loc,
            )
        else:
            first_seen[ip] = (loc, name)
