"""The baseline's named invariants (stacks.baseline_checks): they hold on every stack of the
small plans of both clouds, and each fires when one recorded resource is made insecure."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from stacks.aws.moto_mocks import MotoMocks
from stacks.aws.offline import AwsRun, aws_config, run_aws_offline
from stacks.baseline_checks import RULES, check_baseline
from stacks.security import check
from stacks.settings import StackSettings
from stacks.testing import OfflineRun
from tests.aws_fixtures import small_plan
from tests.network_allowed import run_azure_stacks
from tests.stacks_fixtures import make_plan

FOUNDATION = StackSettings("foundation", "foundation", "aws", "eu-north-1", "plan.json")


def wave_settings(n: int) -> StackSettings:
    return StackSettings(f"wave-{n:02d}", "wave", "aws", "eu-north-1", "plan.json", wave=n)


AWS_CONFIG = {
    "vpnPeerIp": "203.0.113.5",
    "certificateArns": {"portal": "arn:aws:acm:eu-north-1:123456789012:certificate/portal"},
}


@pytest.fixture(scope="module")
def azure() -> tuple[Any, dict[str, OfflineRun]]:
    """The small Azure plan, with two Windows servers rebuilt from images (passwords)."""
    plan = make_plan()
    servers = dict(plan.servers)
    for sid in ("eko-app01", "eko-test01"):
        servers[sid] = servers[sid].model_copy(update={"disposition": "rebuild"})
    plan = plan.model_copy(update={"servers": servers})
    runs = run_azure_stacks(plan)
    return plan, runs


@pytest.fixture(scope="module")
def aws() -> tuple[Any, dict[str, AwsRun]]:
    plan = small_plan()
    with MotoMocks("eu-north-1") as mocks:
        ami = mocks.import_image("eko-app01")
        config = aws_config(
            {**AWS_CONFIG, "amis": {s: ami for s in ("dc01", "dc02", "eko-db01", "eko-test01")}}
        )
        runs = {"foundation": run_aws_offline(FOUNDATION, plan, mocks, config)}
        mocks.stack_outputs["foundation"] = runs["foundation"].outputs
        for number in (0, 1, 2, 3):
            runs[f"wave-{number:02d}"] = run_aws_offline(wave_settings(number), plan, mocks, config)
    return plan, runs


def _rules(resources: list[Any], provider: str, plan: Any) -> set[str]:
    return {v.rule for v in check_baseline(resources, provider, plan)}


def _mutate(
    resources: list[Any], pick: Callable[[Any], bool], change: Callable[[dict[str, Any]], Any]
) -> list[Any]:
    """A copy of ``resources`` where the first picked resource's inputs went through
    ``change`` (which edits the dict in place, or returns None to drop the resource)."""
    out, done = [], False
    for r in resources:
        if not done and pick(r):
            done = True
            inputs = _deep(r.inputs)
            if change(inputs) is False:
                continue
            out.append(dataclasses.replace(r, inputs=inputs))
        else:
            out.append(r)
    assert done, "nothing to mutate"
    return out


def _deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep(v) for v in value]
    return value


def _type(suffix: str) -> Callable[[Any], bool]:
    return lambda r: r.type.endswith(suffix)


def _drop(inputs: dict[str, Any]) -> bool:
    return False


def test_every_rule_is_documented():
    """Each named invariant has its row in docs/security-baseline.md."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "security-baseline.md").read_text()
    assert len(RULES) == 7
    assert all(f"| `{rule}` |" in doc for rule in RULES)


def test_the_baseline_holds_on_every_azure_stack(azure):
    """Bastion, Entra login, per-VM passwords, HTTPS, logs, closed storage, CMK, RPO backups."""
    plan, runs = azure
    for stack, run in runs.items():
        assert check_baseline(run.resources, "azure", plan) == [], stack
        assert check(run.resources, config=run.config, secret_keys=run.secret_keys, plan=plan) == []


def test_the_baseline_holds_on_every_aws_stack(aws):
    plan, runs = aws
    for stack, run in runs.items():
        assert check_baseline(run.resources, "aws", plan) == [], stack


