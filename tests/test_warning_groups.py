"""Warnings grouped by code: counts add up, examples are the first of each code in order,
most frequent code first."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from migration.warning_groups import group_by_code


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.integers()), max_size=60), st.integers(1, 6))
def test_groups_lose_nothing_and_keep_the_first_examples(
    items: list[tuple[str, int]], examples: int
) -> None:
    groups = group_by_code(items, lambda item: item[0], examples)
    assert sum(g.count for g in groups) == len(items)
    assert sorted(g.code for g in groups) == sorted({code for code, _ in items})
    for group in groups:
        mine = [item for item in items if item[0] == group.code]
        assert group.count == len(mine)
        assert list(group.examples) == mine[:examples]
        assert group.more == max(0, len(mine) - examples)
    assert [(-g.count, g.code) for g in groups] == sorted((-g.count, g.code) for g in groups)


def test_most_frequent_first_then_by_code() -> None:
    items = ["b", "a", "c", "c", "b", "c"]
    groups = group_by_code(items, lambda code: code, examples=1)
    assert [(g.code, g.count, g.more) for g in groups] == [("c", 3, 2), ("b", 2, 1), ("a", 1, 0)]
