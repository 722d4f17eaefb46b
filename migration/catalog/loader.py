"""Load and validate a catalog; every problem becomes an Issue with file, line and field."""

from __future__ import annotations

import difflib
import hashlib
import itertools
import types
import typing
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel

from migration.catalog.addresses import duplicate_address_problems
from migration.catalog.checks import cross_reference_problems
from migration.catalog.compact import compact_catalog
from migration.catalog.models import OS_PATTERN, SLUG_PATTERN, TEXT_PATTERN, Catalog
from migration.catalog.networks import RELATED, nested_network_problems
from migration.catalog.source import CatalogSource, Loc, SourceError, read_source
from migration.collector import collector_paused
from migration.errors import CatalogError, Issue

_PATTERN_HINTS = {
    SLUG_PATTERN: "a slug of lower-case letters, digits and '-', 1-63 characters, "
    "starting with a letter or digit",
    OS_PATTERN: "an OS slug like windows-server-2019 or ubuntu-22.04",
    r"^[A-Z]{3}$": "a three-letter currency code like EUR",
    r"^[a-z0-9-]+$": "a region name like swedencentral or eu-north-1",
    TEXT_PATTERN: "one line of text without control characters",
}


def load_catalog(path: str | Path) -> Catalog:
    """Read, merge and validate the catalog at ``path`` (file or folder).

    Raises :class:`CatalogError` listing every problem found, sorted by file and line.
    """
    return load_catalog_with_digest(path)[0]


def load_catalog_with_digest(path: str | Path) -> tuple[Catalog, str]:
    """As :func:`load_catalog`, plus the SHA-256 of the catalog's files (for plan.json)."""
    # Loading builds millions of small objects and no cycles; the cyclic collector would
    # spend more time than the parse itself (measured: 2.3x slower at 100k servers).
    with collector_paused():
        return _load(path)


def _load(path: str | Path) -> tuple[Catalog, str]:
    try:
        source = read_source(Path(path))
    except SourceError as exc:
        raise CatalogError(exc.issues) from None
    catalog = compact_catalog(validate_source(source))
    digest = hashlib.sha256()
    for file in source.files:
        digest.update(file.text.encode("utf-8"))
        digest.update(b"\0")
    return catalog, digest.hexdigest()


def validate_source(source: CatalogSource) -> Catalog:
    """Validate a merged document: field rules and cross-references, all in one run."""
    found: list[tuple[Loc, str, bool]] = []  # (field path, message, point at the key)
    related_locs: dict[Loc, Loc] = {}
    problems = itertools.chain(
        cross_reference_problems(source.document),
        duplicate_address_problems(source.document),
        nested_network_problems(source.document),
    )
    for loc, message, related in problems:
        found.append((loc, message, False))
        if related is not None:
            related_locs[loc] = related
    catalog: Catalog | None = None
    try:
        catalog = Catalog.model_validate(source.document)
    except pydantic.ValidationError as exc:
        errors = exc.errors()
        failing = [tuple(err["loc"]) for err in errors]
        found.extend(
            (tuple(err["loc"]), describe(err), err["type"] == "extra_forbidden")
            for err in errors
            # a list whose item failed is also reported as too short: keep only the item's error
            if not (err["type"] == "too_short" and _has_deeper(tuple(err["loc"]), failing))
        )
    servers = source.document.get("servers")
    if (catalog is not None and not catalog.servers) or (isinstance(servers, list) and not servers):
        found.append((("servers",), "no servers: an empty catalog has nothing to plan", False))
    if catalog is not None and not found:
        return catalog
    source.prefetch([loc for loc, _, _ in found] + list(related_locs.values()))
    issues = []
    for loc, message, at_key in found:
        if loc in related_locs and RELATED in message:  # the message says where it goes
            message = message.replace(RELATED, source.where(related_locs[loc]))
        elif loc in related_locs:
            message = f"{message}; first at {source.where(related_locs[loc])}"
        issues.append(source.issue(loc, message, at_key=at_key))
    raise CatalogError(_dedupe(issues))


def _has_deeper(loc: Loc, failing: list[Loc]) -> bool:
    return any(len(other) > len(loc) and other[: len(loc)] == loc for other in failing)


def _dedupe(issues: list[Issue]) -> list[Issue]:
    return sorted(set(issues))


def describe(error: Any) -> str:
    """Turn one pydantic error into "expected ..., got ..." wording."""
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    loc: Loc = tuple(error["loc"])
    got = got_text(error.get("input"))
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return _unknown_field(loc)
    if kind == "literal_error":
        if loc == ("version",):
            return f"unsupported catalog version{got} (expected 1: this is catalog format v1)"
        return f"expected one of {ctx['expected']}{got}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        symbol = {
            "greater_than_equal": ">=",
            "greater_than": ">",
            "less_than_equal": "<=",
            "less_than": "<",
        }[kind]
        limit = next(iter(ctx.values()))
        return f"expected a number {symbol} {limit:g}{got}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number{got}"
    if kind in ("float_parsing", "float_type"):
        return f"expected a number{got}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false{got}"
    if kind == "string_type":
        return f"expected text{got}"
    if kind == "string_too_short":
        return "expected non-empty text"
    if kind == "string_too_long":
        return f"expected at most {ctx.get('max_length')} characters, got {len(error['input'])}"
    if kind == "too_long":
        return f"expected at most {ctx.get('max_length')} items"
    if kind == "finite_number":
        return f"expected a finite number{got}"
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(ctx.get("pattern", ""), f"text matching {ctx.get('pattern')}")
        return f"expected {hint}{got}"
    if kind.startswith("date"):
        return f"expected a real date as YYYY-MM-DD{got}"
    if kind == "too_short":
        return f"expected at least {ctx.get('min_length', 1)} item(s)"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list{got}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        fields = _fields_at(loc)
        listing = f" with {', '.join(fields)}" if fields else ""
        return f"expected a mapping{listing}{got}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def got_text(value: Any) -> str:
    """``, got <value>`` for a message: short, one line, nothing huge copied."""
    if isinstance(value, dict):
        return ", got a mapping"
    if isinstance(value, list):
        return ", got a list"
    if value is None:
        return ", got nothing (null)"
    if isinstance(value, str) and len(value) > 60:
        value = value[:60]  # a 200 MB name is not copied into the message
    try:
        text = repr(value)
    except ValueError:  # an integer with thousands of digits
        return ", got a number with thousands of digits"
    if len(text) > 60:
        text = text[:57] + "..."
    return f", got {text}"


def _unknown_field(loc: Loc) -> str:
    key = str(loc[-1])
    fields = _fields_at(loc[:-1])
    close = difflib.get_close_matches(key, fields, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listing = f" (expected one of: {', '.join(fields)})" if fields else ""
    return f"unknown field {key!r}{hint}{listing}"


def _fields_at(loc: Loc) -> list[str]:
    """Field names (aliases) of the model found by walking ``loc`` from the catalog root."""
    model = _model_at(loc)
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_at(loc: Loc) -> type[BaseModel] | None:
    model: type[BaseModel] = Catalog
    for part in loc:
        if isinstance(part, int):
            continue
        fields = {info.alias or name: info for name, info in model.model_fields.items()}
        if part not in fields:
            return None
        found = _inner_model(fields[part].annotation)
        if found is None:
            return None
        model = found
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (tuple, list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None
