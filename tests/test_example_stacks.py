"""Issue 5's must-show over the bundled example: every stack it generates, under mocks.

The example (examples/mariehamn) is planned in-process, its plan.json and stack configs are
written to a temporary directory and read back as the Pulumi program would read them, and
the foundation and every wave stack run once offline (the waves' StackReference is answered
with the foundation's real offline exports). Each wave is then checked against what the
plan and the catalog say, with the expectations derived here, not from stacks.azure.layout:
one VM per migrating server with the plan's size, its NIC, disks as in the catalog, NSG
rules equal to the declared dependencies (no more, no fewer), the StackReference resolved,
tags complete; and stacks.security.check() finds nothing on any stack.

A few seeded, generated catalogs go through the same checks (and the security invariants).
"""

from __future__ import annotations

import ipaddress
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi.runtime.rpc import UNKNOWN

from app.pipeline import plan_catalog
from migration.catalog import MIGRATING_DISPOSITIONS, Catalog, load_catalog_with_digest
from migration.fileio import dumps_json, write_atomic
from migration.flows import server_flows
from migration.plan import Plan, read_plan
from stacks.config import (
    load_stack_config,
    read_settings,
    settings_for_stack,
    stack_names,
    write_stack_configs,
)
from stacks.security import check
from stacks.testing import OfflineRun, RecordedResource, run_offline_full
from tests.network_allowed import azure_allowed, declared
from tests.test_stacks_azure import DISK, NIC, NSG, VM, of_type, server_of
from waves import PlanOptions

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mariehamn" / "catalog.yaml"
SUBNET = "azure-native:network:Subnet"
AGW = "azure-native:network:ApplicationGateway"
PROTECTED_ITEM = "azure-native:recoveryservices:ProtectedItem"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
# Types a wave stack creates per server or per system; each must carry the system's tags.
TAGGED_WAVE_TYPES = (VM, NIC, DISK, NSG, PROTECTED_ITEM)


@dataclass(frozen=True)
class Estate:
    """A catalog, its plan (as read back from plan.json) and every stack run offline."""

    catalog: Catalog
    plan: Plan
    runs: dict[str, OfflineRun]

    @property
    def waves(self) -> list[int]:
        return sorted(w.number for w in self.plan.waves)

    def wave_run(self, wave: int) -> OfflineRun:
        return self.runs[f"wave-{wave:02d}"]


def run_estate(catalog: Catalog, plan: Plan, out: Path) -> Estate:
    """Write plan.json and the stack configs under ``out``, read both back, run every stack.

    Settings come from the written ``Pulumi.<stack>.yaml`` via read_settings (what the
    program does under a real CLI) and must equal settings_for_stack.
    """
    plan_path = write_atomic(out / "plan.json", dumps_json(plan.to_json_dict()))
    config_dir = out / "stacks" / "config"
    paths = write_stack_configs(plan, plan_path.as_posix(), config_dir)
    names = stack_names(plan)
    assert [p.name for p in paths] == [f"Pulumi.{s}.yaml" for s in names]
    read_back = read_plan(plan_path)
    assert read_back == plan
    runs: dict[str, OfflineRun] = {}
    for stack, path in zip(names, paths, strict=True):
        config, secrets = load_stack_config(path)
        assert secrets == []
        settings = read_settings(config, stack=stack)
        assert settings == settings_for_stack(plan, stack, plan_path.as_posix())
        outputs = None if stack == "foundation" else {"foundation": runs["foundation"].outputs}
        runs[stack] = run_offline_full(settings, read_back, stack_outputs=outputs)
    return Estate(catalog, read_back, runs)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Estate:
    """The bundled example, planned with default options, every stack run once."""
    catalog, digest = load_catalog_with_digest(EXAMPLE)
    plan = plan_catalog(catalog, digest, PlanOptions())
    return run_estate(catalog, plan, tmp_path_factory.mktemp("example"))


# -------------------------------------------------------------------- expectations


def migrating_by_wave(catalog: Catalog, plan: Plan) -> dict[int, set[str]]:
    """Servers whose system moves, by the wave the plan gives them (from the catalog)."""
    systems = catalog.systems_by_id
    out: dict[int, set[str]] = defaultdict(set)
    for server in catalog.servers:
        if systems[server.system].disposition in MIGRATING_DISPOSITIONS:
            wave = plan.servers[server.id].wave
            assert wave is not None, f"migrating server {server.id} has no wave"
            out[wave].add(server.id)
    return out


