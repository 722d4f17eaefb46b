"""Catalog v1: loading, immutability, round trips, summary, schema and the validate command."""

from __future__ import annotations

import json
from pathlib import Path

import pydantic
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cli import cli
from migration.catalog import (
    Catalog,
    json_schema,
    load_catalog,
    load_catalog_with_digest,
    parse_port,
)

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.yaml"
ROOT = Path(__file__).parent.parent
SCHEMA = ROOT / "examples" / "catalog.schema.json"


def test_small_catalog_loads_with_dates_and_defaults() -> None:
    """Dates become dates, defaults fill in, system dependencies keep their ports."""
    catalog = load_catalog(SMALL)
    assert catalog.contract.ends is not None and catalog.contract.ends.isoformat() == "2027-12-31"
    assert catalog.planning.wave_days == 14
    assert catalog.planning.blackouts[0].from_.isoformat() == "2027-06-20"
    assert catalog.system("economy").depends_on[0].ports == ("tcp/389", "tcp/636")
    assert catalog.servers_by_id["dc01"].environment == "prod"


def test_models_are_frozen() -> None:
    """A loaded catalog cannot be changed by accident."""
    catalog = load_catalog(SMALL)
    with pytest.raises(pydantic.ValidationError):
        catalog.servers[0].vcpu = 64  # type: ignore[misc]
    assert isinstance(catalog.servers, tuple)


def test_digest_is_stable_and_content_based(tmp_path: Path) -> None:
    """The catalog digest depends on the content, not on the file's name."""
    copy = tmp_path / "copy.yaml"
    copy.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_catalog_with_digest(SMALL)[1] == load_catalog_with_digest(copy)[1]
    copy.write_text(SMALL.read_text(encoding="utf-8") + "# comment\n", encoding="utf-8")
    assert load_catalog_with_digest(SMALL)[1] != load_catalog_with_digest(copy)[1]


def test_yaml_and_json_give_the_same_catalog(tmp_path: Path) -> None:
    """JSON is accepted as well as YAML and means the same."""
    document = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    as_json = tmp_path / "catalog.json"
    as_json.write_text(json.dumps(document, default=str), encoding="utf-8")
    assert load_catalog(as_json) == load_catalog(SMALL)


@pytest.mark.parametrize(
    ("port", "parsed"),
    [
        ("tcp/443", ("tcp", 443, 443)),
        ("udp/53", ("udp", 53, 53)),
        ("tcp/8000-8100", ("tcp", 8000, 8100)),
        ("tcp/1", ("tcp", 1, 1)),
        ("tcp/65535", ("tcp", 65535, 65535)),
    ],
)
def test_parse_port_accepts(port: str, parsed: tuple[str, int, int]) -> None:
    """Valid port specs split into protocol and range."""
    assert parse_port(port) == parsed


@pytest.mark.parametrize(
    "port", ["tcp/0", "tcp/65536", "icmp/1", "tcp/20-10", "tcp", "443", "TCP/443"]
)
def test_parse_port_rejects(port: str) -> None:
    """Invalid port specs raise ValueError."""
    with pytest.raises(ValueError):
        parse_port(port)


slugs = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)


@st.composite
def catalogs(draw: st.DrawFn) -> dict[str, object]:
    """Random valid catalog documents (ids unique, references resolved)."""
    system_ids = draw(st.lists(slugs, min_size=1, max_size=5, unique=True))
    server_ids = draw(
        st.lists(slugs.filter(lambda s: s not in system_ids), min_size=1, max_size=8, unique=True)
    )
    systems = []
    for sid in system_ids:
        systems.append(
            {
                "id": sid,
                "name": draw(
                    st.text(
                        st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")),
                        min_size=1,
                        max_size=20,
                    )
                ),
                "level": draw(st.sampled_from(["office", "shared", "sector", "citizen"])),
                "sector": "it",
                "owner": "Ägare",
                "disposition": draw(
                    st.sampled_from(
                        ["rehost", "replatform", "rebuild", "repurchase", "retire", "retain"]
                    )
                ),
                "criticality": draw(st.sampled_from(["low", "medium", "high", "critical"])),
                "data_classification": "internal",
                "personal_data": draw(st.booleans()),
            }
        )
    servers = []
    for index, sid in enumerate(server_ids):
        others = [s for s in server_ids if s != sid]
        deps = draw(st.lists(st.sampled_from(others), unique=True, max_size=2)) if others else []
        servers.append(
            {
                "id": sid,
                "system": draw(st.sampled_from(system_ids)),
                "role": draw(st.sampled_from(["web", "app", "db", "file", "infra", "other"])),
                "os": "ubuntu-22.04",
                "vcpu": draw(st.integers(1, 64)),
                "memory_gb": draw(st.floats(0.5, 512)),
                "disks_gb": [draw(st.floats(1, 4096))],
                "cpu_p95": draw(st.none() | st.floats(0, 1)),
                "ip": f"10.0.{index // 250}.{index % 250 + 1}",
                "depends_on": [
                    {"to": d, "ports": ["tcp/443"], "weight": draw(st.floats(0.1, 10))}
                    for d in deps
                ],
            }
        )
    return {
        "version": 1,
        "organisation": "Testby",
        "contract": {"provider": "ÅDA", "notice_months": 3},
        "systems": systems,
        "servers": servers,
    }


