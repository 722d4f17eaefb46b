"""Every kind of bad catalog gives exit 1, the exact message with file:line:column and field,
no traceback, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli

SMALL = Path(__file__).parent / "data" / "small.yaml"

# (case, text to replace in tests/data/small.yaml (None: whole file), replacement, messages)
CASES = [
    (
        "yaml-syntax",
        "    vcpu: 2\n",
        "    vcpu: [2\n",
        [
            "{f}:43:14: invalid YAML: did not find expected ',' or ']' "
            "(while parsing a flow sequence started at line 42)"
        ],
    ),
    (
        "top-level-list",
        None,
        "- version: 1\n",
        [
            "{f}:1:1: expected a mapping at the top level (version: 1, organisation: ...), got a list"
        ],
    ),
    (
        "version",
        "version: 1\n",
        "version: 2\n",
        [
            "{f}:1:10: version: unsupported catalog version, got 2 (expected 1: this is catalog format v1)"
        ],
    ),
    (
        "typo-top",
        "currency: EUR\n",
        "curency: EUR\n",
        [
            "{f}:3:1: curency: unknown field 'curency'; did you mean 'currency'? (expected one of: version, organisation, currency, contract, source_networks, planning, systems, servers, approvals, cost)"
        ],
    ),
    (
        "typo-contract",
        "  notice_months: 6\n",
        "  notice_month: 6\n",
        [
            "{f}:5:3: contract.notice_months: required field is missing",
            "{f}:6:3: contract.notice_month: unknown field 'notice_month'; did you mean 'notice_months'? (expected one of: provider, notice_months, ends, monthly_base_fee, exit_fee)",
        ],
    ),
    (
        "typo-blackout",
        "reason: Semester}",
        "reson: Semester}",
        [
            "{f}:13:50: planning.blackouts[0].reson: unknown field 'reson'; did you mean 'reason'? (expected one of: from, to, reason)"
        ],
    ),
    (
        "typo-dependency",
        "        latency_sensitive: true\n",
        "        latency_sensitve: true\n",
        [
            "{f}:59:9: servers[1].depends_on[0].latency_sensitve: unknown field 'latency_sensitve'; did you mean 'latency_sensitive'? (expected one of: to, ports, latency_sensitive, weight)"
        ],
    ),
    (
        "typo-licences",
        "sql: standard}",
        "sqll: standard}",
        [
            "{f}:68:50: servers[2].licences.sqll: unknown field 'sqll'; did you mean 'sql'? (expected one of: windows_software_assurance, sql, sql_software_assurance)"
        ],
    ),
    (
        "missing-field",
        "    owner: IT-enheten\n",
        "",
        ["{f}:15:5: systems[0].owner: required field is missing"],
    ),
    (
        "wrong-type",
        "    vcpu: 2\n",
        "    vcpu: two\n",
        ["{f}:42:11: servers[0].vcpu: expected a whole number, got 'two'"],
    ),
    (
        "dangling-system",
        "    system: ad\n",
        "    system: ad-old\n",
        ["{f}:39:13: servers[0].system: unknown system 'ad-old'"],
    ),
    (
        "dangling-server",
        "      - to: eko-db01\n",
        "      - to: eko-db02\n",
        ["{f}:57:13: servers[1].depends_on[0].to: unknown server 'eko-db02'"],
    ),
    (
        "self-dependency",
        "      - to: eko-db01\n",
        "      - to: eko-app01\n",
        ["{f}:57:13: servers[1].depends_on[0].to: server 'eko-app01' depends on itself"],
    ),
    (
        "duplicate-id",
        "  - id: eko-db01\n",
        "  - id: eko-app01\n",
        [
            "{f}:57:13: servers[1].depends_on[0].to: unknown server 'eko-db01'",
            "{f}:60:9: servers[2].id: duplicate id 'eko-app01' (ids are unique across systems and servers); first at {f}:46",
        ],
    ),
    (
        "tcp-0",
        "tcp/1433",
        "tcp/0",
        [
            "{f}:58:17: servers[1].depends_on[0].ports[0]: expected port numbers 1..65535, got 'tcp/0'"
        ],
    ),
    (
        "tcp-70000",
        "tcp/1433",
        "tcp/70000",
        [
            "{f}:58:17: servers[1].depends_on[0].ports[0]: expected port numbers 1..65535, got 'tcp/70000'"
        ],
    ),
    (
        "icmp",
        "tcp/1433",
        "icmp/1",
        [
            "{f}:58:17: servers[1].depends_on[0].ports[0]: expected a port like tcp/443, udp/53 or tcp/8000-8100, got 'icmp/1'"
        ],
    ),
    (
        "range-reversed",
        "tcp/1433",
        "tcp/20-10",
        [
            "{f}:58:17: servers[1].depends_on[0].ports[0]: expected a range low-high, got 'tcp/20-10' (ends before it starts)"
        ],
    ),
    (
        "vcpu-zero",
        "    vcpu: 2\n",
        "    vcpu: 0\n",
        ["{f}:42:11: servers[0].vcpu: expected a number >= 1, got 0"],
    ),
    (
        "memory-negative",
        "    memory_gb: 8\n",
        "    memory_gb: -8\n",
        ["{f}:43:16: servers[0].memory_gb: expected a number > 0, got -8"],
    ),
    (
        "disk-zero",
        "    disks_gb: [128]\n",
        "    disks_gb: [0]\n",
        ["{f}:44:16: servers[0].disks_gb[0]: expected a number > 0, got 0"],
    ),
    (
        "p95",
        "    monthly_cost: 90.0\n",
        "    monthly_cost: 90.0\n    cpu_p95: 1.5\n",
        ["{f}:46:14: servers[0].cpu_p95: expected a number <= 1, got 1.5"],
    ),
    (
        "blackout-order",
        "{from: 2027-06-20, to: 2027-08-10",
        "{from: 2027-08-20, to: 2027-08-10",
        [
            "{f}:13:15: planning.blackouts[0]: expected 'to' on or after 'from', got from 2027-08-20 to 2027-08-10"
        ],
    ),
    (
        "impossible-date",
        "  start: 2027-02-01\n",
        "  start: 2027-02-30\n",
        ["{f}:12:10: planning.start: expected a real date as YYYY-MM-DD, got '2027-02-30'"],
    ),
    (
        "bad-ip",
        "    ip: 10.10.4.21\n",
        "    ip: 10.10.4.321\n",
        [
            "{f}:53:9: servers[1].ip: expected an IPv4 address such as 10.1.2.3, got '10.10.4.321' (not an IP address)"
        ],
    ),
    (
        "bad-cidr",
        "[10.10.0.0/16]",
        "[10.10.0.1/16]",
        [
            "{f}:10:19: source_networks[0]: expected a network in CIDR form like 10.10.0.0/16, got '10.10.0.1/16'"
        ],
    ),
    (
        "id-capitals",
        "  - id: dc01\n",
        "  - id: DC01\n",
        [
            "{f}:38:9: servers[0].id: expected a slug of lower-case letters, digits and '-', 1-63 characters, starting with a letter or digit, got 'DC01'"
        ],
    ),
    (
        "id-space",
        "  - id: dc01\n",
        "  - id: dc 01\n",
        [
            "{f}:38:9: servers[0].id: expected a slug of lower-case letters, digits and '-', 1-63 characters, starting with a letter or digit, got 'dc 01'"
        ],
    ),
    (
        "id-70",
        "  - id: dc01\n",
        "  - id: dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd\n",
        [
            "{f}:38:9: servers[0].id: expected a slug of lower-case letters, digits and '-', 1-63 characters, starting with a letter or digit, got 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddd..."
        ],
    ),
    (
        "duplicate-id-system-server",
        "  - id: dc01\n",
        "  - id: economy\n",
        [
            "{f}:38:9: servers[0].id: duplicate id 'economy' (ids are unique across systems and servers); first at {f}:25"
        ],
    ),
]


def _run(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(("case", "old", "new", "messages"), CASES, ids=[c[0] for c in CASES])
def test_bad_catalog_exact_message(
    tmp_path: Path, case: str, old: str | None, new: str, messages: list[str]
) -> None:
    """The validator names file, line, column and field, and says what was expected."""
    base = SMALL.read_text(encoding="utf-8")
    if old is not None:
        assert old in base, f"{case}: fixture text not found"
    text = new if old is None else base.replace(old, new, 1)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(text, encoding="utf-8")
    before = sorted(tmp_path.iterdir())
    code, output = _run(CliRunner(), "validate", str(catalog))
    count = len(messages)
    expected = [f"Error: catalog is invalid ({count} error{'s' if count != 1 else ''})"]
    expected += [m.replace("{f}", str(catalog)) for m in messages]
    assert code == 1
    assert output == "\n".join(expected) + "\n"
    assert "Traceback" not in output
    assert sorted(tmp_path.iterdir()) == before


def _invalid(path: Path, *messages: str) -> str:
    count = len(messages)
    head = f"Error: catalog is invalid ({count} error{'s' if count != 1 else ''})"
    return "\n".join([head, *messages]) + "\n"


def test_empty_file(tmp_path: Path) -> None:
    """An empty file is reported as such, not as a crash."""
    catalog = tmp_path / "empty.yaml"
    catalog.write_text("", encoding="utf-8")
    assert _run(CliRunner(), "validate", str(catalog)) == (
        1,
        _invalid(
            catalog,
            f"{catalog}: file is empty (expected a catalog mapping with version, organisation, "
            "contract, systems, servers)",
        ),
    )


def test_missing_file(tmp_path: Path) -> None:
    """A path that does not exist is named."""
    missing = tmp_path / "nope.yaml"
    assert _run(CliRunner(), "validate", str(missing)) == (
        1,
        _invalid(missing, f"{missing}: no such file or folder"),
    )


def test_folder_without_yaml(tmp_path: Path) -> None:
    """A folder with no catalog files says which suffixes it looked for."""
    (tmp_path / "notes.txt").write_text("hej", encoding="utf-8")
    assert _run(CliRunner(), "validate", str(tmp_path)) == (
        1,
        _invalid(tmp_path, f"{tmp_path}: folder holds no .yaml, .yml or .json files"),
    )


def test_binary_file(tmp_path: Path) -> None:
    """A binary file is refused with the position of the first binary byte."""
    catalog = tmp_path / "catalog.yaml"
    catalog.write_bytes(b"version: 1\n\x00\x01\x02PK")
    assert _run(CliRunner(), "validate", str(catalog)) == (
        1,
        _invalid(catalog, f"{catalog}:2:1: not a text file (binary control character)"),
    )


def test_non_utf8_file(tmp_path: Path) -> None:
    """Latin-1 text is refused with the byte offset (catalogs are UTF-8)."""
    catalog = tmp_path / "catalog.yaml"
    catalog.write_bytes("organisation: Ålands\n".encode("latin-1"))
    assert _run(CliRunner(), "validate", str(catalog)) == (
        1,
        _invalid(catalog, f"{catalog}: not a UTF-8 text file (binary byte at offset 14)"),
    )


def test_duplicate_ids_across_files_of_a_folder(tmp_path: Path) -> None:
    """Ids are unique across the files of a catalog folder; both places are named."""
    base = SMALL.read_text(encoding="utf-8")
    head, servers = base.split("servers:\n")
    (tmp_path / "a.yaml").write_text(head + "servers:\n" + servers, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(
        "servers:\n" + servers.split("  - id: eko-app01")[0], encoding="utf-8"
    )
    code, output = _run(CliRunner(), "validate", str(tmp_path))
    assert code == 1
    assert output == _invalid(
        tmp_path,
        f"{tmp_path / 'b.yaml'}:2:9: servers[3].id: duplicate id 'dc01' (ids are unique across "
        f"systems and servers); first at {tmp_path / 'a.yaml'}:38",
    )


def test_folder_catalog_merges_lists(tmp_path: Path) -> None:
    """A folder of files is one catalog: top-level lists are concatenated."""
    base = SMALL.read_text(encoding="utf-8")
    head, servers = base.split("servers:\n")
    (tmp_path / "00-main.yaml").write_text(head, encoding="utf-8")
    (tmp_path / "10-servers.yml").write_text("servers:\n" + servers, encoding="utf-8")
    code, output = _run(CliRunner(), "validate", str(tmp_path), "--json")
    assert code == 0, output
    assert '"servers": 3' in output


def test_scalar_key_in_two_files(tmp_path: Path) -> None:
    """Only lists merge across files; a scalar set twice names both files."""
    (tmp_path / "a.yaml").write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text("organisation: Annan stad\n", encoding="utf-8")
    assert _run(CliRunner(), "validate", str(tmp_path)) == (
        1,
        _invalid(
            tmp_path,
            f"{tmp_path / 'b.yaml'}:1:1: organisation: already set in {tmp_path / 'a.yaml'} "
            "(only lists are merged across files)",
        ),
    )


def test_json_catalog_errors_have_lines(tmp_path: Path) -> None:
    """JSON catalogs are validated the same way and errors still carry line numbers."""
    import json

    import yaml

    document = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    document["servers"][0]["vcpu"] = 0
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    code, output = _run(CliRunner(), "validate", str(catalog))
    assert code == 1
    assert output == _invalid(
        catalog, f"{catalog}:65:15: servers[0].vcpu: expected a number >= 1, got 0"
    )


def test_all_errors_reported_sorted(tmp_path: Path) -> None:
    """Several problems in one file are all reported in one run, sorted by line."""
    base = SMALL.read_text(encoding="utf-8")
    text = base.replace("    vcpu: 4\n", "    vcpu: 0\n").replace(
        "system: ad\n", "system: nowhere\n"
    )
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(text, encoding="utf-8")
    code, output = _run(CliRunner(), "validate", str(catalog))
    assert code == 1
    assert output == _invalid(
        catalog,
        f"{catalog}:39:13: servers[0].system: unknown system 'nowhere'",
        f"{catalog}:50:11: servers[1].vcpu: expected a number >= 1, got 0",
        f"{catalog}:64:11: servers[2].vcpu: expected a number >= 1, got 0",
    )
