"""From dependencies to flows: the one rule (DESIGN.md, "From dependencies to flows").

Everyone who needs to know who talks to whom (the wave planner's graph, the quality panel,
``plan.json`` ``flows``/``hybrid_flows``, the network policy of the stacks and the exit plan)
calls :func:`server_flows` or :func:`group_flows`; nobody expands a dependency on their own.

- A server-level dependency is one flow, as declared.
- A system-level dependency becomes flows from each consumer server (of ``from_roles``) to
  the provider's servers (of ``to_roles``) of the **same environment**; when the provider
  has no such server in that environment, to its prod servers (a test or dev consumer may
  use a shared prod service such as AD). Prod never reaches test or dev this way.
- Flows between the same two servers merge: ports united, latency-sensitive if any
  declaration is, weights added.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Protocol

from migration.catalog.models import Catalog, Server, parse_port

__all__ = [
    "FlowLike",
    "GroupFlow",
    "Placed",
    "ServerFlow",
    "group_flows",
    "port_key",
    "server_flows",
    "sorted_ports",
    "system_flows",
]


@lru_cache(maxsize=4096)
def port_key(port: str) -> tuple[str, int, int]:
    """Sort key of a port: protocol, then numerically."""
    return parse_port(port)


@lru_cache(maxsize=16384)
def sorted_ports(ports: frozenset[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Distinct ports, sorted by protocol then number."""
    return tuple(sorted(set(ports), key=port_key))


class ServerFlow(NamedTuple):
    """One consumer server -> provider server flow, merged over every declaration (a named
    tuple: cheap to make, and there are half a million at 100k servers)."""

    from_: str
    to: str
    ports: tuple[str, ...]
    latency_sensitive: bool
    weight: float


class FlowLike(Protocol):
    """A server flow: ``migration.plan.Flow``, :class:`ServerFlow`."""

    @property
    def from_(self) -> str: ...
    @property
    def to(self) -> str: ...
    @property
    def ports(self) -> tuple[str, ...]: ...
    @property
    def latency_sensitive(self) -> bool: ...
    @property
    def weight(self) -> float: ...


class Placed(Protocol):
    """Where a server is: a catalog ``Server`` or a plan's ``PlannedServer``."""

    @property
    def system(self) -> str: ...
    @property
    def environment(self) -> str: ...


def _role_members(servers: Iterable[Server]) -> dict[tuple[str, str], dict[str, list[str]]]:
    """(system, environment) -> role -> server ids (in catalog order)."""
    members: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for server in servers:
        members[(server.system, server.environment)][server.role].append(server.id)
    return members


def _of_roles(by_role: Mapping[str, list[str]] | None, roles: tuple[str, ...]) -> list[str]:
    if not by_role:
        return []
    if not roles:
        return [sid for ids in by_role.values() for sid in ids]
    return [sid for role in roles for sid in by_role.get(role, ())]


class _Merged:
    """Accumulator of one merged flow (ports united, latency-sensitive if any, weights
    added, how many declarations or server flows it stands for).

    Most flows are declared once: their ports stay the declared tuple until a second
    declaration merges in (half a million flows at 100k servers, few of them merged).
    """

    __slots__ = ("count", "ls", "ports", "weight")

    def __init__(self, ports: tuple[str, ...], ls: bool, weight: float) -> None:
        self.ports: tuple[str, ...] | set[str] = ports
        self.ls = ls
        self.weight = weight
        self.count = 1

    def add(self, ports: Iterable[str], ls: bool, weight: float) -> None:
        if isinstance(self.ports, tuple):
            self.ports = set(self.ports)
        self.ports.update(ports)
        self.ls = self.ls or ls
        self.weight += weight
        self.count += 1

    def sorted_ports(self) -> tuple[str, ...]:
        """The ports united, sorted (:func:`sorted_ports`)."""
        return sorted_ports(self.ports if isinstance(self.ports, tuple) else frozenset(self.ports))


def server_flows(catalog: Catalog) -> list[ServerFlow]:
    """Every flow of ``catalog``, merged per server pair, sorted by (consumer, provider).

    Dependencies on unknown ids (a catalog that failed validation) and self-flows are
    skipped.
    """
    known = {s.id for s in catalog.servers}
    merged: dict[tuple[str, str], _Merged] = {}

    def add(u: str, v: str, ports: tuple[str, ...], ls: bool, weight: float) -> None:
        found = merged.get((u, v))
        if found is None:
            merged[(u, v)] = _Merged(ports, ls, weight)
        else:
            found.add(ports, ls, weight)

    for server in catalog.servers:
        consumer = server.id
        for dep in server.depends_on:
            provider = dep.to
            if provider in known and provider != consumer:
                found = merged.get((consumer, provider))
                if found is None:  # add(), inlined: one call less per declared flow
                    merged[(consumer, provider)] = _Merged(
                        dep.ports, dep.latency_sensitive, dep.weight
                    )
                else:
                    found.add(dep.ports, dep.latency_sensitive, dep.weight)
    members = _role_members(catalog.servers)
    environments: dict[str, set[str]] = defaultdict(set)
    for system_id, env in members:
        environments[system_id].add(env)
    for system in catalog.systems:
        for sdep in system.depends_on:
            for env in sorted(environments.get(system.id, ())):
                consumers = _of_roles(members.get((system.id, env)), sdep.from_roles)
                if not consumers:
                    continue
                providers = _of_roles(members.get((sdep.to, env)), sdep.to_roles)
                if not providers and env != "prod":
                    providers = _of_roles(members.get((sdep.to, "prod")), sdep.to_roles)
                for u in consumers:
                    for v in providers:
                        if u != v:
                            add(u, v, sdep.ports, sdep.latency_sensitive, sdep.weight)
    return [
        ServerFlow(u, v, m.sorted_ports(), m.ls, m.weight) for (u, v), m in sorted(merged.items())
    ]


@dataclass(frozen=True, slots=True)
class GroupFlow:
    """Flows from one (system, environment) to another, merged (reports, network rules)."""

    from_system: str
    from_env: str
    to_system: str
    to_env: str
    ports: tuple[str, ...]
    latency_sensitive: bool
    weight: float
    pairs: int  # how many server flows it stands for


def group_flows(flows: Iterable[FlowLike], servers: Mapping[str, Placed]) -> list[GroupFlow]:
    """``flows`` grouped by (consumer system, env) -> (provider system, env), sorted.

    ``servers`` maps a server id to something with ``system`` and ``environment`` (a
    catalog :class:`~migration.catalog.models.Server` or a plan's ``PlannedServer``);
    flows whose ends are not in it are skipped.
    """
    groups: dict[tuple[str, str, str, str], _Merged] = {}
    for flow in flows:
        a, b = servers.get(flow.from_), servers.get(flow.to)
        if a is None or b is None:
            continue
        key = (a.system, a.environment, b.system, b.environment)
        found = groups.get(key)
        if found is None:
            groups[key] = _Merged(flow.ports, flow.latency_sensitive, flow.weight)
        else:
            found.add(flow.ports, flow.latency_sensitive, flow.weight)
    return [
        GroupFlow(
            *key,
            ports=m.sorted_ports(),
            latency_sensitive=m.ls,
            weight=m.weight,
            pairs=m.count,
        )
        for key, m in sorted(groups.items())
    ]


def system_flows(catalog: Catalog) -> list[GroupFlow]:
    """The catalog's flows grouped per (consumer system, env) -> (provider system, env)."""
    return group_flows(server_flows(catalog), catalog.servers_by_id)
