"""The Azure stacks of a small plan, run once each under mocks, and their invariants."""

from __future__ import annotations

import dataclasses
import math

import pytest

from stacks.azure import layout
from stacks.config import stack_names
from stacks.security import check
from stacks.testing import OfflineRun, RecordedResource
from tests.network_allowed import azure_allowed, declared, run_azure_stacks
from tests.stacks_fixtures import SERVERS, make_plan

VM = "azure-native:compute:VirtualMachine"
NIC = "azure-native:network:NetworkInterface"
DISK = "azure-native:compute:Disk"
NSG = "azure-native:network:NetworkSecurityGroup"


@pytest.fixture(scope="module")
def plan():
    return make_plan()


@pytest.fixture(scope="module")
def runs(plan) -> dict[str, OfflineRun]:
    """Every stack of the plan, run once; waves read the foundation's real offline exports."""
    return run_azure_stacks(plan, "plan.json")


def of_type(run: OfflineRun, typ: str) -> list[RecordedResource]:
    return [r for r in run.resources if r.type == typ]


def server_of(r: RecordedResource) -> str:
    return r.inputs["tags"]["server"]


def test_stacks_are_foundation_and_one_per_wave(plan):
    """The plan's waves 0, 1 and 2 give wave-00..02 next to the foundation."""
    assert stack_names(plan) == ["foundation", "wave-00", "wave-01", "wave-02"]


def test_one_vm_per_migrating_server_with_the_plans_size(runs):
    """Each wave stack has exactly one VM per server of that wave, sized as planned."""
    assert of_type(runs["foundation"], VM) == []
    for wave in (0, 1, 2):
        vms = of_type(runs[f"wave-{wave:02d}"], VM)
        expected = {sid for sid, spec in SERVERS.items() if spec[1] == wave}
        assert sorted(server_of(v) for v in vms) == sorted(expected)
        for vm in vms:
            sku = SERVERS[server_of(vm)][2] or "Standard_D2s_v5"  # documented fallback
            assert vm.inputs["hardwareProfile"]["vmSize"] == sku
            assert vm.inputs["vmName"] == f"vm-{server_of(vm)}"
    assert "arch01" not in str([r.inputs for r in runs["wave-02"].resources])


def test_missing_size_falls_back_with_a_warning(runs):
    """portal-app01 has no planned SKU: the default is used and the run warns about it."""
    assert runs["wave-02"].warnings == [
        "server portal-app01: plan has no size; using default Standard_D2s_v5"
    ]


def test_each_vm_has_its_nic_with_the_planned_static_ip(runs, plan):
    """The VM references its own NIC, whose static IP is the address plan's."""
    ips = layout.plan_addresses(plan).server_ips
    for stack in ("wave-00", "wave-01", "wave-02"):
        nics = {server_of(n): n for n in of_type(runs[stack], NIC)}
        for vm in of_type(runs[stack], VM):
            sid = server_of(vm)
            nic = nics[sid]
            assert vm.inputs["networkProfile"]["networkInterfaces"] == [
                {"id": nic.id, "primary": True}
            ]
            config = nic.inputs["ipConfigurations"][0]
            assert config["privateIPAddress"] == ips[sid]
            assert config["privateIPAllocationMethod"] == "Static"
            assert "publicIPAddress" not in config


def test_disks_match_the_catalog(runs):
    """OS and data disk sizes (rounded up to whole GB) equal the catalog's, in order."""
    for stack in ("wave-00", "wave-01", "wave-02"):
        disks = {r.id: r for r in of_type(runs[stack], DISK)}
        for vm in of_type(runs[stack], VM):
            sid = server_of(vm)
            profile = vm.inputs["storageProfile"]
            os_disk = profile["osDisk"]
            os_size = (
                disks[os_disk["managedDisk"]["id"]].inputs["diskSizeGB"]
                if "managedDisk" in os_disk and "id" in os_disk["managedDisk"]
                else os_disk["diskSizeGB"]
            )
            data = [
                disks[d["managedDisk"]["id"]].inputs["diskSizeGB"]
                for d in profile.get("dataDisks", [])
            ]
            assert [os_size, *data] == [math.ceil(s) for s in SERVERS[sid][4]]
            assert [d["lun"] for d in profile.get("dataDisks", [])] == list(range(len(data)))


def test_rehost_imports_vhds_and_rebuild_starts_from_marketplace_images(runs):
    """Rehosted disks are imported from the migration account; rebuilt VMs use an image."""
    for disk in of_type(runs["wave-01"], DISK):
        creation = disk.inputs["creationData"]
        assert creation["createOption"] == "Import"
        assert creation["sourceUri"].startswith("https://stutflytt")
        assert creation["sourceUri"].endswith(".vhd")
        assert creation["storageAccountId"].endswith(
            "/storageAccounts/" + creation["sourceUri"][8:].split(".")[0]
        )
    for vm in of_type(runs["wave-02"], VM):
        if server_of(vm) in ("web01", "portal-app01"):
            image = vm.inputs["storageProfile"]["imageReference"]
            assert (image["publisher"], image["sku"]) == ("Canonical", "22_04-lts-gen2")
            assert (
                vm.inputs["osProfile"]["linuxConfiguration"]["disablePasswordAuthentication"]
                is True
            )


