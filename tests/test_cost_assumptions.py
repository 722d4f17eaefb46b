"""Assumptions as data: the catalog's cost: section, --set, and the size limit of plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.catalog import load_catalog_with_digest
from migration.cost import CostOptions, with_assumptions
from migration.cost.options import SETTABLE, assumptions_doc, parse_set
from migration.errors import UtflyttError

SMALL = Path("tests/data/small.yaml")


def _catalog_with(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(SMALL.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def _cost(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["cost", *args, "-o", str(tmp_path / "out")])
    return result.exit_code, result.output


class TestSet:
    def test_parse_set(self) -> None:
        """key=value pairs; a pair without '=' is an error naming it."""
        assert parse_set(["discount_rate=0.04", " lag = 5 "]) == {
            "discount_rate": "0.04",
            "lag": "5",
        }
        with pytest.raises(UtflyttError, match=r"--set 'oops': expected key=value"):
            parse_set(["oops"])

    def test_values_are_typed_and_recorded(self) -> None:
        """Strings from the command line become typed values; origins are recorded."""
        opts = with_assumptions(
            CostOptions(),
            {
                "discount_rate": "0.05",
                "decommission-lag-days": "60",
                "exit_fee_on_partial_exit": "yes",
                "ada_scope": '{"patching": false}',
                "ops_cost_per_server": "none",
            },
            "--set",
            "--set",
        )
        assert opts.discount_rate == 0.05 and opts.decommission_lag_days == 60
        assert opts.exit_fee_on_partial_exit is True
        assert opts.ada_scope == {"patching": False}
        assert opts.ops_cost_per_server is None
        doc = assumptions_doc(opts)
        assert doc["set_by"]["discount_rate"] == "--set"
        assert doc["set_by"]["egress_gb_per_server"] == "default"
        assert set(doc["explained"]) == set(SETTABLE)

    @pytest.mark.parametrize(
        ("pair", "message"),
        [
            ("discount_rat=0.1", "unknown assumption 'discount_rat'"),
            ("discount_rate=abc", "discount_rate: could not convert"),
            ("ada_fee_until=never", "ada_fee_until must be one of decommission, contract-end"),
            ('ada_scope={"hosting": true}', "ada_scope: unknown item 'hosting'"),
            ("exit_fee_on_partial_exit=maybe", "expected true or false"),
        ],
    )
    def test_bad_values_exit_1(self, tmp_path: Path, pair: str, message: str) -> None:
        """A bad --set is an error naming the key; nothing is written."""
        code, output = _cost(tmp_path, str(SMALL), "--set", pair)
        assert code == 1 and output.startswith("Error: --set: ") and message in output
        assert not (tmp_path / "out").exists()

    def test_set_changes_the_result(self, tmp_path: Path) -> None:
        """--set lands in cost.json assumptions and changes the numbers."""
        code, output = _cost(tmp_path, str(SMALL), "--json", "--set", "discount_rate=0.2")
        assert code == 0, output
        high = json.loads(output)
        code, output = _cost(tmp_path, str(SMALL), "--json")
        base = json.loads(output)
        assert high["assumptions"]["discount_rate"] == 0.2
        assert high["assumptions"]["set_by"]["discount_rate"] == "--set"
        assert high["providers"]["azure"]["npv"] < base["providers"]["azure"]["npv"]


class TestCatalogSection:
    def test_catalog_assumptions_and_set_precedence(self, tmp_path: Path) -> None:
        """The catalog's cost.assumptions apply; --set wins over them."""
        path = _catalog_with(
            tmp_path,
            "cost:\n  assumptions:\n    discount_rate: 0.07\n    ada_fee_until: contract-end\n"
            "  entitlements:\n    windows_server_sa_cores: 16\n",
        )
        code, output = _cost(tmp_path, str(path), "--json", "--set", "discount_rate=0.01")
        assert code == 0, output
        doc = json.loads(output)
        assert doc["assumptions"]["discount_rate"] == 0.01
        assert doc["assumptions"]["set_by"]["discount_rate"] == "--set"
        assert doc["assumptions"]["ada_fee_until"] == "contract-end"
        assert doc["assumptions"]["set_by"]["ada_fee_until"] == "catalog"

    def test_unknown_catalog_assumption(self, tmp_path: Path) -> None:
        """A typo in cost.assumptions is an error naming the catalog section."""
        path = _catalog_with(tmp_path, "cost:\n  assumptions:\n    discount: 0.07\n")
        code, output = _cost(tmp_path, str(path))
        assert code == 1
        assert output.startswith("Error: catalog cost.assumptions: unknown assumption 'discount'")

    def test_entitlements_are_validated(self, tmp_path: Path) -> None:
        """Entitlements are counts >= 0; a negative count names the field."""
        path = _catalog_with(tmp_path, "cost:\n  entitlements:\n    sql_server_sa_cores: -4\n")
        code, output = _cost(tmp_path, str(path))
        assert code == 1 and "cost.entitlements.sql_server_sa_cores" in output

    def test_catalog_loads_with_section(self, tmp_path: Path) -> None:
        """The section is optional and typed."""
        path = _catalog_with(
            tmp_path, "cost:\n  entitlements:\n    windows_server_sa_cores: 1240\n"
        )
        catalog, _digest = load_catalog_with_digest(path)
        assert catalog.cost.entitlements.windows_server_sa_cores == 1240
        bare, _digest = load_catalog_with_digest(SMALL)
        assert bare.cost.assumptions == {} and bare.cost.entitlements.sql_server_sa_cores is None


