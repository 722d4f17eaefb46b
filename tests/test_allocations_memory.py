"""A re-plan keeps the allocation entries it read when nothing about a server changed (one
object, not a copy per run), and new entries share one set of given field names."""

from __future__ import annotations

import pytest

from migration.allocations import Allocations, server_allocation
from stacks.allocate import allocate
from tests.test_allocations import first_plan


def test_unchanged_entries_are_the_ones_read():
    plan = first_plan("generated")
    first, _ = allocate(plan, Allocations())
    again, _ = allocate(plan, first)
    before = first.provider(plan.target.provider).servers
    after = again.provider(plan.target.provider).servers
    assert after == before
    assert all(after[sid] is before[sid] for sid in after)


def test_a_changed_entry_is_made_anew():
    plan = first_plan("generated")
    first, _ = allocate(plan, Allocations())
    servers = first.provider(plan.target.provider).servers
    sid = next(iter(servers))
    edited = servers | {sid: servers[sid].model_copy(update={"ip": "192.0.2.1"})}
    previous = first.with_provider(
        plan.target.provider,
        first.provider(plan.target.provider).model_copy(update={"servers": edited}),
    )
    again, _ = allocate(plan, previous)
    entry = again.provider(plan.target.provider).servers[sid]
    assert entry is not edited[sid]
    assert entry.ip == servers[sid].ip  # the plan's address: "192.0.2.1" is not in its spoke


def test_new_entries_share_their_field_set_and_stay_validated():
    one = server_allocation("app", "prod", "10.0.0.4", "")
    two = server_allocation("db", "test", "", "WEB01")
    assert one.model_fields_set is two.model_fields_set
    assert one.model_fields_set == {"system", "environment", "ip", "computer_name"}
    changed = one.model_copy(update={"ip": "10.0.0.5"})
    assert changed.ip == "10.0.0.5" and one.ip == "10.0.0.4"
    with pytest.raises(ValueError, match="not an IPv4 address"):
        server_allocation("app", "prod", "not an ip", "")
