"""migration.ipv4: the fast address reads and writes agree with ipaddress exactly."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from migration.ipv4 import ipv4_int, ipv4_text, is_canonical

OCTET_TEXT = st.one_of(
    st.integers(0, 300).map(str),
    st.from_regex(r"0[0-9]{1,3}", fullmatch=True),  # leading zeros: ipaddress rejects them
    st.text(alphabet="0123456789١٢x -+", min_size=0, max_size=4),  # other digits, signs
)
DOTTED = st.lists(OCTET_TEXT, min_size=3, max_size=5).map(".".join)


def _reference(text: str) -> int | str:
    try:
        return int(ipaddress.IPv4Address(text))
    except ValueError:
        return "ValueError"


def _fast(text: str) -> int | str:
    try:
        return ipv4_int(text)
    except ValueError:
        return "ValueError"


@given(st.one_of(DOTTED, st.text(max_size=20)))
def test_reads_exactly_as_ipaddress(text: str) -> None:
    assert _fast(text) == _reference(text)
    canonical = _reference(text) != "ValueError" and str(ipaddress.IPv4Address(text)) == text
    assert is_canonical(text) == canonical


@given(st.integers(0, 2**32 - 1))
def test_writes_exactly_as_ipaddress(value: int) -> None:
    text = ipv4_text(value)
    assert text == str(ipaddress.IPv4Address(value))
    assert is_canonical(text) and ipv4_int(text) == value


@pytest.mark.parametrize("text", ["010.0.0.1", "1.2.3.256", "1.2.3", "1.2.3.4 ", "١.2.3.4"])
def test_not_canonical_is_left_to_ipaddress(text: str) -> None:
    assert not is_canonical(text)
    with pytest.raises(ValueError):
        ipv4_int(text)


def test_out_of_range_int_raises_as_ipaddress() -> None:
    with pytest.raises(ValueError):
        ipv4_text(2**32)
