"""Reading catalog files: YAML or JSON, one file or a folder, with positions for errors.

Parsing is done in one fast pass (yaml_rs, YAML 1.2, for YAML; ``json`` for ``.json``: see
:mod:`migration.catalog.parsing`) that keeps no positions. Only when validation finds
errors is a file scanned again by libyaml (JSON is YAML too) to find the line and column of
each error's field path, so that a valid 100,000-server catalog pays nothing for them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from migration.catalog.parsing import CatalogLoader as _CatalogLoader
from migration.catalog.parsing import ParseProblem, parse_json, parse_yaml
from migration.errors import Issue

CATALOG_SUFFIXES = (".yaml", ".yml", ".json")
LIST_KEYS = ("systems", "servers")
Loc = tuple[str | int, ...]


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


OWN_FILES = ("plan.json", "cost.json", "pins.json", "overlap.json", "allocations.json")
"""Files utflytt writes; a catalog folder never reads them back as catalog input."""
MAX_FILE_BYTES = int(os.environ.get("UTFLYTT_MAX_CATALOG_BYTES", str(1 << 30)))
"""Largest catalog file read (1 GiB; a 100,000-server catalog is about 60 MB as YAML)."""


def catalog_files(path: Path) -> list[Path]:
    """The catalog files at ``path``: the file itself, or a folder's YAML/JSON files, sorted.

    In a folder, utflytt's own files are skipped: hidden files and folders, the files it
    writes (plan.json, cost.json, ...; Pulumi stack configs; JSON Schemas) and any sub-folder
    holding a plan.json (an output folder of ``utflytt plan``).
    """
    if not path.exists():
        raise SourceError([Issue(str(path), 0, 0, "", "no such file or folder")])
    if path.is_dir():
        files = sorted(p for p in _walk(path) if p.suffix.lower() in CATALOG_SUFFIXES)
        if not files:
            raise SourceError(
                [Issue(str(path), 0, 0, "", "folder holds no .yaml, .yml or .json files")]
            )
        return files
    return [path]


def _walk(folder: Path) -> Iterable[Path]:
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if not (entry / "plan.json").is_file():
                yield from _walk(entry)
        elif entry.is_file() and not _own_file(entry.name):
            yield entry


def _own_file(name: str) -> bool:
    lower = name.lower()
    return (
        lower in OWN_FILES
        or lower.endswith(".schema.json")
        or (lower.startswith("pulumi.") and lower.endswith((".yaml", ".yml")))
    )


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; a device, a pipe or an oversized file is an error, not a hang."""
    try:
        if not path.is_file():
            raise SourceError([Issue(str(path), 0, 0, "", "not a regular file")])
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SourceError([Issue(str(path), 0, 0, "", f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError(
            [
                Issue(
                    str(path),
                    0,
                    0,
                    "",
                    f"file is larger than {MAX_FILE_BYTES:,} bytes (split the catalog into a "
                    "folder of files, or raise UTFLYTT_MAX_CATALOG_BYTES)",
                )
            ]
        )
    return raw


_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20)])


def parse_file(path: Path) -> SourceFile:
    """Read and parse one file; raise :class:`SourceError` with the position of any problem."""
    raw = _read_bytes(path)
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
    try:
        data = parse_json(path, text) if path.suffix.lower() == ".json" else parse_yaml(path, text)
    except ParseProblem as exc:
        raise SourceError(exc.issues) from None
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


def issues_at(path: Path, found: Sequence[tuple[Loc, str]]) -> list[Issue]:
    """``(field path, message)`` pairs of a valid catalog as :class:`Issue` at their file,
    line and column (for warnings; the files are read again only when there are some)."""
    if not found:
        return []
    source = read_source(path)
    source.prefetch([loc for loc, _ in found])
    return [source.issue(loc, message) for loc, message in found]


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
