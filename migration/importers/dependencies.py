"""Azure Migrate dependency exports -> server dependencies merged into an existing catalog.

The export has one row per connection seen in a time slot: source server (and IP, process,
application), destination server or IP, destination port, destination process. Rows become
edges ``source -> destination`` with the ports seen and a weight: the number of distinct
time slots the connection was seen in (rows, when the export has no time slots). Hosts the
catalog does not know and self-connections are reported, not merged.

The merge keeps everything a human wrote: the catalog is edited with ruamel.yaml's
round-trip mode, and only the text of the server entries that changed is replaced in the
original file, so every other byte (comments, key order, quoting, blank lines) is kept.
The result is validated as catalog v1 before it is written, atomically; if it would be
invalid, nothing is written.
"""

from __future__ import annotations

import io
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.tokens import CommentToken

from migration.catalog import Catalog, load_catalog
from migration.errors import CatalogError, InputFileError
from migration.fileio import write_atomic
from migration.importers.common import (
    BadValue,
    CellError,
    ImporterError,
    MissingColumn,
    Problem,
    Table,
    cell,
    non_empty_rows,
    parse_int,
    slugify,
)
from migration.importers.sources import read_csv

__all__ = [
    "DependencyReport",
    "Edge",
    "import_dependencies",
    "merge_into_text",
    "read_dependencies",
]

_COLUMNS: dict[str, tuple[str, ...]] = {
    "slot": ("Time slot", "Timeslot", "Time"),
    "source": ("Source server name", "Source server", "Source machine", "Source"),
    "source_ip": ("Source IP", "Source IP address"),
    "source_process": ("Source process", "Source process name"),
    "target": (
        "Destination server name",
        "Destination server",
        "Destination machine",
        "Destination",
    ),
    "target_ip": ("Destination IP", "Destination IP address"),
    "target_process": ("Destination process", "Destination process name"),
    "port": ("Destination port", "Port"),
}


@dataclass(frozen=True, order=True)
class Edge:
    """A server depends on another over ``ports``; seen in ``weight`` time slots."""

    source: str
    target: str
    ports: tuple[str, ...]
    weight: int
    processes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DependencyReport:
    """What a dependency import found and changed."""

    source: str
    catalog: str
    rows: int
    edges: tuple[Edge, ...]
    unknown_hosts: tuple[tuple[str, int], ...]  # (name or IP, rows)
    self_connections: tuple[tuple[str, int], ...]  # (server id, rows)
    added: tuple[tuple[str, str], ...] = ()
    updated: tuple[tuple[str, str], ...] = ()
    unchanged: int = 0

    def lines(self) -> list[str]:
        """Human-readable report."""
        out = [
            f"Read {self.rows} connection rows from {self.source}: {len(self.edges)} "
            "dependencies between catalog servers.",
            f"{self.catalog}: {len(self.added)} added, {len(self.updated)} updated "
            f"(ports added), {self.unchanged} already there.",
        ]
        if self.unknown_hosts:
            shown = ", ".join(f"{h} ({n} rows)" for h, n in self.unknown_hosts[:10])
            more = len(self.unknown_hosts) - 10
            out.append(
                f"Unknown hosts (not in the catalog, not merged): {shown}"
                + (f", ... ({more} more)" if more > 0 else "")
            )
        if self.self_connections:
            shown = ", ".join(f"{h} ({n} rows)" for h, n in self.self_connections)
            out.append(f"Self-connections (ignored): {shown}")
        return out


class _Hosts:
    """Finds a catalog server by id, name, FQDN or IP address."""

    def __init__(self, catalog: Catalog) -> None:
        self.ids = {s.id for s in catalog.servers}
        by_ip: dict[str, list[str]] = defaultdict(list)
        for server in catalog.servers:
            if server.ip:
                by_ip[server.ip].append(server.id)
        self.by_ip = {ip: ids[0] for ip, ids in by_ip.items() if len(ids) == 1}

    def find(self, name: str, ip: str) -> str | None:
        text = name.strip().lower()
        if text:
            for candidate in (text, slugify(text), slugify(text.split(".", 1)[0])):
                if candidate in self.ids:
                    return candidate
        address = ip.strip() or (text if text.replace(".", "").isdigit() else "")
        return self.by_ip.get(address)


