"""Readiness and sizing of servers for Azure and AWS, priced from the price books."""

from migration.sizing.limits import SizingError, check_size_limits
from migration.sizing.options import MAX_MEMORY_GB, MAX_VCPU
from migration.sizing.readiness import OsInfo, Readiness, classify_os
from migration.sizing.sizing import (
    AS_ON_PREMISES,
    PERFORMANCE_BASED,
    DiskSizing,
    ServerSizing,
    Sizer,
    SizingOptions,
    make_sizer,
    size_catalog,
)

__all__ = [
    "AS_ON_PREMISES",
    "MAX_MEMORY_GB",
    "MAX_VCPU",
    "SizingError",
    "check_size_limits",
    "PERFORMANCE_BASED",
    "DiskSizing",
    "OsInfo",
    "Readiness",
    "ServerSizing",
    "Sizer",
    "SizingOptions",
    "classify_os",
    "make_sizer",
    "size_catalog",
]
