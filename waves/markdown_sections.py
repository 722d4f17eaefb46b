"""Parts of plan.md that need more than formatting: reason codes, the Gantt chart, hybrid
flows grouped by system and environment, and the quality panel in plain words.

Everything here is linear in the plan's size (one pass over servers, flows or reasons).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from migration.catalog import Catalog
from migration.flows import sorted_ports
from migration.plan import HybridFlow, Plan

__all__ = [
    "HybridGroup",
    "ReasonCodes",
    "gantt_lines",
    "hybrid_groups",
    "quality_lines",
]

ENVIRONMENTS = ("prod", "test", "dev")
_ENV_PART = re.compile(r"; (?=(?:prod|test|dev): )")
_ENV_PREFIX = re.compile(r"^(prod|test|dev): ")
# clauses with a parameter (names, wave numbers): the legend shows "…", the cell the value
_PARAMETERS = (
    re.compile(
        r"^(?P<head>with its providers|with latency-sensitive partners|needed by foundation "
        r"system) (?P<param>[^:]+)(?P<tail>.*)$"
    ),
    re.compile(r"^(?P<head>(?:needed by a consumer )?pinned to wave) (?P<param>\d+)(?P<tail>.*)$"),
    re.compile(r"^(?P<head>already migrated) \((?P<param>[^()]*)\)(?P<tail>.*)$"),
    re.compile(r"^(?P<head>.*?) \((?P<param>[^()]*\d[^()]*)\)(?P<tail>)$"),
)
MAX_BLACKOUTS = 30  # blackouts drawn in the Gantt chart before "... and N more"


@dataclass
class ReasonCodes:
    """Each distinct reason clause gets a code (R1, R2, ...) in order of first use.

    A wave's reason for a system is a list of clauses ("earliest wave with room after its
    providers", "moves no later than prod (wave 4)"), per environment when the system's
    environments were placed for different reasons. A parameter (the providers' names, a
    wave number) stays in the table cell; the clause goes in the legend once, with "…".
    """

    codes: dict[str, str] = field(default_factory=dict)

    def code(self, clause: str) -> str:
        """The clause's code, new if unseen."""
        found = self.codes.get(clause)
        if found is None:
            found = self.codes[clause] = f"R{len(self.codes) + 1}"
        return found

    def cell(self, clauses: Sequence[str]) -> str:
        """``R1; R3 (wave 4)`` for a list of clauses."""
        parts = []
        for clause in clauses:
            for pattern in _PARAMETERS:
                match = pattern.match(clause)
                if match:
                    text = f"{match['head']} …{match['tail']}"
                    parts.append(f"{self.code(text)} ({match['param']})")
                    break
            else:
                parts.append(self.code(clause))
        return "; ".join(parts)

    def legend(self) -> list[tuple[str, str]]:
        """(code, reason text), each text once, in code order."""
        return [(code, text) for text, code in self.codes.items()]


def split_reason(text: str) -> dict[str | None, list[str]]:
    """A reason text as clauses per environment (``None``: the same for every environment)."""
    if not text:
        return {None: []}
    parts = _ENV_PART.split(text)
    out: dict[str | None, list[str]] = {}
    for part in parts:
        match = _ENV_PREFIX.match(part)
        env = match.group(1) if match else None
        body = part[match.end() :] if match else part
        out[env] = [clause for clause in body.split("; ") if clause]
    return out


def _gantt_name(text: str) -> str:
    """A Mermaid Gantt task name: no ``:``, ``;`` or ``#`` (they end the name)."""
    return " ".join(re.sub(r"[:;#]", " ", text).split()) or "-"


def gantt_lines(plan: Plan, catalog: Catalog | None) -> list[str]:
    """A Mermaid Gantt chart: waves, blackouts, notice date and contract end."""
    lines = [
        "```mermaid",
        "gantt",
        "    title Waves, blackouts, notice and contract end",
        "    dateFormat YYYY-MM-DD",
        "    axisFormat %Y-%m-%d",
        "    section Waves",
    ]
    for wave in plan.waves:
        servers = len(wave.servers)
        name = f"{wave.name} ({servers} server{'s' if servers != 1 else ''})"
        tag = "done, " if wave.frozen else ""
        end = wave.end + timedelta(days=1)  # Mermaid's end date is exclusive
        lines.append(f"    {name} :{tag}w{wave.number}, {wave.start}, {end}")
    blackouts = _blackouts(catalog)
    if blackouts:
        lines.append("    section Blackouts")
        for i, (start, end, label) in enumerate(blackouts[:MAX_BLACKOUTS]):
            lines.append(f"    {_gantt_name(label)} :crit, b{i}, {start}, {end + timedelta(1)}")
    if plan.notice_date or plan.deadline:
        lines.append("    section Contract")
        if plan.notice_date:
            lines.append(f"    Notice date :milestone, notice, {plan.notice_date}, 0d")
        if plan.deadline:
            lines.append(f"    Contract ends :milestone, deadline, {plan.deadline}, 0d")
    lines.append("```")
    if len(blackouts) > MAX_BLACKOUTS:
        lines += ["", f"(and {len(blackouts) - MAX_BLACKOUTS} more system blackouts)"]
    return lines


