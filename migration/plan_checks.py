"""What :func:`migration.plan.read_plan` checks beyond each field's type and bounds.

A plan.json is written by ``utflytt plan`` and read by ``preview``, ``diff``, ``graph``,
``waves``, ``cost``/``exit-plan --plan`` and the Pulumi program; a hand-edited one must
either mean what a written one means or be refused with one line naming the file, the JSON
path and what was expected. The field bounds are the catalog's (a plan holds what a valid
catalog gives); this module adds the text types the plan has beyond the catalog's, the
cross-references between its parts (a server's wave exists, a wave's servers exist and are
in that wave, flow ends exist), the texts that do not come from the catalog alone (the
planner's reasons and warnings, ``allocations``) and the free-form members (``quality``,
wave ``risk``).

The checks run once per read, on the parsed plan: building a plan in the pipeline never
pays for them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from itertools import chain
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, ValidationError

from migration.catalog.loader import describe, got_text
from migration.catalog.models import (
    EARLIEST,
    LATEST,
    NOTICE_MONTHS_MAX,
    OS_PATTERN,
    PORT_RE,
    SLUG_PATTERN,
    TEXT_MAX,
    TEXT_PATTERN,
    VCPU_MAX,
    Quotas,
    parse_port,
)
from migration.ipv4 import SERVER_ADDRESS_EXAMPLE, server_address_problem
from migration.regions import region_problem

if TYPE_CHECKING:
    from migration.catalog.models import Catalog
    from migration.plan import Flow, HybridFlow, Plan

SCHEMA_VERSION = 1
CATALOG_SHA256_PATTERN = r"^[0-9a-f]{64}$"
WAVE_NAME_PATTERN = r"^wave-[0-9]{2,4}$"
DAYS_MAX = (LATEST - EARLIEST).days
"""Longest span in days between two dates a plan may hold (its hybrid flows' ``days``)."""
PORT_PATTERN = PORT_RE.pattern
DERIVED_MAX = 100_000
"""Longest text a plan.json may hold where the planner composes it (a reason, a warning):
a few catalog texts and the ids involved, over 1,500 ids of the longest kind. Checked on
read only (:func:`plan_problems`): building a plan never refuses its own text."""
Label = Annotated[str, Field(max_length=TEXT_MAX, pattern=TEXT_PATTERN)]
"""A catalog ``Text`` that may be empty (a plan made before the field existed)."""
Derived = Annotated[str, Field(pattern=TEXT_PATTERN)]
"""A text the planner composes: one line, no control characters (its length: on read)."""
NOTICE_EARLIEST = date(EARLIEST.year - NOTICE_MONTHS_MAX // 12, EARLIEST.month, EARLIEST.day)
"""Earliest notice date: the earliest contract end less the longest notice period."""


def _check_notice(value: date) -> date:
    if not NOTICE_EARLIEST <= value <= LATEST:
        raise ValueError(f"expected a date from {NOTICE_EARLIEST} to {LATEST}, got {value}")
    return value


NoticeDay = Annotated[date, AfterValidator(_check_notice)]
_SLUG_OR_EMPTY = f"^(?:{SLUG_PATTERN[1:-1]})?$"
_OS_OR_EMPTY = f"^(?:{OS_PATTERN[1:-1]})?$"
SlugOrEmpty = Annotated[str, Field(pattern=_SLUG_OR_EMPTY)]
"""A catalog ``Slug``, or empty as the field's default is (a plan built by hand)."""
OsOrEmpty = Annotated[str, Field(pattern=_OS_OR_EMPTY)]
_TEXT_RE = re.compile(TEXT_PATTERN)
_SHA256 = re.compile(CATALOG_SHA256_PATTERN)
_CONTROL = re.compile(f"[{TEXT_PATTERN[3:-3]}]")  # a character TEXT_PATTERN refuses
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]{1,63}$")  # shown as is in a path; others quoted
JSON_INT_MAX = 2**53 - 1
"""Largest whole number every JSON reader keeps exactly (RFC 8259, section 6)."""

_HINTS = {  # the catalog's own patterns are worded by migration.catalog.loader.describe
    _SLUG_OR_EMPTY: "a lower-case id (a-z, 0-9 and -, at most 63 characters) or nothing",
    _OS_OR_EMPTY: "an OS slug like windows-server-2019 or ubuntu-22.04, or nothing",
    PORT_PATTERN: "a port like tcp/443, udp/53 or tcp/8000-8100",
    WAVE_NAME_PATTERN: "a wave name like wave-03",
}


def json_path(loc: tuple[int | str, ...]) -> str:
    """``("servers", "web-01", "vcpu")`` -> ``servers.web-01.vcpu``; list items as ``[i]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != "[key]":  # pydantic's marker for a bad dict key: the key is the path
            key = part if _PLAIN_KEY.match(part) else got_text(part).removeprefix(", got ")
            out += f".{key}" if out else key
    return out or "(the document)"


def _at(path: str, expected: str) -> str:
    return f"{path}: expected {expected}"


def describe_error(error: Mapping[str, Any]) -> str:
    """One pydantic error of a plan.json as ``path: expected ..., got ...``."""
    loc = tuple(error["loc"])
    where, kind = json_path(loc), error["type"]
    pattern = (error.get("ctx") or {}).get("pattern")
    if kind == "json_invalid":
        return f"not JSON: {error['msg'].removeprefix('Invalid JSON: ')}"
    if kind == "extra_forbidden":
        return f"{where}: unknown key (plan.json schema {SCHEMA_VERSION} has no such key)"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{where}: expected a JSON object{got_text(error.get('input'))}"
    if kind == "string_pattern_mismatch" and pattern in _HINTS:
        return _at(where, _HINTS[pattern] + got_text(error.get("input")))
    return f"{where}: {describe(error)}"


def catalog_problems(plan: Plan, catalog: Catalog, name: str) -> Iterator[str]:
    """A plan that says it was made from ``catalog`` (named ``name``) holds its servers and
    systems, no others."""
    for key, planned, ids in (
        ("servers", plan.servers, [s.id for s in catalog.servers]),
        ("systems", plan.systems, [s.id for s in catalog.systems]),
    ):
        known = set(ids)
        for extra in sorted(set(planned) - known):
            yield _at(f"{key}.{extra}", f"a {key[:-1]} of {name}{got_text(extra)}")
        if planned or key == "servers":  # plans made before `systems` existed have none
            for missing in (i for i in ids if i not in planned):
                yield _at(key, f"every {key[:-1]} of {name}, but {missing!r} is missing")


def plan_problems(plan: Plan) -> Iterator[str]:
    """``path: expected ...`` for each problem of a parsed plan, in a fixed order."""
    if not _SHA256.match(plan.catalog_sha256):
        yield _at(
            "catalog_sha256", f"the SHA-256 of the catalog in hex{got_text(plan.catalog_sha256)}"
        )
    yield from _long_texts(plan)
    yield from _warning_texts(plan)
    region = region_problem(plan.target.provider, plan.target.region)
    if region is not None:  # the stacks build there: a region of the other cloud would crash
        yield f"target.region: {region}"
    yield from _servers(plan)
    yield from _waves(plan)
    yield from _flows(plan)
    for key in ("retain", "retire", "repurchase"):
        for i, sid in enumerate(getattr(plan.not_migrated, key)):
            if sid not in plan.servers:
                yield _at(f"not_migrated.{key}[{i}]", f"a server of `servers`{got_text(sid)}")
    try:  # the catalog's planning.quotas, as it allows them
        Quotas.model_validate(plan.quotas, strict=True)
    except ValidationError as exc:
        yield "quotas." + describe_error(exc.errors(include_url=False)[0])
    yield from free_json(plan.quality, "quality")
    if not _plain_texts(plan.allocations):  # 100k servers' entries: checked at once first
        yield from free_json(plan.allocations.model_dump(mode="json"), "allocations")


def _waves(plan: Plan) -> Iterator[str]:
    previous: int | None = None
    for i, wave in enumerate(plan.waves):
        at = f"waves[{i}]"
        if previous is not None and wave.number <= previous:
            yield _at(
                f"{at}.number",
                f"wave numbers in ascending order, got {wave.number} after {previous}",
            )
        previous = wave.number
        if wave.name != f"wave-{wave.number:02d}":
            yield _at(f"{at}.name", f"wave-{wave.number:02d} (its number), got {wave.name!r}")
        if wave.end < wave.start:
            yield _at(f"{at}.end", f"on or after its start {wave.start}, got {wave.end}")
        for k, sid in enumerate(wave.servers):
            server = plan.servers.get(sid)
            if server is None:
                yield _at(f"{at}.servers[{k}]", f"a server of `servers`{got_text(sid)}")
            elif server.wave != wave.number:
                yield _at(
                    f"{at}.servers[{k}]",
                    f"a server of wave {wave.number}, got {sid!r} (its wave is {server.wave})",
                )
        for k, system in enumerate(wave.systems if plan.systems else ()):
            if system not in plan.systems:
                yield _at(f"{at}.systems[{k}]", f"a system of `systems`{got_text(system)}")
        if wave.vcpu > VCPU_MAX * len(wave.servers):
            yield _at(
                f"{at}.vcpu",
                f"at most {VCPU_MAX:,} vCPU for each of its {len(wave.servers)} servers, "
                f"got {wave.vcpu:,}",
            )
        if wave.hybrid_flows_open > len(plan.hybrid_flows):
            yield _at(
                f"{at}.hybrid_flows_open",
                f"at most the plan's {len(plan.hybrid_flows)} hybrid flows, "
                f"got {wave.hybrid_flows_open:,}",
            )
        yield from free_json(wave.risk, f"{at}.risk")


def _servers(plan: Plan) -> Iterator[str]:
    numbers = {w.number for w in plan.waves}
    for sid, server in plan.servers.items():
        if server.wave is not None and server.wave not in numbers:
            yield _at(f"servers.{sid}.wave", f"the number of a wave in `waves`, got {server.wave}")
        # a migrating server's system is what its stack tags and backs it up by (a plan
        # built by hand in a test may have no `systems` at all)
        if server.wave is not None and plan.systems and server.system not in plan.systems:
            yield _at(
                f"servers.{sid}.system",
                f"a system of `systems` (it migrates in wave {server.wave}), got {server.system!r}",
            )
        problem = None if server.ip is None else server_address_problem(server.ip)
        if problem is not None:  # the catalog's rule: its /32 admits it while it is there
            yield _at(
                f"servers.{sid}.ip", f"{SERVER_ADDRESS_EXAMPLE}{got_text(server.ip)} ({problem})"
            )
    for system_id, system in plan.systems.items():
        if system.wave is not None and system.wave not in numbers:
            yield _at(
                f"systems.{system_id}.wave", f"the number of a wave in `waves`, got {system.wave}"
            )


def _flows(plan: Plan) -> Iterator[str]:
    """Flow ends are servers, hybrid flows' waves exist, ports are real port ranges. A
    million flows are checked as sets first; only a plan that fails is walked flow by flow
    to name the first one."""
    servers = plan.servers
    both: tuple[tuple[str, Sequence[Flow | HybridFlow]], ...] = (
        ("flows", plan.flows),
        ("hybrid_flows", plan.hybrid_flows),
    )
    for key, flows in both:
        ends = {f.from_ for f in flows} | {f.to for f in flows}
        if not ends.issubset(servers):
            for i, flow in enumerate(flows):
                for end, sid in (("from", flow.from_), ("to", flow.to)):
                    if sid not in servers:
                        yield _at(f"{key}[{i}].{end}", f"a server of `servers`{got_text(sid)}")
        ports = set(chain.from_iterable(f.ports for f in flows))  # a few distinct ones
        problems = {port: _port_problem(port) for port in ports}
        bad = {port: problem for port, problem in problems.items() if problem}
        for i, flow in enumerate(flows if bad else ()):
            for k, port in enumerate(flow.ports):
                if port in bad:
                    yield _at(f"{key}[{i}].ports[{k}]", bad[port])
    numbers = {w.number for w in plan.waves}
    hybrids = plan.hybrid_flows
    used = {h.from_wave for h in hybrids} | {h.to_wave for h in hybrids}
    for i, hybrid in enumerate(hybrids if not used <= {None, *numbers} else ()):
        for end, number in (("from_wave", hybrid.from_wave), ("to_wave", hybrid.to_wave)):
            if number is not None and number not in numbers:
                yield _at(
                    f"hybrid_flows[{i}].{end}", f"the number of a wave in `waves`, got {number}"
                )


def _port_problem(port: str) -> str:
    try:
        parse_port(port)
    except ValueError as exc:
        return str(exc).removeprefix("expected ")
    return ""


def free_json(value: object, path: str, depth: int = 0) -> Iterator[str]:
    """A free-form member (``quality``, ``risk``): finite numbers JSON keeps exactly, short
    one-line texts, at most 20 levels deep."""
    if depth > 20:
        yield _at(path, "at most 20 levels of nesting")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _text(key, f"{path} (a key)")
            yield from free_json(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from free_json(item, f"{path}[{i}]", depth + 1)
    elif isinstance(value, str):
        yield from _text(value, path)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > JSON_INT_MAX:
            yield _at(
                path,
                f"a whole number of at most {JSON_INT_MAX:,}{got_text(value)}",
            )
    elif isinstance(value, float) and not math.isfinite(value):
        yield _at(path, f"a finite number, got {value}")


def _long_texts(plan: Plan) -> Iterator[str]:
    """The texts the planner composes, each at most :data:`DERIVED_MAX` characters (the
    longest found at once; only a plan with a longer one is walked to name it)."""
    texts: list[tuple[str, str]] = [
        (f"warnings[{i}].message", w.message) for i, w in enumerate(plan.warnings)
    ]
    for i, wave in enumerate(plan.waves):
        texts += [(f"waves[{i}].reasons.{k}", text) for k, text in wave.reasons.items()]
    servers = plan.servers.values()
    longest = max(
        chain(
            (len(s.reason) for s in servers),
            (len(s.price_source or "") for s in servers),
            (len(r) for s in servers for r in s.readiness_reasons),
        ),
        default=0,
    )
    if longest > DERIVED_MAX:
        for sid, server in plan.servers.items():
            texts += [(f"servers.{sid}.reason", server.reason)]
            texts += [(f"servers.{sid}.price_source", server.price_source or "")]
            texts += [
                (f"servers.{sid}.readiness_reasons[{k}]", r)
                for k, r in enumerate(server.readiness_reasons)
            ]
    for where, text in texts:
        if len(text) > DERIVED_MAX:
            yield _at(where, f"at most {DERIVED_MAX:,} characters, got {len(text):,}")


def _warning_texts(plan: Plan) -> Iterator[str]:
    """Warnings' messages and subjects are one line each; subjects at most a name long."""
    subjects = [s for w in plan.warnings for s in w.subjects]
    messages = "".join(w.message for w in plan.warnings)
    if max(map(len, subjects), default=0) <= TEXT_MAX and not _CONTROL.search(
        messages + "".join(subjects)
    ):
        return
    for i, warning in enumerate(plan.warnings):
        if _CONTROL.search(warning.message):
            yield _at(
                f"warnings[{i}].message",
                f"text without control characters{got_text(warning.message)}",
            )
        for k, subject in enumerate(warning.subjects):
            yield from _text(subject, f"warnings[{i}].subjects[{k}]")


def _plain_texts(value: object) -> bool:
    """True when every text (key or value) in ``value`` is one line of at most
    :data:`TEXT_MAX` characters (as :func:`free_json` wants them), found without recursion."""
    texts: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, dict):
            texts.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, BaseModel):
            stack.extend(item.__dict__.values())
    return max(map(len, texts), default=0) <= TEXT_MAX and not _CONTROL.search("".join(texts))


def _text(value: str, path: str) -> Iterator[str]:
    if len(value) > TEXT_MAX or not _TEXT_RE.match(value):
        yield _at(
            path,
            f"one line of text of at most {TEXT_MAX} characters{got_text(value)}",
        )


def check_plan(plan: Plan) -> tuple[str, int] | None:
    """The first cross-reference problem (``path: expected ...``) and how many there are,
    or None when the plan is consistent."""
    problems = plan_problems(plan)
    first = next(problems, None)
    if first is None:
        return None
    return first, 1 + sum(1 for _ in problems)
