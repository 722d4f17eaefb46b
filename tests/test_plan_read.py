"""plan.json is read strictly (``migration.plan.read_plan``, checks in
``migration.plan_checks``): every command that takes a plan.json either works or exits 1 with
one ``Error:`` line naming the file, the JSON path and what was expected; never a traceback,
never the safety net's "a bug in utflytt", never a silent pass of a value no catalog allows.

Every plan utflytt writes still reads back to the same document (the example, generated
estates on both clouds); hypothesis mutates a written plan.json leaf by leaf (huge numbers,
wrong types, negatives, Infinity/NaN, control characters raw and escaped, huge text, deep
nesting, deleted and renamed keys, truncation) and runs it through ``diff``, ``graph``,
``waves export``/``pins``, ``cost --plan``, ``exit-plan --plan``, ``preview`` and the Pulumi
program."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import cli
from app.pipeline import PipelineOptions, run_plan
from migration.errors import InputFileError
from migration.plan import read_plan
from stacks.config import write_stack_configs
from tests.test_stacks_entrypoint import _run_entry_point

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "data" / "small.yaml"  # 3 servers, 2 waves, flows and hybrid flows
EXAMPLE = ROOT / "examples" / "mariehamn" / "catalog.yaml"
NOT_A_PLAN = "not a utflytt plan.json (schema 1)"
BUG = "a bug in utflytt"

Doc = dict[str, Any]
DEEP = "[" * 5000 + "]" * 5000
RAW_CONTROL = '"a\x1bb"'  # a raw ESC inside a JSON string: invalid JSON
# values that are valid nowhere in a plan.json: a leaf replaced by one must be refused
NEVER_VALID: list[Any] = [
    10**30,
    -(10**30),
    math.inf,
    -math.inf,
    math.nan,
    "\x1b[31m",
    "a\u202eb",  # right-to-left override
    "a\u200bb",  # zero-width space
    "a\nb",
    "x" * 11_000,
    "@DEEP@",
    "@RAW@",
]
# values of a wrong type or out of range somewhere, valid elsewhere
SOMETIMES: list[Any] = [
    "3",
    -1,
    0,
    1,
    3.5,
    True,
    False,
    None,
    [],
    {},
    "",
    "x" * 250,
    "9999-12-01",
    "1999-12-31",
    "2027-02-30",
    "tcp/99999",
    "wave-99",
    "ghost",
    2600,
    2601,
    4097,
]


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/data/small.yaml planned once: build/plan.json and the wave sheet beside it."""
    folder = tmp_path_factory.mktemp("planned")
    assert _invoke("plan", str(SMALL), "-o", str(folder / "build"), "-q")[0] == 0
    sheet = folder / "build" / "waves.csv"
    assert _invoke("waves", "export", str(folder / "build" / "plan.json"), "-o", str(sheet))[0] == 0
    return folder / "build"


def _doc(planned: Path) -> Doc:
    doc: Doc = json.loads((planned / "plan.json").read_text(encoding="utf-8"))
    return doc


def _text(doc: Doc) -> str:
    text = json.dumps(doc, indent=2, ensure_ascii=False)  # NaN and Infinity as JavaScript
    return text.replace('"@DEEP@"', DEEP).replace('"@RAW@"', RAW_CONTROL)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


Mutation = tuple[str, tuple[Any, ...], Any]


def _apply(doc: Doc, mutation: Mutation) -> str:
    kind, path, value = mutation
    doc = json.loads(json.dumps(doc))
    if kind == "truncate":
        return _text(doc)[:value]
    if not path:
        return _text(value) if kind == "replace" else "{}"
    parent, key = _parent(doc, path), path[-1]
    if kind == "replace":
        parent[key] = value
    elif kind == "delete":
        del parent[key]
    elif kind == "rename" and isinstance(parent, dict):
        parent[value] = parent.pop(key)
    elif kind == "rename":
        parent[key] = {value: parent[key]}
    return _text(doc)


def mutations(doc: Doc) -> st.SearchStrategy[Mutation]:
    paths = list(_leaves(doc))
    path = st.sampled_from(paths)
    return st.one_of(
        st.tuples(st.just("replace"), path, st.sampled_from(NEVER_VALID + SOMETIMES)),
        st.tuples(st.just("replace"), path, st.text(max_size=8)),  # any characters
        st.tuples(st.just("delete"), path.filter(bool), st.none()),
        st.tuples(st.just("rename"), path.filter(bool), st.sampled_from(["\x1b", "X", "a" * 300])),
        st.tuples(st.just("truncate"), st.just(()), st.integers(0, 5000)),
    )