def test_trusted_launch_only_where_the_os_supports_it(runs):
    """2019 gets trusted launch; 2012 R2 (dc02) does not; every VM has boot diagnostics."""
    vms = {server_of(v): v for v in of_type(runs["wave-00"], VM)}
    assert vms["dc01"].inputs["securityProfile"]["securityType"] == "TrustedLaunch"
    assert "securityType" not in vms["dc02"].inputs["securityProfile"]
    for vm in vms.values():
        assert vm.inputs["diagnosticsProfile"] == {"bootDiagnostics": {"enabled": True}}


def test_nsg_rules_allow_exactly_the_declared_flows(runs, plan):
    """Read back from the rendered NSGs, ASGs and NICs: every declared flow into the cloud
    is allowed, nothing else is, and no source admits an address that is no server."""
    allowed, wide = azure_allowed(plan, runs)
    assert allowed == declared(plan)
    assert wide == []


def test_every_nsg_ends_with_deny_all_and_the_gateway_reaches_only_web01(runs, plan):
    """Deny-all last; portal's gateway subnet reaches its web server on tcp/443 only."""
    for stack in ("wave-00", "wave-01", "wave-02"):
        for nsg in of_type(runs[stack], NSG):
            if nsg.name.endswith("-gateway-nsg"):
                continue
            last = nsg.inputs["securityRules"][-1]
            assert (
                last["name"],
                last["access"],
                last["priority"],
                last["sourceAddressPrefix"],
            ) == ("deny-all-inbound", "Deny", 4096, "*")
    gateway = layout.plan_addresses(plan).unit_of("web01")
    (nsg,) = [n for n in of_type(runs["wave-02"], NSG) if n.name == "portal-prod-nsg"]
    (rule,) = [r for r in nsg.inputs["securityRules"] if r["name"] == "in-application-gateway"]
    ip = layout.plan_addresses(plan).server_ips["web01"]
    assert (rule["sourceAddressPrefix"], rule["destinationAddressPrefixes"]) == (
        gateway.gateway_cidr,
        [f"{ip}/32"],
    )
    assert rule["destinationPortRanges"] == ["443"]


def test_an_extra_rule_or_a_wider_source_is_caught(runs, plan):
    """Negative: the read-back notices a rule admitting one more consumer or a whole range."""
    run = runs["wave-00"]
    nsg = next(n for n in of_type(run, NSG) if n.name == "ad-prod-nsg")
    rules = [dict(r) for r in nsg.inputs["securityRules"]]
    widened = {**rules[0], "sourceAddressPrefixes": ["10.10.0.0/24"]}
    widened.pop("sourceApplicationSecurityGroups", None)
    changed = dict(runs)
    changed["wave-00"] = dataclasses.replace(
        run, resources=_replace(run, nsg.name, inputs={**nsg.inputs, "securityRules": [widened]})
    )
    allowed, wide = azure_allowed(plan, changed)
    assert allowed != declared(plan)
    assert wide == [f"{rules[0]['name']}: 10.10.0.0/24"]


def test_system_level_dependency_on_ad_admits_every_consumer_server(runs, plan):
    """economy -> ad (tcp/389, tcp/636) reaches both DCs from every economy server of the
    same environment (prod), and the test server through the prod fallback."""
    allowed, _ = azure_allowed(plan, runs)
    for consumer in ("eko-app01", "eko-db01", "eko-test01"):
        for dc in ("dc01", "dc02"):
            assert {(consumer, dc, "tcp/389"), (consumer, dc, "tcp/636")} <= allowed
    assert ("web01", "dc01", "udp/53") in allowed


def test_stack_reference_is_resolved_from_the_foundation(runs):
    """Wave stacks read the foundation and use its resource groups, vault and spoke."""
    outputs = runs["foundation"].outputs
    for stack in ("wave-00", "wave-01", "wave-02"):
        refs = [r for r in runs[stack].resources if r.type == "pulumi:pulumi:StackReference"]
        assert [(r.kind, r.name) for r in refs] == [("read", "foundation")]
    vm = of_type(runs["wave-01"], VM)[0]
    assert vm.inputs["resourceGroupName"] == outputs["resourceGroups"]["shared"]
    item = next(r for r in runs["wave-01"].resources if r.type.endswith("ProtectedItem"))
    assert item.inputs["vaultName"] == outputs["recoveryVaultName"]
    assert item.inputs["properties"]["policyId"] == outputs["backupPolicyIds"]["daily-confidential"]
    subnet = next(r for r in runs["wave-01"].resources if r.type.endswith(":Subnet"))
    assert subnet.inputs["virtualNetworkName"] == outputs["spokeVnetNames"]["prod"]


