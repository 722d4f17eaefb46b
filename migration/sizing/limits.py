"""The largest server utflytt sizes: beyond it, planning stops with a clear error."""

from __future__ import annotations

from migration.catalog import MIGRATING_DISPOSITIONS, Catalog
from migration.errors import PlanError
from migration.sizing.options import MAX_MEMORY_GB, MAX_VCPU


class SizingError(PlanError):
    """A migrating server is larger than any size utflytt plans for (128 vCPU / 2 TiB).

    A :class:`PlanError` naming the servers, so the CLI adds their catalog lines."""


def check_size_limits(catalog: Catalog) -> None:
    """Raise :class:`SizingError` naming every migrating server beyond the size limits.

    The default families fit any server up to :data:`MAX_VCPU` vCPU and
    :data:`MAX_MEMORY_GB` GB of memory on both clouds (Azure M128s, AWS x2idn.32xlarge);
    a larger one would drop out of the cloud total, so it is an error, not a warning.
    """
    systems = catalog.systems_by_id
    too_big = [
        server
        for server in catalog.servers
        if systems[server.system].disposition in MIGRATING_DISPOSITIONS
        and (server.vcpu > MAX_VCPU or server.memory_gb > MAX_MEMORY_GB)
    ]
    if not too_big:
        return
    lines = [
        f"{len(too_big)} server{'s' if len(too_big) != 1 else ''} larger than the largest "
        f"size planned for ({MAX_VCPU} vCPU, {MAX_MEMORY_GB:g} GB memory on Azure and AWS):"
    ]
    lines += [
        f"  {s.id}: {s.vcpu} vCPU, {s.memory_gb:g} GB (system {s.system})" for s in too_big[:20]
    ]
    if len(too_big) > 20:
        lines.append(f"  ... and {len(too_big) - 20} more")
    lines.append(
        "Split the server, give it cpu_p95/memory_p95 for performance-based sizing, or set "
        "its system's disposition to retain."
    )
    raise SizingError(
        "\n".join(lines),
        subjects=tuple(
            ("servers", s.id, "vcpu" if s.vcpu > MAX_VCPU else "memory_gb") for s in too_big
        ),
    )