def by_id(run: OfflineRun) -> dict[str, RecordedResource]:
    return {r.id: r for r in run.resources if r.id}


def nic_ips(estate: Estate) -> dict[str, tuple[int, str]]:
    """Server id -> (wave of the stack holding its NIC, its private IP), over every wave."""
    out: dict[str, tuple[int, str]] = {}
    for wave in estate.waves:
        for nic in of_type(estate.wave_run(wave), NIC):
            sid = server_of(nic)
            assert sid not in out, f"server {sid} has NICs in two stacks"
            out[sid] = (wave, nic.inputs["ipConfigurations"][0]["privateIPAddress"])
    return out


def nsg_of_servers(run: OfflineRun) -> dict[str, RecordedResource]:
    """Server id -> the NSG on the subnet its NIC is in."""
    resources = by_id(run)
    out = {}
    for nic in of_type(run, NIC):
        subnet = resources[nic.inputs["ipConfigurations"][0]["subnet"]["id"]]
        out[server_of(nic)] = resources[subnet.inputs["networkSecurityGroup"]["id"]]
    return out


def check_nsg_shape(run: OfflineRun) -> None:
    """Every VM subnet's NSG: inbound allow rules with unique priorities, deny-all last."""
    for nsg in {n.id: n for n in nsg_of_servers(run).values()}.values():
        security_rules = nsg.inputs["securityRules"]
        last = security_rules[-1]
        assert (last["name"], last["access"], last["direction"], last["priority"]) == (
            "deny-all-inbound",
            "Deny",
            "Inbound",
            4096,
        ), nsg.name
        assert (last["sourceAddressPrefix"], last["destinationPortRange"]) == ("*", "*")
        priorities = [r["priority"] for r in security_rules]
        assert len(priorities) == len(set(priorities)), f"{nsg.name}: duplicate priorities"
        names = [r["name"] for r in security_rules]
        assert len(names) == len(set(names)), f"{nsg.name}: duplicate rule names"
        for rule in security_rules[:-1]:
            assert (rule["direction"], rule["access"]) == ("Inbound", "Allow"), rule


def expected_tags(catalog: Catalog, system_id: str, wave: int) -> dict[str, str]:
    """The tags issues 5 and 13 ask for, from the catalog (cost centre only when the system
    has one; the environment is checked per server)."""
    system = catalog.systems_by_id[system_id]
    tags = {
        "system": system.id,
        "owner": system.owner,
        "wave": f"wave-{wave:02d}",
        "level": system.level,
        "data-classification": system.data_classification,
        "criticality": system.criticality,
        "personal-data": "yes" if system.personal_data else "no",
    }
    if system.cost_centre:
        tags["cost-centre"] = system.cost_centre
    return tags


def vm_disk_sizes(run: OfflineRun, vm: RecordedResource) -> tuple[list[int], set[str]]:
    """The VM's disk sizes in order (OS first) and the ids of the Disk resources it attaches."""
    disks = {r.id: r for r in of_type(run, DISK)}
    profile = vm.inputs["storageProfile"]
    os_disk = profile["osDisk"]
    attached = set()
    if "id" in os_disk.get("managedDisk", {}):
        attached.add(os_disk["managedDisk"]["id"])
        os_size = disks[os_disk["managedDisk"]["id"]].inputs["diskSizeGB"]
    else:
        os_size = os_disk["diskSizeGB"]
    data = profile.get("dataDisks", [])
    assert [d["lun"] for d in data] == list(range(len(data)))
    attached.update(d["managedDisk"]["id"] for d in data)
    return [os_size, *(disks[d["managedDisk"]["id"]].inputs["diskSizeGB"] for d in data)], attached


def walk_strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from walk_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from walk_strings(item)


# ---------------------------------------------------------------- checks per estate


def check_vms(estate: Estate) -> None:
    """Exactly one VM per migrating server of each wave, sized as the plan says."""
    expected = migrating_by_wave(estate.catalog, estate.plan)
    assert of_type(estate.runs["foundation"], VM) == []
    assert set(expected) <= set(estate.waves)
    for wave in estate.waves:
        vms = of_type(estate.wave_run(wave), VM)
        ids = [server_of(v) for v in vms]
        assert len(ids) == len(set(ids)), f"wave {wave}: a server has two VMs"
        assert set(ids) == expected.get(wave, set()), f"wave {wave}"
        for vm in vms:
            sid = server_of(vm)
            assert estate.plan.servers[sid].sku, f"{sid}: the plan has no size"
            assert vm.inputs["hardwareProfile"]["vmSize"] == estate.plan.servers[sid].sku, sid
            assert vm.inputs["vmName"] == f"vm-{sid}"
        assert estate.wave_run(wave).warnings == [], f"wave {wave}"


