"""Hostile catalogs through the command line (``validate``, then ``plan``), as a user runs
them: the fuzz base and generated estates (``bench/estate.py``), mutated in their values
(numbers at and beyond their bounds, control characters raw and escaped, huge strings, wrong
types) and in their structure (unknown keys, YAML tags, anchors and aliases, merge keys,
several documents, deep nesting, truncation, nothing at all).

Every run ends in exit 0, or exit 1 with an ``Error:`` first line whose catalog lines carry
a line number; never a traceback, never the safety net's "a bug in utflytt", never a
non-finite number in an output; and a catalog ``validate`` passes is planned or refused with
a located error (``validate`` passing means ``plan`` cannot crash)."""

from __future__ import annotations

import datetime
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.cli import cli
from bench.estate import generate
from tests.test_fuzz_catalog import BASE, DEFAULTS, HOSTILE, PLAUSIBLE, _no_non_finite

BASE_TEXT = BASE.format(**DEFAULTS)
# a line that names a place in a catalog file: "<file>:<line>[:<column>]: ..."
LOCATED = re.compile(r"^(?:  at )?\S+\.(?:yaml|json):\d+(?::\d+)?: ", re.M)
WHOLE_FILE = re.compile(r"^\S+\.(?:yaml|json): ", re.M)  # missing, empty, binary, too large

_NUMBERS = st.sampled_from(
    [0, -1, 1, 4096, 4097, 65_536, 65_537, 1_048_577, 2600, 2601, 10**9, 10**20, 2**63]
)
_TEXTS = st.one_of(
    st.text(max_size=12),  # any characters, control characters raw
    st.sampled_from(["\x1b[31m", "\u202e", "\u200b", "\x00", "a\nb", "x" * 5000, "", " "]),
)
HOSTILE_VALUES: st.SearchStrategy[Any] = st.one_of(
    _NUMBERS,
    st.floats(allow_nan=True, allow_infinity=True),
    _TEXTS,
    st.booleans(),
    st.none(),
    st.lists(st.integers(-2, 2), max_size=3),
    st.dictionaries(st.sampled_from(["a", "id", "to"]), st.integers(0, 2), max_size=2),
    st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)),
)

# values of a plausible type and range: these pass validation often enough to reach the
# planner, the cost model and every writer with edge values
PLAUSIBLE_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.integers(0, 300),
    st.floats(0.01, 1e5),
    st.sampled_from([True, False, "rehost", "retain", "retire", "test", "dev", "tcp/443"]),
    st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)).map(str),
    st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1, max_size=30),
)


def _like(original: Any) -> st.SearchStrategy[Any]:
    """A value of the original's type at the edges of its range (else any plausible one)."""
    if isinstance(original, bool):
        return st.booleans()
    if isinstance(original, int):
        return st.sampled_from([0, 1, original, 2 * original + 1, 4096, 2600])
    if isinstance(original, float):
        return st.sampled_from([0.01, original, original * 100, 65_536.0, 1e9])
    if isinstance(original, str) and _DATE.fullmatch(original):
        return st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)).map(str)
    if isinstance(original, str):  # an enum, an id or a name: itself, or close to it
        return st.sampled_from([original, original.upper(), original + " x", original * 3])
    return PLAUSIBLE_VALUES