class TestSizeLimit:
    def test_plan_exits_1_beyond_128_vcpu_or_2_tb(self, tmp_path: Path) -> None:
        """A server larger than any planned size stops plan with a clear error."""
        text = SMALL.read_text(encoding="utf-8").replace(
            "    vcpu: 2\n    memory_gb: 8\n", "    vcpu: 160\n    memory_gb: 3072\n", 1
        )
        path = tmp_path / "big.yaml"
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["plan", str(path), "-o", str(tmp_path / "out")])
        assert result.exit_code == 1
        assert result.output.startswith(
            "Error: 1 server larger than the largest size planned for "
            "(128 vCPU, 2048 GB memory on Azure and AWS):\n"
            "  dc01: 160 vCPU, 3072 GB (system ad)\n"
        )
        assert not (tmp_path / "out").exists()

    def test_exactly_the_limit_is_planned(self, tmp_path: Path) -> None:
        """128 vCPU / 2 TB is sized and priced on both clouds."""
        text = SMALL.read_text(encoding="utf-8").replace(
            "    vcpu: 2\n    memory_gb: 8\n", "    vcpu: 128\n    memory_gb: 2048\n", 1
        )
        path = tmp_path / "edge.yaml"
        path.write_text(text, encoding="utf-8")
        code, output = _cost(tmp_path, str(path), "--json")
        assert code == 0, output
        doc = json.loads(output)
        assert doc["complete"] == {"azure": True, "aws": True}


class TestExchangeRate:
    def test_rate_with_date_and_source(self, tmp_path: Path) -> None:
        """eur_per_usd with fx_date and fx_source re-prices every USD price and is shown."""
        code, output = _cost(tmp_path, str(SMALL), "--json")
        base = json.loads(output)
        code, output = _cost(
            tmp_path,
            str(SMALL),
            "--json",
            "--set",
            "eur_per_usd=1.0",
            "--set",
            "fx_date=2026-12-01",
            "--set",
            "fx_source=ECB reference rate",
        )
        assert code == 0, output
        doc = json.loads(output)
        fx = {b["provider"]: b["fx"] for b in doc["price_books"]}
        assert fx["aws"] == {
            "eur_per_usd": 1.0,
            "date": "2026-12-01",
            "source": "ECB reference rate",
            "basis": "observed",
        }
        ratio = 1.0 / (1 / 1.1355)
        compute = sum(doc["providers"]["aws"]["components"]["compute"].values())
        before = sum(base["providers"]["aws"]["components"]["compute"].values())
        assert compute == pytest.approx(before * ratio, rel=1e-4)

    def test_same_input_same_bytes(self, tmp_path: Path) -> None:
        """cost.json and cost.xlsx are byte-identical across runs."""
        first = CliRunner().invoke(cli, ["cost", str(SMALL), "-o", str(tmp_path / "a")])
        second = CliRunner().invoke(cli, ["cost", str(SMALL), "-o", str(tmp_path / "b")])
        assert first.exit_code == second.exit_code == 0
        for name in ("cost.json", "cost.csv", "cost.xlsx"):
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
