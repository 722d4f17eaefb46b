"""One meaning for every catalog text: values from one YAML 1.2 parse, never two.

Values always come from yaml_rs (YAML 1.2 core schema): ``012`` is twelve, ``no`` and
``1:20:30`` are text, in a small file and in its 100,000-server copy alike. libyaml (PyYAML's
C parser, YAML 1.1) is used only to *explain* a problem: the line and column of a syntax
error or of every duplicate key, and the position of a construct the catalog format rejects.
Its values are never used.

Rejected explicitly, with a position: tags (``!secret 32``, ``!!int "5"``: a tag would
silently change or drop meaning), merge keys (``<<: *defaults``: YAML 1.1 only), several
documents in one file, ``%YAML``/``%TAG`` directives. Anchors and aliases are supported up
to :data:`MAX_ALIAS_REPLAYS` replayed events (far beyond what PyYAML-written catalogs of
100,000 servers use); beyond that the file is rejected as an alias bomb. JSON files are read
with ``json`` (rejecting ``NaN``/``Infinity`` and duplicate keys).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml
import yaml_rs

from migration.errors import Issue

try:  # libyaml is an optional C extension of PyYAML; it is 5-10x faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_ALIAS_REPLAYS = int(os.environ.get("UTFLYTT_MAX_ALIAS_REPLAYS", "20000000"))
"""Events replayed through aliases before a file is rejected as an alias bomb."""
TOO_DEEP = "nested too deeply (a catalog needs a few levels, not thousands)"
# constructs that need a closer look with the event scanner; most catalogs have none
_SUSPECT = re.compile(r"!|<<|^(?:---|\.\.\.|%)", re.MULTILINE)
_YAML_RS_POSITION = re.compile(r"at line (\d+), column (\d+)")


class ParseProblem(Exception):
    """A file cannot be read as a catalog document; ``issues`` says where and why."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("; ".join(str(i) for i in issues))


class CatalogLoader(_BaseLoader):
    """Safe YAML loader that keeps dates as text and reports duplicate keys.

    Used only for positions (errors, duplicate keys): catalog values come from yaml_rs.
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


CatalogLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
CatalogLoader.add_constructor("tag:yaml.org,2002:map", CatalogLoader.construct_mapping)


def parse_yaml(path: Path, text: str) -> Any:
    """The document's data from yaml_rs; every problem a :class:`ParseProblem` with a line."""
    if _SUSPECT.search(text):
        _reject_constructs(path, text)
    try:
        return yaml_rs.loads(
            text,
            parse_datetime=False,  # dates stay text: pydantic checks them, with a line
            alias_limits=yaml_rs.AliasLimits(max_total_replayed_events=MAX_ALIAS_REPLAYS),
            duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error,
        )
    except yaml_rs.YAMLDecodeError as exc:
        raise ParseProblem(_explain(path, text, str(exc))) from None
    except RecursionError:
        raise ParseProblem([Issue(str(path), 1, 1, "", TOO_DEEP)]) from None


def parse_json(path: Path, text: str) -> Any:
    """The document's data from ``json``; NaN, Infinity and duplicate keys rejected."""
    duplicated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping = dict(items)
        if len(mapping) != len(items):
            seen: set[str] = set()
            duplicated.extend(k for k, _ in items if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        return mapping

    try:
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise ParseProblem(
            [Issue(str(path), exc.lineno, exc.colno, "", f"invalid JSON: {exc.msg}")]
        ) from None
    except RecursionError:
        raise ParseProblem([Issue(str(path), 1, 1, "", TOO_DEEP)]) from None
    except ValueError as exc:
        raise ParseProblem([Issue(str(path), 1, 1, "", f"invalid JSON: {exc}")]) from None
    if duplicated:  # JSON is YAML: libyaml finds where each duplicate is
        issues = _libyaml_problems(path, text)
        raise ParseProblem(
            issues or [Issue(str(path), 1, 1, k, _DUPLICATE) for k in sorted(set(duplicated))]
        )
    return data


_DUPLICATE = "duplicate key (each key may appear once)"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a catalog may hold (only finite numbers)")


def _explain(path: Path, text: str, message: str) -> list[Issue]:
    """Issues for a file yaml_rs rejected: libyaml's positions where it agrees, else ours."""
    if "alias" in message.lower() and "limit" in message.lower():
        return [
            Issue(
                str(path),
                1,
                1,
                "",
                f"too many alias expansions (over {MAX_ALIAS_REPLAYS:,} replayed events: an "
                "alias bomb, or a catalog to write out without anchors)",
            )
        ]
    issues = _libyaml_problems(path, text)
    if issues:
        return issues
    lines = [line for line in message.splitlines() if line.strip()]
    found = _YAML_RS_POSITION.search(message)
    line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
    detail = lines[-1].strip() if lines else message
    return [Issue(str(path), line, column, "", f"invalid YAML: {detail}")]


def _libyaml_problems(path: Path, text: str) -> list[Issue]:
    """libyaml's syntax error or duplicate keys, with positions; [] when it finds none."""
    loader = CatalogLoader(text)
    loader.duplicate_keys = []
    try:
        loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        problem = f"invalid YAML: {exc.problem}" if exc.problem else "invalid YAML"
        if exc.context and exc.context_mark is not None:  # libyaml's "while parsing ..."
            problem += f" ({exc.context} started at line {exc.context_mark.line + 1})"
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return [Issue(str(path), line, column, "", problem)]
    except (yaml.YAMLError, RecursionError):
        return []
    finally:
        loader.dispose()
    return [Issue(str(path), ln, col, key, _DUPLICATE) for ln, col, key in loader.duplicate_keys]


def _reject_constructs(path: Path, text: str) -> None:
    """Tags, merge keys, several documents and directives: each an issue at its position."""
    issues: list[Issue] = []
    documents = 0

    def at(event: Any, message: str) -> None:
        mark = event.start_mark
        issues.append(Issue(str(path), mark.line + 1, mark.column + 1, "", message))

    loader = CatalogLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents == 2:
                    at(event, "several YAML documents in one file (use one file per document)")
                if event.version is not None or event.tags:
                    at(event, "YAML directives (%YAML, %TAG) are not supported")
            elif isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
                if event.tag is not None:
                    at(event, f"YAML tag {event.tag!r} is not supported (write the plain value)")
                elif (
                    isinstance(event, yaml.ScalarEvent)
                    and event.value == "<<"
                    and event.implicit[0]
                ):
                    at(event, "merge keys (<<) are not supported (write the keys out)")
    except yaml.YAMLError:
        pass  # a syntax error: yaml_rs reports it, libyaml places it
    finally:
        loader.dispose()
    if issues:
        raise ParseProblem(issues)
