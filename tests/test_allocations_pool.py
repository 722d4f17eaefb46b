"""The one allocation rule (stacks/allocations.py) on its own: first-fit aligned blocks that
never overlap, stay inside their network and never move once kept; private IPs kept or
handed out lowest-first; Windows computer names kept, unique and at most 15 characters."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stacks.allocations import AddressPool, assign_hosts
from stacks.names import allocate_computer_names


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=24, max_value=28), min_size=1, max_size=60),
    st.lists(st.integers(min_value=0, max_value=59), max_size=20),
)
def test_pool_blocks_never_overlap_stay_inside_and_kept_ones_never_move(
    prefixes: list[int], drop: list[int]
) -> None:
    """First fit: aligned, inside the network, disjoint; re-planning with some blocks
    released and new ones asked for keeps every surviving block where it was."""
    network = ipaddress.IPv4Network("10.202.0.0/20")
    pool = AddressPool(network)
    blocks = [b for b in (pool.take(p) for p in prefixes) if b is not None]
    check_disjoint_inside(blocks, network)
    survivors = [b for i, b in enumerate(blocks) if i not in set(drop)]
    again = AddressPool(network, survivors)
    assert [again.keep_or_take(str(b), 28) for b in survivors] == survivors
    more = [b for b in (again.take(p) for p in prefixes) if b is not None]
    check_disjoint_inside(survivors + more, network)


def test_pool_fills_holes_and_refuses_overlap() -> None:
    pool = AddressPool("10.0.0.0/24", ["10.0.0.16/28"])
    assert str(pool.take(28)) == "10.0.0.0/28"
    assert str(pool.take(27)) == "10.0.0.32/27"
    assert str(pool.take(28)) == "10.0.0.64/28"
    with pytest.raises(ValueError, match="overlaps"):
        pool.reserve("10.0.0.0/26")
    with pytest.raises(ValueError, match="outside"):
        pool.reserve("10.0.1.0/28")
    assert AddressPool("10.0.0.0/28").take(27) is None


def test_hosts_keep_their_address_and_new_ones_fill_the_lowest_free() -> None:
    kept = {"b": "10.0.0.6", "x": "10.0.0.99"}  # x: outside the subnet, re-addressed
    got = assign_hosts("10.0.0.0/28", ["a", "b", "c", "x"], kept, taken=["10.0.0.4"])
    assert got == {"a": "10.0.0.5", "b": "10.0.0.6", "c": "10.0.0.7", "x": "10.0.0.8"}
    assert assign_hosts("10.0.0.0/29", ["a", "b", "c", "d"], {}) is None


def check_disjoint_inside(blocks: list[ipaddress.IPv4Network], network: Any) -> None:
    for block in blocks:
        assert block.subnet_of(network)
        assert int(block.network_address) % block.num_addresses == 0
    ordered = sorted(blocks)
    for a, b in zip(ordered, ordered[1:], strict=False):
        assert not a.overlaps(b), (a, b)


def test_computer_names_are_kept_unique_and_a_clash_gets_a_variant() -> None:
    kept = {"longservername-a1": "longser-1234567"}
    names = allocate_computer_names(
        ["longservername-a1", "web01", "WEB01", "newserver"],
        kept,
        held=["newserver"],  # a server that left holds the name
    )
    assert names["longservername-a1"] == "longser-1234567"
    assert names["WEB01"] == "WEB01" and names["web01"].startswith("web01-")  # id order
    assert names["newserver"] != "newserver" and names["newserver"].startswith("newserv-")
    assert all(len(n) <= 15 for n in names.values())
    assert len({n.lower() for n in names.values()}) == 4
