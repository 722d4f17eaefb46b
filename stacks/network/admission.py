"""Which addresses a permit from consumers still at the provider admits, within a cloud's
budget (DESIGN.md "Network policy": no rule admits more than its declared consumers).

:func:`~stacks.network.policy.network_policy` admits consumers at the provider by their own
``/32`` (collapsed where adjacent, which admits nobody else). A cloud holds only so many
prefixes per rule set, so :func:`admit` gives each destination group a :class:`Budget` (in
the cloud's own rule units: Azure address prefixes per NSG, AWS rules per security group x
security groups per interface) and, only for a destination whose exact permits do not fit,
*summarises* them: :func:`summarise` repeatedly merges the two neighbouring prefixes (in
address order) whose common supernet adds the fewest addresses, until the permits fit, and
never past a declared source network. The permit then records how many addresses beyond its
consumers it admits, and the plan warns. Each cloud only works out its budget
(:mod:`stacks.network.budgets`); the decision is made here, once for both.
"""

from __future__ import annotations

import heapq
import ipaddress
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from stacks.network.policy import NetworkPolicy, Permit

Net = ipaddress.IPv4Network | ipaddress.IPv6Network
SUMMARISED = "prefixes instead of"  # in every warning of a summarised permit


def is_summary(warning: str) -> bool:
    """True for the warning of a summarised permit (a policy warning's kind)."""
    return SUMMARISED in warning


@dataclass(frozen=True)
class Budget:
    """What one cloud can spend on the provider permits into each destination group."""

    provider: str  # "Azure" | "AWS": named in the warning
    limit: str  # the limit in words, e.g. "60 rules per security group x 5 per interface"
    units: Mapping[str, int]  # destination -> units its provider permits may spend
    per_permit: int  # most prefixes one permit may hold (AWS: one security group's rules)
    weight: Callable[[tuple[str, ...]], int]  # units one prefix costs on these ports


def address_count(prefixes: Iterable[str]) -> int:
    """Addresses the (disjoint) prefixes hold."""
    return sum(ipaddress.ip_network(p).num_addresses for p in prefixes)


class _Merger:
    """One permit's prefixes in address order, and the merges that would shrink them:
    a heap of (extra addresses, left, right) over neighbouring pairs, stale entries skipped."""

    def __init__(self, prefixes: Iterable[str], within: Sequence[Net]) -> None:
        v4 = ipaddress.collapse_addresses(
            n for n in map(ipaddress.ip_network, prefixes) if n.version == 4
        )
        v6 = ipaddress.collapse_addresses(
            n for n in map(ipaddress.ip_network, prefixes) if n.version == 6
        )
        self.nets: list[Net] = [*v4, *v6]
        self.within = within
        size = len(self.nets)
        self.prev = [i - 1 for i in range(size)]
        self.next = [i + 1 if i + 1 < size else -1 for i in range(size)]
        self.stamp = [0] * size
        self.alive = size
        # (extra addresses, -prefixes it saves, left, its stamp, right, its stamp)
        self.heap: list[tuple[int, int, int, int, int, int]] = []
        for i in range(size - 1):
            self._push(i)

    def _holder(self, net: Net) -> Net | None:
        return next(
            (w for w in self.within if w.version == net.version and net.subnet_of(w)),  # type: ignore[arg-type]
            None,
        )

    def _span(self, i: int) -> tuple[Net, list[int]] | None:
        """The supernet merging prefix ``i`` with its right neighbour and the prefixes it
        covers (neighbours inside it too), or None when it would leave a source network."""
        j = self.next[i]
        if j < 0 or self.nets[i].version != self.nets[j].version:
            return None
        a, b = self.nets[i], self.nets[j]
        bits = a.max_prefixlen
        common = bits - (int(a.network_address) ^ int(b.broadcast_address)).bit_length()
        plen = min(a.prefixlen, b.prefixlen, common)
        start = (int(a.network_address) >> (bits - plen)) << (bits - plen)
        span = type(a)((start, plen))
        holder = self._holder(a)
        if holder is None or not span.subnet_of(holder):  # type: ignore[arg-type]
            return None
        covered = [i, j]
        k = self.prev[i]
        while k >= 0 and self.nets[k].subnet_of(span):  # type: ignore[arg-type]
            covered.append(k)
            k = self.prev[k]
        k = self.next[j]
        while k >= 0 and self.nets[k].subnet_of(span):  # type: ignore[arg-type]
            covered.append(k)
            k = self.next[k]
        return span, covered

    def _push(self, i: int) -> None:
        found = self._span(i)
        if found is not None:
            span, covered = found
            extra = span.num_addresses - sum(self.nets[k].num_addresses for k in covered)
            j = self.next[i]
            entry = (extra, 1 - len(covered), i, self.stamp[i], j, self.stamp[j])
            heapq.heappush(self.heap, entry)

    def best(self) -> tuple[int, int] | None:
        """(the fewest extra addresses one merge adds, the prefixes it saves); ties go to
        the merge saving most. None: nothing can merge."""
        while self.heap:
            extra, saved, i, si, j, sj = self.heap[0]
            if self.stamp[i] == si and self.stamp[j] == sj and self.next[i] == j:
                return extra, -saved
            heapq.heappop(self.heap)
        return None

    def merge(self) -> None:
        """Apply the best merge (call :meth:`best` first)."""
        i = heapq.heappop(self.heap)[2]
        found = self._span(i)
        assert found is not None
        span, covered = found
        first = min(covered, key=lambda k: self.nets[k].network_address)
        last = max(covered, key=lambda k: self.nets[k].network_address)
        self.nets[first] = span
        for k in covered:
            self.stamp[k] += 1
        self.next[first] = self.next[last]
        if self.next[last] >= 0:
            self.prev[self.next[last]] = first
        self.alive -= len(covered) - 1
        for k in (self.prev[first], first):
            if k >= 0:
                self._push(k)

    def prefixes(self) -> tuple[str, ...]:
        """The prefixes now, in address order."""
        out: list[str] = []
        k = 0 if self.nets else -1
        while k >= 0:
            out.append(str(self.nets[k]))
            k = self.next[k]
        return tuple(out)