def _never_valid(mutation: Mutation) -> bool:
    """A mutation no plan.json may hold: a leaf replaced by a value valid nowhere."""
    kind, path, value = mutation
    return kind == "replace" and any(value is v or value == v for v in NEVER_VALID)


def _assert_refused_or_fine(code: int, output: str, mutation: Mutation, *names: Path) -> None:
    """Exit 0, or exit 1 with one ``Error:`` line that names one of ``names``."""
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    if code == 0:
        assert not _never_valid(mutation), f"silent pass: {mutation!r:.200}"
        return
    assert code == 1, output
    assert len(errors) == 1, output
    assert BUG not in errors[0], errors[0]
    assert any(errors[0].startswith(f"Error: {name}") for name in names), errors[0]


# --------------------------------------------------------------------------- round trip


def test_the_example_plan_reads_back_as_written(tmp_path: Path) -> None:
    """The example's plan.json, as `utflytt plan` writes it, reads back to the same document."""
    assert _invoke("plan", str(EXAMPLE), "-o", str(tmp_path), "-q")[0] == 0
    written = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert read_plan(tmp_path / "plan.json").to_json_dict() == written


@pytest.mark.parametrize(("target", "region"), [("azure", "swedencentral"), ("aws", "eu-north-1")])
def test_generated_estates_read_back_as_written(tmp_path: Path, target: str, region: str) -> None:
    """A generated estate of ~300 systems (1,500 servers), planned for each cloud: its
    plan.json (with allocations and the quality panel) reads back to the same document."""
    from bench.estate import generate

    doc = generate(1500, 5)
    doc["planning"] |= {"target": target, "region": region}
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(doc, default=str), encoding="utf-8")
    run_plan(catalog, tmp_path / "build", PipelineOptions(formats=()))
    written = json.loads((tmp_path / "build" / "plan.json").read_text(encoding="utf-8"))
    assert len(written["systems"]) >= 250 and written["target"]["provider"] == target
    assert read_plan(tmp_path / "build" / "plan.json").to_json_dict() == written


def test_a_notice_date_before_2000_is_written_and_read(tmp_path: Path) -> None:
    """A contract ending 2000-01-01 with ten years' notice (both within the catalog's bounds)
    gives a notice date in 1990: `plan` writes it and every reader takes it back."""
    from tests.test_catalog_bounds import BASE

    catalog = tmp_path / "c.yaml"
    text = BASE.replace(
        "notice_months: 6, ends: 2027-12-31", "notice_months: 120, ends: 2000-01-01"
    )
    catalog.write_text(text, encoding="utf-8")
    assert _invoke("plan", str(catalog), "-o", str(tmp_path / "build"), "-q")[0] == 0
    plan = read_plan(tmp_path / "build" / "plan.json")
    assert str(plan.notice_date) == "1990-01-01"


# --------------------------------------------------------------------------- exact messages


def _server(doc: Doc, name: str, **changes: Any) -> None:
    doc["servers"][name].update(changes)


