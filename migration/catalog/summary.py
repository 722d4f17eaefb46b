"""Counts and totals of a catalog, for ``utflytt validate``."""

from __future__ import annotations

from collections import Counter
from typing import Any

from migration.catalog.models import Catalog


def summarise(catalog: Catalog) -> dict[str, Any]:
    """Systems and servers by disposition, level and environment; sizes and dependencies."""
    systems = catalog.systems_by_id
    server_dependencies = sum(len(s.depends_on) for s in catalog.servers)
    system_dependencies = sum(len(s.depends_on) for s in catalog.systems)
    latency_sensitive = sum(
        d.latency_sensitive for s in catalog.systems for d in s.depends_on
    ) + sum(d.latency_sensitive for s in catalog.servers for d in s.depends_on)
    return {
        "organisation": catalog.organisation,
        "provider": catalog.contract.provider,
        "systems": len(catalog.systems),
        "servers": len(catalog.servers),
        "systems_by_disposition": _sorted(Counter(s.disposition for s in catalog.systems)),
        "systems_by_level": _sorted(Counter(s.level for s in catalog.systems)),
        "servers_by_disposition": _sorted(
            Counter(systems[s.system].disposition for s in catalog.servers)
        ),
        "servers_by_environment": _sorted(Counter(s.environment for s in catalog.servers)),
        "vcpu": sum(s.vcpu for s in catalog.servers),
        "memory_gb": round(sum(s.memory_gb for s in catalog.servers), 1),
        "disk_gb": round(sum(sum(s.disks_gb) for s in catalog.servers), 1),
        "dependencies": {
            "system": system_dependencies,
            "server": server_dependencies,
            "latency_sensitive": latency_sensitive,
        },
    }


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items()))
