"""Hostile catalogs from YAML text through the whole run: exit 0, or a domain error with a
line; never another exception, never a non-finite number in an output, and a catalog that
``validate`` passes never crashes ``plan``."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.pipeline import PipelineOptions, run_plan
from migration.catalog import load_catalog
from migration.errors import CatalogError, PlanError, UtflyttError

BASE = """\
version: 1
organisation: {organisation}
contract: {{provider: ÅDA, notice_months: {notice}, ends: {ends}, monthly_base_fee: {fee}, exit_fee: {fee}}}
planning: {{start: {start}, wave_days: {wave_days}, max_servers_per_wave: {per_wave}, pilot: {flag}}}
systems:
  - {{id: ad, name: {name}, level: shared, sector: it, owner: IT, disposition: rehost,
      criticality: high, data_classification: internal, personal_data: {flag}, foundation: true}}
  - {{id: web, name: Webb, level: citizen, sector: it, owner: {name}, disposition: rehost,
      criticality: low, data_classification: public, personal_data: false,
      rpo_hours: {hours}, monthly_licence_cost: {fee},
      depends_on: [{{to: ad, ports: [tcp/389], weight: {weight}}}]}}
servers:
  - {{id: ad01, system: ad, role: infra, os: windows-server-2019, vcpu: {vcpu},
      memory_gb: {memory}, disks_gb: [{disk}], monthly_cost: {fee}}}
  - {{id: web01, system: web, role: web, os: ubuntu-22.04, vcpu: 2, memory_gb: 4,
      disks_gb: [64], cpu_p95: {ratio}, pinned_wave: {wave}, migrated: {flag}}}
