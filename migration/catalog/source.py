"""Reading catalog files: YAML or JSON, one file or a folder, with positions for errors.

Parsing is done in one fast pass (libyaml's C parser when present, ``json`` for ``.json``)
that keeps no positions. Only when validation finds errors is a file composed again into
YAML nodes (JSON is YAML too) to find the line and column of each error's field path, so
that a valid 100,000-server catalog pays nothing for line numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from migration.errors import Issue

try:  # libyaml is an optional C extension of PyYAML; it is 5-10x faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

try:  # a Rust YAML parser, about 6x faster again than libyaml through PyYAML on big catalogs
    import yaml_rs
except ImportError:  # pragma: no cover - optional accelerator
    yaml_rs = None  # type: ignore[assignment]

CATALOG_SUFFIXES = (".yaml", ".yml", ".json")
LIST_KEYS = ("systems", "servers")
Loc = tuple[str | int, ...]


class _CatalogLoader(_BaseLoader):
    """Safe YAML loader that keeps dates as text and reports duplicate keys.

    Dates stay strings so that pydantic validates them (an impossible date like 2027-02-30
    becomes a field error with a line number, not a crash inside the YAML library).
    """

    duplicate_keys: list[tuple[int, int, str]]

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = key_node.value
            if key in seen:
                mark = key_node.start_mark
                self.duplicate_keys.append((mark.line + 1, mark.column + 1, str(key)))
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


_CatalogLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_CatalogLoader.add_constructor("tag:yaml.org,2002:map", _CatalogLoader.construct_mapping)


Mark = tuple[int, int]  # 1-based line and column


@dataclass
class SourceFile:
    """One parsed catalog file and, on demand, the positions of its nodes."""

    path: Path
    text: str
    data: Any
    # field path -> (position of the value, position of its key or None); None: not in file
    _positions: dict[Loc, tuple[Mark, Mark | None] | None] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return str(self.path)

    def prefetch(self, locs: Iterable[Loc]) -> None:
        """Find the positions of these paths (and their parents) in one pass over the file."""
        wanted = {loc[:i] for loc in locs for i in range(len(loc) + 1)} - self._positions.keys()
        if not wanted:
            return
        found = _find_positions(self.text, wanted)
        for loc in wanted:
            self._positions[loc] = found.get(loc)

    def position(self, loc: Loc, at_key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the deepest node along ``loc`` that exists.

        ``at_key``: point at the last key itself rather than its value (unknown keys).
        """
        self.prefetch([loc])
        for depth in range(len(loc), -1, -1):
            entry = self._positions.get(loc[:depth])
            if entry is None:
                continue
            value_mark, key_mark = entry
            if at_key and depth == len(loc) and key_mark is not None:
                return key_mark
            return value_mark
        return 1, 1


def _find_positions(text: str, wanted: set[Loc]) -> dict[Loc, tuple[Mark, Mark | None]]:
    """Stream the file's parse events (no node tree) and note where each wanted path starts.

    Much cheaper than composing the whole document, which matters for a 100,000-server
    catalog with an error near its end; JSON files are parsed as YAML here, which they are.
    """
    found: dict[Loc, tuple[Mark, Mark | None]] = {}
    # frames: [path, is_mapping, expecting_key, current_key, key_mark, next_index]
    frames: list[list[Any]] = []
    loader = _CatalogLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionEndEvent):
                frames.pop()
                if frames and frames[-1][1]:
                    frames[-1][2] = True  # the mapping's value is complete
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            start = event.start_mark
            mark = (start.line + 1, start.column + 1) if start is not None else (1, 1)
            if not frames:
                path: Loc | None = ()
                key_mark = None
            else:
                top = frames[-1]
                if top[1] and top[2]:  # a key of a mapping
                    top[3] = event.value if isinstance(event, yaml.ScalarEvent) else None
                    top[4] = mark
                    top[2] = False
                    if isinstance(event, yaml.CollectionStartEvent):  # complex key: skip it
                        frames.append(
                            [None, isinstance(event, yaml.MappingStartEvent), True, None, None, 0]
                        )
                    continue
                if top[0] is None:
                    path = None
                elif top[1]:
                    path = (*top[0], top[3])
                else:
                    path = (*top[0], top[5])
                key_mark = top[4] if top[1] else None
                if top[1]:
                    top[2] = not isinstance(event, yaml.CollectionStartEvent)
                else:
                    top[5] += 1
            if path is not None and path in wanted:
                found[path] = (mark, key_mark)
                if len(found) == len(wanted):
                    break
            if isinstance(event, yaml.CollectionStartEvent):
                is_mapping = isinstance(event, yaml.MappingStartEvent)
                frames.append([path, is_mapping, True, None, None, 0])
    except yaml.YAMLError:
        pass  # positions found so far are still right; the rest fall back to a parent
    finally:
        loader.dispose()
    return found


