"""Cross-reference checks on a raw catalog document: each kind of bad dependency is named,
a clean one passes (the clean case takes a quick path: these prove it lets nothing by)."""

from __future__ import annotations

from typing import Any

import pytest

from migration.catalog.checks import cross_reference_problems


def _problems(depends_on: Any) -> list[tuple[tuple[Any, ...], str]]:
    document = {
        "systems": [{"id": "app"}, {"id": "db"}],
        "servers": [
            {"id": "a1", "system": "app", "depends_on": depends_on},
            {"id": "d1", "system": "db"},
        ],
    }
    return [(loc, message) for loc, message, _ in cross_reference_problems(document)]


def test_known_distinct_targets_pass() -> None:
    assert _problems([{"to": "d1"}]) == []
    assert _problems([]) == []
    assert _problems(None) == []


@pytest.mark.parametrize(
    ("depends_on", "message"),
    [
        ([{"to": "a1"}], "server 'a1' depends on itself"),
        ([{"to": "zz"}], "unknown server 'zz'"),
        (
            [{"to": "db"}],
            "unknown server 'db' (that is a system id; a server's depends_on names servers)",
        ),
        (
            [{"to": "d1"}, {"to": "d1"}],
            "second dependency on 'd1' (merge the ports into one entry)",
        ),
    ],
)
def test_each_bad_dependency_is_named(depends_on: list[Any], message: str) -> None:
    assert [m for _, m in _problems(depends_on)] == [message]


def test_malformed_entries_are_left_to_the_field_check() -> None:
    """A non-mapping entry or a non-text ``to`` is the field check's to report; the known
    target beside it still passes."""
    assert _problems(["d1", {"to": ["d1"]}, {"to": "d1"}]) == []
    assert _problems([{"to": "d1"}, "x", {"to": "zz"}]) == [
        (("servers", 0, "depends_on", 2, "to"), "unknown server 'zz'")
    ]
