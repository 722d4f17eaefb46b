"""Draw a plan's waves and dependencies as Mermaid (for Markdown viewers) or Graphviz DOT.

Nodes are systems per wave (a system whose test servers move before its prod servers
appears once per wave), labelled with their server count; waves are subgraphs/clusters,
systems that stay put (retain, retire, repurchase) sit in a "not migrated" box. Edges are
the plan's server-level flows merged per node pair, pointing from consumer to provider and
labelled with their ports; latency-sensitive ones are thick. Output is deterministic:
everything is sorted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from migration.errors import UtflyttError
from migration.plan import Plan

__all__ = [
    "GraphEdge",
    "GraphNode",
    "mermaid_flowchart",
    "plan_graph",
    "render_dot",
    "render_mermaid",
    "wave_views",
]

MAX_PORTS = 4  # ports shown on an edge label before "+N more"


@dataclass(frozen=True, order=True)
class GraphNode:
    """A system in one wave (``wave`` None: not migrated)."""

    wave: int
    system: str
    name: str
    servers: int
    stays: bool

    @property
    def key(self) -> str:
        """Identifier safe in Mermaid and DOT."""
        where = "stay" if self.stays else f"w{self.wave:02d}"
        return f"{where}_{self.system.replace('-', '_')}"


@dataclass(frozen=True, order=True)
class GraphEdge:
    """Merged flows between two nodes (consumer -> provider)."""

    source: str
    target: str
    ports: tuple[str, ...]
    latency_sensitive: bool
    flows: int


Graph = tuple[list[GraphNode], list[GraphEdge]]


def plan_graph(plan: Plan, wave: int | None = None) -> Graph:
    """Nodes and merged edges of a plan, sorted; with ``wave``, that wave's view only.

    A wave's view is its systems and their direct providers (wherever those are), with the
    wave's outgoing edges: what must be in place when the wave moves, not the whole estate.
    """
    if wave is None:
        return _full_graph(plan)
    views = wave_views(plan)
    if wave not in views:
        numbers = sorted(w.number for w in plan.waves)
        span = f"{numbers[0]}..{numbers[-1]}" if numbers else "none"
        raise UtflyttError(f"no wave {wave} in the plan (waves {span})")
    return views[wave]


def wave_views(plan: Plan) -> dict[int, Graph]:
    """Every wave's view (see :func:`plan_graph`), from one pass over the whole graph."""
    nodes, edges = _full_graph(plan)
    by_key = {node.key: node for node in nodes}
    members: dict[int, list[GraphNode]] = defaultdict(list)
    for node in nodes:
        if not node.stays:
            members[node.wave].append(node)
    outgoing: dict[int, list[GraphEdge]] = defaultdict(list)
    for edge in edges:
        source = by_key[edge.source]
        if not source.stays:
            outgoing[source.wave].append(edge)
    views: dict[int, Graph] = {}
    for wave in sorted(w.number for w in plan.waves):
        own = members.get(wave, [])
        keys = {node.key for node in own}
        providers = {
            edge.target: by_key[edge.target]
            for edge in outgoing.get(wave, [])
            if edge.target not in keys
        }
        views[wave] = (sorted([*own, *providers.values()]), outgoing.get(wave, []))
    return views


def _full_graph(plan: Plan) -> Graph:
    """Nodes and merged edges of the whole plan, sorted."""
    counts: dict[tuple[int | None, str], int] = defaultdict(int)
    node_of: dict[str, tuple[int | None, str]] = {}
    for sid, server in plan.servers.items():  # any order: nodes and edges are sorted
        key = (server.wave, server.system or sid)
        counts[key] += 1
        node_of[sid] = key
    nodes: dict[tuple[int | None, str], GraphNode] = {}
    for (wave, system), count in counts.items():
        meta = plan.systems.get(system)
        nodes[(wave, system)] = GraphNode(
            wave=-1 if wave is None else wave,
            system=system,
            name=meta.name if meta else system,
            servers=count,
            stays=wave is None,
        )
    key_of = {sid: nodes[node].key for sid, node in node_of.items()}  # once per server
    merged: dict[tuple[str, str], list[Any]] = {}  # (a, b) -> [ports, latency-sensitive, n]
    for flow in plan.flows:
        a, b = key_of.get(flow.from_), key_of.get(flow.to)
        if a is None or b is None or a == b:
            continue
        found = merged.get((a, b))
        if found is None:
            merged[(a, b)] = [set(flow.ports), flow.latency_sensitive, 1]
        else:
            found[0].update(flow.ports)
            found[1] = found[1] or flow.latency_sensitive
            found[2] += 1
    edges = [
        GraphEdge(a, b, tuple(sorted(ports)), ls, count)
        for (a, b), (ports, ls, count) in sorted(merged.items())
    ]
    return sorted(nodes.values()), edges


