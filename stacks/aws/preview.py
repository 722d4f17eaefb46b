"""``utflytt preview`` for AWS stacks: the foundation and the wave, run under moto.

A wave stack reads the foundation's outputs through a StackReference, and its instances
must land in the foundation's subnets: so the foundation runs first, in the same
:class:`MotoMocks` session, and its exports answer the reference. What moto rejects (an
overlapping subnet, an instance type the region does not offer) fails the preview with
moto's error, as it would fail ``pulumi up``.

Rehost servers boot from the AMI that VM Import made of their disks. Offline there is none:
servers without an ``utflytt:aws.amis`` entry get one placeholder image (like the
placeholder secrets of the Azure preview). The listing has the shape of the Azure one
(``stacks.testing.render_preview`` / ``preview_json``), with AWS key inputs.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from migration.plan import Plan
from stacks import testing
from stacks.aws import layout
from stacks.aws.moto_mocks import MotoMocks
from stacks.aws.offline import PROJECT, AwsRun, run_aws_offline
from stacks.config import config_for
from stacks.harness.allstacks import StackRun, StackRunner
from stacks.network import plan_quotas
from stacks.settings import StackSettings
from stacks.testing import OfflineRun
from stacks.testing import RecordedResource as OfflineResource

STACK_REFERENCE = "pulumi:pulumi:StackReference"
PLACEHOLDER_AMI_NAME = "utflytt-offline-placeholder-import"
# Offline placeholders for what a real stack must have in its config (a run without them
# stops with an error naming the key): TEST-NET-1 and a certificate ARN that cannot exist.
OFFLINE_VPN_PEER = "192.0.2.10"
OFFLINE_CERTIFICATE = "arn:aws:acm:eu-north-1:123456789012:certificate/offline-{system}"


def preview_config(
    plan: Plan, mocks: MotoMocks, config: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``config`` with offline placeholders: an AMI for every rehost server that has none,
    the VPN peer and the citizen systems' certificates when not set."""
    cfg = dict(config or {})
    options = json.loads(cfg.get(f"{PROJECT}:aws", "{}") or "{}")
    amis = dict(options.get("amis") or {})
    missing = [
        sid
        for sid, s in layout.migrating_servers(plan).items()
        if s.disposition == "rehost" and sid not in amis
    ]
    changed = bool(missing)
    if plan.source_networks and not options.get("vpnPeerIp"):
        options["vpnPeerIp"] = OFFLINE_VPN_PEER  # a real stack must set it: plan error
        changed = True
    certificates = dict(options.get("certificateArns") or {})
    for system in layout.citizen_systems(plan):
        if system not in certificates:
            certificates[system] = OFFLINE_CERTIFICATE.format(system=system)
            changed = True
    if certificates:
        options["certificateArns"] = dict(sorted(certificates.items()))
    if missing:
        ec2 = mocks.ec2()
        image = ec2.register_image(
            Name=PLACEHOLDER_AMI_NAME,
            RootDeviceName="/dev/sda1",
            BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}],
        )["ImageId"]
        amis.update({sid: image for sid in missing})
        options["amis"] = dict(sorted(amis.items()))
    if changed:
        cfg[f"{PROJECT}:aws"] = json.dumps(options, sort_keys=True)
    return cfg


def plan_mocks(plan: Plan, region: str | None = None) -> MotoMocks:
    """A moto session in the plan's region (or ``region``) for an account with the plan's
    quotas: a rule set that ``utflytt plan`` allowed under a raised
    ``aws_rules_per_security_group`` is accepted by moto too."""
    return MotoMocks(
        region or plan.target.region or layout.DEFAULT_REGION,
        rules_per_security_group=plan_quotas(plan).aws_rules_per_security_group,
    )


def run_aws_preview(
    settings: StackSettings,
    plan: Plan,
    config: Mapping[str, str] | None = None,
    *,
    stack_configs: Mapping[str, Mapping[str, str]] | None = None,
    fast: bool = True,
) -> OfflineRun:
    """Run ``settings``'s stack under moto (the foundation first for a wave stack), each
    stack with ``config`` and its own ``stack_configs`` entry on top (the user keys of its
    ``Pulumi.<stack>.yaml``); ``fast=False``: Pulumi's threaded mock path (see
    :func:`run_aws_offline`)."""
    with plan_mocks(plan, settings.region) as mocks:
        if settings.kind == "wave":
            foundation = settings.foundation_settings()
            base = preview_config(plan, mocks, config_for(foundation.stack, config, stack_configs))
            mocks.stack_outputs[settings.foundation_stack] = run_aws_offline(
                foundation, plan, mocks, base, fast=fast
            ).outputs
        cfg = preview_config(plan, mocks, config_for(settings.stack, config, stack_configs))
        run = run_aws_offline(settings, plan, mocks, cfg, fast=fast)
    return as_offline_run(run, cfg)


