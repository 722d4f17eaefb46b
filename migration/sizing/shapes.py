"""Servers of one shape are sized alike: each shape is sized once.

A server's size, compute price and licences depend on its :func:`part_key`; its disks'
prices on their sizes and its environment; nothing on its id. 100k servers have a few
thousand shapes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from migration.catalog import Server
from migration.sizing.result import ServerSizing

if TYPE_CHECKING:
    from migration.sizing.sizing import Sizer

__all__ = ["part_key", "size_servers"]


def part_key(server: Server) -> tuple[object, ...]:
    """What a server's size, compute price and licences depend on (its disks' prices depend
    on their sizes and the environment too; nothing depends on its id)."""
    return (
        server.os,
        server.vcpu,
        server.memory_gb,
        server.cpu_p95,
        server.memory_p95,
        len(server.disks_gb),
        server.licences.windows_software_assurance,
    )


def size_servers(sizer: Sizer, servers: Iterable[Server]) -> dict[str, ServerSizing]:
    """Every server sized, keyed by id: each shape (:func:`part_key`, disks, environment)
    once, its result copied under the id of each server of that shape."""
    shapes: dict[tuple[object, ...], tuple[Any, ...]] = {}
    result: dict[str, ServerSizing] = {}
    for server in servers:
        key = (part_key(server), server.disks_gb, server.environment)
        rest = shapes.get(key)
        if rest is None:
            sized = result[server.id] = sizer.size(server)
            shapes[key] = tuple(getattr(sized, f.name) for f in fields(sized))[1:]
        else:
            result[server.id] = ServerSizing(server.id, *rest)
    return result
