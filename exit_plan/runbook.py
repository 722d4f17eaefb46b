"""One cutover runbook per wave, executable by a migration lead.

Per wave: dated pre-checks and tasks; the servers in move order (providers first; within a
system infra, db, file, app, web) with the system owner as contact; cutover steps per role;
DNS and endpoint changes from the catalog; smoke tests per system (the catalog's ``checks``,
else derived from the ports its consumers use); go/no-go with the RTO of the most critical
system; rollback steps in reverse move order; and the hybrid flows to open and close,
grouped by (system, environment) pairs.

Everything is computed in one pass over the servers and the flows (no per-wave rescans), so
100k-server plans stay linear.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from heapq import heapify, heappop, heappush
from typing import Any

from exit_plan.checklist import matches
from exit_plan.data import Checklist, Lang, RunbookTask
from exit_plan.facts import Subject, flow_waves_of, pilot_wave, wave_subjects
from migration.catalog import Catalog, Server, System
from migration.flows import GroupFlow, server_flows, sorted_ports
from migration.plan import Plan, Wave

ROLE_ORDER = {"infra": 0, "db": 1, "file": 2, "app": 3, "web": 4, "other": 5}
ENV_ORDER = {"dev": 0, "test": 1, "prod": 2}
SERVER_STEPS_MAX = 200
"""A wave with more servers than this gets its cutover and rollback steps (and its move
order) per system, environment and role, each naming its servers, instead of one block per
server; ``server_detail`` (``utflytt plan --server-detail``) asks for per-server steps in
every wave. Every server is still listed, in move order, in exit-plan.json."""


@dataclass(frozen=True, slots=True)
class DatedTask:
    """A runbook task on its date; ``day`` is ``T-14`` (from the start) or ``E+3`` (end)."""

    date: date
    day: str
    task: RunbookTask


@dataclass(frozen=True, slots=True)
class MoveStep:
    """One server in move order, with its contact."""

    order: int
    server: Server
    system: System | None
    contact: str


@dataclass(frozen=True, slots=True)
class DnsChange:
    """A DNS name or endpoint that moves with a system in this wave."""

    system: str
    name: str
    kind: str  # dns | endpoint
    old_ip: str | None


@dataclass(frozen=True, slots=True)
class SmokeTest:
    """A test after cutover: from the catalog's ``checks``, or derived from a port."""

    system: str
    name: str
    run: str
    expect: str | None
    derived: bool


@dataclass(frozen=True, slots=True)
class FlowChange:
    """Hybrid flows between two (system, environment) groups, to open or to close."""

    group: GroupFlow
    action: str  # open | close
    kind: str  # temporary | retained | repoint
    closes: int | None  # the wave that closes an opened flow (None: never)


@dataclass(frozen=True)
class WaveRunbook:
    """Everything the wave's cutover team needs."""

    wave: Wave
    subject: Subject
    mode: str  # critical | pilot | standard
    tasks: tuple[DatedTask, ...]
    moves: tuple[MoveStep, ...]
    dns: tuple[DnsChange, ...]
    smoke: tuple[SmokeTest, ...]
    flows: tuple[FlowChange, ...]
    shortest_rto_hours: float | None
    critical_system: str | None  # the system with the shortest RTO
    system_owners: tuple[str, ...]
    missing_dns: tuple[str, ...]  # systems with a web role but no dns_names/endpoints
    per_server: bool = True  # steps per server; False: per system, environment and role

    @property
    def flows_open(self) -> tuple[FlowChange, ...]:
        """Groups to open before the wave."""
        return tuple(f for f in self.flows if f.action == "open")

    @property
    def flows_close(self) -> tuple[FlowChange, ...]:
        """Groups to close when the wave ends."""
        return tuple(f for f in self.flows if f.action == "close")


def _day(task: RunbookTask) -> str:
    letter = "T" if task.from_ == "wave_start" else "E"
    return f"{letter}{task.days:+d}" if task.days else letter