@dataclass
class CatalogSource:
    """All files of a catalog, merged into one document, with the origin of every part."""

    files: list[SourceFile]
    document: dict[str, Any]
    # merged index of each list entry -> (file index, index inside that file's list)
    list_origin: dict[str, list[tuple[int, int]]]
    # top-level key -> file index
    key_origin: dict[str, int]

    def prefetch(self, locs: Iterable[Loc]) -> None:
        """Find the positions of many merged field paths, one pass per file."""
        by_file: dict[int, list[Loc]] = {}
        for loc in locs:
            source, local = self.locate(loc)
            by_file.setdefault(id(source), []).append(local)
        for source in self.files:
            if id(source) in by_file:
                source.prefetch(by_file[id(source)])

    def locate(self, loc: Loc) -> tuple[SourceFile, Loc]:
        """The file a merged field path comes from and the path inside that file."""
        if not loc:
            return self.files[0], loc
        key = loc[0]
        if key in LIST_KEYS and len(loc) > 1 and isinstance(loc[1], int):
            origin = self.list_origin.get(str(key), [])
            if loc[1] < len(origin):
                file_index, local = origin[loc[1]]
                return self.files[file_index], (key, local, *loc[2:])
        if isinstance(key, str) and key in self.key_origin:
            return self.files[self.key_origin[key]], loc
        return self.files[0], loc

    def issue(self, loc: Loc, message: str, at_key: bool = False) -> Issue:
        """An :class:`Issue` at the file, line and column of a merged field path."""
        source, local = self.locate(loc)
        line, column = source.position(local, at_key)
        return Issue(source.name, line, column, format_loc(loc), message)

    def where(self, loc: Loc) -> str:
        """``file:line`` of a merged field path (for "first defined at ..." hints)."""
        source, local = self.locate(loc)
        line, _ = source.position(local)
        return f"{source.name}:{line}"


def format_loc(loc: Sequence[str | int]) -> str:
    """``('servers', 12, 'depends_on', 0, 'to')`` -> ``servers[12].depends_on[0].to``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class SourceError(Exception):
    """Files could not be read or parsed; ``issues`` says where and why."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("; ".join(str(i) for i in issues))


def catalog_files(path: Path) -> list[Path]:
    """The catalog files at ``path``: the file itself, or a folder's YAML/JSON files, sorted."""
    if not path.exists():
        raise SourceError([Issue(str(path), 0, 0, "", "no such file or folder")])
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in CATALOG_SUFFIXES
        )
        if not files:
            raise SourceError(
                [Issue(str(path), 0, 0, "", "folder holds no .yaml, .yml or .json files")]
            )
        return files
    return [path]


def _mark_issue(path: Path, mark: Any, problem: str) -> Issue:
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    return Issue(str(path), line, column, "", problem)


_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20)])