AZURE_CASES = [
    # (rule, stack, which resource, how it is made insecure)
    ("management-access", "foundation", _type(":BastionHost"), _drop),
    ("management-access", "foundation", _type(":BastionHost"), lambda i: i.pop("enableTunneling")),
    ("management-access", "wave-01", _type(":VirtualMachineExtension"), _drop),
    (
        "management-access",
        "wave-01",
        _type(":NetworkSecurityGroup"),
        lambda i: i.update(
            securityRules=[r for r in i["securityRules"] if r["name"] != "allow-bastion-admin"]
        ),
    ),
    ("logging", "foundation", _type(":DiagnosticSetting"), _drop),
    ("logging", "foundation", _type(":FlowLog"), _drop),
    ("logging", "foundation", _type("security:Pricing"), lambda i: i.update(pricingTier="Free")),
    ("logging", "wave-02", _type(":DiagnosticSetting"), _drop),
    (
        "closed-storage",
        "foundation",
        _type(":StorageAccount"),
        lambda i: i.update(publicNetworkAccess="Enabled"),
    ),
    ("closed-storage", "foundation", _type(":PrivateEndpoint"), _drop),
    (
        "closed-storage",
        "foundation",
        _type("keyvault:Vault"),
        lambda i: i["properties"].update(publicNetworkAccess="Enabled"),
    ),
    (
        "https-only",
        "wave-02",
        _type(":ApplicationGateway"),
        lambda i: i["sslPolicy"].update(policyName="AppGwSslPolicy20150501"),
    ),
    (
        "https-only",
        "wave-02",
        _type(":ApplicationGateway"),
        lambda i: i["requestRoutingRules"][1].pop("redirectConfiguration"),
    ),
    (
        "https-only",
        "wave-02",
        _type(":ApplicationGateway"),
        lambda i: i["tags"].update(environment="test"),
    ),
    (
        "customer-keys",
        "wave-01",
        lambda r: (
            r.type.endswith(":Disk") and r.inputs["tags"]["data-classification"] == "confidential"
        ),
        lambda i: i.update(encryption={"type": "EncryptionAtRestWithPlatformKey"}),
    ),
    (
        "backup-rpo",
        "foundation",
        _type(":ProtectionPolicy"),
        lambda i: i["properties"]["schedulePolicy"].update(
            scheduleRunFrequency="Hourly", hourlySchedule={"interval": 12}
        ),
    ),
    (
        "backup-rpo",
        "wave-00",
        _type(":ProtectedItem"),
        lambda i: i["properties"].update(policyId="x/bkpol-utflytt-daily-internal"),
    ),
]


@pytest.mark.parametrize(("rule", "stack", "pick", "change"), AZURE_CASES)
def test_each_azure_rule_fires(azure, rule, stack, pick, change):
    """Making one recorded resource insecure breaks exactly the rule that covers it."""
    plan, runs = azure
    mutated = _mutate(runs[stack].resources, pick, change)
    assert _rules(mutated, "azure", plan) == {rule}


def test_shared_or_plain_admin_passwords_fire(azure):
    """Two VMs with one password, or a password not kept as a secret, break admin-password."""
    plan, runs = azure
    vms = [
        r
        for run in runs.values()
        for r in run.resources
        if r.type.endswith(":VirtualMachine")
        and (r.inputs.get("osProfile") or {}).get("adminPassword")
    ]
    assert len(vms) >= 1
    first = vms[0]
    same = dataclasses.replace(
        first, name=first.name + "-twin", inputs=_deep(first.inputs)
    )  # a second VM with the first one's password
    found = check_baseline([*runs_of(runs, first), same], "azure", plan)
    assert "admin-password" in {v.rule for v in found}
    assert any("shares its admin password" in v.message for v in found)
    plain = dataclasses.replace(first, secret_paths=())
    found = check_baseline(
        [plain if r is first else r for r in runs_of(runs, first)], "azure", plan
    )
    assert {v.rule for v in found} == {"admin-password"}


def runs_of(runs: dict[str, OfflineRun], resource: Any) -> list[Any]:
    return next(run.resources for run in runs.values() if resource in run.resources)


