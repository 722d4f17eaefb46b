"""Stable network group names (DESIGN.md "Allocations", stacks/network/stable_names.py): a
re-plan after an edit that renumbers groups today keeps the name of every group that is
still the same group, on Azure and AWS; without allocations.json the same edits do rename
groups (so the checks can fire); a file from before ``groups`` keeps the deployed names;
the NSG and AWS rule names follow the stable names only. The matcher's properties and the
file/CLI side are in test_group_names_matcher.py."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.estate import generate
from migration.allocations import (
    Allocations,
    GroupAllocation,
    dumps_allocations,
)
from migration.plan import Plan
from migration.regions import DEFAULT_REGIONS
from stacks import plancache
from stacks.allocate import with_allocations
from stacks.network import check_plan
from stacks.network.groups import hubs
from stacks.network.policy import NetworkPolicy, network_policy, unnamed_policy
from stacks.network.rulesets import aws_rule_sets, aws_security_groups, azure_rule_sets
from stacks.network.stable_names import (
    client_identities,
    own_identities,
    record_groups,
    stable_names,
    stable_policy,
)
from tests.builders import server, system
from tests.test_allocations import example_doc, plan_doc

Doc = dict[str, Any]
Key = tuple[Any, ...]


@cache
def generated_doc() -> Doc:
    """About 250 systems (1,200 servers) in prod, test and dev (some test systems moved to
    dev), so that every environment has its own groups."""
    doc = generate(1200, 13)
    test_systems = sorted({s["system"] for s in doc["servers"] if s["environment"] == "test"})
    dev = set(test_systems[::3])
    for record in doc["servers"]:
        if record["system"] in dev:
            record["environment"] = "dev"
    return doc


def _target(doc: Doc, provider: str) -> Doc:
    doc = copy.deepcopy(doc)
    planning = dict(doc.get("planning", {}), target=provider)
    planning["region"] = DEFAULT_REGIONS[provider]  # the region belongs to the target
    doc["planning"] = planning
    return doc


ESTATES = {"example": example_doc, "generated": generated_doc}


@cache
def first(estate: str, provider: str) -> Plan:
    return with_allocations(plan_doc(_target(ESTATES[estate](), provider)), Allocations())


# ------------------------------------------------------------------------------ edits


def _dest_with_client_groups(plan: Plan) -> str:
    """A hub destination (own group) with at least two client groups: a new client class
    that sorts first renumbers them."""
    policy = network_policy(plan)
    hub_servers = hubs(plan.servers, plan.flows)
    counts: dict[str, int] = {}
    for name, group in policy.groups.items():
        if group.kind == "client" and not name.startswith("clients.merged."):
            for permit in policy.permits:
                if name in permit.sources:
                    counts[permit.destination] = counts.get(permit.destination, 0) + 1
    return min(
        d
        for d, n in counts.items()
        if n >= 2 and policy.groups[d].servers[0] in hub_servers and policy.groups[d].kind == "own"
    )


def edit_add_client(doc: Doc, plan: Plan) -> Doc:
    """``aaa-new`` (two servers) in a hub's environment; one of them uses the hub on a new
    port, so a client class sorting first appears for it."""
    policy = network_policy(plan)
    dest = policy.groups[_dest_with_client_groups(plan)]
    doc = copy.deepcopy(doc)
    doc["systems"].insert(0, system("aaa-new"))
    target = {"to": dest.servers[0], "ports": ["tcp/9999"]}
    env = dest.environment
    doc["servers"].insert(0, server("aaa-new-web01", "aaa-new", environment=env, role="web"))
    doc["servers"].insert(
        0, server("aaa-new-app01", "aaa-new", environment=env, depends_on=[target])
    )
    return doc


def edit_add_first(doc: Doc, _plan: Plan) -> Doc:
    """A new system ``aaa-new`` (sorts first) with two servers."""
    doc = copy.deepcopy(doc)
    doc["systems"].insert(0, system("aaa-new"))
    doc["servers"].insert(0, server("aaa-new-app01", "aaa-new"))
    doc["servers"].insert(0, server("aaa-new-web01", "aaa-new", role="web"))
    return doc


def edit_remove(doc: Doc, plan: Plan) -> Doc:
    """A system that is nothing's provider and has a cloud group leaves the catalog."""
    used = {d["to"] for s in doc["systems"] for d in s.get("depends_on", [])}
    owner = {s["id"]: s["system"] for s in doc["servers"]}
    used |= {owner.get(d["to"], d["to"]) for s in doc["servers"] for d in s.get("depends_on", [])}
    policy = network_policy(plan)
    gone = min(
        policy.groups[g].system
        for g in policy.cloud_groups()
        if policy.groups[g].kind == "own" and policy.groups[g].system not in used
    )
    doc = copy.deepcopy(doc)
    doc["systems"] = [s for s in doc["systems"] if s["id"] != gone]
    doc["servers"] = [s for s in doc["servers"] if s["system"] != gone]
    return doc