def _system_order(system_ids: list[str], providers: Mapping[str, set[str]]) -> list[str]:
    """Systems with their in-wave providers first (Kahn; a cycle breaks at the smallest id)."""
    members = set(system_ids)
    waiting = {s: {p for p in providers.get(s, ()) if p in members and p != s} for s in members}
    users: dict[str, list[str]] = defaultdict(list)
    for system_id, needs in waiting.items():
        for provider in needs:
            users[provider].append(system_id)
    ready = [s for s, needs in waiting.items() if not needs]
    heapify(ready)
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(members):
        if not ready:  # a dependency cycle: take the smallest remaining id
            heappush(ready, min(s for s in members if s not in done))
        system_id = heappop(ready)
        if system_id in done:
            continue
        done.add(system_id)
        order.append(system_id)
        for user in users.get(system_id, ()):
            waiting[user].discard(system_id)
            if not waiting[user] and user not in done:
                heappush(ready, user)
    return order


def _tasks(checklist: Checklist, wave: Wave, subject: Subject) -> tuple[DatedTask, ...]:
    tasks = []
    for task in checklist.runbook.tasks:
        if matches(task.when, subject.facts):
            anchor = wave.start if task.from_ == "wave_start" else wave.end
            tasks.append(DatedTask(anchor + timedelta(days=task.days), _day(task), task))
    return tuple(sorted(tasks, key=lambda t: (t.date, t.task.id)))


def _smoke(
    system: System, inbound: Mapping[str, set[str]], servers: list[Server], per_server: bool
) -> list[SmokeTest]:
    """The system's ``checks``; without them, one reachability test per port its consumers
    use on each of its servers (in a large wave, one per port naming those servers)."""
    if system.checks:
        return [SmokeTest(system.id, c.name, c.run, c.expect, False) for c in system.checks]
    if per_server:
        return [
            SmokeTest(system.id, port, f"{server.id} {port}", None, True)
            for server in servers
            for port in sorted_ports(frozenset(inbound.get(server.id, ())))
        ]
    by_port: dict[str, list[str]] = defaultdict(list)
    for server in servers:
        for port in inbound.get(server.id, ()):
            by_port[port].append(server.id)
    return [
        SmokeTest(system.id, port, f"{', '.join(by_port[port])} {port}", None, True)
        for port in sorted_ports(frozenset(by_port))
    ]


class _FlowGroup:
    """Accumulator of one (system, env) -> (system, env) group of a wave's hybrid flows."""

    __slots__ = ("closes", "kinds", "pairs", "ports")

    def __init__(self) -> None:
        self.ports: set[str] = set()
        self.pairs = 0
        self.kinds: set[str] = set()
        self.closes: int | None = None


GroupKey = tuple[str, str, str, str]


def flow_changes(plan: Plan, servers: Mapping[str, Server]) -> dict[int, list[FlowChange]]:
    """Per wave, the hybrid flows it opens and those it closes, grouped by (consumer
    system, env) -> (provider system, env) as the flow rule groups them
    (:class:`migration.flows.GroupFlow`: a report never lists server pairs), with the
    lasting kind and the closing wave of each group. One pass over the flows."""
    # first the flows with the same groups, waves and kind together (one cheap pass over
    # 300,000 flows at 100k servers), then each of those few aggregates into its waves
    ends = {s.id: (s.system, s.environment) for s in servers.values()}
    same: dict[tuple[GroupKey, int | None, int | None, str], list[Any]] = {}
    for flow in plan.hybrid_flows:
        a, b = ends.get(flow.from_), ends.get(flow.to)
        if a is None or b is None:
            continue
        akey = (a + b, flow.from_wave, flow.to_wave, flow.kind)
        acc = same.get(akey)
        if acc is None:
            acc = same[akey] = [set(), 0]
        acc[0].update(flow.ports)
        acc[1] += 1
    tables: dict[tuple[int, str], dict[GroupKey, _FlowGroup]] = defaultdict(dict)
    for (key, from_wave, to_wave, kind), (ports, pairs) in same.items():
        first, last = flow_waves_of(from_wave, to_wave, kind)
        for wave, action in ((first, "open"), (last, "close")):
            if wave is None:
                continue
            groups = tables[(wave, action)]
            group = groups.get(key)
            if group is None:
                group = groups[key] = _FlowGroup()
            group.ports.update(ports)
            group.pairs += pairs
            group.kinds.add(kind)
            if last is not None:  # the wave that closes the flow (None: it never closes)
                group.closes = last if group.closes is None else max(group.closes, last)
    result: dict[int, list[FlowChange]] = defaultdict(list)
    for (wave, action), groups in sorted(
        tables.items(), key=lambda t: (t[0][0], t[0][1] != "open")
    ):
        result[wave] += [
            FlowChange(
                GroupFlow(
                    *key,
                    ports=sorted_ports(frozenset(group.ports)),
                    latency_sensitive=False,
                    weight=float(group.pairs),
                    pairs=group.pairs,
                ),
                action,
                min(group.kinds),  # retained < repoint < temporary: the lasting kind wins
                group.closes,
            )
            for key, group in sorted(groups.items())
        ]
    return result