def check_nics(estate: Estate) -> None:
    """One NIC per VM, referenced by it, static private IP inside its subnet, no public IP."""
    seen_ips: set[str] = set()
    for wave in estate.waves:
        run = estate.wave_run(wave)
        resources = by_id(run)
        nics = of_type(run, NIC)
        vms = of_type(run, VM)
        assert sorted(server_of(n) for n in nics) == sorted(server_of(v) for v in vms)
        nic_of = {server_of(n): n for n in nics}
        for vm in vms:
            nic = nic_of[server_of(vm)]
            assert vm.inputs["networkProfile"]["networkInterfaces"] == [
                {"id": nic.id, "primary": True}
            ]
            (config,) = nic.inputs["ipConfigurations"]
            assert config["privateIPAllocationMethod"] == "Static"
            assert "publicIPAddress" not in config
            subnet = resources[config["subnet"]["id"]]
            ip = ipaddress.ip_address(config["privateIPAddress"])
            assert ip in ipaddress.ip_network(subnet.inputs["addressPrefix"]), nic.name
            assert str(ip) not in seen_ips, f"{ip} used twice"
            seen_ips.add(str(ip))
            for source in estate.plan.source_networks:
                assert ip not in ipaddress.ip_network(source)


def check_disks(estate: Estate) -> None:
    """Disks equal the catalog's disks_gb in count, order and size (whole GB, rounded up)."""
    servers = estate.catalog.servers_by_id
    for wave in estate.waves:
        run = estate.wave_run(wave)
        resources = by_id(run)
        used: set[str] = set()
        for vm in of_type(run, VM):
            sid = server_of(vm)
            sizes, attached = vm_disk_sizes(run, vm)
            assert sizes == [math.ceil(s) for s in servers[sid].disks_gb], sid
            assert not attached & used
            used |= attached
            for disk_id in attached:
                assert resources[disk_id].inputs["tags"]["server"] == sid
        assert {d.id for d in of_type(run, DISK)} == used, f"wave {wave}: unattached disks"


def check_rules(estate: Estate) -> None:
    """The rendered rules, read back, allow exactly the plan's flows into the cloud (no
    source wider than its servers but the warned source networks); every NSG is well formed."""
    allowed, wide = azure_allowed(estate.plan, estate.runs)
    assert allowed == declared(estate.plan)
    assert wide == []
    for wave in estate.waves:
        check_nsg_shape(estate.wave_run(wave))


def check_stack_reference(estate: Estate) -> None:
    """Each wave reads the foundation once, and uses its groups, spoke, vault and account."""
    outputs = estate.runs["foundation"].outputs
    systems = estate.catalog.systems_by_id
    assert [r for r in estate.runs["foundation"].resources if r.type == STACK_REFERENCE] == []
    for wave in estate.waves:
        run = estate.wave_run(wave)
        refs = [r for r in run.resources if r.type == STACK_REFERENCE]
        assert [(r.kind, r.name) for r in refs] == [("read", "foundation")]
        for r in run.resources:
            assert UNKNOWN not in set(walk_strings(r.inputs)), f"unresolved input in {r.name}"
        for vm in of_type(run, VM):
            level = systems[vm.inputs["tags"]["system"]].level
            assert vm.inputs["resourceGroupName"] == outputs["resourceGroups"][level]
        for subnet in of_type(run, SUBNET):
            assert subnet.inputs["virtualNetworkName"] in outputs["spokeVnetNames"].values()
            assert subnet.inputs["resourceGroupName"] == outputs["networkResourceGroup"]
        items = of_type(run, PROTECTED_ITEM)
        assert len(items) == len(of_type(run, VM))
        for item in items:
            assert item.inputs["vaultName"] == outputs["recoveryVaultName"]
            assert item.inputs["resourceGroupName"] == outputs["managementResourceGroup"]
            assert item.inputs["properties"]["policyId"] in outputs["backupPolicyIds"].values()
        for disk in of_type(run, DISK):
            creation = disk.inputs["creationData"]
            if creation["createOption"] == "Import":
                assert creation["storageAccountId"] == outputs["migrationStorageAccountId"]
                assert creation["sourceUri"].startswith(
                    f"https://{outputs['migrationStorageAccountName']}.blob.core.windows.net/"
                )


