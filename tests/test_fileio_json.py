"""Canonical JSON through orjson: the bytes the standard library writes (sorted keys, two-space
indent, UTF-8), streamed member by member for plan.json, with the standard library behind it
for what orjson refuses."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from migration.fileio import dumps_json, json_bytes, json_object_writer, json_writer


def stdlib(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


# floats at or above 1e-4 in magnitude (or zero): below it Python writes 1e-05, orjson 0.00001
plain_floats = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda x: x == 0 or abs(x) >= 1e-4
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | plain_floats
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@given(values)
def test_same_text_as_the_standard_library(value: Any) -> None:
    assert dumps_json(value) == stdlib(value)


@given(st.dictionaries(st.text(), values, max_size=6))
def test_object_streamed_member_by_member_is_the_same_document(document: dict[str, Any]) -> None:
    handle = io.BytesIO()
    json_object_writer(document.keys(), document.__getitem__)(handle)
    assert handle.getvalue().decode("utf-8") == stdlib(document)
    whole = io.BytesIO()
    json_writer(lambda: document)(whole)
    assert whole.getvalue() == handle.getvalue()


def test_what_orjson_refuses_goes_through_the_standard_library() -> None:
    """Non-string keys and integers past 64 bits: written as before, not an error."""
    value = {"big": 2**70, "by_number": {2: "b", 10: "a"}}
    assert dumps_json(value) == stdlib(value)


def test_small_floats_read_back_the_same() -> None:
    """The one difference: 1e-05 is written 0.00001, the same number."""
    assert json.loads(dumps_json({"x": 1e-05})) == {"x": 1e-05}


@given(
    st.dictionaries(st.text().filter(lambda k: k not in ("rows", "more")), values, max_size=4),
    st.lists(values, max_size=12),
    st.lists(values, max_size=5),
    st.integers(1, 5),
)
def test_list_members_in_chunks_are_the_same_document(
    document: dict[str, Any], rows: list[Any], more: list[Any], size: int
) -> None:
    """exit-plan.json's checklist and runbooks encoded chunk by chunk: the bytes of the
    whole document."""

    def chunks(items: list[Any]) -> Iterator[list[Any]]:
        return (items[start : start + size] for start in range(0, len(items), size))

    streamed = json_bytes(document, {"rows": chunks(rows), "more": chunks(more)})
    assert streamed.decode() == stdlib({**document, "rows": rows, "more": more})
