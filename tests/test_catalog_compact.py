"""Compaction of a loaded catalog: equal values become one object, and nothing else changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migration.catalog import Catalog, load_catalog
from migration.catalog.compact import compact_catalog
from tests.builders import dep, document, server, system


def _catalog(doc: dict[str, Any]) -> Catalog:
    return Catalog.model_validate(doc)


def _estate() -> dict[str, Any]:
    systems = [system("app"), system("db"), system("web", owner="Web")]
    servers = [
        server("db-1", "db", role="db"),
        server("app-1", "app", depends_on=[dep("db-1", ports=["tcp/5432"])], monthly_cost=10),
        server("app-2", "app", depends_on=[dep("db-1", ports=["tcp/5432"])], monthly_cost=10),
        server("app-3", "app", depends_on=[dep("db-1", ports=["tcp/5432"], weight=2)]),
        server("web-1", "web", depends_on=[dep("app-1"), dep("db-1", latency_sensitive=True)]),
    ]
    return document(systems, servers)


class TestSharing:
    def test_equal_dependencies_become_one_object(self):
        """Same target, ports, latency flag and weight: one object; any difference: not."""
        cat = compact_catalog(_catalog(_estate()))
        servers = cat.servers_by_id
        first, second = servers["app-1"].depends_on[0], servers["app-2"].depends_on[0]
        assert first is second
        assert servers["app-3"].depends_on[0] is not first  # another weight
        assert servers["web-1"].depends_on[1] is not first  # latency-sensitive, no ports

    def test_repeated_values_and_field_sets_are_shared(self):
        cat = compact_catalog(_catalog(_estate()))
        app1, app2, db1 = (cat.servers_by_id[s] for s in ("app-1", "app-2", "db-1"))
        assert app1.system is app2.system
        assert app1.os is db1.os
        assert app1.disks_gb is db1.disks_gb
        assert app1.monthly_cost is app2.monthly_cost
        assert app1.model_fields_set is app2.model_fields_set  # given the same fields
        assert app1.model_fields_set is not db1.model_fields_set  # db-1 has no depends_on
        assert cat.systems[0].owner is cat.systems[1].owner

    def test_without_it_nothing_is_shared(self):
        """The sharing above is compaction's doing (the assertions could fail)."""
        cat = _catalog(_estate())
        app1, app2 = cat.servers_by_id["app-1"], cat.servers_by_id["app-2"]
        assert app1.depends_on[0] is not app2.depends_on[0]
        assert app1.model_fields_set is not app2.model_fields_set

    def test_loaded_catalogs_are_compacted(self, tmp_path: Path):
        path = tmp_path / "catalog.json"
        path.write_text(json.dumps(_estate()), encoding="utf-8")
        servers = load_catalog(path).servers_by_id
        assert servers["app-1"].depends_on[0] is servers["app-2"].depends_on[0]


class TestSameMeaning:
    def test_a_negative_zero_keeps_its_sign(self):
        """0.0 == -0.0 but they print differently: neither replaces the other."""
        doc = _estate()
        doc["servers"][0]["monthly_cost"] = 0.0
        doc["servers"][4]["monthly_cost"] = -0.0
        servers = compact_catalog(_catalog(doc)).servers_by_id
        assert repr(servers["db-1"].monthly_cost) == "0.0"
        assert repr(servers["web-1"].monthly_cost) == "-0.0"

    def test_a_copy_with_changes_leaves_the_shared_field_set_alone(self):
        cat = compact_catalog(_catalog(_estate()))
        app1, app2 = cat.servers_by_id["app-1"], cat.servers_by_id["app-2"]
        changed = app1.model_copy(update={"pinned_wave": 3})
        assert "pinned_wave" in changed.model_fields_set
        assert "pinned_wave" not in app2.model_fields_set

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        weights=st.lists(st.sampled_from([1.0, 1, 2.5, 1e-9]), min_size=6, max_size=6),
        costs=st.lists(st.sampled_from([None, 0.0, -0.0, 1, 1.0, 3.25]), min_size=6, max_size=6),
        ports=st.lists(
            st.lists(st.sampled_from(["tcp/443", "tcp/80", "udp/53"]), max_size=2),
            min_size=6,
            max_size=6,
        ),
    )
    def test_the_compacted_catalog_dumps_the_same(self, weights, costs, ports):
        """Every field of every record, in JSON and by value, as validated."""
        systems = [system("a"), system("b", owner="B")]
        servers = [server("b-0", "b", memory_gb=costs[0] or 4)]
        for i in range(6):
            servers.append(
                server(
                    f"a-{i}",
                    "a",
                    monthly_cost=costs[i],
                    depends_on=[dep("b-0", weight=weights[i], ports=ports[i])],
                )
            )
        doc = document(systems, servers)
        plain = _catalog(doc)
        compacted = compact_catalog(_catalog(doc))
        assert compacted.model_dump_json() == plain.model_dump_json()
        assert compacted == plain
        for before, after in zip(plain.servers, compacted.servers, strict=True):
            assert [type(v) for v in after.__dict__.values()] == [
                type(v) for v in before.__dict__.values()
            ]


class TestServerIndex:
    def test_index_is_built_once_and_read_only(self):
        cat = _catalog(_estate())
        index = cat.servers_by_id
        assert cat.servers_by_id is index  # cached: the 100k-server index is built once
        assert list(index) == ["db-1", "app-1", "app-2", "app-3", "web-1"]
        with pytest.raises(TypeError):
            index["x"] = index["db-1"]  # type: ignore[index]

    def test_a_copy_with_other_servers_gets_its_own_index(self):
        """``model_copy`` shares the instance's state: a stale cached index would fire here."""
        cat = _catalog(_estate())
        assert "db-1" in cat.servers_by_id
        kept = tuple(s for s in cat.servers if s.id != "db-1")
        copy = cat.model_copy(update={"servers": kept})
        assert "db-1" not in copy.servers_by_id
        assert list(copy.servers_by_id) == ["app-1", "app-2", "app-3", "web-1"]
        assert "db-1" in cat.servers_by_id  # the original's index is untouched

    def test_equal_catalogs_keep_separate_indexes(self):
        first, second = _catalog(_estate()), _catalog(_estate())
        assert first.servers_by_id["db-1"] is first.servers[0]
        assert second.servers_by_id["db-1"] is second.servers[0]