def _blackouts(catalog: Catalog | None) -> list[tuple[date, date, str]]:
    if catalog is None:
        return []
    seen: dict[tuple[date, date, str], None] = {}
    for blackout in catalog.planning.blackouts:
        seen.setdefault((blackout.from_, blackout.to, blackout.reason or "blackout"), None)
    for system in catalog.systems:
        for blackout in system.blackouts:
            label = f"{system.id} {blackout.reason}".strip()
            seen.setdefault((blackout.from_, blackout.to, label), None)
    return sorted(seen)


@dataclass(frozen=True)
class HybridGroup:
    """Hybrid flows from one (system, environment) to another with the same dates."""

    kind: str
    from_system: str
    from_env: str
    to_system: str
    to_env: str
    from_wave: int | None
    to_wave: int | None
    days: int | None
    flows: int
    ports: tuple[str, ...]


def hybrid_groups(plan: Plan, flows: Iterable[HybridFlow]) -> list[HybridGroup]:
    """Hybrid flows grouped by system and environment pair (and waves), longest first.

    migration.flows.group_flows groups the plan's flows the same way, but a hybrid flow
    carries its waves and days instead of a weight, so the grouping is done here.
    """
    place = {sid: (s.system, s.environment) for sid, s in plan.servers.items()}
    Key = tuple[str, str, str, str, str, int | None, int | None, int | None]
    groups: dict[Key, tuple[list[int], set[str]]] = {}  # key -> ([flows], ports)
    for flow in flows:
        a, b = place.get(flow.from_), place.get(flow.to)
        if a is None or b is None:
            continue
        key: Key = (flow.kind, *a, *b, flow.from_wave, flow.to_wave, flow.days)
        found = groups.get(key)
        if found is None:
            groups[key] = ([1], set(flow.ports))
        else:
            found[0][0] += 1
            found[1].update(flow.ports)
    out = [
        HybridGroup(
            kind=k[0],
            from_system=k[1],
            from_env=k[2],
            to_system=k[3],
            to_env=k[4],
            from_wave=k[5],
            to_wave=k[6],
            days=k[7],
            flows=count[0],
            ports=sorted_ports(frozenset(ports)),
        )
        for k, (count, ports) in groups.items()
    ]
    return sorted(
        out,
        key=lambda g: (
            -(g.days if g.days is not None else -1),
            g.from_system,
            g.from_env,
            g.to_system,
            g.to_env,
            g.kind,
        ),
    )


_GATES = {
    "g1_capacity_overflow": "waves over their capacity",
    "g2_order_violations": "providers moving after their consumers",
    "g3_blackout_violations": "moves inside a blackout",
    "g4_pin_violations": "pins not kept",
    "g5_group_splits": "move groups split across waves",
    "g6_env_order_violations": "prod moving before its test or dev",
}


def quality_lines(plan: Plan) -> list[str]:
    """The quality panel in plain words (the raw metrics are in plan.json ``quality``)."""
    q = plan.quality
    if not q:
        return ["Not computed."]
    lines = []
    gates = q.get("gates")
    if isinstance(gates, dict):
        broken = [f"{value} {_GATES.get(name, name)}" for name, value in gates.items() if value]
        lines.append(
            "- Every hard rule holds: capacity, providers before consumers, blackouts, pins, "
            "move groups together, test and dev before prod."
            if not broken
            else "- Hard rules broken: " + "; ".join(broken) + "."
        )
    ls_edges, ls_cut = _int(q.get("ls_edges")), _int(q.get("ls_cut"))
    longest_ls = _int(q.get("hybrid_days_max"))
    lines.append(
        f"- {ls_cut} of {ls_edges} latency-sensitive links split across waves"
        + (f", the longest for {longest_ls} days." if ls_cut else ".")
    )
    temporary = [f.days for f in plan.hybrid_flows if f.days is not None]
    if temporary:
        lines.append(
            f"- {len(temporary)} server-to-server flows cross the VPN for a while (hybrid "
            f"period), the longest for {max(temporary)} days; "
            f"{sum(1 for f in plan.hybrid_flows if f.days is None)} never close "
            "(retained systems, re-pointed services)."
        )
    used, bound = _int(q.get("waves_used")), _int(q.get("waves_lower_bound"))
    if used:
        lines.append(
            f"- {used} wave{'s' if used != 1 else ''} used; capacity alone needs at least {bound}"
            + (" (as few as possible)." if used <= bound else ".")
        )
    split, systems = _int(q.get("systems_split")), _int(q.get("systems"))
    if systems:
        lines.append(
            f"- {split} of {systems} systems move in more than one wave (usually test and "
            "dev before prod)."
        )
    makespan = _int(q.get("makespan_days"))
    if makespan:
        lines.append(f"- From the first wave's start to the last wave's end: {makespan} days.")
    lines += ["", "The raw metrics are in plan.json (`quality`)."]
    return lines


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def env_order(envs: Iterable[str]) -> list[str]:
    """Environments in the order prod, test, dev, then any other."""
    rank = {env: i for i, env in enumerate(ENVIRONMENTS)}
    return sorted(set(envs), key=lambda e: (rank.get(e, len(rank)), e))


def count_servers(plan: Plan) -> dict[tuple[int, str], dict[str, int]]:
    """(wave, system) -> {environment: servers}, in one pass over the plan's servers."""
    counts: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for server in plan.servers.values():
        if server.wave is not None:
            counts[(server.wave, server.system)][server.environment] += 1
    return counts