def edit_split(doc: Doc, plan: Plan) -> Doc:
    """A server whose id sorts first joins a split own group's system and environment,
    with an existing part's role and flows of its own: the parts renumber (or lose their
    role names) when planned afresh."""
    policy = network_policy(plan)
    parts: dict[tuple[str, str], list[str]] = {}
    for g in policy.cloud_groups():
        group = policy.groups[g]
        if group.kind == "own":
            parts.setdefault((group.system, group.environment), []).append(g)
    (sys_id, env), names = min(
        (k, v)
        for k, v in parts.items()
        if len(v) >= 2
        and not any(plan.servers[s].migrated for g in v for s in policy.groups[g].servers)
    )
    role = plan.servers[policy.groups[names[0]].servers[0]].role
    other = policy.groups[names[0]].servers[0]  # inside the unit: no cycle with another system
    doc = copy.deepcopy(doc)
    extra = server(
        "aaa-split01",
        sys_id,
        environment=env,
        role=role,
        depends_on=[{"to": other, "ports": ["tcp/9998"]}],
    )
    doc["servers"].insert(0, extra)
    return doc


EDITS = {
    "add-client": edit_add_client,
    "add-first": edit_add_first,
    "remove": edit_remove,
    "split": edit_split,
}
RENUMBERING = ("add-client", "split")  # planned afresh, these rename groups today


@cache
def edited_plan(estate: str, provider: str, edit: str) -> Plan:
    before = first(estate, provider)
    return plan_doc(EDITS[edit](_target(ESTATES[estate](), provider), before))


# ------------------------------------------------------------------------------ checks


def group_keys(policy: NetworkPolicy) -> dict[Key, str]:
    """What makes a cloud group the same group in two plans -> its name: its identity
    (own: system, environment, roles; client: the destinations and ports admitting it)
    and, separately, its exact members; keys held by more than one group are left out."""
    own = own_identities(policy)
    client = client_identities(policy, {})
    found: dict[Key, list[str]] = {}
    for name in policy.cloud_groups():
        g = policy.groups[name]
        identity = own[name] if g.kind == "own" else client[name]
        found.setdefault(("identity", g.kind, g.system, g.environment, identity), []).append(name)
        found.setdefault(("members", g.kind, g.environment, frozenset(g.servers)), []).append(name)
    return {k: v[0] for k, v in found.items() if len(v) == 1}


def moved(before: NetworkPolicy, after: NetworkPolicy) -> dict[Key, tuple[str, str]]:
    """Groups that are the same group in both policies but are named differently."""
    old, new = group_keys(before), group_keys(after)
    return {k: (old[k], new[k]) for k in old.keys() & new.keys() if old[k] != new[k]}


def cloud_names(plan: Plan) -> dict[str, tuple[str, ...]]:
    """The provider's resource names of every group: Azure the ASG (the group's name);
    AWS the security group and its shards."""
    policy = network_policy(plan)
    if plan.target.provider == "aws":
        return aws_security_groups(policy, aws_rule_sets(policy))
    return {g: (g,) for g in policy.cloud_groups()}


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("provider", ["azure", "aws"])
@pytest.mark.parametrize("estate", sorted(ESTATES))
def test_a_replan_keeps_every_group_name(estate: str, provider: str, edit: str) -> None:
    before = first(estate, provider)
    after = with_allocations(edited_plan(estate, provider, edit), before.allocations)
    old, new = network_policy(before), network_policy(after)
    assert moved(old, new) == {}
    # the same groups keep their clouds' resource names (AWS: their shards too)
    kept = [
        g
        for g in cloud_names(before)
        if g in new.groups and new.groups[g].servers == old.groups[g].servers
    ]
    then, now = cloud_names(before), cloud_names(after)
    assert kept and {g: now[g][0] for g in kept} == {g: g for g in kept}
    same_rules = [g for g in kept if old.permits_to(g) == new.permits_to(g)]
    assert same_rules and {g: now[g] for g in same_rules} == {g: then[g] for g in same_rules}
    if provider == "aws":  # rule, shard and prefix-list names come from group names and ports
        rules_then, rules_now = aws_rule_sets(old), aws_rule_sets(new)
        for g in same_rules:
            assert [rules_now.get(sg) for sg in now[g]] == [rules_then.get(sg) for sg in then[g]]
    # every name of the first plan is kept in allocations.json, used or reserved
    recorded = after.allocations.provider(provider).groups
    assert set(before.allocations.provider(provider).groups) <= set(recorded)
    # a name the record reserves for a group that left is given to no other group
    gone = set(old.cloud_groups()) - set(new.groups)
    assert all(recorded[g] == before.allocations.provider(provider).groups[g] for g in gone)