def read_dependencies(
    path: Path, catalog: Catalog, display: str | None = None
) -> tuple[tuple[Edge, ...], DependencyReport]:
    """Edges between the catalog's servers from an Azure Migrate dependency export."""
    shown = display if display is not None else str(path)
    if not path.is_file():
        raise ImporterError([Problem(shown, message="no such file")])
    table = read_csv(path, shown)
    cols = {key: table.column(*names) for key, names in _COLUMNS.items()}
    _require(table, cols)
    hosts = _Hosts(catalog)
    problems: list[Problem] = []
    slots: dict[tuple[str, str], set[str]] = defaultdict(set)
    ports: dict[tuple[str, str], set[int]] = defaultdict(set)
    processes: dict[tuple[str, str], set[str]] = defaultdict(set)
    unknown: Counter[str] = Counter()
    selfish: Counter[str] = Counter()
    rows = 0
    for number, cells in non_empty_rows(table):
        rows += 1
        port_col = cols["port"]
        assert port_col is not None
        try:
            port = parse_int(cell(cells, port_col), minimum=1)
            if port > 65535:
                raise CellError(f"expected a port 1..65535, got {cell(cells, port_col)!r}")
        except CellError as exc:
            problems.append(table.problem(number, port_col, str(exc)))
            continue
        source_name, source_ip = cell(cells, cols["source"]), cell(cells, cols["source_ip"])
        target_name, target_ip = cell(cells, cols["target"]), cell(cells, cols["target_ip"])
        source = hosts.find(source_name, source_ip)
        target = hosts.find(target_name, target_ip)
        if source is None:
            unknown[source_name or source_ip or "(blank)"] += 1
        if target is None:
            unknown[target_name or target_ip or "(blank)"] += 1
        if source is None or target is None:
            continue
        if source == target:
            selfish[source] += 1
            continue
        edge = (source, target)
        slots[edge].add(cell(cells, cols["slot"]) or f"row {number}")
        ports[edge].add(port)
        process = cell(cells, cols["target_process"])
        if process:
            processes[edge].add(process)
    if problems:
        raise BadValue(problems)
    edges = tuple(
        sorted(
            Edge(
                s,
                t,
                tuple(f"tcp/{p}" for p in sorted(ports[(s, t)])),
                len(slots[(s, t)]),
                tuple(sorted(processes[(s, t)])),
            )
            for s, t in slots
        )
    )
    report = DependencyReport(
        source=shown,
        catalog="",
        rows=rows,
        edges=edges,
        unknown_hosts=tuple(sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))),
        self_connections=tuple(sorted(selfish.items())),
    )
    return edges, report


def _require(table: Table, cols: dict[str, int | None]) -> None:
    problems = []
    if cols["source"] is None and cols["source_ip"] is None:
        problems.append(table.problem(0, "", "missing column 'Source server name'"))
    if cols["target"] is None and cols["target_ip"] is None:
        problems.append(
            table.problem(0, "", "missing column 'Destination server name' (or 'Destination IP')")
        )
    if cols["port"] is None:
        problems.append(table.problem(0, "", "missing column 'Destination port'"))
    if problems:
        raise MissingColumn(problems)


# ---------------------------------------------------------------------------- merging


class _Representer(RoundTripRepresenter):
    """Writes null as ``null`` (ruamel's default is an empty value), as people write it."""


_Representer.add_representer(
    type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
)


def _yaml() -> YAML:
    yaml = YAML()
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def _indentation(text: str, data: CommentedMap) -> tuple[int, int, int]:
    """(mapping, sequence, offset) indentation of the file, from its ``servers`` list."""
    lines = text.splitlines()
    servers = data.get("servers")
    mapping, sequence, offset = 2, 4, 2
    if isinstance(servers, CommentedSeq) and len(servers) and servers.fa.flow_style() is False:
        line, column = servers.lc.item(0)
        parent = data.lc.key("servers")[1]
        dash = lines[line].find("-")
        if 0 <= dash < column:
            sequence, offset = column - parent, dash - parent
        first = servers[0]
        if isinstance(first, CommentedMap) and len(first) > 1:
            nested = [k for k in first if isinstance(first[k], CommentedMap)]
            if nested:
                mapping = first[nested[0]].lc.col - column or 2
    return mapping, max(sequence, offset + 2), offset


def _spans(data: CommentedMap, total_lines: int) -> list[tuple[int, int]]:
    """(first line, end line) of each server entry, comments after it included."""
    servers = data["servers"]
    keys = list(data)
    after = keys[keys.index("servers") + 1 :] if "servers" in keys else []
    end = data.lc.key(after[0])[0] if after else total_lines
    starts = [servers.lc.item(i)[0] for i in range(len(servers))]
    return [
        (start, starts[i + 1] if i + 1 < len(starts) else end) for i, start in enumerate(starts)
    ]


def _tail_holder(node: Any) -> tuple[Any, Any] | None:
    """(container, key) where the comment after ``node``'s last line is attached."""
    holder = None
    while isinstance(node, CommentedMap | CommentedSeq) and len(node):
        key = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
        holder = (node, key)
        node = node[key]
    return holder