def _dump(value: Any) -> str:
    """A value as YAML flow text (JSON is YAML; dates as their text)."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _replace_value(draw: st.DrawFn) -> str:
    """One field of the base gets a hostile YAML value (as text)."""
    key = draw(st.sampled_from(sorted(DEFAULTS)))
    value = draw(st.sampled_from(HOSTILE) | HOSTILE_VALUES.map(_dump) | PLAUSIBLE[key])
    return BASE.format(**{**DEFAULTS, key: value})


STRUCTURAL = [
    lambda t: t.replace("systems:", "unknown_key: 1\nsystems:"),
    lambda t: t.replace("  - {id: ad01,", "  - {typo_field: 3, id: ad01,"),
    lambda t: t.replace("vcpu: 4", "vcpu: !!str 4"),
    lambda t: t.replace("vcpu: 4", "vcpu: !custom 4"),
    lambda t: "--- !tagged\n" + t,
    lambda t: t + "---\n" + t,
    lambda t: "%YAML 1.1\n---\n" + t,
    lambda t: t.replace("organisation: Testby", "organisation: &o Testby").replace(
        "owner: Namn", "owner: *o"
    ),
    lambda t: t.replace("servers:\n", "defaults: &d {vcpu: 2}\nservers:\n").replace(
        "{id: web01,", "{<<: *d, id: web01,"
    ),
    lambda t: t.replace("organisation: Testby", "organisation: " + "[" * 5000 + "]" * 5000),
    lambda t: t.replace("organisation: Testby", "organisation: &a [*a]"),
    lambda t: t[: len(t) // 2],
    lambda t: "",
    lambda t: "# only a comment\n",
    lambda t: t.replace("\n", "\r\n"),
    lambda t: t.replace("  - {id: web,", "\t- {id: web,"),
    lambda t: t.replace("name: Webb", 'name: "\\x1b[2J"'),
    lambda t: t.replace("name: Webb", "name: \x07Webb"),
    lambda t: t.replace("name: Webb", 'name: "\\u202eWebb"'),
    lambda t: t.replace("servers:", "servers: []\nservers_again:"),
    lambda t: t.replace("version: 1", "version: [1]"),
    lambda t: t.replace("version: 1\n", ""),
    lambda t: t.replace("systems:", "systems: {}\nx:"),
    lambda t: t.replace("disks_gb: [64]", "disks_gb: [" + ", ".join(["64"] * 300) + "]"),
    lambda t: t.replace("ports: [tcp/389]", "ports: [tcp/0, tcp/65536, udp/1-0]"),
    lambda t: t.replace("to: ad", "to: web"),
    lambda t: t.replace("system: web,", "system: ad01,"),
]


@st.composite
def base_catalogs(draw: st.DrawFn) -> tuple[str, str]:
    """The fuzz base with a value mutation (hostile or plausible) and up to two structural
    ones (some keep the catalog valid: line endings, anchors)."""
    text = _replace_value(draw) if draw(st.booleans()) else BASE_TEXT
    for _ in range(draw(st.integers(0, 2))):
        text = draw(st.sampled_from(STRUCTURAL))(text)
    return "catalog.yaml", text


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document[:3]):  # a few entries of each list
            out += _paths(value, (*prefix, index))
    return out


_ESTATE = generate(24, 5)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _leaf(document: Any, path: tuple[Any, ...]) -> Any:
    """The number or date at ``path`` (None when it is anything else)."""
    value = document
    for part in path:
        value = value[part]
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return value if numeric or (isinstance(value, str) and _DATE.fullmatch(value)) else None


@st.composite
def estate_catalogs(draw: st.DrawFn) -> tuple[str, str]:
    """A generated estate with one or two fields set to a hostile value or one of the
    field's own type at its edges, as YAML or JSON."""
    document = json.loads(json.dumps(_ESTATE, default=str))
    paths = [p for p in _paths(document) if p]
    hostile = draw(st.booleans())
    if not hostile:  # numbers and dates only, at their edges: these reach the planner
        paths = [p for p in paths if _leaf(document, p) is not None]
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from(paths))
        target = document
        try:
            for part in path[:-1]:
                target = target[part]
            like = _like(target[path[-1]])
            target[path[-1]] = draw(st.one_of(HOSTILE_VALUES, like) if hostile else like)
        except (KeyError, IndexError, TypeError):  # an earlier mutation removed the parent
            continue
    if draw(st.booleans()):
        return "catalog.json", json.dumps(document, default=str, ensure_ascii=False)
    return "catalog.yaml", yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def _assert_clean_failure(result: Result, catalog: Path) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}"
    )
    output = result.output
    assert result.exit_code == 1, (result.exit_code, output[-500:])
    assert "bug in utflytt" not in output, output[-500:]
    first = output.lstrip("{").strip()
    error = next(line for line in output.splitlines() if line.startswith("Error:"))
    assert error.strip() != "Error:", first
    if str(catalog) in output:  # it names the catalog: with a line, or the whole file
        assert LOCATED.search(output) or WHOLE_FILE.search(output), output[-500:]


def _check(name: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        catalog = Path(folder) / name
        catalog.write_text(text, encoding="utf-8", errors="surrogatepass")
        runner = CliRunner()
        validated = runner.invoke(cli, ["validate", str(catalog)])
        if validated.exit_code != 0:
            event("refused by validate")
            _assert_clean_failure(validated, catalog)
            return
        event("planned")
        build = Path(folder) / "build"
        planned = runner.invoke(cli, ["plan", str(catalog), "-o", str(build), "-q"])
        if planned.exit_code != 0:  # refused: a located planning error, nothing half-written
            _assert_clean_failure(planned, catalog)
            assert LOCATED.search(planned.output) or "catalog" not in planned.output.lower()
            return
        assert planned.exception is None
        _no_non_finite(build)


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(base_catalogs())
def test_mutated_base_catalogs_through_the_cli(case: tuple[str, str]) -> None:
    _check(*case)


@SETTINGS
@given(estate_catalogs())
def test_mutated_generated_estates_through_the_cli(case: tuple[str, str]) -> None:
    _check(*case)


def test_the_unmutated_inputs_plan() -> None:
    """The mutations, not the bases, make the errors: both bases validate and plan."""
    for name, text in (
        ("catalog.yaml", BASE_TEXT),
        ("catalog.json", json.dumps(_ESTATE, default=str)),
    ):
        with tempfile.TemporaryDirectory() as folder:
            catalog = Path(folder) / name
            catalog.write_text(text, encoding="utf-8")
            result = CliRunner().invoke(cli, ["plan", str(catalog), "-o", f"{folder}/b", "-q"])
            assert result.exit_code == 0, result.output
            _no_non_finite(Path(folder) / "b")


def test_a_list_where_a_disposition_belongs_is_a_located_error() -> None:
    """Found by this fuzz: ``disposition: []`` made the reference check hash a list
    (TypeError: "a bug in utflytt") instead of letting the field check name the line."""
    text = BASE_TEXT.replace(
        "disposition: rehost,\n      criticality: low", "disposition: [],\n      criticality: low"
    )
    with tempfile.TemporaryDirectory() as folder:
        catalog = Path(folder) / "catalog.yaml"
        catalog.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["validate", str(catalog)])
    assert (result.exit_code, result.output) == (
        1,
        "Error: catalog is invalid (1 error)\n"
        f"{catalog}:8:81: systems[1].disposition: expected one of 'rehost', 'replatform', "
        "'rebuild', 'repurchase', 'retire' or 'retain', got a list\n",
    )
