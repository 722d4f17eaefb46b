"""The arrays the quality panel scores: a planning instance and its wave calendar.

:class:`Instance` holds a plan's servers and dependencies as numpy arrays indexed by server
and by edge; :class:`Calendar` holds the waves' days and which waves are blocked. Both are
plain data, built by :mod:`waves.quality_inputs` (from a catalog or a plan) or by hand (the
benchmark, tests), and read by :func:`waves.quality.evaluate`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["BoolArray", "Calendar", "FloatArray", "Instance", "IntArray"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Instance:
    """A planning instance as arrays indexed by server (0..n-1) and by edge.

    Edges point from consumer to provider. ``unit`` labels move units that must share a
    wave (system + environment); ``app`` labels systems (for "systems split" and per-system
    blackouts); ``pinned`` is -1 for servers without a pin.
    """

    edge_from: IntArray
    edge_to: IntArray
    weight: FloatArray
    latency_sensitive: BoolArray
    vcpu: IntArray
    migrated: BoolArray
    pinned: IntArray
    unit: IntArray
    app: IntArray
    prod: BoolArray
    cap_servers: int
    cap_vcpu: int

    @property
    def n(self) -> int:
        """Number of servers."""
        return int(self.vcpu.shape[0])

    @classmethod
    def build(
        cls,
        *,
        edges: Sequence[tuple[int, int]] | npt.ArrayLike,
        vcpu: Sequence[int] | npt.ArrayLike,
        cap_servers: int,
        cap_vcpu: int,
        weight: Sequence[float] | npt.ArrayLike | None = None,
        latency_sensitive: Sequence[bool] | npt.ArrayLike | None = None,
        migrated: Sequence[bool] | npt.ArrayLike | None = None,
        pinned: Sequence[int] | npt.ArrayLike | None = None,
        unit: Sequence[int] | npt.ArrayLike | None = None,
        app: Sequence[int] | npt.ArrayLike | None = None,
        prod: Sequence[bool] | npt.ArrayLike | None = None,
    ) -> Instance:
        """An instance from plain sequences; omitted arrays get neutral defaults."""
        v = np.asarray(vcpu, dtype=np.int64)
        n = int(v.shape[0])
        e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        m = int(e.shape[0])
        units = np.arange(n, dtype=np.int64) if unit is None else np.asarray(unit, np.int64)
        return cls(
            edge_from=np.ascontiguousarray(e[:, 0]),
            edge_to=np.ascontiguousarray(e[:, 1]),
            weight=np.ones(m) if weight is None else np.asarray(weight, np.float64),
            latency_sensitive=(
                np.zeros(m, np.bool_)
                if latency_sensitive is None
                else np.asarray(latency_sensitive, np.bool_)
            ),
            vcpu=v,
            migrated=np.zeros(n, np.bool_) if migrated is None else np.asarray(migrated, np.bool_),
            pinned=np.full(n, -1, np.int64) if pinned is None else np.asarray(pinned, np.int64),
            unit=units,
            app=units if app is None else np.asarray(app, np.int64),
            prod=np.ones(n, np.bool_) if prod is None else np.asarray(prod, np.bool_),
            cap_servers=cap_servers,
            cap_vcpu=cap_vcpu,
        )


@dataclass(frozen=True)
class Calendar:
    """Dates and blocked waves: start/end day (offset from wave 0's start) per wave number.

    Waves missing from ``start_day`` are extrapolated by ``wave_days`` from the last known
    one. ``known`` (when given) is the set of waves the plan actually has: a server in any
    other wave is a blackout-gate violation ("beyond the horizon").
    """

    wave_days: int = 14
    start_day: Mapping[int, int] = field(default_factory=dict)
    end_day: Mapping[int, int] = field(default_factory=dict)
    blocked: frozenset[int] = frozenset()
    app_blocked: Mapping[int, frozenset[int]] = field(default_factory=dict)
    frozen: frozenset[int] = frozenset()
    known: frozenset[int] | None = None

    def starts(self, top: int) -> IntArray:
        """Start day of waves 0..top as an array."""
        out = np.zeros(top + 1, dtype=np.int64)
        last_k, last_day = 0, 0
        for k in range(top + 1):
            if k in self.start_day:
                last_k, last_day = k, self.start_day[k]
                out[k] = last_day
            else:
                out[k] = last_day + (k - last_k) * self.wave_days
        return out

    def end(self, k: int, starts: IntArray) -> int:
        """Last day (inclusive offset) of wave k."""
        return int(self.end_day.get(k, int(starts[k]) + self.wave_days - 1))
