"""``source_networks``: IPv4 networks a provider can have, none listed twice or inside
another, and a warning for a server still at the provider outside all of them.

Exact CLI output and exit codes of ``utflytt validate``; each rule shown to fire and to stay
quiet; the containment check against :mod:`ipaddress`; the example and a generated estate
pass."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cli import cli
from migration.catalog import load_catalog
from migration.catalog.networks import (
    OUTSIDE_CODE,
    nested_network_problems,
    nested_networks,
    outside_source_networks,
)
from migration.ipv4 import ipv4_int, ipv4_text, provider_network_problem, server_address_problem
from tests.test_bench_generator import estate

DATA = Path(__file__).parent / "data"
SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")
EXAMPLE = Path(__file__).parent.parent / "examples" / "mariehamn" / "catalog.yaml"
LINE = "source_networks: [10.10.0.0/16]\n"  # line 10 of small.yaml
ROUTE = "routes and prefix lists built from both would be duplicated"
EXPECTED = "expected an IPv4 network in CIDR form such as 10.10.0.0/16"


def _catalog(tmp_path: Path, networks: list[str], old: str = LINE) -> Path:
    assert old in SMALL
    listed = "".join(f"  - {n}\n" for n in networks)
    path = tmp_path / "catalog.yaml"
    path.write_text(SMALL.replace(old, "source_networks:\n" + listed), encoding="utf-8")
    return path


def _addressed_estate(tmp_path: Path, n: int, seed: int, first: str) -> Path:
    """A generated estate (which has no addresses) with each server given its own ip,
    counting up from ``first``."""
    document = estate.generate(n, seed)
    start = ipv4_int(first)
    for index, server in enumerate(document["servers"]):
        server["ip"] = ipv4_text(start + index)
    path = tmp_path / "estate.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    return path


def _validate(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    return result.exit_code, result.stdout, result.stderr


def _invalid(*messages: str) -> str:
    count = len(messages)
    head = f"Error: catalog is invalid ({count} error{'s' if count != 1 else ''})"
    return "\n".join([head, *messages]) + "\n"


# ------------------------------------------------------------ networks a provider can have


@pytest.mark.parametrize(
    ("network", "why"),
    [
        ("fd00::/8", "an IPv6 network: the networks utflytt plans are IPv4-only"),
        ("0.0.0.0/0", "every address, the default route: not a network at the provider"),
        ("0.0.0.0/8", "it holds the unspecified address, or 'this network' (0.0.0.0/8)"),
        ("127.0.0.0/8", "it holds a loopback address: every server has it for itself"),
        (
            "169.254.0.0/16",
            "it holds a link-local address (169.254.0.0/16), not routed beyond its own segment",
        ),
        ("224.0.0.0/4", "it holds a multicast address"),
        ("240.0.0.0/4", "it holds a reserved or broadcast address (240.0.0.0/4)"),
        ("255.255.255.255/32", "it holds a reserved or broadcast address (240.0.0.0/4)"),
        (
            "128.0.0.0/1",
            "it holds a link-local address (169.254.0.0/16), not routed beyond its own segment",
        ),
    ],
)
def test_a_network_no_provider_has_is_an_error_with_its_line(
    tmp_path: Path, network: str, why: str
) -> None:
    """Line 11 (the one entry); the server ip rule's wording, for a network."""
    path = _catalog(tmp_path, [network])
    code, out, err = _validate(str(path))
    message = f"{path}:11:5: source_networks[0]: {EXPECTED}, got {network!r} ({why})"
    assert (code, out, err) == (1, "", _invalid(message))


@pytest.mark.parametrize(
    "network", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "1.0.0.0/8"]
)
def test_private_shared_and_public_networks_pass(network: str) -> None:
    """Negative: the rule leaves alone what can be a provider's network."""
    assert provider_network_problem(ipaddress.ip_network(network)) is None


