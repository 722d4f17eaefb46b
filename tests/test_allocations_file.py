"""allocations.json as a file: a broken or hostile one is an AllocationsError naming the file
and entry (``utflytt plan`` exits 1 and writes nothing); the CLI writes it, keeps it byte
for byte, embeds it in plan.json, and ``utflytt allocations release`` gives entries back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import cli
from migration.allocations import (
    Allocations,
    AllocationsError,
    ProviderAllocations,
    ServerAllocation,
    dumps_allocations,
    read_allocations,
)
from tests.builders import document, server, system

# ------------------------------------------------------------------- broken file, CLI


BROKEN = {
    "not json": ("{", "not JSON"),
    "bad cidr": (
        '{"version": 1, "azure": {"subnets": {"prod/ad": "10.0.0.0/33"}}}',
        "not a valid allocations.json: azure.subnets: subnet prod/ad: '10.0.0.0/33' is not "
        "an IPv4 network address",
    ),
    "overlap": (
        '{"version": 1, "azure": {"subnets": {"prod/a": "10.0.0.0/27", "prod/b": "10.0.0.16/28"}}}',
        "subnets prod/a (10.0.0.0/27) and prod/b (10.0.0.16/28) overlap",
    ),
    "same ip": (
        '{"version": 1, "azure": {"servers": {"a": {"system": "s", "environment": "prod", '
        '"ip": "10.0.0.4"}, "b": {"system": "s", "environment": "prod", "ip": "10.0.0.4"}}}}',
        "servers a and b both have ip 10.0.0.4",
    ),
    "unknown key": ('{"version": 1, "gcp": {}}', "gcp: Extra inputs are not permitted"),
    "long computer name": (
        '{"version": 1, "azure": {"servers": {"a": {"system": "s", "environment": "prod", '
        '"computer_name": "a-much-too-long-name"}}}}',
        "'a-much-too-long-name' is not a Windows computer name",
    ),
    # plan.json carries the allocations and is read strictly: a control character or an
    # endless text here would make `plan` write a plan.json it then refuses to read
    "control character": (
        '{"version": 1, "azure": {"servers": {"a": {"system": "s\\u001b", '
        '"environment": "prod"}}}}',
        "azure.servers.a.system: expected one line of text of at most 200 characters, got 's\\x1b'",
    ),
    "endless text": (
        '{"version": 1, "azure": {"servers": {"a": {"system": "' + "s" * 300 + '", '
        '"environment": "prod"}}}}',
        "azure.servers.a.system: expected ",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_is_an_error_naming_file_and_entry(case: str, tmp_path: Path) -> None:
    text, expected = BROKEN[case]
    path = tmp_path / "allocations.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AllocationsError) as info:
        read_allocations(path)
    assert str(info.value).startswith(f"{path}")
    assert expected in str(info.value)


def test_an_absent_file_is_a_first_plan(tmp_path: Path) -> None:
    assert read_allocations(tmp_path / "allocations.json") == Allocations()


SMALL_SYSTEMS = [
    system("ad", foundation=True, level="shared"),
    system("app", disposition="rebuild"),
]
SMALL_SERVERS = [server("dc01", "ad"), server("app01", "app", os="windows-server-2022")]


def _small_catalog(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(
        json.dumps(document(SMALL_SYSTEMS, SMALL_SERVERS), default=str), encoding="utf-8"
    )
    return path


def test_cli_corrupted_allocations_exit_1_and_nothing_written(tmp_path: Path) -> None:
    """`utflytt plan` with a broken allocations.json: exit 1, the message, no file written
    (the stack-config folder keeps only the broken file, no build folder appears)."""
    cat = _small_catalog(tmp_path)
    configs = tmp_path / "stacks"
    configs.mkdir()
    (configs / "allocations.json").write_text('{"version": 2}', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["plan", str(cat), "-o", str(tmp_path / "build"), "--stack-config-dir", str(configs)]
    )
    assert result.exit_code == 1
    assert result.output.endswith(
        f"Error: {configs}/allocations.json: not a valid allocations.json: version: Input "
        "should be 1 (1 problem; fix or restore the committed file)\n"
    )
    assert sorted(p.name for p in configs.iterdir()) == ["allocations.json"]
    assert not (tmp_path / "build").exists()


def test_cli_writes_then_keeps_allocations_and_plan_json_carries_them(tmp_path: Path) -> None:
    """First run writes allocations.json (and says so); plan.json carries the same entries
    for the stacks; a second run leaves the file byte for byte as it was."""
    cat = _small_catalog(tmp_path)
    configs = tmp_path / "stacks"
    args = ["plan", str(cat), "-o", str(tmp_path / "build"), "--stack-config-dir", str(configs)]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert first.output.endswith(f"allocations: updated {configs}/allocations.json\n")
    text = (configs / "allocations.json").read_text(encoding="utf-8")
    stored = read_allocations(configs / "allocations.json")
    plan = json.loads((tmp_path / "build" / "plan.json").read_text(encoding="utf-8"))
    assert Allocations.model_validate(plan["allocations"]) == stored
    assert stored.azure.servers["app01"].computer_name == "app01"
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 0 and "allocations:" not in second.output
    assert (configs / "allocations.json").read_text(encoding="utf-8") == text


def _two_systems(folder: Path) -> str:
    text = dumps_allocations(
        Allocations(
            azure=ProviderAllocations(
                subnets={"prod/old": "10.202.0.0/28", "prod/ad": "10.202.0.16/28"},
                servers={
                    "old1": ServerAllocation(system="old", environment="prod", ip="10.202.0.4"),
                    "dc01": ServerAllocation(system="ad", environment="prod", ip="10.202.0.20"),
                },
            )
        )
    )
    folder.mkdir()
    (folder / "allocations.json").write_text(text, encoding="utf-8")
    return text


def test_cli_release_drops_only_the_named_systems_entries(tmp_path: Path) -> None:
    folder = tmp_path / "stacks"
    _two_systems(folder)
    result = CliRunner().invoke(
        cli, ["allocations", "release", "old", "--stack-config-dir", str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"released old: 2 entries\nwrote {folder}/allocations.json\n"
    left = read_allocations(folder / "allocations.json").azure
    assert left.subnets == {"prod/ad": "10.202.0.16/28"} and list(left.servers) == ["dc01"]


def test_cli_release_of_an_unknown_system_is_exit_1_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "stacks"
    text = _two_systems(folder)
    result = CliRunner().invoke(
        cli, ["allocations", "release", "old", "nope", "--stack-config-dir", str(folder)]
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {folder}/allocations.json: no entries for nope (known: ad, old); "
        "nothing released\n"
    )
    assert (folder / "allocations.json").read_text(encoding="utf-8") == text


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
CIDRISH = st.from_regex(
    r"(10\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/[0-9]{1,2})|.{0,12}", fullmatch=True
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        JSON,
        st.fixed_dictionaries(
            {
                "version": st.sampled_from([1, 1, 2, "1"]),
                "azure": st.fixed_dictionaries(
                    {
                        "address_space": CIDRISH,
                        "subnets": st.dictionaries(
                            st.sampled_from(["prod/a", "test/b", "prod/a/gateway", "x", "a/b/c/d"]),
                            CIDRISH,
                        ),
                        "servers": st.dictionaries(
                            st.sampled_from(["s1", "s2"]),
                            st.fixed_dictionaries(
                                {"system": st.text(max_size=3), "environment": st.just("prod")},
                                optional={"ip": CIDRISH, "computer_name": st.text(max_size=17)},
                            ),
                        ),
                    }
                ),
            }
        ),
    )
)
def test_hostile_files_load_or_fail_with_an_allocations_error(tmp_path: Path, data: object) -> None:
    """Any JSON: either valid allocations (which then dump and load back equal) or an
    AllocationsError naming the file; never another exception."""
    path = tmp_path / "allocations.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    try:
        loaded = read_allocations(path)
    except AllocationsError as exc:
        assert str(exc).startswith(str(path))
        return
    again = tmp_path / "again.json"
    again.write_text(dumps_allocations(loaded), encoding="utf-8")
    assert read_allocations(again) == loaded


def test_a_what_if_keeps_the_projects_allocations_and_writes_none(tmp_path: Path) -> None:
    """`utflytt plan --retire` in a project: its plan.json carries the project's kept
    entries (here a hand-moved subnet and IP), and allocations.json is not rewritten."""
    project = tmp_path / "project"
    assert CliRunner().invoke(cli, ["init", str(project)]).exit_code == 0
    cat = project / "catalog.yaml"
    cat.write_text(_small_catalog(tmp_path).read_text(encoding="utf-8"), encoding="utf-8")
    build = project / "build"
    assert CliRunner().invoke(cli, ["plan", str(cat), "-o", str(build)]).exit_code == 0
    kept = project / "stacks" / "allocations.json"
    data = json.loads(kept.read_text(encoding="utf-8"))
    data["azure"]["subnets"]["prod/ad"] = "10.202.1.0/28"
    data["azure"]["servers"]["dc01"]["ip"] = "10.202.1.4"
    kept.write_text(json.dumps(data), encoding="utf-8")
    before = kept.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["plan", str(cat), "-o", str(build), "--retire", "app"])
    assert result.exit_code == 0, result.output
    plan = json.loads((build / "plan.json").read_text(encoding="utf-8"))
    assert plan["allocations"]["azure"]["subnets"]["prod/ad"] == "10.202.1.0/28"
    assert plan["allocations"]["azure"]["servers"]["dc01"]["ip"] == "10.202.1.4"
    assert kept.read_text(encoding="utf-8") == before
