"""allocations.json (DESIGN.md "Allocations"): a re-plan after a catalog edit keeps every
subnet, private IP, computer name and globally unique name; the same edits without the file
do move something (so the stability checks can fire); the allocator never overlaps and
stays inside its spoke; a broken file stops ``utflytt plan`` with nothing written."""

from __future__ import annotations

import copy
import ipaddress
import json
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.pipeline import plan_catalog
from bench.estate import generate
from migration.allocations import (
    Allocations,
    ProviderAllocations,
    ServerAllocation,
    dumps_allocations,
    release_systems,
)
from migration.catalog import Catalog
from migration.catalog.findings import load_final_catalog
from migration.examples import EXAMPLE_CATALOG
from migration.plan import Plan
from stacks.allocate import allocate, with_allocations
from stacks.azure import layout
from stacks.names import computer_name_of
from stacks.network import check_plan
from stacks.network.addresses import SPOKE_SLOTS, AddressPlanError, plan_addresses
from tests.builders import catalog, server, system
from tests.test_allocations_pool import check_disjoint_inside
from waves import PlanOptions

Doc = dict[str, Any]


# --------------------------------------------------------------------------- estates


@cache
def example_doc() -> Doc:
    cat, _ = load_final_catalog(EXAMPLE_CATALOG)
    return cat.model_dump(mode="json", by_alias=True, exclude_none=True)


@cache
def generated_doc() -> Doc:
    """A generated estate (400 servers) with a few Windows systems rebuilt from images, so
    that computer names are allocated too."""
    doc = generate(400, 11)
    rebuilt = [s["id"] for s in doc["systems"] if s["disposition"] == "rehost"][3:9]
    for record in doc["systems"]:
        if record["id"] in rebuilt:
            record["disposition"] = "rebuild"
    for record in doc["servers"]:
        if record["system"] in rebuilt:
            record["os"] = "windows-server-2022"
    return doc


ESTATES = {"example": example_doc, "generated": generated_doc}


def plan_doc(doc: Doc, pins: dict[str, int] | None = None) -> Plan:
    cat = Catalog.model_validate(copy.deepcopy(doc))
    return plan_catalog(cat, "0" * 64, PlanOptions(deterministic_time=0.5, pins=pins or {}))


@cache
def first_plan(estate: str) -> Plan:
    """The estate planned once: its allocations are what a committed file would hold."""
    return with_allocations(plan_doc(ESTATES[estate]()), Allocations())


def _leaf_system(doc: Doc, skip: int = 0) -> str:
    """A migrating system that nothing depends on (removing it keeps the catalog valid)."""
    used = {d["to"] for s in doc["systems"] for d in s.get("depends_on", [])}
    servers = {s["id"]: s["system"] for s in doc["servers"]}
    used |= {servers.get(d["to"], d["to"]) for s in doc["servers"] for d in s.get("depends_on", [])}
    leaves = [
        s["id"]
        for s in doc["systems"]
        if s["id"] not in used
        and s["disposition"] in ("rehost", "rebuild", "replatform")
        and not s.get("foundation")
        and any(v["system"] == s["id"] for v in doc["servers"])
    ]
    return sorted(leaves)[skip]


def edit_owner(doc: Doc, _plan: Plan) -> tuple[Doc, dict[str, int]]:
    """A changed owner of every system and a renamed organisation."""
    doc = copy.deepcopy(doc)
    for record in doc["systems"]:
        record["owner"] = "Ny ägare"
    doc["organisation"] = doc["organisation"] + " (ny)"
    return doc, {}


def edit_add_first(doc: Doc, _plan: Plan) -> tuple[Doc, dict[str, int]]:
    """A new foundation system ``aaa-new`` (sorts first, goes to wave 0) with a Windows
    server rebuilt from an image and a Linux one."""
    doc = copy.deepcopy(doc)
    doc["systems"].insert(
        0, system("aaa-new", foundation=True, level="shared", disposition="rebuild")
    )
    doc["servers"].insert(0, server("aaa-new-app01", "aaa-new", os="windows-server-2022"))
    doc["servers"].insert(0, server("aaa-new-web01", "aaa-new"))
    return doc, {}


def edit_remove(doc: Doc, _plan: Plan) -> tuple[Doc, dict[str, int]]:
    """A system (with nothing depending on it) leaves the catalog."""
    doc = copy.deepcopy(doc)
    gone = _leaf_system(doc)
    doc["systems"] = [s for s in doc["systems"] if s["id"] != gone]
    doc["servers"] = [s for s in doc["servers"] if s["system"] != gone]
    return doc, {}


