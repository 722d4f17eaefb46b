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

from migration.plan import Plan

__all__ = ["GraphEdge", "GraphNode", "plan_graph", "render_dot", "render_mermaid"]

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


def plan_graph(plan: Plan) -> tuple[list[GraphNode], list[GraphEdge]]:
    """Nodes and merged edges of a plan, sorted."""
    counts: dict[tuple[int | None, str], int] = defaultdict(int)
    node_of: dict[str, tuple[int | None, str]] = {}
    for sid, server in sorted(plan.servers.items()):
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
    merged: dict[tuple[str, str], tuple[set[str], bool, int]] = {}
    for flow in plan.flows:
        if flow.from_ not in node_of or flow.to not in node_of:
            continue
        a, b = nodes[node_of[flow.from_]].key, nodes[node_of[flow.to]].key
        if a == b:
            continue
        ports, ls, count = merged.get((a, b), (set(), False, 0))
        merged[(a, b)] = (ports | set(flow.ports), ls or flow.latency_sensitive, count + 1)
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


def render_mermaid(plan: Plan) -> str:
    """A Mermaid flowchart: one subgraph per wave, thick arrows for latency-sensitive flows."""
    nodes, edges = plan_graph(plan)
    titles = _wave_titles(plan)
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
    return "\n".join(lines) + "\n"


def _dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(plan: Plan) -> str:
    """Graphviz DOT: one cluster per wave, bold edges for latency-sensitive flows."""
    nodes, edges = plan_graph(plan)
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