def check_tags(estate: Estate) -> None:
    """Every wave resource carries its system's tags; per-server ones name the right system."""
    servers = estate.catalog.servers_by_id
    for wave in estate.waves:
        run = estate.wave_run(wave)
        for r in run.resources:
            if r.type in TAGGED_WAVE_TYPES:
                assert "tags" in r.inputs, f"{r.type} {r.name} has no tags"
            if "tags" not in r.inputs:
                continue
            tags = r.inputs["tags"]
            want = expected_tags(estate.catalog, tags.get("system", "?"), wave)
            assert {k: tags.get(k) for k in want} == want, f"{r.type} {r.name}"
            assert tags.get("cost-centre"), f"{r.type} {r.name}: no cost-centre tag"
            if "server" in tags:
                server = servers[tags["server"]]
                assert (tags["system"], tags["environment"]) == (
                    server.system,
                    server.environment,
                ), r.name
        assert [v for v in check(run.resources) if v.rule == "tags"] == []


def check_security(estate: Estate) -> None:
    """stacks.security.check() finds nothing on any stack, the foundation included."""
    for stack, run in estate.runs.items():
        found = check(
            run.resources,
            region=estate.plan.target.region,
            config=run.config,
            secret_keys=run.secret_keys,
            plan=estate.plan,
        )
        assert found == [], f"{stack}: {[str(v) for v in found]}"


def check_each_server_once(estate: Estate) -> None:
    """Across stacks: every migrating server built once, no physical name in two stacks."""
    migrating = set().union(*migrating_by_wave(estate.catalog, estate.plan).values())
    built = Counter(server_of(v) for w in estate.waves for v in of_type(estate.wave_run(w), VM))
    assert set(built) == migrating and set(built.values()) <= {1}
    owner: dict[tuple[str, str], str] = {}
    for stack, run in estate.runs.items():
        for r in run.resources:
            if r.custom and r.kind == "register":
                name = r.state.get("name", r.name)
                key = (r.type, r.inputs.get("resourceGroupName", "") + "/" + str(name))
                assert owner.setdefault(key, stack) == stack, f"{key} in {owner[key]} and {stack}"


ALL_CHECKS = (
    check_vms,
    check_nics,
    check_disks,
    check_rules,
    check_stack_reference,
    check_tags,
    check_security,
    check_each_server_once,
)


# ----------------------------------------------------------------- the example


def test_example_has_foundation_and_one_stack_per_wave(example):
    """Stacks are foundation plus wave-NN per planned wave; every one ran and has resources."""
    assert list(example.runs) == stack_names(example.plan)
    assert list(example.runs)[1:] == [f"wave-{w:02d}" for w in example.waves]
    assert len(example.waves) > 2
    for stack, run in example.runs.items():
        assert run.resources, stack


def test_example_plan_flows_are_the_catalogs_declared_dependencies(example):
    """plan.flows (what the NSG expectations are computed from) are the one flow rule's
    flows (migration.flows), and none joins prod to test or dev."""
    catalog = example.catalog
    declared = {(f.from_, f.to, p) for f in server_flows(catalog) for p in f.ports}
    assert {(f.from_, f.to, p) for f in example.plan.flows for p in f.ports} == declared
    env = {s.id: s.environment for s in catalog.servers}
    assert not [f for f in example.plan.flows if env[f.from_] == "prod" != env[f.to]]


def test_example_one_vm_per_migrating_server_with_the_plans_size(example):
    """Each wave stack: exactly the wave's migrating servers as VMs, with the planned SKU."""
    check_vms(example)


def test_example_each_vm_has_its_nic(example):
    """One NIC per VM, static IP in its subnet, unique, outside the source networks."""
    check_nics(example)


def test_example_disks_match_the_catalog(example):
    """OS and data disks equal the catalog's disks_gb; no disk left unattached."""
    check_disks(example)


def test_example_nsg_rules_equal_the_declared_dependencies(example):
    """No more, no fewer allow rules than the flows (and citizen gateways) demand."""
    check_rules(example)


def test_example_stack_reference_is_resolved(example):
    """Waves read the foundation's exports; nothing is left unknown."""
    check_stack_reference(example)


def test_example_tags_are_complete(example):
    """System, owner, wave, level, data classification and cost centre on every resource."""
    check_tags(example)


def test_example_security_invariants_hold_on_every_stack(example):
    """No violation of stacks.security on the foundation or any wave."""
    check_security(example)


