"""The benchmark's estate generator: deterministic, exact size, valid catalog v1."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import yaml

from migration.catalog import load_catalog

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load(name: str):
    # loaded by path: bench/ must not go on sys.path (bench/waves.py would shadow `waves`)
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


estate = _load("estate")


class TestGenerator:
    def test_same_seed_same_document(self):
        """The same (n, seed) gives the same document; another seed a different one."""
        one = json.dumps(estate.generate(300, 5), default=str, sort_keys=True)
        assert one == json.dumps(estate.generate(300, 5), default=str, sort_keys=True)
        assert one != json.dumps(estate.generate(300, 6), default=str, sort_keys=True)

    @pytest.mark.parametrize("n", [30, 250])
    def test_valid_catalog_with_exactly_n_servers(self, tmp_path, n):
        """The YAML dump loads through the real loader (field rules and cross-references)."""
        path = tmp_path / "estate.yaml"
        path.write_text(yaml.safe_dump(estate.generate(n, 3), sort_keys=False, allow_unicode=True))
        catalog = load_catalog(path)
        assert len(catalog.servers) == n
        assert {s.id for s in catalog.systems} >= {"ad", "monitoring"}

    def test_estate_features(self):
        """Shared SQL clusters form replication cycles; pins, blackouts and LS edges exist."""
        doc = estate.generate(400, 1)
        servers = {s["id"]: s for s in doc["servers"]}
        a, b = servers["sqlc-000-a"], servers["sqlc-000-b"]
        assert any(d["to"] == "sqlc-000-b" and d.get("latency_sensitive") for d in a["depends_on"])
        assert any(d["to"] == "sqlc-000-a" for d in b["depends_on"])
        pinned = [s for s in servers.values() if "pinned_wave" in s and not s.get("migrated")]
        assert len(pinned) == 4  # 1% of 400
        assert any(s.get("migrated") for s in servers.values())
        assert doc["planning"]["blackouts"]
        ls = sum(
            d.get("latency_sensitive", False)
            for s in servers.values()
            for d in s.get("depends_on", [])
        )
        assert ls > 100

    def test_pins_respect_dependency_order(self):
        """A pinned consumer is never pinned before a pinned provider (pins are satisfiable)."""
        doc = estate.generate(3000, 2)
        system_of = {s["id"]: s["system"] for s in doc["servers"]}
        pin = {
            system_of[s["id"]]: s["pinned_wave"]
            for s in doc["servers"]
            if "pinned_wave" in s and not s.get("migrated")
        }
        assert len(pin) == 30
        for s in doc["servers"]:
            for dep in s.get("depends_on", []):
                u, v = system_of[s["id"]], system_of[dep["to"]]
                if u in pin and v in pin:
                    assert pin[v] <= pin[u]