def edit_pin(doc: Doc, plan: Plan) -> tuple[Doc, dict[str, int]]:
    """Every migrating server of the earliest leaf systems is pinned to the last wave."""
    last = max(w.number for w in plan.waves)
    pins: dict[str, int] = {}
    for skip in range(3):
        leaf = _leaf_system(doc, skip)
        pins.update(
            {
                sid: last
                for sid, s in plan.servers.items()
                if s.system == leaf and s.wave is not None and s.wave < last and not s.migrated
            }
        )
    return doc, pins


EDITS = {
    "owner": edit_owner,
    "add-first": edit_add_first,
    "remove": edit_remove,
    "pin": edit_pin,
}


@cache
def replanned(estate: str, edit: str) -> Plan:
    before = first_plan(estate)
    doc, pins = EDITS[edit](ESTATES[estate](), before)
    return plan_doc(doc, pins)


def _entries(alloc: ProviderAllocations) -> dict[str, str]:
    """Every allocation as one flat mapping (what must never change)."""
    flat = {f"subnet {k}": v for k, v in alloc.subnets.items()}
    flat |= {f"name {k}": v for k, v in alloc.names.items()}
    flat |= {f"ip {k}": a.ip for k, a in alloc.servers.items() if a.ip}
    flat |= {f"computer {k}": a.computer_name for k, a in alloc.servers.items() if a.computer_name}
    flat["address space"] = alloc.address_space
    return flat