@settings(max_examples=40, deadline=None)
@given(catalogs())
def test_json_round_trip(document: dict[str, object]) -> None:
    """catalog -> JSON -> catalog gives an equal catalog."""
    catalog = Catalog.model_validate(document)
    dumped = catalog.model_dump_json(by_alias=True)
    assert Catalog.model_validate_json(dumped) == catalog


def test_validate_prints_summary() -> None:
    """`utflytt validate` prints counts by disposition, level and environment."""
    result = CliRunner().invoke(cli, ["validate", str(SMALL)])
    assert result.exit_code == 0
    assert result.output == (
        f"{SMALL}: valid catalog\n"
        "Testby kommun, leaving ÅDA: 2 systems, 3 servers, 10 vCPU, 56 GB memory, 1,884 GB disk\n"
        "\n"
        "disposition      systems    servers\n"
        "-------------  ---------  ---------\n"
        "rehost                 2          3\n"
        "\n"
        "level      systems\n"
        "-------  ---------\n"
        "shared           2\n"
        "\n"
        "environment      servers\n"
        "-------------  ---------\n"
        "prod                   3\n"
        "\n"
        "dependencies: 1 between systems, 1 between servers, 1 latency-sensitive\n"
    )


def test_validate_json() -> None:
    """`--json` prints the summary as JSON for machines."""
    result = CliRunner().invoke(cli, ["validate", str(SMALL), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["valid"] is True
    assert data["summary"]["servers_by_environment"] == {"prod": 3}
    assert data["summary"]["dependencies"] == {"latency_sensitive": 1, "server": 1, "system": 1}


def test_validate_without_argument_is_a_usage_error() -> None:
    """A missing argument is a usage error: exit code 2."""
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert "Missing argument 'CATALOG'" in result.output


def test_committed_schema_is_current() -> None:
    """examples/catalog.schema.json matches the models (regenerate: utflytt schema > ...)."""
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == json_schema(), (
        "regenerate with: .venv/bin/utflytt schema > examples/catalog.schema.json"
    )


def test_schema_describes_the_format() -> None:
    """The schema forbids unknown keys and knows the enumerations."""
    schema = json_schema()
    assert schema["additionalProperties"] is False
    server = schema["$defs"]["Server"]  # type: ignore[index]
    assert server["additionalProperties"] is False
    assert server["properties"]["role"]["enum"] == ["web", "app", "db", "file", "infra", "other"]
    assert "from" in schema["$defs"]["Blackout"]["properties"]  # type: ignore[index]


def test_schema_command_prints_it() -> None:
    """`utflytt schema` prints the same schema."""
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json_schema()


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help(command: str) -> None:
    """Every command explains itself."""
    assert cli.commands[command].help, f"{command} has no help"


README = ROOT / "README.md"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_in_the_readme(command: str) -> None:
    """The README shows how to use every command."""
    assert f"utflytt {command}" in README.read_text(encoding="utf-8"), f"README lacks {command}"


def test_readme_starts_with_the_two_commands() -> None:
    """`make plan` and `make test` come first in the README."""
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```sh", 1)[1].split("```", 1)[0]
    assert "make plan" in first_block and "make test" in first_block