@given(st.integers(0, 2**32 - 1), st.integers(0, 32))
def test_a_network_is_refused_exactly_when_one_of_its_addresses_is(value: int, plen: int) -> None:
    """One rule: a network passes when its first and last address, and so (the refused
    ranges are whole /8, /16 and /4 blocks) every address in it, can be a server's."""
    network = ipaddress.IPv4Network((value, plen), strict=False)
    first, last = network.network_address, network.broadcast_address
    server_ok = server_address_problem(str(first)) is None and (
        server_address_problem(str(last)) is None
    )
    spans_hole = any(
        network.overlaps(ipaddress.IPv4Network(hole))
        for hole in ("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3")
    )
    assert (provider_network_problem(network) is None) == (server_ok and not spans_hole)


# ------------------------------------------------------------ listed twice, or nested


def test_a_network_inside_another_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    """The narrower one where it is, the wider one's line in the message (listed after)."""
    path = _catalog(tmp_path, ["10.20.0.0/16", "10.10.4.0/24", "10.10.0.0/16"])
    message = (
        f"{path}:12:5: source_networks[1]: 10.10.4.0/24 lies inside 10.10.0.0/16 "
        f"({path}:13): list the wider one once ({ROUTE})"
    )
    assert _validate(str(path)) == (1, "", _invalid(message))


def test_a_network_listed_twice_is_an_error_naming_the_first(tmp_path: Path) -> None:
    path = _catalog(tmp_path, ["10.10.0.0/16", "10.10.0.0/16"])
    message = (
        f"{path}:12:5: source_networks[1]: source network 10.10.0.0/16 is listed twice "
        f"(first at {path}:11): list it once ({ROUTE})"
    )
    assert _validate(str(path)) == (1, "", _invalid(message))


def test_nesting_is_reported_with_the_field_errors_of_the_same_run(tmp_path: Path) -> None:
    """A refused entry is the field check's; the nesting of the others is still reported."""
    path = _catalog(tmp_path, ["fd00::/8", "10.10.0.0/16", "10.10.0.0/17"])
    code, _, err = _validate(str(path))
    assert code == 1
    assert err.splitlines()[1:] == [
        f"{path}:11:5: source_networks[0]: {EXPECTED}, got 'fd00::/8' "
        "(an IPv6 network: the networks utflytt plans are IPv4-only)",
        f"{path}:13:5: source_networks[2]: 10.10.0.0/17 lies inside 10.10.0.0/16 "
        f"({path}:12): list the wider one once ({ROUTE})",
    ]


def test_neighbouring_networks_are_not_nested() -> None:
    """Negative: adjacent and disjoint networks pass, in any order."""
    document = {"source_networks": ["10.10.1.0/24", "10.10.0.0/24", "10.20.0.0/16", "10.32.0.0/12"]}
    assert list(nested_network_problems(document)) == []


networks_st = st.lists(
    st.builds(
        lambda value, plen: ipaddress.IPv4Network((value, plen), strict=False),
        st.integers(0, 2**32 - 1),
        st.integers(0, 32),
    ),
    max_size=30,
)


@settings(max_examples=300)
@given(networks_st)
def test_containment_agrees_with_ipaddress_subnet_of(networks: list[ipaddress.IPv4Network]) -> None:
    """Exactly the entries inside another (or repeating an earlier one) are reported, each
    with an entry that holds it, the widest there is (the first listed of equal ones)."""
    found = dict(nested_networks(networks))

    def inside(i: int, j: int) -> bool:
        a, b = networks[i], networks[j]
        return i != j and a.subnet_of(b) and (a != b or j < i)

    expected = {i for i in range(len(networks)) if any(inside(i, j) for j in range(len(networks)))}
    assert set(found) == expected
    for inner, wider in found.items():
        assert inside(inner, wider)
        holders = [j for j in range(len(networks)) if inside(inner, j)]
        widest = min(networks[j].prefixlen for j in holders)
        assert networks[wider].prefixlen == widest
        assert wider == min(j for j in holders if networks[j].prefixlen == widest)