"""

# values a careless export or a hostile hand can put in a field
HOSTILE = [
    ".inf",
    "-.inf",
    ".nan",
    ".NaN",
    "1e400",
    "-0",
    "0",
    "012",
    "0x1F",
    "0o17",
    "1_000",
    "no",
    "yes",
    "on",
    "true",
    "false",
    "null",
    "~",
    "1:20:30",
    "!secret 32",
    "!!str 5",
    '"\\x1b[31m"',
    '"\\u0000"',
    '"tab\\there"',
    "''",
    "[]",
    "{}",
    "[1, 2]",
    "99999999999999999999",
    "-1",
    "4096",
    "4097",
    "1e9",
    "1.0e9",
    "9999-12-01",
    "1999-12-31",
    "2100-12-31",
    "2027-02-30",
    '"2027-02-01"',
    "2027-02-01",
    "*nothing",
    "&a 5",
    '"' + "x" * 300 + '"',
    "é",
    '"="',
    "\"=cmd|' /C calc'!A0\"",
]
DEFAULTS = {
    "organisation": "Testby", "notice": "6", "ends": "2027-12-31", "fee": "100.0",
    "start": "2027-02-01", "wave_days": "14", "per_wave": "20", "flag": "false",
    "name": "Namn", "hours": "4", "weight": "1.0", "vcpu": "4", "memory": "16",
    "disk": "128", "ratio": "0.5", "wave": "null",
}  # fmt: skip


_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=40)
_DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2110, 1, 1)).map(str)
# per field: values of the right type at and beyond its edges (these reach the planner, the
# cost model and every writer), mixed with values of any type from HOSTILE
PLAUSIBLE: dict[str, st.SearchStrategy[str]] = {
    "organisation": _TEXT.map(json.dumps),
    "name": _TEXT.map(json.dumps),
    "notice": st.integers(0, 130).map(str),
    "ends": _DATES,
    "start": _DATES,
    "fee": st.floats(0, 2e9, allow_nan=False).map(repr),
    "wave_days": st.integers(0, 400).map(str),
    "per_wave": st.integers(0, 3).map(str),
    "flag": st.sampled_from(["true", "false"]),
    "hours": st.floats(0, 1e5, allow_nan=False).map(repr),
    "weight": st.floats(0, 2e6, allow_nan=False).map(repr),
    "vcpu": st.integers(0, 5000).map(str),
    "memory": st.floats(0, 70000, allow_nan=False).map(repr),
    "disk": st.floats(0, 2e6, allow_nan=False).map(repr),
    "ratio": st.floats(0, 1.1, allow_nan=False).map(repr),
    "wave": st.integers(0, 3000).map(str),
}


@st.composite
def catalog_texts(draw: st.DrawFn) -> str:
    fields = dict(DEFAULTS)
    for key in draw(st.lists(st.sampled_from(sorted(DEFAULTS)), min_size=1, max_size=3)):
        fields[key] = draw(
            PLAUSIBLE[key]
            | st.sampled_from(HOSTILE)
            | st.integers(-(10**25), 10**25).map(str)
            | st.floats(allow_nan=True, allow_infinity=True).map(repr)
            | st.text(max_size=12).map(json.dumps)
        )
    return BASE.format(**fields)


FINITE = re.compile(r"(?<![\w.])(nan|-?inf|infinity|-?Infinity|NaN)(?![\w.])")


def _no_non_finite(out: Path) -> None:
    def reject(name: str) -> None:
        raise AssertionError(f"non-finite number {name} in an output")

    for name in ("plan.json", "cost.json"):
        json.loads((out / name).read_text(encoding="utf-8"), parse_constant=reject)
    for name in ("plan.md", "cost.csv", "exit-plan.sv.md"):
        text = (out / name).read_text(encoding="utf-8")
        assert not FINITE.search(text), (name, FINITE.search(text))


def _check(text: str, folder: Path) -> None:
    catalog = folder / "catalog.yaml"
    catalog.write_text(text, encoding="utf-8")
    try:
        load_catalog(catalog)
    except CatalogError as exc:
        assert exc.issues and all(i.file == str(catalog) for i in exc.issues)
        assert all(i.line >= 1 for i in exc.issues), exc.issues
        return
    # validate passed: plan must finish, or refuse with a PlanError; nothing else
    try:
        run_plan(catalog, folder / "build")
    except PlanError as exc:
        assert str(exc).strip()
        return
    _no_non_finite(folder / "build")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(catalog_texts())
def test_hostile_values_give_a_located_error_or_a_finite_plan(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    _check(text, tmp_path_factory.mktemp("fuzz"))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_catalog_or_a_catalog_error(text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "catalog.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_catalog(path)
        except CatalogError as exc:
            assert exc.issues
        except UtflyttError as exc:  # pragma: no cover - any other domain error is a bug
            raise AssertionError(f"unexpected {type(exc).__name__}: {exc}") from exc


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", '"\\x1b[31mRed"'),  # escaped control character: crashed the xlsx writer
        ("memory", ".inf"),  # wrote Infinity into plan.json
        ("weight", ".inf"),  # gave nan in plan.md
        ("vcpu", "100000000000000000000"),  # OverflowError in sizing
        ("start", "9999-12-01"),  # OverflowError in wave dates
        ("notice", "100000"),  # OverflowError in the notice date
        ("wave", "100000"),  # huge pinned wave
        ("vcpu", "true"),  # became 1
    ],
)
def test_inputs_that_crashed_plan_now_fail_validation(
    tmp_path: Path, field: str, value: str
) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(BASE.format(**{**DEFAULTS, field: value}), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert info.value.issues and all(issue.line > 1 for issue in info.value.issues)


def test_the_base_catalog_plans(tmp_path: Path) -> None:
    """The fuzz base is valid: the hostile values, not the base, cause the errors."""
    path = tmp_path / "catalog.yaml"
    path.write_text(BASE.format(**DEFAULTS), encoding="utf-8")
    result = run_plan(path, tmp_path / "build", PipelineOptions())
    assert len(result.plan.waves) >= 1
    _no_non_finite(tmp_path / "build")


def test_a_server_too_large_to_size_is_a_plan_error_with_its_line(tmp_path: Path) -> None:
    """Found by the fuzz: 129 vCPU validates (catalog bound 4,096) but no size fits it."""
    path = tmp_path / "catalog.yaml"
    path.write_text(BASE.format(**{**DEFAULTS, "vcpu": "129"}), encoding="utf-8")
    load_catalog(path)
    with pytest.raises(PlanError) as info:
        run_plan(path, tmp_path / "build")
    assert info.value.where == (f"{path}:13: server 'ad01' vcpu",)
    assert not (tmp_path / "build" / "plan.json").exists()
