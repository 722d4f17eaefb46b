"""The group-name matcher and the file side of stable group names: the matcher is
deterministic, injective, stays within a pool and keeps every recorded name that still
matches (hypothesis); files without ``groups`` load; release drops a system's groups and
named groups (``utflytt allocations release --group``), with exact CLI output."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cli import cli
from migration.allocations import (
    Allocations,
    GroupAllocation,
    ProviderAllocations,
    dumps_allocations,
    read_allocations,
    release_systems,
)
from stacks.network.stable_names import Candidate, match


def test_old_files_without_groups_still_load_and_get_them() -> None:
    old = Allocations.model_validate(
        {"version": 1, "azure": {"subnets": {"prod/a": "10.0.0.0/28"}}}
    )
    assert old.azure.groups == {}
    assert "groups" not in dumps_allocations(old)
    with pytest.raises(ValueError, match="group name"):
        ProviderAllocations.model_validate(
            {"groups": {"bad name": {"kind": "own", "system": "a", "environment": "prod"}}}
        )


def test_release_drops_a_systems_groups_and_named_groups() -> None:
    groups = {
        "a.prod": GroupAllocation(kind="own", system="a", environment="prod", members=("a1",)),
        "clients.a.prod": GroupAllocation(
            kind="client", system="a", environment="prod", members=("b1",)
        ),
        "b.prod.2": GroupAllocation(kind="own", system="b", environment="prod", members=("b1",)),
        "b.prod.3": GroupAllocation(kind="own", system="b", environment="prod", members=("b2",)),
    }
    alloc = Allocations().with_provider("aws", ProviderAllocations(groups=groups))
    left = release_systems(alloc, ["a"], groups=["b.prod.3"]).aws.groups
    assert sorted(left) == ["b.prod.2"]


# ----------------------------------------------------------------------- the matcher

names = st.sampled_from([f"g{i}" for i in range(8)])
pools = st.sampled_from([("own", "s", "prod"), ("own", "t", "prod"), ("client", "prod")])
candidates = st.dictionaries(
    names,
    st.tuples(
        pools,
        st.sampled_from(["x", "y", "z"]),
        st.frozensets(st.sampled_from([f"v{i}" for i in range(6)]), max_size=4),
    ),
    max_size=8,
)


def _cands(raw: dict[str, tuple[tuple[str, ...], str, frozenset[str]]]) -> list[Candidate]:
    return [
        Candidate(n, pool, ident, tuple(sorted(members)))
        for n, (pool, ident, members) in raw.items()
    ]


@settings(max_examples=300, deadline=None)
@given(candidates, candidates, st.randoms(use_true_random=False))
def test_the_matcher_is_deterministic_injective_and_keeps_what_still_matches(
    new_raw: dict[str, Any], rec_raw: dict[str, Any], rnd: random.Random
) -> None:
    new, rec = _cands(new_raw), _cands(rec_raw)
    found = match(new, rec)
    shuffled_new, shuffled_rec = list(new), list(rec)
    rnd.shuffle(shuffled_new)
    rnd.shuffle(shuffled_rec)
    assert match(shuffled_new, shuffled_rec) == found  # deterministic
    assert len(set(found.values())) == len(found)  # injective
    recorded = {r.name: r for r in rec}
    built = {n.name: n for n in new}
    for a, b in found.items():
        assert built[a].pool == recorded[b].pool  # never across pools
    # recorded under its own name with the same members: kept
    same = {n.name for n in new if n.name in recorded and _same(n, recorded[n.name])}
    assert all(found[n] == n for n in same)
    rest_new = [n for n in new if n.name not in same]
    rest_rec = [r for r in rec if r.name not in same]

    def unique(c: Candidate, among: list[Candidate], key: Any) -> list[Candidate]:
        return [m for m in among if key(m) == key(c)]

    for n in rest_new:  # a unique identity on both sides keeps its recorded name
        ident = lambda c: (c.pool, c.identity)  # noqa: E731
        there, here = unique(n, rest_rec, ident), unique(n, rest_new, ident)
        if len(there) == 1 and len(here) == 1:
            assert found[n.name] == there[0].name
        exact = lambda c: (c.pool, c.identity, c.members)  # noqa: E731
        there, here = unique(n, rest_rec, exact), unique(n, rest_new, exact)
        if len(there) == 1 and len(here) == 1 and n.members:  # an exact twin: kept
            assert found[n.name] == there[0].name


def _same(a: Candidate, b: Candidate) -> bool:
    return (a.pool, a.members) == (b.pool, b.members)


# ------------------------------------------------------------------ release and warning


def _file_with_groups(folder: Path) -> None:
    groups = {
        "b.prod": GroupAllocation(kind="own", system="b", environment="prod", members=("b1",)),
        "clients.b.prod.3": GroupAllocation(
            kind="client", system="b", environment="prod", members=("a1",)
        ),
    }
    folder.mkdir()
    alloc = Allocations(azure=ProviderAllocations(groups=groups))
    (folder / "allocations.json").write_text(dumps_allocations(alloc), encoding="utf-8")


def test_cli_releases_a_group_name(tmp_path: Path) -> None:
    folder = tmp_path / "stacks"
    _file_with_groups(folder)
    args = ["allocations", "release", "--group", "clients.b.prod.3", "--stack-config-dir"]
    result = CliRunner().invoke(cli, [*args, str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"released group clients.b.prod.3: 1 entry\nwrote {folder}/allocations.json\n"
    )
    assert list(read_allocations(folder / "allocations.json").azure.groups) == ["b.prod"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--group", "clients.b.prod.9"],
            "{file}: no network group clients.b.prod.9 recorded; nothing released",
        ),
        ([], "name a SYSTEM or a --group NAME to release"),
    ],
)
def test_cli_release_of_an_unknown_group_or_nothing_is_exit_1(
    tmp_path: Path, args: list[str], message: str
) -> None:
    folder = tmp_path / "stacks"
    _file_with_groups(folder)
    before = (folder / "allocations.json").read_bytes()
    result = CliRunner().invoke(
        cli, ["allocations", "release", *args, "--stack-config-dir", str(folder)]
    )
    assert result.exit_code == 1
    assert result.output == f"Error: {message.format(file=folder / 'allocations.json')}\n"
    assert (folder / "allocations.json").read_bytes() == before