def test_example_every_migrating_server_is_built_exactly_once(example):
    """The union of the wave stacks is the whole migration, and no stack repeats another."""
    check_each_server_once(example)


# -------------------------------------------------------- generated catalogs

LINUX = ("ubuntu-22.04", "ubuntu-20.04", "rhel-9", "debian-12")
WINDOWS = (
    "windows-server-2019",
    "windows-server-2022",
    "windows-server-2016",
    "windows-server-2012r2",
)
PORTS = ("tcp/443", "tcp/1433", "udp/53", "tcp/8000-8100", "tcp/389", "tcp/5432")


def generated_catalog(seed: int) -> dict[str, Any]:
    """A small valid catalog document: citizen and other levels, every disposition, system
    and server dependencies with ports and ranges, several environments and disks."""
    rng = random.Random(seed)
    n_systems = rng.randint(3, 6)
    ids = [f"sys{i}" for i in range(n_systems)]
    dispositions = ["rehost", "rebuild", "replatform", "retain", "retire", "repurchase"]
    systems = []
    for i, sid in enumerate(ids):
        level = "citizen" if i == 0 else rng.choice(["office", "shared", "sector", "citizen"])
        disposition = "rehost" if i == 1 else ("rebuild" if i == 0 else rng.choice(dispositions))
        system: dict[str, Any] = {
            "id": sid,
            "name": f"System {i}",
            "level": level,
            "sector": rng.choice(["it", "care", "school"]),
            "owner": f"Owner {i}",
            "disposition": disposition,
            "foundation": i == 1 and rng.random() < 0.5,
            "criticality": rng.choice(["low", "medium", "high", "critical"]),
            "data_classification": rng.choice(["public", "internal", "confidential"]),
            "personal_data": rng.random() < 0.5,
            "rpo_hours": rng.choice([2, 4, 8, 24, 48]),
        }
        if rng.random() < 0.6:
            system["cost_centre"] = str(1000 + i)
        targets = rng.sample([t for t in ids if t != sid], k=rng.randint(0, 2))
        system["depends_on"] = [
            {"to": t, "ports": rng.sample(PORTS, k=rng.randint(0, 2))} for t in targets
        ]
        systems.append(system)
    servers = []
    for system in systems:
        for k in range(rng.randint(1, 4)):
            linux = rng.random() < 0.5
            servers.append(
                {
                    "id": f"{system['id']}-srv{k}",
                    "system": system["id"],
                    "role": "web" if k == 0 else rng.choice(["web", "app", "db", "file", "other"]),
                    "environment": rng.choice(["prod", "prod", "test", "dev"]),
                    "os": rng.choice(LINUX if linux else WINDOWS),
                    "vcpu": rng.choice([1, 2, 4, 8]),
                    "memory_gb": rng.choice([2, 4, 8, 16, 32]),
                    "disks_gb": [
                        rng.choice([30, 64, 127.5, 128]) for _ in range(rng.randint(1, 3))
                    ],
                }
            )
    server_ids = [s["id"] for s in servers]
    for record in servers:
        targets = rng.sample([t for t in server_ids if t != record["id"]], k=rng.randint(0, 2))
        record["depends_on"] = [
            {"to": t, "ports": rng.sample(PORTS, k=rng.randint(1, 2))} for t in targets
        ]
    return {
        "version": 1,
        "organisation": f"Testby {seed}",
        "contract": {"provider": "ÅDA", "notice_months": 3, "ends": "2027-12-31"},
        "source_networks": ["10.10.0.0/16"] if seed % 3 else [],
        "planning": {
            "start": "2027-02-01",
            "max_servers_per_wave": rng.randint(3, 6),
            "max_vcpu_per_wave": 48,
            "region": rng.choice(["swedencentral", "westeurope", "northeurope"]),
        },
        "systems": systems,
        "servers": servers,
    }


@pytest.mark.parametrize("seed", range(5))
def test_generated_catalogs_give_secure_stacks_that_match_their_plans(seed, tmp_path):
    """Seeded small catalogs: every stack passes the security invariants and the checks
    the example passes (VMs, NICs, disks, NSG rules, StackReference, tags)."""
    document = generated_catalog(seed)
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    catalog, digest = load_catalog_with_digest(path)
    plan = plan_catalog(catalog, digest, PlanOptions(deterministic_time=0.2))
    estate = run_estate(catalog, plan, tmp_path / "out")
    assert estate.plan.target.region == document["planning"]["region"]
    for checker in ALL_CHECKS:
        checker(estate)