def test_backup_policies_follow_the_systems_rpo(runs):
    """RPO 4 h (AD) -> hourly-4h, 8 h (portal) -> hourly-8h, 24 h -> daily; each policy
    named with the classification that sets its retention."""
    assert sorted(runs["foundation"].outputs["backupPolicyIds"]) == [
        "daily-confidential",
        "hourly-4h-internal",
        "hourly-8h-internal",
    ]
    item = next(r for r in runs["wave-00"].resources if r.type.endswith("ProtectedItem"))
    assert item.inputs["properties"]["policyId"].endswith("bkpol-utflytt-hourly-4h-internal")
    policy = next(r for r in runs["foundation"].resources if r.name == "bkpol-daily-confidential")
    retention = policy.inputs["properties"]["retentionPolicy"]["dailySchedule"]
    assert retention["retentionDuration"] == {"count": 90, "durationType": "Days"}


def test_tags_are_complete(runs):
    """VMs carry system, owner, wave, level, classification and cost centre of their system."""
    vm = next(v for v in of_type(runs["wave-01"], VM) if server_of(v) == "eko-db01")
    assert {k: vm.inputs["tags"][k] for k in layout.REQUIRED_TAGS} == {
        "system": "economy",
        "owner": "Ekonomiavdelningen",
        "wave": "wave-01",
        "level": "shared",
        "data-classification": "confidential",
        "cost-centre": "1200",
        "environment": "prod",
        "criticality": "high",
        "personal-data": "yes",
    }
    for run in runs.values():
        assert [v for v in check(run.resources) if v.rule == "tags"] == []


def test_security_invariants_hold_over_every_stack(runs):
    """No public IP but the citizen gateway and VPN, no open inbound, encryption, EU, secrets."""
    for stack, run in runs.items():
        assert (
            check(
                run.resources,
                region="swedencentral",
                config=run.config,
                secret_keys=run.secret_keys,
            )
            == []
        ), stack


def test_only_the_citizen_gateway_and_the_vpn_have_public_ips(runs):
    """One public IP on portal's Application Gateway (WAF_v2), one on the VPN gateway, one on
    the hub's Bastion."""
    pips = [
        (s, r.name)
        for s, run in runs.items()
        for r in run.resources
        if r.type.endswith("PublicIPAddress")
    ]
    assert pips == [
        ("foundation", "vpn-pip"),
        ("foundation", "bastion-pip"),
        ("wave-02", "portal-prod-gateway-pip"),
    ]
    agw = next(r for r in runs["wave-02"].resources if r.type.endswith("ApplicationGateway"))
    assert agw.inputs["sku"]["name"] == "WAF_v2"
    assert agw.inputs["tags"]["level"] == "citizen"


def test_secrets_reach_resources_only_as_secrets(runs):
    """The Windows admin password and the VPN key are secret inputs."""
    cn = next(r for r in runs["foundation"].resources if r.name == "vpn-cn")
    assert cn.secret_paths == ("sharedKey",)
    assert cn.to_json()["inputs"]["sharedKey"] == "[secret]"


def _replace(run: OfflineRun, name: str, **changes) -> list[RecordedResource]:
    return [dataclasses.replace(r, **changes) if r.name == name else r for r in run.resources]


def test_insecure_variants_are_caught(runs):
    """A rule from 0.0.0.0/0, an unencrypted disk, a missing tag, a plain password, a US region."""
    run = runs["wave-01"]
    nsg = of_type(run, NSG)[0]
    rules = [dict(r) for r in nsg.inputs["securityRules"]]
    rules[0]["sourceAddressPrefixes"] = ["0.0.0.0/0"]
    open_nsg = _replace(run, nsg.name, inputs={**nsg.inputs, "securityRules": rules})
    assert [v.rule for v in check(open_nsg)] == ["open-inbound"]

    disk = of_type(run, DISK)[0]
    plain_disk = _replace(
        run, disk.name, inputs={k: v for k, v in disk.inputs.items() if k != "encryption"}
    )
    assert [v.rule for v in check(plain_disk)] == ["customer-keys", "disk-encryption"]

    vm = of_type(run, VM)[0]
    tags = {k: v for k, v in vm.inputs["tags"].items() if k != "owner"}
    untagged = _replace(run, vm.name, inputs={**vm.inputs, "tags": tags})
    assert [str(v) for v in check(untagged)] == [f"tags: {VM}::{vm.name}: missing tags: owner"]

    assert [v.rule for v in check(run.resources, config={"utflytt:adminPassword": "hunter2"})] == [
        "plain-secret"
    ]
    assert {v.rule for v in check(run.resources, region="eastus")} == {"region"}

    nic = of_type(run, NIC)[0]
    cfg = [{**nic.inputs["ipConfigurations"][0], "publicIPAddress": {"id": "pip"}}]
    assert [
        v.rule
        for v in check(_replace(run, nic.name, inputs={**nic.inputs, "ipConfigurations": cfg}))
    ] == ["public-ip"]


def test_insecure_public_ip_on_a_non_citizen_gateway_is_caught(runs):
    """The citizen gateway's public IP on a gateway tagged as non-citizen is a violation."""
    run = runs["wave-02"]
    agw = next(r for r in run.resources if r.type.endswith("ApplicationGateway"))
    tags = {**agw.inputs["tags"], "level": "shared"}
    found = check(_replace(run, agw.name, inputs={**agw.inputs, "tags": tags}))
    assert [v.rule for v in found] == ["public-ip"]