def summarise(prefixes: Iterable[str], budget: int, within: Iterable[str] = ()) -> tuple[str, ...]:
    """At most ``budget`` prefixes covering ``prefixes`` with few extra addresses: the
    collapsed input when it fits, else neighbours merged (cheapest supernet first) inside
    the source network that holds them (``within``); never merged outside one, so the
    result may stay over budget when nothing more can merge."""
    return summarise_many([tuple(prefixes)], [1], budget, budget, within)[0]


def summarise_many(
    permits: Sequence[tuple[str, ...]],
    weights: Sequence[int],
    units: int,
    per_permit: int,
    within: Iterable[str] = (),
) -> list[tuple[str, ...]]:
    """Several permits' prefixes summarised together: each to at most ``per_permit``
    prefixes, then (``weights``: the units one prefix of each costs) all to at most
    ``units`` units, always taking the merge that adds the fewest addresses per unit (ties:
    the one saving most)."""
    nets = [ipaddress.ip_network(w) for w in within]
    mergers = [_Merger(p, nets) for p in permits]
    for m in mergers:
        while m.alive > per_permit and m.best() is not None:
            m.merge()
    spent = sum(m.alive * w for m, w in zip(mergers, weights, strict=True))
    queue: list[tuple[float, int, int, int]] = []  # (extra per unit, -units, permit, stamp)
    stamps = [0] * len(mergers)

    def enqueue(index: int) -> None:
        if (best := mergers[index].best()) is not None:
            extra, saved = best
            entry = (extra / weights[index], -saved * weights[index], index, stamps[index])
            heapq.heappush(queue, entry)

    for index in range(len(mergers)):
        enqueue(index)
    while spent > units and queue:
        *_, index, stamp = heapq.heappop(queue)
        if stamp != stamps[index]:
            continue
        m = mergers[index]
        before = m.alive
        m.merge()
        spent -= (before - m.alive) * weights[index]
        stamps[index] += 1
        enqueue(index)
    return [m.prefixes() for m in mergers]


def admit(policy: NetworkPolicy, budget: Budget, source_networks: Sequence[str]) -> NetworkPolicy:
    """``policy`` with the provider permits of each destination over its budget
    summarised, each such permit warned; ``policy`` itself when every one fits."""
    by_dest: dict[str, list[Permit]] = defaultdict(list)
    for permit in policy.permits:
        if permit.via == "provider" and permit.destination in budget.units:
            by_dest[permit.destination].append(permit)
    changed: dict[Permit, Permit] = {}
    warnings: list[str] = []
    for dest, permits in sorted(by_dest.items()):
        weights = [max(1, budget.weight(p.ports)) for p in permits]
        units = budget.units[dest]
        spent = sum(len(p.addresses) * w for p, w in zip(permits, weights, strict=True))
        if spent <= units and all(len(p.addresses) <= budget.per_permit for p in permits):
            continue
        summarised = summarise_many(
            [p.addresses for p in permits], weights, units, budget.per_permit, source_networks
        )
        for permit, addresses in zip(permits, summarised, strict=True):
            if addresses == permit.addresses:
                continue
            extra = address_count(addresses) - address_count(permit.addresses)
            changed[permit] = replace(permit, addresses=addresses, extra_addresses=extra)
            warnings.append(
                f"{dest} admits its {len(permit.consumers)} consumers at the provider on "
                f"{', '.join(permit.ports)} by {len(addresses)} {SUMMARISED} "
                f"{len(permit.addresses)}: {extra} addresses beyond them "
                f"({', '.join(addresses[:5])}{' ...' if len(addresses) > 5 else ''}): "
                f"the {budget.provider} platform limit ({budget.limit}) holds no more; "
                "this lasts until they move"
            )
    if not changed:
        return policy
    return replace(
        policy,
        permits=tuple(changed.get(p, p) for p in policy.permits),
        warnings=tuple(sorted({*policy.warnings, *warnings})),
    )
