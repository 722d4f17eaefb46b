"""Edges `validate` used to pass: shared and unusable server addresses (and what the
importers write instead), the cloud name check in `overlap`, and a contract that ends before
the migration starts. Exact CLI output and exit codes; each rule also shown to fire."""

from __future__ import annotations

import ipaddress
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cli import cli
from app.pipeline import plan_catalog
from migration.catalog import load_catalog
from migration.catalog.addresses import duplicate_address_problems
from migration.importers import GroupingRule, build_catalog
from migration.importers.azure_migrate import read_azure_migrate
from migration.importers.rvtools import read_rvtools
from migration.importers.testing import FakeVm, synthetic_vms, write_rvtools_csv_folder
from migration.ipv4 import server_address_problem
from tests.test_bench_generator import estate
from waves import PlanOptions

DATA = Path(__file__).parent / "data"
SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")
EXAMPLE = Path(__file__).parent.parent / "examples" / "mariehamn" / "catalog.yaml"
DB_DISKS = "    disks_gb: [128, 1000]\n"  # the last server of small.yaml, eko-db01 (line 66)


def _write(tmp_path: Path, text: str, name: str = "catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _validate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    return result.exit_code, result.output


def _invalid(*messages: str) -> str:
    count = len(messages)
    head = f"Error: catalog is invalid ({count} error{'s' if count != 1 else ''})"
    return "\n".join([head, *messages]) + "\n"


SHARED = (
    "servers[2].ip: server 'eko-db01' has the ip of server 'eko-app01' (10.10.4.21): a server "
    "still at the provider is admitted into the cloud by its own /32, so one rule would admit "
    "both; give each its own address (or mark the one that has moved migrated: true)"
)


# ------------------------------------------------------------ one address, one server


def test_two_servers_with_one_ip_are_an_error_naming_both(tmp_path: Path) -> None:
    """Both servers and both lines: the second where it is, the first after "first at"."""
    path = _write(tmp_path, SMALL.replace(DB_DISKS, DB_DISKS + "    ip: 10.10.4.21\n"))
    assert _validate(str(path)) == (1, _invalid(f"{path}:67:9: {SHARED}; first at {path}:53"))


def test_the_files_of_a_folder_share_one_address_space(tmp_path: Path) -> None:
    """A duplicate in another file of a catalog folder names both files."""
    head, servers = SMALL.split("servers:\n")
    _write(tmp_path, head + "servers:\n" + servers, "a.yaml")
    other = (
        "servers:\n  - id: eko-app02\n    system: economy\n    role: app\n"
        "    os: windows-server-2019\n    vcpu: 2\n    memory_gb: 8\n    disks_gb: [128]\n"
        "    ip: 10.10.4.21\n"
    )
    _write(tmp_path, other, "b.yaml")
    code, output = _validate(str(tmp_path))
    assert code == 1
    assert output == _invalid(
        f"{tmp_path / 'b.yaml'}:9:9: servers[3].ip: server 'eko-app02' has the ip of server "
        "'eko-app01' (10.10.4.21): a server still at the provider is admitted into the cloud "
        "by its own /32, so one rule would admit both; give each its own address (or mark "
        f"the one that has moved migrated: true); first at {tmp_path / 'a.yaml'}:53"
    )


def test_a_migrated_server_may_have_had_the_address(tmp_path: Path) -> None:
    """A server already moved is admitted by no address: another may have its old one."""
    text = SMALL.replace(DB_DISKS, DB_DISKS + "    ip: 10.10.4.21\n    migrated: true\n")
    code, output = _validate(str(_write(tmp_path, text)))
    assert code == 0, output


def test_distinct_addresses_pass(tmp_path: Path) -> None:
    path = _write(tmp_path, SMALL.replace(DB_DISKS, DB_DISKS + "    ip: 10.10.4.22\n"))
    code, output = _validate(str(path))
    assert code == 0, output


_SERVER_RECORDS = st.lists(
    st.tuples(
        st.sampled_from(["10.0.0.1", "10.0.0.2", "10.0.0.3", "::1", "bad", None]),
        st.booleans(),
    ),
    max_size=12,
)


@given(_SERVER_RECORDS)
def test_exactly_every_later_holder_of_an_address_is_reported(
    records: list[tuple[str | None, bool]],
) -> None:
    """Property: one problem per server at the provider whose (usable) ip an earlier one at
    the provider has, pointing at that first one; migrated servers and bad ips never count."""
    servers: list[dict[str, Any]] = []
    for index, (ip, migrated) in enumerate(records):
        server: dict[str, Any] = {"id": f"s{index}", "migrated": migrated}
        if ip is not None:
            server["ip"] = ip
        servers.append(server)
    first: dict[str, int] = {}
    expected = []
    for index, (ip, migrated) in enumerate(records):
        if migrated or ip is None or ip in ("::1", "bad"):
            continue
        if ip in first:
            expected.append((("servers", index, "ip"), ("servers", first[ip], "ip")))
        else:
            first[ip] = index
    found = [(loc, related) for loc, _, related in duplicate_address_problems({"servers": servers})]
    assert found == expected


def test_the_bundled_example_has_no_shared_address() -> None:
    ips = [s.ip for s in load_catalog(EXAMPLE).servers if s.ip]
    assert ips and len(ips) == len(set(ips))


@pytest.mark.parametrize(("n", "seed"), [(200, 1), (600, 7)])
def test_generated_estates_have_no_shared_address(tmp_path: Path, n: int, seed: int) -> None:
    """bench/estate.py's estates load (they give no ip), and stay valid with one distinct
    address per server; one repeated address is then exactly one error."""
    document = estate.generate(n, seed)
    assert not [s for s in document["servers"] if "ip" in s]
    for number, server in enumerate(document["servers"], start=1):
        server["ip"] = f"10.{number >> 16}.{(number >> 8) & 255}.{number & 255}"
    path = tmp_path / "estate.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert len(load_catalog(path).servers) == n
    document["servers"][-1]["ip"] = document["servers"][0]["ip"]
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    code, output = _validate(str(path))
    assert code == 1
    assert output.startswith("Error: catalog is invalid (1 error)\n")
    assert f"servers[{n - 1}].ip: server " in output


def test_synthetic_rvtools_vms_never_repeat_an_address() -> None:
    """The importer benchmark's VMs (past 64,000 the old scheme wrapped onto earlier ones)."""
    ips = [vm.primary_ip for vm in synthetic_vms(130_000)]
    assert len(set(ips)) == len(ips)
    assert all(server_address_problem(ip) is None for ip in ips)


# ----------------------------------------------------------- an address a server can have


@pytest.mark.parametrize(
    ("ip", "why"),
    [
        ("::1", "an IPv6 address: the networks utflytt plans are IPv4-only"),
        ("fd00::5", "an IPv6 address: the networks utflytt plans are IPv4-only"),
        ("::ffff:10.10.4.21", "an IPv6 address: the networks utflytt plans are IPv4-only"),
        ("0.0.0.0", "the unspecified address, or 'this network' (0.0.0.0/8)"),
        ("127.0.0.1", "a loopback address: every server has it for itself"),
        ("127.10.4.21", "a loopback address: every server has it for itself"),
        (
            "169.254.10.1",
            "a link-local address (169.254.0.0/16), not routed beyond its own segment",
        ),
        ("224.0.0.5", "a multicast address"),
        ("239.255.255.250", "a multicast address"),
        ("240.0.0.1", "a reserved or broadcast address (240.0.0.0/4)"),
        ("255.255.255.255", "a reserved or broadcast address (240.0.0.0/4)"),
        ("010.10.4.21", "not an IP address"),
    ],
)
def test_an_address_no_server_has_is_an_error(tmp_path: Path, ip: str, why: str) -> None:
    """File, line, column, field, "an IPv4 address such as 10.1.2.3", the value and why."""
    path = _write(tmp_path, SMALL.replace("    ip: 10.10.4.21\n", f"    ip: '{ip}'\n"))
    assert _validate(str(path)) == (
        1,
        _invalid(
            f"{path}:53:9: servers[1].ip: expected an IPv4 address such as 10.1.2.3, "
            f"got {ip!r} ({why})"
        ),
    )


@pytest.mark.parametrize("ip", ["10.10.4.21", "192.168.1.1", "100.64.0.1", "172.16.0.1"])
def test_private_shared_and_public_addresses_pass(tmp_path: Path, ip: str) -> None:
    path = _write(tmp_path, SMALL.replace("    ip: 10.10.4.21\n", f"    ip: {ip}\n"))
    assert load_catalog(path).servers_by_id["eko-app01"].ip == ip


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_the_rule_agrees_with_ipaddress(value: int) -> None:
    """Every IPv4 address: refused exactly when ipaddress calls it unspecified, 'this
    network', loopback, link-local, multicast or reserved."""
    address = ipaddress.IPv4Address(value)
    unusable = (
        address in ipaddress.IPv4Network("0.0.0.0/8")
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
    )
    assert (server_address_problem(str(address)) is not None) == unusable


@given(st.ip_addresses(v=6))
def test_no_ipv6_address_is_a_server_address(address: ipaddress.IPv6Address) -> None:
    assert server_address_problem(str(address)) == (
        "an IPv6 address: the networks utflytt plans are IPv4-only"
    )


# --------------------------------------------------------------------- importers


AM_HEADER = "Server Name,IP addresses,Cores,Memory (In MB),OS name,Disk 1 size (In GB)\n"


def _azure_migrate(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = [f'{name},"{ips}",2,4096,Ubuntu 22.04,64\n' for name, ips in rows]
    path = tmp_path / "am.csv"
    path.write_text(AM_HEADER + "".join(lines), encoding="utf-8")
    return path


def test_azure_migrate_takes_the_ipv4_address_and_skips_ipv6(tmp_path: Path) -> None:
    """IPv6 (even listed first), link-local and loopback are left out; the IPv4 one is kept,
    and the draft validates."""
    source = _azure_migrate(
        tmp_path,
        [
            ("gis-app01", "fe80::1c2:3ff:fe4:5; 2001:db8::5, 10.1.0.7"),
            ("gis-app02", "::1;127.0.0.1;169.254.1.1"),
        ],
    )
    result = read_azure_migrate(source)
    assert {s.name: s.ips for s in result.servers} == {
        "gis-app01": ("10.1.0.7",),
        "gis-app02": (),
    }
    draft = _write(tmp_path, build_catalog(result, GroupingRule()).text, "draft.yaml")
    servers = load_catalog(draft).servers_by_id
    assert (servers["gis-app01"].ip, servers["gis-app02"].ip) == ("10.1.0.7", None)


def test_an_address_two_vms_share_is_left_out_of_the_draft(tmp_path: Path) -> None:
    """Clones (or copies in an isolated network) with one address: neither gets it as its
    ip, a second address of its own is used instead, the report lists it, and the draft
    passes validate."""
    source = _azure_migrate(
        tmp_path,
        [("gis-app01", "10.1.0.7"), ("gis-app02", "10.1.0.7;10.1.0.8"), ("gis-db01", "10.1.0.9")],
    )
    draft = build_catalog(read_azure_migrate(source), GroupingRule())
    assert (
        "  1 address(es) held by more than one VM, left out of their ip (set it on the server "
        "that has it): 10.1.0.7 (gis-app01, gis-app02)"
    ) in draft.report.lines()
    path = _write(tmp_path, draft.text, "draft.yaml")
    code, output = _validate(str(path))
    assert code == 0, output
    servers = load_catalog(path).servers_by_id
    assert [servers[i].ip for i in ("gis-app01", "gis-app02", "gis-db01")] == [
        None,
        "10.1.0.8",
        "10.1.0.9",
    ]
    assert '# vm "gis-app01"; uuid row2; IPs 10.1.0.7\n' in draft.text


def test_rvtools_skips_an_ipv6_primary_and_unusable_nic_addresses(tmp_path: Path) -> None:
    vm = FakeVm(
        name="gis-app01",
        uuid=str(uuid.UUID(int=1)),
        nics=[("127.0.0.1", "169.254.4.4"), ("10.1.0.7",)],
        primary_ip="fe80::5",
    )
    result = read_rvtools(write_rvtools_csv_folder(tmp_path / "rv", [vm]))
    assert [s.ips for s in result.servers] == [("10.1.0.7",)]


# ------------------------------------------------------------ overlap: the name check


def _aws_catalog(tmp_path: Path, owner: str) -> Path:
    text = SMALL.replace("planning:\n", "planning:\n  target: aws\n", 1)
    return _write(tmp_path, text.replace("owner: Ekonomiavdelningen", f"owner: {owner}"))


@pytest.mark.parametrize("command", ["overlap", "cost"])
def test_commands_that_plan_refuse_a_catalog_whose_names_the_target_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """`overlap`, and `cost` without --plan, plan the catalog: as validate and plan, the
    value, why, the rule and its source, the line; nothing written."""
    monkeypatch.chdir(tmp_path)
    _aws_catalog(tmp_path, "Ekonomi & lön (ekonomi)")
    result = CliRunner().invoke(cli, [command, "catalog.yaml", "-o", "build"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: 1 cloud name or tag value derived from the catalog would be refused:\n"
        "  system economy owner: 'Ekonomi & lön (ekonomi)': characters not allowed: "
        "'&' '(' ')'\n"
        "    AWS tag value: at most 256 letters, digits, spaces and _ . : / = + - @; no space "
        "at either end (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/"
        "API_Tag.html)\n"
        "  at catalog.yaml:30: system 'economy' owner\n"
    )
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize(
    ("command", "written"), [("overlap", "overlap.json"), ("cost", "cost.json")]
)
def test_they_run_on_names_the_target_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, written: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _aws_catalog(tmp_path, "Ekonomi och lön")
    result = CliRunner().invoke(cli, [command, "catalog.yaml", "-o", "build"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "build" / written).is_file()


# ---------------------------------------------- a contract that ends before the move


def _contract(tmp_path: Path, ends: str) -> Path:
    return _write(tmp_path, SMALL.replace("  ends: 2027-12-31\n", f"  ends: {ends}\n"))


def test_validate_warns_when_the_contract_ends_before_the_migration_starts(
    tmp_path: Path,
) -> None:
    """Still valid (exit 0); the warning has both dates, what it means and the line."""
    path = _contract(tmp_path, "2026-12-31")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: {path}:7:9: contract.ends: the contract ends 2026-12-31, before the "
        "migration starts 2027-02-01 (planning.start): the city runs without a contract from "
        "2027-01-01 until its last server has left; extend the contract, or correct "
        "contract.ends\n"
    )
    json_result = CliRunner().invoke(cli, ["validate", str(path), "--json"])
    assert json_result.exit_code == 0
    assert '"line": 7' in json_result.stdout and "before the migration starts" in json_result.stdout


@pytest.mark.parametrize("ends", ["2027-02-01", "2027-12-31"])
def test_no_warning_when_the_contract_runs_at_the_start(tmp_path: Path, ends: str) -> None:
    result = CliRunner().invoke(cli, ["validate", str(_contract(tmp_path, ends))])
    assert result.exit_code == 0
    assert result.stderr == ""


def _past_deadline(tmp_path: Path, ends: str) -> list[str]:
    catalog = load_catalog(_contract(tmp_path, ends))
    plan = plan_catalog(catalog, "0" * 64, PlanOptions())
    assert [(w.start.isoformat(), w.end.isoformat()) for w in plan.waves] == [
        ("2027-02-01", "2027-02-14"),
        ("2027-02-15", "2027-02-28"),
    ]
    return [w.message for w in plan.warnings if w.code == "past-deadline"]


def test_plan_says_the_contract_ended_before_the_move(tmp_path: Path) -> None:
    assert _past_deadline(tmp_path, "2026-12-31") == [
        "the contract ends 2026-12-31, before the migration starts 2027-02-01 "
        "(planning.start): the city runs without a contract for the whole move; the plan "
        "runs 59 days past the contract end (2026-12-31): the last wave, wave-01, ends "
        "2027-02-28"
    ]


def test_plan_flags_a_last_wave_ending_after_the_contract(tmp_path: Path) -> None:
    """The deadline rule: a wave end past contract.ends is a warning with the days."""
    assert _past_deadline(tmp_path, "2027-02-20") == [
        "the plan runs 8 days past the contract end (2027-02-20): the last wave, wave-01, "
        "ends 2027-02-28"
    ]
    assert _past_deadline(tmp_path, "2027-02-28") == []