@pytest.mark.parametrize("edit", RENUMBERING)
@pytest.mark.parametrize("provider", ["azure", "aws"])
@pytest.mark.parametrize("estate", sorted(ESTATES))
def test_without_allocations_the_same_edit_renames_groups(
    estate: str, provider: str, edit: str
) -> None:
    """The negative: planned afresh, the same group gets another name."""
    before = network_policy(first(estate, provider))
    fresh = network_policy(with_allocations(edited_plan(estate, provider, edit), Allocations()))
    assert moved(before, fresh) != {}


@pytest.mark.parametrize("provider", ["azure", "aws"])
def test_the_recorded_names_are_the_names_the_stacks_use(provider: str) -> None:
    """allocations.json records exactly the cloud groups the plan's policy names (also
    after a renumbering edit); planning again with it changes nothing (idempotent)."""
    before = first("generated", provider)
    after = check_plan(
        with_allocations(edited_plan("generated", provider, "split"), before.allocations)
    )
    policy = network_policy(after)
    recorded = after.allocations.provider(provider).groups
    assert set(policy.cloud_groups()) <= set(recorded)
    for name in policy.cloud_groups():
        assert recorded[name].members == tuple(sorted(policy.groups[name].servers))
    again = with_allocations(edited_plan("generated", provider, "split"), after.allocations)
    assert dumps_allocations(again.allocations) == dumps_allocations(after.allocations)
    assert network_policy(again).groups == policy.groups


def test_same_input_same_bytes_and_no_rename_without_a_file() -> None:
    """Deterministic bytes; a first plan (no file) names every group as built, and the
    raw policy is computed once for the plan and its allocated copy."""
    a = dumps_allocations(first("example", "azure").allocations)
    b = dumps_allocations(with_allocations(plan_doc(example_doc()), Allocations()).allocations)
    assert a == b
    plan = first("example", "azure")
    assert network_policy(plan) is unnamed_policy(plan)


def test_the_unnamed_policy_is_built_once_for_a_plan_and_its_allocated_copy() -> None:
    """with_allocations builds the policy to name its groups; the allocated copy of the
    plan (the same servers and flows) reuses it, renaming only."""
    plancache.clear()
    plan = plan_doc(example_doc())
    allocated = with_allocations(plan, Allocations())
    assert network_policy(allocated).groups == unnamed_policy(plan).groups
    assert plancache.MISSES["unnamed_policy"] == 1


def test_nsg_rule_names_follow_stable_names_and_ports_only() -> None:
    """An NSG rule keeps its name when its consumers change (a new consumer joins a
    client group): its name is made of the destination, ports, network and side only."""
    before = first("example", "azure")
    after = with_allocations(edited_plan("example", "azure", "add-client"), before.allocations)

    def names(plan: Plan) -> dict[tuple[Any, ...], str]:
        sets = azure_rule_sets(network_policy(plan), {})
        return {
            (
                r.permit.destination,
                r.permit.ports,
                r.permit.via,
                r.permit.network,
                r.protocol,
                r.source_groups[:1],
            ): r.name
            for rules in sets.values()
            for r in rules
            if r.permit is not None
        }

    old, new = names(before), names(after)
    common = old.keys() & new.keys()
    assert common and all(old[k] == new[k] for k in common)
    changed = [
        k
        for k in common
        if next(
            r.permit
            for rules in azure_rule_sets(network_policy(before), {}).values()
            for r in rules
            if r.name == old[k]
        )
        != next(
            r.permit
            for rules in azure_rule_sets(network_policy(after), {}).values()
            for r in rules
            if r.name == new[k]
        )
    ]
    assert changed  # some rule's consumers changed, and it kept its name


