"""The one Markdown escape: one line, no HTML, no emphasis, no links, no column breaks."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from migration.tables import escape_markdown

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _reference(value: object) -> str:
    """The escape as first written: whitespace runs to one space, & as an entity, then a
    backslash before each special."""
    text = " ".join(str(value).split()).replace("&", "&amp;")
    return _SPECIAL.sub(r"\\\1", text)


def test_specials_entities_and_whitespace() -> None:
    assert escape_markdown("a|b") == "a\\|b"
    assert escape_markdown("<script>&") == "\\<script\\>&amp;"
    assert escape_markdown(" two\t\nlines\u00a0 here ") == "two lines here"
    assert (
        escape_markdown("[x](y) *z* _w_ `v` #1 \\")
        == "\\[x\\](y) \\*z\\* \\_w\\_ \\`v\\` \\#1 \\\\"
    )


def test_plain_text_is_returned_as_it_is() -> None:
    assert escape_markdown("srv-00001") == "srv-00001"
    assert escape_markdown("") == ""
    assert escape_markdown(42) == "42"


_TEXTS = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\\`*_[]<>|#&-. \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u3000")),
        st.characters(),
    )
)


@given(_TEXTS)
def test_the_same_text_as_the_reference_escape(text: str) -> None:
    assert escape_markdown(text) == _reference(text)


@given(_TEXTS)
def test_no_special_is_left_unescaped_and_no_line_break_is_left(text: str) -> None:
    out = escape_markdown(text)
    assert "\n" not in out and "|" not in out.replace("\\|", "")
    assert "<" not in out.replace("\\<", "")