AWS_CASES = [
    (
        "management-access",
        "wave-02",
        _type("instance:Instance"),
        lambda i: i.pop("iamInstanceProfile"),
    ),
    ("management-access", "foundation", _type("vpcEndpoint:VpcEndpoint"), _drop),
    ("logging", "foundation", _type("trail:Trail"), lambda i: i.update(isMultiRegionTrail=False)),
    ("logging", "foundation", _type("trail:Trail"), lambda i: i.pop("enableLogFileValidation")),
    ("logging", "foundation", _type("detector:Detector"), _drop),
    ("logging", "foundation", _type("logGroup:LogGroup"), lambda i: i.pop("kmsKeyId")),
    ("logging", "foundation", _type("flowLog:FlowLog"), _drop),
    ("logging", "wave-03", _type("loadBalancer:LoadBalancer"), lambda i: i.pop("accessLogs")),
    (
        "closed-storage",
        "foundation",
        _type("bucketPublicAccessBlock:BucketPublicAccessBlock"),
        lambda i: i.update(restrictPublicBuckets=False),
    ),
    (
        "https-only",
        "wave-03",
        lambda r: r.type.endswith("listener:Listener") and r.inputs["protocol"] == "HTTPS",
        lambda i: i.update(sslPolicy="ELBSecurityPolicy-2016-08"),
    ),
    (
        "https-only",
        "wave-03",
        lambda r: r.type.endswith("listener:Listener") and r.inputs["protocol"] == "HTTP",
        lambda i: i.update(defaultActions=[{"type": "forward", "targetGroupArn": "tg"}]),
    ),
    (
        "https-only",
        "wave-03",
        lambda r: r.type.endswith("listener:Listener") and r.inputs["protocol"] == "HTTPS",
        _drop,
    ),
    (
        "customer-keys",
        "wave-02",
        lambda r: (
            r.type == "aws:ebs/volume:Volume"
            and r.inputs["tags"]["data-classification"] == "confidential"
        ),
        lambda i: i.pop("kmsKeyId"),
    ),
    (
        "backup-rpo",
        "wave-02",
        _type("instance:Instance"),
        lambda i: i["tags"].update({"backup-tier": "rpo-24h-confidential"}),
    ),
    (
        "backup-rpo",
        "foundation",
        lambda r: r.type.endswith("backup/plan:Plan") and "-rpo-1h-" in r.name,
        lambda i: i["rules"][0].update(schedule="cron(0 1 * * ? *)"),
    ),
]


@pytest.mark.parametrize(("rule", "stack", "pick", "change"), AWS_CASES)
def test_each_aws_rule_fires(aws, rule, stack, pick, change):
    """Making one recorded resource insecure breaks exactly the rule that covers it."""
    plan, runs = aws
    mutated = _mutate(runs[stack].resources, pick, change)
    assert _rules(mutated, "aws", plan) == {rule}


def test_plain_secret_check_is_live_on_aws():
    """A pre-shared key or secret string in plain text is reported on AWS too; the same
    input recorded as a Pulumi secret is not."""
    from stacks.aws.moto_mocks import RecordedResource

    def vpn(paths: tuple[str, ...]) -> RecordedResource:
        return RecordedResource(
            "aws:ec2/vpnConnection:VpnConnection",
            "vpn",
            {"tunnel1PresharedKey": "abc", "tags": {}},
            "vpn-1",
            {},
            "eu-north-1",
            secret_paths=paths,
        )

    found = [v for v in check([vpn(())], provider="aws") if v.rule == "plain-secret"]
    assert [v.message for v in found] == ["tunnel1PresharedKey holds a secret in plain text"]
    assert [
        v
        for v in check([vpn(("tunnel1PresharedKey",))], provider="aws")
        if v.rule == "plain-secret"
    ] == []


def test_the_aws_harness_records_secret_inputs(aws):
    """The AWS offline run keeps which inputs were secrets (nothing on AWS is one today, so
    every recorded resource says so, and the plain-secret check has real data to read)."""
    plan, runs = aws
    assert all(r.secret_paths == () for run in runs.values() for r in run.resources)
    assert all(hasattr(r, "secret_paths") for r in runs["foundation"].resources)