def _move_tail_comment(old_tail: tuple[Any, Any] | None, node: Any) -> None:
    """Keep the comment lines that followed an entry after it when the entry grows."""
    if old_tail is None:
        return
    container, key = old_tail
    slot = 2 if isinstance(container, CommentedMap) else 0
    entry = container.ca.items.get(key)
    if not entry or entry[slot] is None:
        return
    token = entry[slot]
    head, newline, rest = token.value.partition("\n")
    if not rest:
        return
    token.value = head + newline
    new_tail = _tail_holder(node)
    if new_tail is None:
        return
    new_container, new_key = new_tail
    new_slot = 2 if isinstance(new_container, CommentedMap) else 0
    items = new_container.ca.items.setdefault(new_key, [None, None, None, None])
    items[new_slot] = CommentToken("\n" + rest, token.start_mark, None)


def _flow(values: Sequence[str]) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def merge_into_text(
    text: str, edges: Sequence[Edge]
) -> tuple[str, list[tuple[str, str]], list[tuple[str, str]], int]:
    """Merge ``edges`` into catalog YAML ``text``; return (text, added, updated, unchanged).

    New dependencies are appended to the source server's ``depends_on`` (created when
    missing) with their ports and weight; an existing dependency on the same server keeps
    everything written by hand and only gains the ports it lacked.
    """
    yaml = _yaml()
    data = yaml.load(text)
    if not isinstance(data, CommentedMap) or not isinstance(data.get("servers"), CommentedSeq):
        raise InputFileError("the catalog has no servers list to merge dependencies into")
    servers: CommentedSeq = data["servers"]
    index = {item.get("id"): i for i, item in enumerate(servers) if isinstance(item, CommentedMap)}
    added: list[tuple[str, str]] = []
    updated: list[tuple[str, str]] = []
    unchanged = 0
    changed: set[int] = set()
    for edge in edges:
        position = index.get(edge.source)
        if position is None:
            continue
        item: CommentedMap = servers[position]
        tail = _tail_holder(item)
        deps = item.get("depends_on")
        if deps is None:
            deps = CommentedSeq()
            item["depends_on"] = deps
        existing = next(
            (d for d in deps if isinstance(d, CommentedMap) and d.get("to") == edge.target), None
        )
        if existing is not None:
            ports = existing.get("ports")
            missing = [p for p in edge.ports if ports is None or p not in ports]
            if not missing:
                unchanged += 1
                continue
            if ports is None:
                existing["ports"] = _flow(edge.ports)
            else:
                ports.extend(missing)
            updated.append((edge.source, edge.target))
        else:
            entry = CommentedMap()
            entry["to"] = edge.target
            entry["ports"] = _flow(edge.ports)
            entry["weight"] = edge.weight
            deps.append(entry)
            added.append((edge.source, edge.target))
        _move_tail_comment(tail, item)
        changed.add(position)
    if not changed:
        return text, added, updated, unchanged
    mapping, sequence, offset = _indentation(text, data)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    dumped = buffer.getvalue()
    old_lines = text.splitlines(keepends=True)
    new_lines = dumped.splitlines(keepends=True)
    old_spans = _spans(data, len(old_lines))
    new_spans = _spans(_yaml().load(dumped), len(new_lines))
    out: list[str] = []
    cursor = 0
    for position in sorted(changed):
        start, end = old_spans[position]
        new_start, new_end = new_spans[position]
        out.extend(old_lines[cursor:start])
        out.extend(new_lines[new_start:new_end])
        cursor = end
    out.extend(old_lines[cursor:])
    return "".join(out), added, updated, unchanged


def import_dependencies(
    csv_path: Path, catalog_path: Path, display: str | None = None
) -> DependencyReport:
    """Read a dependency export and merge it into the catalog file; validate, then write."""
    if catalog_path.is_dir() or catalog_path.suffix.lower() not in (".yaml", ".yml"):
        raise InputFileError(
            f"{catalog_path}: dependencies merge into one YAML catalog file (.yaml or .yml)"
        )
    catalog = load_catalog(catalog_path)
    edges, report = read_dependencies(csv_path, catalog, display)
    text = catalog_path.read_text(encoding="utf-8")
    merged, added, updated, unchanged = merge_into_text(text, edges)
    if merged != text:
        _validate(merged, catalog_path)
        write_atomic(catalog_path, merged)
    return DependencyReport(
        source=report.source,
        catalog=str(catalog_path),
        rows=report.rows,
        edges=edges,
        unknown_hosts=report.unknown_hosts,
        self_connections=report.self_connections,
        added=tuple(added),
        updated=tuple(updated),
        unchanged=unchanged,
    )


def _validate(text: str, catalog_path: Path) -> None:
    """Load ``text`` as a catalog from a temporary copy; errors name the real file."""
    with tempfile.TemporaryDirectory(prefix="utflytt-merge-") as folder:
        candidate = Path(folder) / catalog_path.name
        candidate.write_text(text, encoding="utf-8")
        try:
            load_catalog(candidate)
        except CatalogError as exc:
            message = str(exc).replace(str(candidate), str(catalog_path))
            raise InputFileError(
                f"merging the dependencies would make the catalog invalid; nothing was "
                f"written\n{message}"
            ) from None