def _ports(edge: GraphEdge) -> str:
    shown = list(edge.ports[:MAX_PORTS])
    if len(edge.ports) > MAX_PORTS:
        shown.append(f"+{len(edge.ports) - MAX_PORTS} more")
    return ", ".join(shown)


def _servers(count: int) -> str:
    return f"{count} server{'s' if count != 1 else ''}"


def _wave_titles(plan: Plan) -> dict[int, str]:
    return {
        w.number: f"{w.name} {w.start.isoformat()}..{w.end.isoformat()}"
        + (" (frozen)" if w.frozen else "")
        for w in plan.waves
    }


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def render_mermaid(plan: Plan, wave: int | None = None) -> str:
    """A Mermaid flowchart: one subgraph per wave, thick arrows for latency-sensitive flows.

    With ``wave``: that wave's systems and their direct providers only.
    """
    nodes, edges = plan_graph(plan, wave)
    return "\n".join(mermaid_flowchart(nodes, edges, _wave_titles(plan))) + "\n"


def mermaid_flowchart(
    nodes: list[GraphNode], edges: list[GraphEdge], titles: dict[int, str]
) -> list[str]:
    """The lines of a Mermaid flowchart of these nodes (grouped by wave) and edges."""
    lines = ["flowchart LR"]
    groups: dict[int, list[GraphNode]] = defaultdict(list)
    for node in nodes:
        groups[-1 if node.stays else node.wave].append(node)
    for wave in sorted(groups, key=lambda w: (w < 0, w)):
        if wave < 0:
            lines.append('  subgraph stays["not migrated"]')
        else:
            title = titles.get(wave, f"wave-{wave:02d}")
            lines.append(f'  subgraph wave{wave:02d}["{_mermaid_text(title)}"]')
        for node in groups[wave]:
            label = f"{node.name} ({node.system})<br/>{_servers(node.servers)}"
            if node.name == node.system:
                label = f"{node.system}<br/>{_servers(node.servers)}"
            lines.append(f'    {node.key}["{_mermaid_text(label)}"]')
        lines.append("  end")
    for edge in edges:
        arrow = "==>" if edge.latency_sensitive else "-->"
        label = _ports(edge)
        text = f'|"{_mermaid_text(label)}"|' if label else ""
        lines.append(f"  {edge.source} {arrow}{text} {edge.target}")
    return lines


def _dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(plan: Plan, wave: int | None = None) -> str:
    """Graphviz DOT: one cluster per wave, bold edges for latency-sensitive flows."""
    nodes, edges = plan_graph(plan, wave)
    titles = _wave_titles(plan)
    lines = [
        "digraph plan {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded"];',
    ]
    groups: dict[int, list[GraphNode]] = defaultdict(list)
    for node in nodes:
        groups[-1 if node.stays else node.wave].append(node)
    for wave in sorted(groups, key=lambda w: (w < 0, w)):
        name = "cluster_stays" if wave < 0 else f"cluster_wave{wave:02d}"
        title = "not migrated" if wave < 0 else titles.get(wave, f"wave-{wave:02d}")
        lines.append(f"  subgraph {name} {{")
        lines.append(f"    label={_dot(title)};")
        for node in groups[wave]:
            parts = [node.system, _servers(node.servers)]
            if node.name != node.system:
                parts = [node.name, f"({node.system})", _servers(node.servers)]
            label = "\\n".join(_dot(part)[1:-1] for part in parts)
            lines.append(f'    {node.key} [label="{label}"];')
        lines.append("  }")
    for edge in edges:
        attrs = [f"label={_dot(_ports(edge))}"] if edge.ports else []
        if edge.latency_sensitive:
            attrs += ["penwidth=3", "style=bold"]
        tail = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {edge.source} -> {edge.target}{tail};")
    lines.append("}")
    return "\n".join(lines) + "\n"