def _dns(system: System, servers: list[Server]) -> list[DnsChange]:
    ip = next((s.ip for s in servers if s.role == "web" and s.ip), None)
    ip = ip or next((s.ip for s in servers if s.ip), None)
    changes = [DnsChange(system.id, name, "dns", ip) for name in system.dns_names]
    changes += [DnsChange(system.id, name, "endpoint", ip) for name in system.endpoints]
    for server in servers:
        changes += [DnsChange(system.id, name, "dns", server.ip) for name in server.dns_names]
        changes += [DnsChange(system.id, name, "endpoint", server.ip) for name in server.endpoints]
    return changes


def system_providers(
    catalog: Catalog, plan: Plan, servers: Mapping[str, Server] | None = None
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(system -> the systems it depends on, server -> the ports its consumers use), in one
    pass over the plan's flows (the one flow rule's, recomputed when the plan has none)."""
    index = servers if servers is not None else catalog.servers_by_id
    providers: dict[str, set[str]] = defaultdict(set)
    inbound: dict[str, set[str]] = defaultdict(set)
    system_of = {key: server.system for key, server in index.items()}
    for flow in plan.flows or server_flows(catalog):
        a, b = system_of.get(flow.from_), system_of.get(flow.to)
        if a is not None and b is not None:
            if a != b:
                providers[a].add(b)
            inbound[flow.to].update(flow.ports)
    return providers, inbound


def build_runbooks(
    checklist: Checklist,
    catalog: Catalog,
    plan: Plan,
    server_detail: bool = False,
    steps_max: int | None = None,
    known: tuple[list[Subject], tuple[dict[str, set[str]], dict[str, set[str]]]] | None = None,
) -> list[WaveRunbook]:
    """A runbook for every wave of the plan, in wave order; steps per server when the wave
    has at most ``steps_max`` (default :data:`SERVER_STEPS_MAX`) servers or
    ``server_detail``, else per system, environment and role. ``known``: the wave subjects
    and :func:`system_providers` when the caller has them already (each a pass over every
    flow at 100k servers)."""
    limit = SERVER_STEPS_MAX if steps_max is None else steps_max
    systems = catalog.systems_by_id
    servers = catalog.servers_by_id
    waves, (providers, inbound) = known or (
        wave_subjects(catalog, plan),
        system_providers(catalog, plan, servers),
    )
    subjects = {s.wave: s for s in waves}
    changes_by_wave = flow_changes(plan, servers)
    pilot = pilot_wave(catalog, plan)
    books = []
    for wave in sorted(plan.waves, key=lambda w: w.number):
        subject = subjects[wave.number]
        here = [servers[s] for s in wave.servers if s in servers]
        per_server = server_detail or len(here) <= limit
        by_system: dict[str, list[Server]] = defaultdict(list)
        for server in here:
            by_system[server.system].append(server)
        moves: list[MoveStep] = []
        dns: list[DnsChange] = []
        smoke: list[SmokeTest] = []
        missing_dns: list[str] = []
        for system_id in _system_order(sorted(by_system), providers):
            system = systems.get(system_id)
            members = sorted(
                by_system[system_id],
                key=lambda s: (ENV_ORDER[s.environment], ROLE_ORDER[s.role], s.id),
            )
            for server in members:
                contact = system.owner if system is not None else ""
                moves.append(MoveStep(len(moves) + 1, server, system, contact))
            if system is not None:
                changes = _dns(system, members)
                dns += changes
                if not changes and any(s.role == "web" for s in members):
                    missing_dns.append(system_id)
                smoke += _smoke(system, inbound, members, per_server)
        members_sys = [systems[s] for s in wave.systems if s in systems]
        rtos = [(s.rto_hours, s.id) for s in members_sys if s.rto_hours is not None]
        shortest = min(rtos) if rtos else None
        mode = "critical" if subject.facts["critical"] else "standard"
        if mode == "standard" and wave.number == pilot:
            mode = "pilot"
        changes_ = changes_by_wave.get(wave.number, [])
        books.append(
            WaveRunbook(
                wave=wave,
                subject=subject,
                mode=mode,
                tasks=_tasks(checklist, wave, subject),
                moves=tuple(moves),
                dns=tuple(dns),
                smoke=tuple(smoke),
                flows=tuple(changes_),
                shortest_rto_hours=shortest[0] if shortest else None,
                critical_system=shortest[1] if shortest else None,
                system_owners=tuple(sorted({s.owner for s in members_sys})),
                missing_dns=tuple(missing_dns),
                per_server=per_server,
            )
        )
    return books


def move_groups(book: WaveRunbook) -> list[tuple[MoveStep, ...]]:
    """The wave's moves as consecutive runs of one system, environment and role (the move
    order sorts them so), or one run per server when the runbook is per server."""
    if book.per_server:
        return [(move,) for move in book.moves]
    groups: list[tuple[MoveStep, ...]] = []
    run: list[MoveStep] = []
    for move in book.moves:
        key = (move.server.system, move.server.environment, move.server.role)
        if run and (run[0].server.system, run[0].server.environment, run[0].server.role) != key:
            groups.append(tuple(run))
            run = []
        run.append(move)
    if run:
        groups.append(tuple(run))
    return groups


def group_values(group: tuple[MoveStep, ...]) -> dict[str, str]:
    """What a role step's ``{server}``, ``{ip}`` and ``{system}`` read for a run of moves:
    the one server and its address, or every server of the run with its system and
    environment and the addresses known."""
    first = group[0].server
    if len(group) == 1:
        return {"server": first.id, "ip": first.ip or "?", "system": ""}
    ips = [m.server.ip for m in group if m.server.ip]
    return {
        "server": f"{', '.join(m.server.id for m in group)} ({first.system}, {first.environment})",
        "ip": ", ".join(ips) or "?",
        "system": "",
    }


def step_lines(
    book: WaveRunbook,
    checklist: Checklist,
    lang: Lang,
    rollback: bool = False,
    groups: list[tuple[MoveStep, ...]] | None = None,
) -> list[str]:
    """The cutover steps in move order, or the rollback steps in reverse order, in ``lang``:
    per server, or per run of one system, environment and role (:func:`move_groups`;
    ``groups``: its result when the caller has it)."""
    groups = move_groups(book) if groups is None else groups
    texts = {  # each role's steps in ``lang``, looked up once (not once per server)
        role: [text.get(lang) for text in (steps.rollback if rollback else steps.cutover)]
        for role, steps in checklist.runbook.role_steps.items()
    }
    lines = []
    for group in reversed(groups) if rollback else groups:
        if rollback:
            group = tuple(reversed(group))
        values = group_values(group)
        lines += [text.format(**values) for text in texts[group[0].server.role]]
    return lines