def test_stable_names_are_unique_and_reserve_names_of_groups_that_left() -> None:
    """The whole renaming on a real policy: names unique; a recorded name whose group
    left is given to no new group, even one that would be built with that name."""
    plan = first("generated", "azure")
    policy = unnamed_policy(plan)
    clients = sorted(g for g in policy.groups if g.startswith("clients.") and g[-2:] == ".2")
    reserved = {
        clients[0]: GroupAllocation(
            kind="client",
            system=policy.groups[clients[0]].system,
            environment=policy.groups[clients[0]].environment,
            identity="permits:gone",
            members=("nobody",),
        )
    }
    rename, _ = stable_names(policy, reserved)
    assert len(set(rename.values())) == len(rename) == len(policy.groups)
    assert clients[0] not in rename.values()
    assert rename[clients[0]].startswith(clients[0][:-2])


def test_a_group_that_left_is_reserved_with_a_warning() -> None:
    """The split edit undone: the part it added leaves, its name stays reserved (a
    warning names it and how to release it); the other groups keep their names."""
    before = first("generated", "azure")
    split = with_allocations(edited_plan("generated", "azure", "split"), before.allocations)
    back = with_allocations(plan_doc(generated_doc()), split.allocations)
    gone = sorted(set(network_policy(split).cloud_groups()) - set(network_policy(back).groups))
    assert gone
    warning = next(w for w in back.warnings if w.code == "allocation-group-kept")
    assert gone[0] in warning.message
    assert f"utflytt allocations release --group {gone[0]}" in warning.message
    assert moved(network_policy(before), network_policy(back)) == {}
    assert not [w for w in split.warnings if w.code == "allocation-group-kept"]


@pytest.mark.parametrize("provider", ["azure", "aws"])
def test_a_file_from_before_groups_keeps_the_deployed_names(provider: str) -> None:
    """An allocations.json written before ``groups`` existed (its stacks were deployed
    with the names as built): the next plan names every group as built, and records
    them, so the deployed groups are not renamed."""
    before = first("generated", provider)
    entries = before.allocations.provider(provider)
    old = before.allocations.with_provider(provider, entries.model_copy(update={"groups": {}}))
    assert "groups" not in dumps_allocations(old)
    again = with_allocations(plan_doc(_target(generated_doc(), provider)), old)
    assert set(network_policy(again).groups) == set(unnamed_policy(again).groups)
    assert again.allocations.provider(provider).groups == entries.groups


@cache
def example_allowed() -> set[tuple[str, str, str]]:
    return unnamed_policy(first("example", "azure")).allowed()


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_renaming_a_real_policy_is_injective_and_never_reuses_a_reserved_name(
    data: st.DataObject,
) -> None:
    """Whatever the record holds (entries of this plan's groups under shuffled names, with
    members dropped, and entries of groups that left), every group gets one name, no two
    the same, and no name recorded for a group that matched nothing is handed out."""
    policy = unnamed_policy(first("example", "azure"))
    record, _ = record_groups(policy, {})
    names = sorted(record)
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=40))
    targets = data.draw(st.permutations(names))[: len(chosen)]
    shuffled: dict[str, GroupAllocation] = {}
    for old, new_name in zip(chosen, targets, strict=True):
        entry = record[old]
        keep = data.draw(st.integers(0, len(entry.members)))
        shuffled[new_name] = entry.model_copy(update={"members": entry.members[:keep]})
    if data.draw(st.booleans()):
        shuffled["clients.ad.prod.9"] = GroupAllocation(
            kind="client", system="ad", environment="prod", identity="permits:gone"
        )
    rename, _ = stable_names(policy, shuffled)
    assert set(rename) == set(policy.groups)
    assert len(set(rename.values())) == len(rename)
    renamed_policy = stable_policy(policy, shuffled)
    assert renamed_policy.allowed() == example_allowed()  # renaming admits the same
    assert {frozenset(g.servers) for g in renamed_policy.groups.values()} == {
        frozenset(g.servers) for g in policy.groups.values()
    }
    if "clients.ad.prod.9" in shuffled:
        assert "clients.ad.prod.9" not in rename.values()