@contextlib.contextmanager
def aws_stack_runner(
    plan: Plan,
    config: Mapping[str, str] | None = None,
    *,
    stack_configs: Mapping[str, Mapping[str, str]] | None = None,
    fast: bool = True,
) -> Iterator[StackRunner]:
    """``preview --all`` for AWS: every stack in one moto session (one account), the
    foundation's exports answering each wave's StackReference; moto's errors propagate.
    A stack with an entry in ``stack_configs`` gets its keys on top of ``config``."""
    with plan_mocks(plan) as mocks:
        shared = preview_config(plan, mocks, config)

        def run(settings: StackSettings, foundation: Mapping[str, Any] | None) -> StackRun:
            if foundation is not None:
                mocks.stack_outputs[settings.foundation_stack] = foundation
            cfg = (
                preview_config(plan, mocks, config_for(settings.stack, config, stack_configs))
                if (stack_configs or {}).get(settings.stack)
                else shared
            )
            result = run_aws_offline(settings, plan, mocks, cfg, fast=fast)
            kinds = [
                ("read" if r.type == STACK_REFERENCE else "register", r.type)
                for r in result.resources
            ]
            return kinds, list(result.warnings), dict(result.outputs)

        yield run


def as_offline_run(run: AwsRun, config: Mapping[str, str] | None = None) -> OfflineRun:
    """The AWS run in the shape of ``stacks.testing.OfflineRun`` (program order)."""
    ordered = sorted(run.resources, key=lambda r: (r.order, r.urn or "", r.name))
    resources = [
        OfflineResource(
            order=i,
            kind="read" if r.type == STACK_REFERENCE else "register",
            type=r.type,
            name=r.name,
            urn=r.urn or f"urn:pulumi:{PROJECT}::{r.type}::{r.name}",
            parent=r.parent,
            custom=r.custom,
            id=r.id,
            inputs=_plain(r.inputs),
            state=_plain(r.state),
            secret_paths=r.secret_paths,
        )
        for i, r in enumerate(ordered)
    ]
    return OfflineRun(resources, dict(run.outputs), list(run.warnings), dict(config or {}), [])


def _plain(value: Any) -> Any:
    """Protobuf numbers arrive as floats: whole ones back to int (``"size": 500``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def key_inputs(r: OfflineResource) -> str:
    """The few inputs a reviewer looks at first, per AWS resource type."""
    i = r.inputs
    t = r.type
    if t == STACK_REFERENCE:
        return f"{len(r.state.get('outputs') or {})} outputs"
    if t == "pulumi:providers:aws":
        return str(i.get("region", ""))
    if t == "aws:ec2/vpc:Vpc":
        return str(i.get("cidrBlock", ""))
    if t == "aws:ec2/subnet:Subnet":
        return f"{i.get('cidrBlock', '')}, {i.get('availabilityZone', '')}"
    if t == "aws:ec2/subnetCidrReservation:SubnetCidrReservation":
        return f"{i.get('cidrBlock', '')}, {i.get('reservationType', '')}"
    if t == "aws:ec2/instance:Instance":
        root = i.get("rootBlockDevice") or {}
        return (
            f"{i.get('instanceType')}, {i.get('privateIp', 'dynamic')}, "
            f"{root.get('volumeSize')} GB {root.get('volumeType', '')}".rstrip()
        )
    if t == "aws:ebs/volume:Volume":
        enc = ", encrypted" if i.get("encrypted") else ""
        return f"{i.get('size')} GB {i.get('type', '')}{enc}"
    if t in (
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    ):
        proto = i.get("ipProtocol")
        ports = (
            ""
            if proto == "-1"
            else (
                f"/{i.get('fromPort')}"
                if i.get("fromPort") == i.get("toPort")
                else f"/{i.get('fromPort')}-{i.get('toPort')}"
            )
        )
        source = i.get("cidrIpv4") or i.get("cidrIpv6") or i.get("prefixListId")
        if source is None and i.get("referencedSecurityGroupId"):
            source = "security group"
        return f"{'all' if proto == '-1' else proto}{ports} {source}"
    if t == "aws:ec2/securityGroup:SecurityGroup":
        return str(i.get("name", ""))
    if t in ("aws:ec2/route:Route", "aws:ec2/vpnConnectionRoute:VpnConnectionRoute"):
        return str(i.get("destinationCidrBlock", ""))
    if t == "aws:ec2/customerGateway:CustomerGateway":
        return str(i.get("ipAddress", ""))
    if t == "aws:lb/loadBalancer:LoadBalancer":
        return f"{i.get('loadBalancerType', 'application')}, " + (
            "internal" if i.get("internal") else "internet-facing"
        )
    if t == "aws:lb/listener:Listener":
        return f"{i.get('protocol')} :{i.get('port')}"
    if t == "aws:backup/plan:Plan":
        rules = i.get("rules") or [{}]
        return str(rules[0].get("schedule", ""))
    if t == "aws:kms/key:Key":
        return "rotation on" if i.get("enableKeyRotation") else "rotation off"
    return ""


def render_preview(run: OfflineRun, stack: str) -> str:
    """The tree of ``stacks.testing.render_preview`` (same columns), with AWS key inputs."""
    return testing.render_preview(run, stack, describe=key_inputs, mocks="moto-backed mocks")