def _changed(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    return {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v}


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("estate", sorted(ESTATES))
def test_a_replan_after_an_edit_keeps_every_allocation(estate: str, edit: str) -> None:
    """Every subnet, IP, computer name and account name of the first plan is unchanged
    after the edit, in the allocations and in what the stacks compute from the plan."""
    before = first_plan(estate)
    after = check_plan(with_allocations(replanned(estate, edit), before.allocations))
    old, new = before.allocations.azure, after.allocations.azure
    assert _changed(_entries(old), _entries(new)) == {}
    addressing = plan_addresses(after)
    for unit in addressing.units:
        key = f"{unit.environment}/{unit.system}"
        assert old.subnets.get(key, unit.cidr) == unit.cidr
    for sid, ip in addressing.server_ips.items():
        assert not old.servers.get(sid) or old.servers[sid].ip == ip
    assert layout.key_vault_name(after, "swedencentral") == old.names["key_vault"]
    assert layout.storage_account_name(after) == old.names["storage_account"]
    for sid, entry in old.servers.items():
        if entry.computer_name and sid in after.servers:
            assert computer_name_of(after, sid) == entry.computer_name


@pytest.mark.parametrize("edit", ["owner", "add-first", "remove", "pin"])
@pytest.mark.parametrize("estate", sorted(ESTATES))
def test_without_allocations_the_same_edit_moves_something(estate: str, edit: str) -> None:
    """The negative: planned afresh (no allocations.json), each edit changes an address or
    a name of the first plan, so the stability test above can fail."""
    before = first_plan(estate).allocations.azure
    fresh = with_allocations(replanned(estate, edit), Allocations()).allocations.azure
    assert _changed(_entries(before), _entries(fresh)) != {}


def test_new_entries_are_added_and_left_systems_kept_with_a_warning() -> None:
    """aaa-new gets a subnet, IPs and a computer name; a removed system's entries stay
    (reported, not released) and nobody else is given its addresses."""
    before = first_plan("generated")
    added = with_allocations(replanned("generated", "add-first"), before.allocations)
    new = added.allocations.azure
    assert "prod/aaa-new" in new.subnets and new.servers["aaa-new-app01"].computer_name
    gone = _leaf_system(generated_doc())
    removed = with_allocations(replanned("generated", "remove"), before.allocations)
    kept = removed.allocations.azure
    assert {k for k in kept.subnets if k.split("/")[1] == gone}
    warning = next(w for w in removed.warnings if w.code == "allocation-kept")
    assert warning.subjects == (gone,)
    assert f"utflytt allocations release {gone}" in warning.message
    held = {a.ip for a in kept.servers.values() if a.system == gone}
    live = {ip for ip in plan_addresses(removed).server_ips.values()}
    assert held and not held & live


def test_the_file_is_byte_deterministic_and_sorted() -> None:
    """The same plan twice gives the same bytes; keys are sorted; empty fields left out."""
    a = dumps_allocations(first_plan("example").allocations)
    b = dumps_allocations(with_allocations(plan_doc(example_doc()), Allocations()).allocations)
    assert a == b
    data = json.loads(a)
    assert list(data) == ["azure", "version"] and data["version"] == 1
    assert list(data["azure"]["servers"]) == sorted(data["azure"]["servers"])
    assert Allocations.model_validate_json(a) == first_plan("example").allocations


GOLDEN_HEAD = {
    "address_space": "10.200.0.0/13",
    "prod/ad": "10.202.0.0/28",
}


def test_example_allocations_golden_head() -> None:
    """The example's first entries (exact): the first-fit allocator from the spoke's start."""
    alloc = first_plan("example").allocations.azure
    assert alloc.address_space == GOLDEN_HEAD["address_space"]
    assert alloc.subnets["prod/ad"] == GOLDEN_HEAD["prod/ad"]
    assert alloc.servers["ad-dc01"].ip == "10.202.0.4"


# ---------------------------------------------------------------------- the allocator


@settings(max_examples=40, deadline=None)
@given(st.sets(st.sampled_from([f"s{i:02d}" for i in range(14)]), min_size=1))
def test_replan_with_systems_left_keeps_subnets_inside_their_spoke(kept: set[str]) -> None:
    """Property: a small estate planned, some systems dropped and two added: every kept
    subnet stays, all subnets are disjoint and inside their environment's spoke."""
    base = _small_plan(sorted(f"s{i:02d}" for i in range(14)))
    after = with_allocations(_small_plan(sorted(kept) + ["new1", "a-new"]), base.allocations)
    alloc = after.allocations.azure
    assert base.allocations.azure.subnets.items() <= alloc.subnets.items()
    space = ipaddress.IPv4Network(alloc.address_space)
    sixteens = list(space.subnets(new_prefix=16))
    nets = []
    for key, cidr in alloc.subnets.items():
        env = key.split("/")[0]
        spoke = ipaddress.IPv4Network(f"{sixteens[SPOKE_SLOTS[env]].network_address}/15")
        net = ipaddress.IPv4Network(cidr)
        assert net.subnet_of(spoke)
        nets.append(net)
    check_disjoint_inside(nets, space)
    ips = [a.ip for a in alloc.servers.values()]
    assert len(ips) == len(set(ips))


@cache
def _small_plan_cached(ids: tuple[str, ...]) -> Plan:
    systems = [system(s, level="citizen" if s.endswith("3") else "sector") for s in ids]
    servers = [server(f"{s}-app{k}", s) for s in ids for k in range(1 + len(s) % 3)]
    servers += [server(f"{s}-test", s, environment="test") for s in ids if s.endswith("1")]
    return with_allocations(
        plan_catalog(catalog(systems, servers), "0" * 64, PlanOptions(deterministic_time=0.2)),
        Allocations(),
    )


def _small_plan(ids: list[str]) -> Plan:
    return _small_plan_cached(tuple(ids))


# ------------------------------------------------------------------ outgrown, names


def test_a_unit_that_outgrew_its_kept_subnet_is_an_error_saying_how_to_release() -> None:
    """A /28 kept for s01 holds 11 servers; 12 is an AddressPlanError (never a silent
    re-addressing of a deployed subnet), and releasing s01 lets it grow."""
    ids = ["s01", "s02"]
    base = _small_plan(ids)
    systems = [system(s) for s in ids]
    servers = [server(f"s01-app{k:02d}", "s01") for k in range(12)] + [server("s02-app0", "s02")]
    grown = plan_catalog(catalog(systems, servers), "0" * 64, PlanOptions(deterministic_time=0.2))
    kept = base.allocations.azure.subnets["prod/s01"]
    with pytest.raises(AddressPlanError) as info:
        with_allocations(grown, base.allocations)
    assert str(info.value) == (
        f"system s01 (prod) has 12 servers, more than its subnet {kept} (kept in "
        "allocations.json) holds (11 addresses, some may be held for servers that left): a "
        "subnet in use cannot be resized on Azure. Split the system, or release its "
        "allocations (`utflytt allocations release s01`) to give it a new, larger subnet "
        "(its servers are then re-addressed)"
    )
    released = with_allocations(grown, release_systems(base.allocations, ["s01"]))
    new = released.allocations.azure
    assert new.subnets["prod/s01"] != kept
    assert new.subnets["prod/s02"] == base.allocations.azure.subnets["prod/s02"]


def test_the_other_providers_entries_pass_through() -> None:
    """Planning for Azure keeps the AWS entries of an earlier AWS plan untouched."""
    aws = ProviderAllocations(
        subnets={"prod/x/a": "10.0.0.0/24"},
        servers={"x1": ServerAllocation(system="x", environment="prod", ip="10.0.0.10")},
    )
    previous = Allocations(aws=aws)
    allocations, _ = allocate(_small_plan(["s01"]), previous)
    assert allocations.aws == aws and allocations.azure.subnets


def test_old_plan_json_without_allocations_still_loads() -> None:
    """The field is optional: a plan.json from before allocations validates, empty."""
    data = json.loads(first_plan("example").model_dump_json(by_alias=True))
    del data["allocations"]
    assert Plan.model_validate(data).allocations == Allocations()


def test_the_azure_stacks_build_exactly_what_the_allocations_say() -> None:
    """Entries that differ from a fresh allocation (a moved subnet, an IP, a computer name,
    a key vault name) are what the offline foundation and wave stacks create: the Pulumi
    program reads the allocations embedded in the plan and needs no other file."""
    from stacks.config import settings_for_stack
    from stacks.testing import run_offline_full
    from tests.stacks_fixtures import make_plan

    base = make_plan()
    servers = dict(base.servers)
    servers["portal-app01"] = servers["portal-app01"].model_copy(
        update={"os": "windows-server-2022"}
    )
    plan = base.model_copy(update={"servers": servers})
    fresh = with_allocations(plan, Allocations()).allocations.azure.model_dump(mode="json")
    assert fresh["subnets"]["prod/portal"] != "10.202.100.0/28"
    fresh["subnets"]["prod/portal"] = "10.202.100.0/28"
    fresh["servers"]["portal-app01"].update(ip="10.202.100.9", computer_name="portal-kept")
    fresh["names"]["key_vault"] = "kv-kept-name"
    planned = with_allocations(plan, Allocations.model_validate({"azure": fresh}))
    foundation = run_offline_full(settings_for_stack(planned, "foundation", "p"), planned)
    wave = run_offline_full(
        settings_for_stack(planned, "wave-02", "p"),
        planned,
        stack_outputs={"foundation": foundation.outputs},
    )
    vaults = [r for r in foundation.resources if r.type == "azure-native:keyvault:Vault"]
    assert [v.inputs["vaultName"] for v in vaults] == ["kv-kept-name"]
    subnets = {
        r.inputs["subnetName"]: r.inputs["addressPrefix"]
        for r in wave.resources
        if r.type == "azure-native:network:Subnet"
    }
    assert subnets["snet-portal-prod"] == "10.202.100.0/28"
    nics = [r for r in wave.resources if r.type == "azure-native:network:NetworkInterface"]
    nic = next(n for n in nics if n.inputs["tags"]["server"] == "portal-app01")
    assert nic.inputs["ipConfigurations"][0]["privateIPAddress"] == "10.202.100.9"
    vms = [r for r in wave.resources if r.type == "azure-native:compute:VirtualMachine"]
    vm = next(v for v in vms if v.inputs["tags"]["server"] == "portal-app01")
    assert vm.inputs["osProfile"]["computerName"] == "portal-kept"


def test_switching_target_to_aws_keeps_the_azure_entries() -> None:
    """An AWS plan after an Azure one: the Azure entries pass through untouched, and the
    AWS side records its servers (system, environment, computer names)."""
    azure = _small_plan(["s01", "s02"]).allocations
    systems = [system("s01", disposition="rebuild"), system("s02")]
    servers = [server("s01-app0", "s01", os="windows-server-2022"), server("s02-app0", "s02")]
    aws_plan = plan_catalog(
        catalog(systems, servers, target="aws"), "0" * 64, PlanOptions(deterministic_time=0.2)
    )
    switched = with_allocations(aws_plan, azure).allocations
    assert switched.azure == azure.azure
    assert switched.aws.servers["s01-app0"].computer_name == "s01-app0"
    entry = switched.aws.servers["s02-app0"]
    assert (entry.system, entry.environment, entry.computer_name) == ("s02", "prod", "")


def test_a_large_estate_keeps_every_allocation_after_an_addition_and_a_removal() -> None:
    """3,000 servers: ``aaa-new`` (wave 0, sorts first) added and a system removed in one
    edit: nothing of the first plan moves; planned afresh, hundreds of entries would."""
    doc = generate(3000, 5)
    before = with_allocations(plan_doc(doc), Allocations())
    edited, _ = edit_add_first(doc, before)
    edited, _ = edit_remove(edited, before)
    replan = plan_doc(edited)
    old = _entries(before.allocations.azure)
    kept = with_allocations(replan, before.allocations).allocations.azure
    assert _changed(old, _entries(kept)) == {}
    fresh = with_allocations(replan, Allocations()).allocations.azure
    assert len(_changed(old, _entries(fresh))) > 100


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_aws_replan_keeps_every_subnet_and_ip(edit: str) -> None:
    """The same edits on AWS (generated estate): every per-AZ subnet and server IP of the
    first plan is kept, in the allocations and in the address plan the stacks compute."""
    from stacks.aws import layout as aws_layout

    doc = copy.deepcopy(generated_doc())
    doc["planning"] = dict(doc["planning"], target="aws")
    before = with_allocations(plan_doc(doc), Allocations())
    old = before.allocations.aws
    assert old.subnets and any(a.ip for a in old.servers.values())
    edited, pins = EDITS[edit](doc, before)
    after = with_allocations(plan_doc(edited, pins), before.allocations)
    assert _changed(_entries(old), _entries(after.allocations.aws)) == {}
    options = aws_layout.AwsOptions()
    stack_view = aws_layout.address_plan(after, options, aws_layout.zones_for(after, options))
    flat = stack_view.allocations()
    assert {k: flat.get(k) for k in old.flat()} == old.flat()