CASES: list[tuple[str, Callable[[Doc], Any], str]] = [
    (
        "wave 10^30",
        lambda d: _server(d, "dc01", wave=10**30),
        "servers.dc01.wave: expected a number < 5000, got 1000000000000000000000000000000",
    ),
    (
        "string wave",
        lambda d: _server(d, "dc01", wave="3"),
        "servers.dc01.wave: expected a whole number, got '3'",
    ),
    (
        "negative vcpu",
        lambda d: _server(d, "dc01", vcpu=-4),
        "servers.dc01.vcpu: expected a number >= 1, got -4",
    ),
    (
        "boolean as number",
        lambda d: _server(d, "dc01", migrated=1),
        "servers.dc01.migrated: expected true or false, got 1",
    ),
    (
        "Infinity",
        lambda d: _server(d, "dc01", memory_gb=math.inf),
        "servers.dc01.memory_gb: expected a finite number, got inf",
    ),
    (
        "NaN in the quality panel",
        lambda d: d["quality"].update(J=math.nan),
        "quality.J: expected a finite number, got nan",
    ),
    (
        "escaped control character",
        lambda d: d["systems"]["ad"].update(name="A\x1bB"),
        "systems.ad.name: expected one line of text without control characters, got 'A\\x1bB'",
    ),
    (
        "control character in a key",
        lambda d: d["servers"].update({"dc\x1b": d["servers"]["dc01"]}),
        "servers.'dc\\x1b': expected a slug of lower-case letters, digits and '-', 1-63 "
        "characters, starting with a letter or digit, got 'dc\\x1b'",
    ),
    (
        "unknown server in a wave",
        lambda d: d["waves"][1]["servers"].append("ghost"),
        "waves[1].servers[2]: expected a server of `servers`, got 'ghost'",
    ),
    (
        "server of another wave",
        lambda d: d["waves"][0]["servers"].append("eko-app01"),
        "waves[0].servers[1]: expected a server of wave 0, got 'eko-app01' (its wave is 1)",
    ),
    (
        "server wave names no wave",
        lambda d: _server(d, "dc01", wave=7),
        "servers.dc01.wave: expected the number of a wave in `waves`, got 7 (and 1 more)",
    ),
    (
        "flow to an unknown server",
        lambda d: d["flows"][0].update(to="ghost"),
        "flows[0].to: expected a server of `servers`, got 'ghost'",
    ),
    (
        "hybrid flow in an unknown wave",
        lambda d: d["hybrid_flows"][0].update(from_wave=9),
        "hybrid_flows[0].from_wave: expected the number of a wave in `waves`, got 9",
    ),
    (
        "port out of range",
        lambda d: d["flows"][0].update(ports=["tcp/99999"]),
        "flows[0].ports[0]: expected port numbers 1..65535, got 'tcp/99999'",
    ),
    (
        "date after 2100",
        lambda d: d.update(deadline="9999-12-01"),
        "deadline: expected a date from 2000-01-01 to 2100-12-31, got 9999-12-01",
    ),
    (
        "date before 2000",
        lambda d: d["waves"][0].update(start="1999-12-31"),
        "waves[0].start: expected a date from 2000-01-01 to 2100-12-31, got 1999-12-31",
    ),
    (
        "huge text",
        lambda d: d.update(organisation="x" * 1_000_000),
        "organisation: expected at most 200 characters, got 1000000",
    ),
    (
        "wave name not its number",
        lambda d: d["waves"][1].update(name="wave-07"),
        "waves[1].name: expected wave-01 (its number), got 'wave-07'",
    ),
    (
        "region of the other cloud",
        lambda d: d["target"].update(provider="aws"),
        "target.region: 'swedencentral' is an Azure region, but the target is aws; expected one "
        "of: eu-central-1, eu-north-1, eu-south-1, eu-south-2, eu-west-1, eu-west-3",
    ),
    (
        "unknown key",
        lambda d: d.update(wavez=[]),
        "wavez: unknown key (plan.json schema 1 has no such key)",
    ),
    (
        "missing key",
        lambda d: d.pop("servers"),
        "servers: required field is missing",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_hand_edit_is_refused_with_its_json_path(
    planned: Path, tmp_path: Path, edit: Callable[[Doc], Any], expected: str
) -> None:
    doc = _doc(planned)
    edit(doc)
    path = tmp_path / "plan.json"
    path.write_text(_text(doc), encoding="utf-8")
    assert _invoke("graph", str(path)) == (1, f"Error: {path}: {NOT_A_PLAN}: {expected}\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"servers": "@RAW@"}',
            "not JSON: control character (\\u0000-\\u001F) found while "
            "parsing a string at line 1 column 15",
        ),
        ('{"quality": @DEEP@}', "not JSON: recursion limit exceeded at line 1 column 213"),
        ('{"servers": {', "not JSON: EOF while parsing an object at line 1 column 13"),
    ],
    ids=["raw control character", "deep nesting", "truncated"],
)
def test_a_broken_json_text_names_its_line_and_column(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text.replace('"@RAW@"', RAW_CONTROL).replace("@DEEP@", DEEP), "utf-8")
    assert _invoke("graph", str(path)) == (1, f"Error: {path}: {NOT_A_PLAN}: {expected}\n")