# ------------------------------------------------------------ servers outside them

OUTSIDE = (
    "servers[1].ip: server 'eko-app01' at 10.10.4.21 lies outside every source network "
    "(10.20.0.0/16, 192.168.0.0/24): the hybrid connection does not route it, so flows "
    "between it and the cloud cannot work; add its network to source_networks, or correct "
    f"its ip ({OUTSIDE_CODE})"
)


def test_a_server_outside_every_source_network_is_a_warning(tmp_path: Path) -> None:
    """Exit 0; the warning on stderr at the line of the server's ip (line 55)."""
    path = _catalog(tmp_path, ["10.20.0.0/16", "192.168.0.0/24"])
    code, out, err = _validate(str(path))
    assert code == 0
    assert out.startswith(f"{path}: valid catalog\n")
    assert err == f"warning: {path}:55:9: {OUTSIDE}\n"


def test_the_warning_is_in_json_with_its_place(tmp_path: Path) -> None:
    path = _catalog(tmp_path, ["10.20.0.0/16", "192.168.0.0/24"])
    code, out, _ = _validate(str(path), "--json")
    document = json.loads(out)
    assert code == 0
    assert document["warnings"] == [f"{path}:55:9: {OUTSIDE}"]
    assert [(i["line"], i["path"]) for i in document["warning_issues"]] == [(55, "servers[1].ip")]


def test_inside_migrated_or_without_source_networks_no_warning(tmp_path: Path) -> None:
    """Negative: inside a network, moved already, or no source networks at all."""
    assert _validate(str(_catalog(tmp_path, ["10.10.4.0/24"])))[2] == ""
    moved = SMALL.replace("    ip: 10.10.4.21\n", "    ip: 10.10.4.21\n    migrated: true\n")
    (tmp_path / "moved.yaml").write_text(
        moved.replace(LINE, "source_networks: [10.20.0.0/16]\n"), encoding="utf-8"
    )
    assert _validate(str(tmp_path / "moved.yaml"))[2] == ""
    (tmp_path / "none.yaml").write_text(SMALL.replace(LINE, ""), encoding="utf-8")
    code, _, err = _validate(str(tmp_path / "none.yaml"))
    assert (code, err) == (0, "")


def test_many_warnings_are_grouped_under_their_code(tmp_path: Path) -> None:
    """A generated estate whose source network holds none of its servers: one group with
    the count and the first 20; -v lists every one."""
    path = _addressed_estate(tmp_path, 300, 3, "192.168.0.1")  # source network: 10.0.0.0/8
    catalog = load_catalog(path)
    expected = [s for s in catalog.servers if not s.migrated and s.ip is not None]
    assert len(expected) > 20
    code, _, err = _validate(str(path))
    lines = err.splitlines()
    assert code == 0
    assert lines[0] == f"warning: {OUTSIDE_CODE}: {len(expected)} warnings, the first 20:"
    assert all(OUTSIDE_CODE in line for line in lines[1:21])
    assert lines[21:] == [f"... and {len(expected) - 20} more (-v or --json lists all)"]
    _, _, verbose = _validate(str(path), "-v")
    assert len([x for x in verbose.splitlines() if OUTSIDE_CODE in x]) == len(expected)


# ------------------------------------------------------------ real estates pass


def test_the_example_passes_with_no_source_network_warning() -> None:
    code, _, err = _validate(str(EXAMPLE))
    assert code == 0
    assert OUTSIDE_CODE not in err
    assert outside_source_networks(load_catalog(EXAMPLE)) == []


def test_a_generated_estate_passes_with_no_source_network_warning(tmp_path: Path) -> None:
    path = _addressed_estate(tmp_path, 500, 11, "10.1.2.1")
    catalog = load_catalog(path)
    assert catalog.source_networks == ("10.0.0.0/8",)
    assert all(s.ip for s in catalog.servers)
    assert outside_source_networks(catalog) == []
    assert _validate(str(path))[::2] == (0, "")