def parse_file(path: Path) -> SourceFile:
    """Read and parse one file; raise :class:`SourceError` with the position of any problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError([Issue(str(path), 0, 0, "", f"cannot read: {exc.strerror}")]) from None
    # translate() is ~10x faster than a regex search; search only to place a binary byte
    control = _CONTROL.search(raw) if len(raw.translate(None, _CONTROL_BYTES)) != len(raw) else None
    if control:
        line = raw.count(b"\n", 0, control.start()) + 1
        column = control.start() - (raw.rfind(b"\n", 0, control.start()) + 1) + 1
        raise SourceError(
            [Issue(str(path), line, column, "", "not a text file (binary control character)")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            [
                Issue(
                    str(path),
                    0,
                    0,
                    "",
                    f"not a UTF-8 text file (binary byte at offset {exc.start})",
                )
            ]
        ) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(
                [Issue(str(path), exc.lineno, exc.colno, "", f"invalid JSON: {exc.msg}")]
            ) from None
        duplicates: list[tuple[int, int, str]] = []
    elif (data := _fast_yaml(text)) is not _UNPARSED:
        duplicates = []
    else:
        loader = _CatalogLoader(text)
        loader.duplicate_keys = []
        try:
            data = loader.get_single_data()
        except yaml.MarkedYAMLError as exc:
            problem = f"invalid YAML: {exc.problem}" if exc.problem else "invalid YAML"
            if exc.context and exc.context_mark is not None:  # libyaml's "while parsing ..."
                problem += f" ({exc.context} started at line {exc.context_mark.line + 1})"
            raise SourceError([_mark_issue(path, exc.problem_mark, problem)]) from None
        except yaml.YAMLError as exc:
            raise SourceError([Issue(str(path), 1, 1, "", f"invalid YAML: {exc}")]) from None
        finally:
            loader.dispose()
        duplicates = loader.duplicate_keys
    if duplicates:
        raise SourceError(
            [
                Issue(str(path), ln, col, key, "duplicate key (each key may appear once)")
                for ln, col, key in duplicates
            ]
        )
    if data is None:
        raise SourceError(
            [
                Issue(
                    str(path),
                    0,
                    0,
                    "",
                    "file is empty (expected a catalog mapping with version, organisation, "
                    "contract, systems, servers)",
                )
            ]
        )
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise SourceError(
            [
                Issue(
                    str(path),
                    1,
                    1,
                    "",
                    "expected a mapping at the top level (version: 1, organisation: ...), "
                    f"got {_kind(kind)}",
                )
            ]
        )
    return SourceFile(path, text, data)


_UNPARSED = object()


def _fast_yaml(text: str) -> Any:
    """Parse with yaml_rs when installed; on any problem let libyaml find and explain it."""
    if yaml_rs is None:
        return _UNPARSED
    try:
        return yaml_rs.loads(text)
    except Exception:  # duplicate keys, syntax errors: the libyaml path reports them precisely
        return _UNPARSED


def _kind(python_type: str) -> str:
    return {
        "list": "a list",
        "str": "text",
        "int": "a number",
        "float": "a number",
        "bool": "a boolean",
    }.get(python_type, python_type)


def read_source(path: Path) -> CatalogSource:
    """Parse every file of a catalog and merge them (top-level lists concatenated)."""
    files: list[SourceFile] = []
    issues: list[Issue] = []
    for file_path in catalog_files(path):
        try:
            files.append(parse_file(file_path))
        except SourceError as exc:
            issues.extend(exc.issues)
    if issues:
        raise SourceError(issues)
    return merge(files)


def merge(files: list[SourceFile]) -> CatalogSource:
    """Concatenate the files' ``systems`` and ``servers``; other keys may be set in one file."""
    document: dict[str, Any] = {}
    list_origin: dict[str, list[tuple[int, int]]] = {key: [] for key in LIST_KEYS}
    key_origin: dict[str, int] = {}
    issues: list[Issue] = []
    for file_index, source in enumerate(files):
        for key, value in source.data.items():
            if key in LIST_KEYS and isinstance(value, list):
                document.setdefault(key, []).extend(value)
                list_origin[key].extend((file_index, i) for i in range(len(value)))
                key_origin.setdefault(key, file_index)
                continue
            if key in key_origin and not (key == "version" and document.get(key) == value):
                line, column = source.position((key,), at_key=True)
                first = files[key_origin[key]].name
                issues.append(
                    Issue(
                        source.name,
                        line,
                        column,
                        str(key),
                        f"already set in {first} (only lists are merged across files)",
                    )
                )
                continue
            document[key] = value
            key_origin.setdefault(str(key), file_index)
    if issues:
        raise SourceError(issues)
    return CatalogSource(files, document, list_origin, key_origin)