def test_every_command_taking_a_plan_refuses_it_alike(planned: Path, tmp_path: Path) -> None:
    """The same hostile plan, the same line, from every command that reads a plan.json."""
    doc = _doc(planned)
    _server(doc, "dc01", vcpu=-4)
    bad = tmp_path / "plan.json"
    bad.write_text(_text(doc), encoding="utf-8")
    line = f"Error: {bad}: {NOT_A_PLAN}: servers.dc01.vcpu: expected a number >= 1, got -4\n"
    good, sheet = str(planned / "plan.json"), str(planned / "waves.csv")
    out = str(tmp_path / "out")
    for args in (
        ("diff", good, str(bad)),
        ("graph", str(bad)),
        ("waves", "export", str(bad)),
        ("waves", "pins", sheet, "--plan", str(bad)),
        ("cost", str(SMALL), "--plan", str(bad), "-o", out),
        ("exit-plan", str(SMALL), "--plan", str(bad), "-o", out),
        ("preview", "foundation", "--plan", str(bad)),
        ("preview", "--all", "--plan", str(bad)),
    ):
        assert _invoke(*args) == (1, line), args
    assert not Path(out).exists()  # nothing written from a refused plan


def test_a_plan_edited_since_its_catalog_is_refused_by_cost_and_exit_plan(
    planned: Path, tmp_path: Path
) -> None:
    """The plan still names its catalog's digest, but a server was renamed by hand: `cost`
    and `exit-plan` would price and document servers the catalog does not have."""
    doc = _doc(planned)
    doc["servers"]["dc02"] = doc["servers"].pop("dc01")
    doc["waves"][0]["servers"] = ["dc02"]
    for flow in doc["flows"] + doc["hybrid_flows"]:
        flow["to"] = "dc02" if flow["to"] == "dc01" else flow["to"]
    path = tmp_path / "plan.json"
    path.write_text(_text(doc), encoding="utf-8")
    assert _invoke("graph", str(path))[0] == 0  # a consistent plan.json on its own
    line = (
        f"Error: {path}: {NOT_A_PLAN}: servers.dc02: expected a server of {SMALL}, got 'dc02' "
        "(and 1 more)\n"
    )
    out = str(tmp_path / "out")
    assert _invoke("cost", str(SMALL), "--plan", str(path), "-o", out) == (1, line)
    assert _invoke("exit-plan", str(SMALL), "--plan", str(path), "-o", out) == (1, line)
    doc = _doc(planned)  # dc01 dropped by hand, with every mention of it
    del doc["servers"]["dc01"]
    doc["flows"] = [f for f in doc["flows"] if "dc01" not in (f["from"], f["to"])]
    doc["hybrid_flows"] = [f for f in doc["hybrid_flows"] if "dc01" not in (f["from"], f["to"])]
    for wave in doc["waves"]:
        wave |= {"servers": [s for s in wave["servers"] if s != "dc01"], "vcpu": 0}
        wave["hybrid_flows_open"] = 0
    path.write_text(_text(doc), encoding="utf-8")
    assert _invoke("cost", str(SMALL), "--plan", str(path), "-o", out) == (
        1,
        f"Error: {path}: {NOT_A_PLAN}: servers: expected every server of {SMALL}, but 'dc01' "
        "is missing\n",
    )


def test_the_pulumi_program_refuses_it_in_one_line(tmp_path: Path, planned: Path) -> None:
    """`pulumi preview` (stacks/__main__.py) reads the plan named in its stack config: a
    hand-edited one is one RunError line, not a traceback."""
    from migration.plan import read_plan as read

    plan_path = tmp_path / "build" / "plan.json"
    plan_path.parent.mkdir()
    doc = _doc(planned)
    write_stack_configs(read(planned / "plan.json"), plan_path.as_posix(), tmp_path / "config")
    _server(doc, "dc01", wave="3")
    plan_path.write_text(_text(doc), encoding="utf-8")
    with pytest.raises(pulumi.RunError) as info:
        _run_entry_point(tmp_path / "config" / "Pulumi.foundation.yaml", "foundation")
    assert str(info.value) == (
        f"{plan_path}: {NOT_A_PLAN}: servers.dc01.wave: expected a whole number, got '3'"
    )


