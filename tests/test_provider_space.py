"""The cloud's address space avoids every address in use at the provider: the source networks
and the servers still there outside them (stacks/network/provider_space.py), on both clouds."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from migration.ipv4 import AddressRanges
from migration.plan import Plan, PlannedServer
from stacks.aws.layout import AwsOptions, vpc_cidrs
from stacks.network.addresses import _base
from stacks.network.provider_space import provider_space
from tests.builders import hand_plan

ADDRESS = st.integers(0, 4095)  # a small address space, so overlaps are common


@st.composite
def spans(draw: st.DrawFn) -> list[tuple[int, int]]:
    out = []
    for first in draw(st.lists(ADDRESS, max_size=12)):
        out.append((first, first + draw(st.integers(0, 64))))
    return out


@settings(max_examples=300, deadline=None)
@given(spans(), ADDRESS, st.integers(20, 32))
def test_overlaps_agrees_with_a_plain_scan(
    raw: list[tuple[int, int]], at: int, prefix: int
) -> None:
    """Merged ranges, bisect (migration.ipv4.AddressRanges): the same answer as checking
    every range as given."""
    net = ipaddress.IPv4Network((at, prefix), strict=False)
    lo, hi = int(net.network_address), int(net.broadcast_address)
    expected = any(first <= hi and lo <= last for first, last in raw)
    assert AddressRanges.of(raw).overlaps_network(net) == expected


def _plan(ip: str | None, migrated: bool = False) -> Plan:
    """One prod server of system `app` in wave 0, source network 10.10.0.0/16."""
    server = PlannedServer(wave=0, system="app", ip=ip, migrated=migrated)
    plan = hand_plan({"srv01": server})
    return plan.model_copy(update={"source_networks": ("10.10.0.0/16",)})


def test_a_server_outside_the_source_networks_moves_both_clouds_address_space() -> None:
    """10.100.0.5 is at the provider but in no source network: the first AWS VPC candidate
    (10.100.0.0/16) and Azure's first candidate space must not hold it."""
    plain = _plan(None)
    outside = _plan("10.100.0.5")
    assert vpc_cidrs(plain, AwsOptions())["prod"] == "10.100.0.0/16"
    assert vpc_cidrs(outside, AwsOptions())["prod"] == "10.101.0.0/16"
    azure_plain = _base(plain)
    inside = str(next(azure_plain.hosts()))  # an address of the space Azure took before
    assert not _base(_plan(inside)).overlaps(ipaddress.ip_network(f"{inside}/32"))
    assert _base(_plan(inside)) != azure_plain


def test_a_migrated_server_and_one_inside_a_source_network_change_nothing() -> None:
    """Negative: only addresses still in use outside the source networks count."""
    assert vpc_cidrs(_plan("10.100.0.5", migrated=True), AwsOptions())["prod"] == "10.100.0.0/16"
    assert vpc_cidrs(_plan("10.10.3.4"), AwsOptions())["prod"] == "10.100.0.0/16"
    assert provider_space(_plan("10.10.3.4")).ranges == (
        (int(ipaddress.IPv4Address("10.10.0.0")), int(ipaddress.IPv4Address("10.10.255.255"))),
    )


def test_plan_warns_of_a_server_outside_the_source_networks() -> None:
    """plan.json carries validate's warning (users run `plan`), naming the server; a server
    inside a source network gives none (negative)."""
    from migration.catalog import Catalog
    from tests.builders import document, plan, server, system

    def warned(ip: str) -> list[tuple[str, tuple[str, ...]]]:
        doc = document([system("app")], [server("app01", "app", ip=ip)])
        doc["source_networks"] = ["10.10.0.0/16"]
        result = plan(Catalog.model_validate(doc))
        return [(w.code, w.subjects) for w in result.warnings if "source-networks" in w.code]

    assert warned("10.100.0.5") == [("ip-outside-source-networks", ("app01",))]
    assert warned("10.10.0.5") == []
