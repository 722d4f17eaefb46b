"""One meaning for every catalog: one YAML 1.2 parse, explicit rejections, bounded values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import migration.catalog.parsing as parsing
from migration.catalog import load_catalog
from migration.errors import CatalogError

BASE = """\
version: 1
organisation: Testby
contract: {provider: ÅDA, notice_months: 6, ends: 2027-12-31}
systems:
  - {id: app, name: App, level: shared, sector: it, owner: IT, disposition: rehost,
     criticality: low, data_classification: internal, personal_data: false}
servers:
  - {id: app01, system: app, role: app, os: ubuntu-22.04, vcpu: 2, memory_gb: 4,
     disks_gb: [64]}
"""


def _errors(tmp_path: Path, text: str, name: str = "c.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    return [str(issue).replace(str(tmp_path) + "/", "") for issue in info.value.issues]


def test_base_is_valid(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(BASE, encoding="utf-8")
    assert load_catalog(tmp_path / "c.yaml").contract.notice_months == 6


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("notice_months: 6", "notice_months: !secret 6",
         "c.yaml:3:42: YAML tag '!secret' is not supported (write the plain value)"),
        ("notice_months: 6", 'notice_months: !!int "6"',
         "c.yaml:3:42: YAML tag 'tag:yaml.org,2002:int' is not supported (write the plain value)"),
        ("version: 1", "%YAML 1.1\n---\nversion: 1",
         "c.yaml:1:1: YAML directives (%YAML, %TAG) are not supported"),
        ("memory_gb: 4", "memory_gb: .inf",
         "c.yaml:8:79: servers[0].memory_gb: expected a finite number, got inf"),
        ("memory_gb: 4", "memory_gb: 1e400",
         "c.yaml:8:79: servers[0].memory_gb: expected a finite number, got inf"),
        ("vcpu: 2", "vcpu: true", "c.yaml:8:65: servers[0].vcpu: expected a whole number, got True"),
        ("vcpu: 2", "vcpu: 4097", "c.yaml:8:65: servers[0].vcpu: expected a number <= 4096, got 4097"),
        ("version: 1", "version: 1.0",
         "c.yaml:1:10: version: unsupported catalog version 1.0 (expected 1: this is catalog format v1)"),
        ("personal_data: false", "personal_data: no",
         "c.yaml:6:70: systems[0].personal_data: expected true or false, got 'no'"),
        ("ends: 2027-12-31", "ends: 9999-12-01",
         "c.yaml:3:51: contract.ends: expected a date from 2000-01-01 to 2100-12-31, got 9999-12-01"),
        ("notice_months: 6", "notice_months: 100000",
         "c.yaml:3:42: contract.notice_months: expected a number <= 120, got 100000"),
        ("name: App", 'name: "A\\x1bpp"',
         "c.yaml:5:21: systems[0].name: expected one line of text without control characters, got 'A\\x1bpp'"),
        ("name: App", "name: A\u0085pp",
         "c.yaml:5:21: systems[0].name: expected one line of text without control characters, got 'A\\x85pp'"),
        ("organisation: Testby", "organisation: " + "x" * 201,
         "c.yaml:2:15: organisation: expected at most 200 characters, got 201"),
    ],
)  # fmt: skip
def test_each_construct_is_one_located_error(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in BASE
    assert _errors(tmp_path, BASE.replace(old, new, 1)) == [expected]


def test_merge_keys_and_several_documents_are_rejected(tmp_path: Path) -> None:
    merged = BASE + "x-defaults: &d {a: 1}\nplanning: {<<: *d}\n"
    assert _errors(tmp_path, merged) == [
        "c.yaml:11:12: merge keys (<<) are not supported (write the keys out)"
    ]
    assert _errors(tmp_path, BASE + "---\nversion: 1\n") == [
        "c.yaml:10:1: several YAML documents in one file (use one file per document)"
    ]


@pytest.mark.parametrize(
    ("value", "meaning"), [("012", 12), ("no", "no"), ("1:20:30", "1:20:30"), ("0x1F", 31)]
)
def test_an_aliased_copy_means_the_same(tmp_path: Path, value: str, meaning: object) -> None:
    """The values of a file written with anchors equal those of its expanded copy.

    Before, yaml_rs parsed the one and libyaml (YAML 1.1) the other when aliases were many:
    ``012`` was 12 in one and 10 in the other, ``no`` text in one and false in the other.
    Now both are one YAML 1.2 parse, whatever the number of aliases.
    """
    expanded = BASE.replace("notice_months: 6", f"notice_months: {value}")
    expanded = expanded.replace(
        "servers:\n", "servers:\n" + "".join(_server(i) for i in range(1, 40))
    )
    anchored = expanded.replace("disks_gb: [64]}", "disks_gb: &disks [64]}", 1)
    anchored = anchored.replace("disks_gb: [64]}", "disks_gb: *disks}")
    assert anchored.count("*disks") == 39
    a = parsing.parse_yaml(tmp_path / "a.yaml", anchored)
    b = parsing.parse_yaml(tmp_path / "b.yaml", expanded)
    assert a == b
    assert a["contract"]["notice_months"] == meaning


def _server(i: int) -> str:
    return (
        f"  - {{id: app{i + 1:02d}, system: app, role: app, os: ubuntu-22.04, vcpu: 2, "
        "memory_gb: 4, disks_gb: [64]}\n"
    )


def test_alias_bomb_is_rejected_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "MAX_ALIAS_REPLAYS", 1000)
    bomb = BASE + "x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\ny: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
    bomb += "z: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    (message,) = _errors(tmp_path, bomb)
    assert message.startswith("c.yaml:1:1: too many alias expansions (over 1,000 replayed events")


def test_json_nan_infinity_and_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    document = yaml.safe_load(BASE)
    text = json.dumps(document, default=str, indent=1)
    assert _errors(tmp_path, text.replace('"memory_gb": 4', '"memory_gb": NaN'), "c.json") == [
        "c.json:1:1: invalid JSON: NaN is not a number a catalog may hold (only finite numbers)"
    ]
    doubled = text.replace('"vcpu": 2', '"vcpu": 2, "vcpu": 3')
    (message,) = _errors(tmp_path, doubled, "c.json")
    assert message.endswith(": vcpu: duplicate key (each key may appear once)")


def test_ten_thousand_deep_json_is_an_error_not_a_recursion_error(tmp_path: Path) -> None:
    deep = '{"a":' * 10_000 + "1" + "}" * 10_000
    assert _errors(tmp_path, deep, "c.json") == [
        "c.json:1:1: nested too deeply (a catalog needs a few levels, not thousands)"
    ]


def test_empty_catalog_is_an_error(tmp_path: Path) -> None:
    text = BASE[: BASE.index("servers:")] + "servers: []\n"
    assert _errors(tmp_path, text) == [
        "c.yaml:7:10: servers: no servers: an empty catalog has nothing to plan"
    ]


def test_pins_cannot_move_the_plan_past_2100(tmp_path: Path) -> None:
    text = BASE.replace("disks_gb: [64]}", "disks_gb: [64], pinned_wave: 2600}")
    text = text.replace("contract:", "planning: {start: 2090-01-01, wave_days: 7}\ncontract:")
    (message,) = _errors(tmp_path, text)
    assert "a server pinned to wave 2600 would move after 2100-12-31" in message


def test_devices_and_oversized_files_are_refused(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(CatalogError, match="/dev/zero: not a regular file"):
        load_catalog(Path("/dev/zero"))
    import migration.catalog.source as source

    monkeypatch.setattr(source, "MAX_FILE_BYTES", 100)
    assert _errors(tmp_path, BASE)[0].startswith("c.yaml: file is larger than 100 bytes")


def test_catalog_folder_skips_outputs_and_hidden_files(tmp_path: Path) -> None:
    inv = tmp_path / "inv"
    (inv / "build").mkdir(parents=True)
    (inv / "catalog.yaml").write_text(BASE, encoding="utf-8")
    for name in ("plan.json", "cost.json", "pins.json", "catalog.schema.json"):
        (inv / name).write_text("{}", encoding="utf-8")
    (inv / "build" / "plan.json").write_text("{}", encoding="utf-8")
    (inv / "build" / "other.json").write_text("{}", encoding="utf-8")  # inside an output folder
    (inv / "Pulumi.wave-00.yaml").write_text("config: {}\n", encoding="utf-8")
    (inv / ".hidden").mkdir()
    (inv / ".hidden" / "x.yaml").write_text("junk: [", encoding="utf-8")
    assert len(load_catalog(inv).servers) == 1


def test_imports_bound_cpus_like_the_catalog() -> None:
    """RVTools accepted CPUs = 10^20, which then crashed sizing."""
    from migration.catalog.models import VCPU_MAX
    from migration.importers.common import CellError, parse_int

    assert parse_int("4096", minimum=1, maximum=VCPU_MAX) == 4096
    with pytest.raises(CellError, match=r"expected a whole number <= 4096, got '1e20'"):
        parse_int("1e20", minimum=1, maximum=VCPU_MAX)