def test_read_plan_raises_the_domain_error(planned: Path, tmp_path: Path) -> None:
    """Library callers get an InputFileError (the CLI's `Error:` line comes from it)."""
    doc = _doc(planned)
    doc["waves"][0]["number"] = 10**30
    path = tmp_path / "plan.json"
    path.write_text(_text(doc), encoding="utf-8")
    with pytest.raises(InputFileError, match=r"waves\[0\]\.number: expected a number < 5000"):
        read_plan(path)


# --------------------------------------------------------------------------- hypothesis


FUZZ: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


def _mutated(planned: Path, folder: Path, data: st.DataObject) -> tuple[Path, Mutation]:
    """The planned plan.json with one mutation drawn, written into ``folder``."""
    doc = _doc(planned)
    mutation = data.draw(mutations(doc))
    path = folder / "mutated.json"
    path.write_text(_apply(doc, mutation), encoding="utf-8")
    return path, mutation


@settings(max_examples=120, **FUZZ)
@given(data=st.data())
def test_hostile_plans_through_the_reading_commands(
    planned: Path, tmp_path: Path, data: st.DataObject
) -> None:
    """diff, graph and waves export: exit 0, or one `Error:` line naming the plan; a value
    valid nowhere is always refused."""
    path, mutation = _mutated(planned, tmp_path, data)
    for args in (
        ("diff", str(planned / "plan.json"), str(path)),
        ("graph", str(path)),
        ("graph", str(path), "--wave", "1"),
        ("waves", "export", str(path)),
    ):
        code, output = _invoke(*args)
        _assert_refused_or_fine(code, output, mutation, path)


@settings(max_examples=25, **FUZZ)
@given(data=st.data())
def test_hostile_plans_through_the_commands_that_build_on_them(
    planned: Path, tmp_path: Path, data: st.DataObject
) -> None:
    """waves pins, cost --plan, exit-plan --plan and preview: the same, after the read too
    (a plan that reads must not crash what is built from it)."""
    path, mutation = _mutated(planned, tmp_path, data)
    sheet = planned / "waves.csv"
    out = tmp_path / "out"
    for args, names in (
        (("waves", "pins", str(sheet), "--plan", str(path)), (path, sheet)),
        (("cost", str(SMALL), "--plan", str(path), "-o", str(out)), (path,)),
        (
            ("exit-plan", str(SMALL), "--plan", str(path), "-o", str(out), "--format", "md"),
            (path,),
        ),
    ):
        code, output = _invoke(*args)
        _assert_refused_or_fine(code, output, mutation, *names)
    code, output = _invoke("preview", "foundation", "--plan", str(path))
    if code != 0 and not output.startswith(f"Error: {path}: "):  # read, then refused by a
        assert code == 1 and output.count("Error:") == 1 and BUG not in output, output  # stack
    else:
        _assert_refused_or_fine(code, output, mutation, path)


def test_the_mutations_reach_every_part_of_the_plan(planned: Path) -> None:
    """The fuzz above can hit each top-level member (servers, waves, flows, quality ...)."""
    tops = {path[0] for path in _leaves(_doc(planned)) if path}
    assert {"servers", "waves", "flows", "hybrid_flows", "systems", "quality"} <= tops


def test_a_plan_without_systems_reads_but_the_stacks_refuse_it(
    planned: Path, tmp_path: Path
) -> None:
    """A plan.json made before `systems` existed still reads (diff, waves, exit plan), but
    the stacks tag and back up each server by its system: preview names what is missing and
    says to plan again, instead of a KeyError line per stack."""
    doc = _doc(planned)
    doc["systems"] = {}
    for wave in doc["waves"]:
        wave["systems"] = []
    path = tmp_path / "plan.json"
    path.write_text(_text(doc), encoding="utf-8")
    assert _invoke("waves", "export", str(path), "-o", str(tmp_path / "waves.csv"))[0] == 0
    first = next(sid for sid, server in doc["servers"].items() if server["wave"] is not None)
    system = doc["servers"][first]["system"]
    expected = (
        f"Error: {path}: servers.{first}: its system {system!r} is not in `systems`, which "
        "the stacks need (a plan.json from an older utflytt, or edited); run `utflytt plan` "
        "again\n"
    )
    for args in (("foundation",), ("--all",)):
        assert _invoke("preview", *args, "--plan", str(path)) == (1, expected)
