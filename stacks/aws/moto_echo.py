"""MotoMocks handler for resources outside EC2 (KMS, IAM, CloudWatch Logs, Backup, ELBv2).

They are echoed with realistic ids and ARNs; provider resources record their region and
StackReferences answer from the mocks' ``stack_outputs``. An application load balancer's
subnets and security groups are checked against moto's EC2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from stacks.aws.moto_checks import ACCOUNT_ID, MockCheckError, _check_region, _fake_id

if TYPE_CHECKING:
    from stacks.aws.moto_mocks import MotoMocks


def _echo(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    """Non-EC2 resources: echo inputs, add a realistic id/ARN and the name."""
    service, kind = (
        args.typ.split(":")[1].split("/")[0],
        args.typ.split(":")[-1][0].lower() + args.typ.split(":")[-1][1:],
    )
    rid = _fake_id(kind.lower()[:8], region, args.typ, args.name)
    name = args.inputs.get("name") or args.name
    state = {**args.inputs, "name": name}
    if args.custom is not False and args.typ.startswith("aws:"):
        state.setdefault("arn", f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{kind}/{rid}")
    if args.typ == "aws:kms/key:Key":
        state["keyId"] = rid
    if args.typ == "aws:lb/loadBalancer:LoadBalancer":
        rid = state["arn"]
        state["dnsName"] = f"{name}-{rid[-8:]}.{region}.elb.amazonaws.com"
        _check_alb(m, args, region)
    if args.typ == "aws:lb/targetGroup:TargetGroup":
        rid = state["arn"]
    if args.typ == "pulumi:providers:aws":
        rid = f"provider-{args.name}"
        m._provider_regions[rid] = str(args.inputs.get("region") or m.default_region)
        _check_region(m._provider_regions[rid], args.typ)
    if args.typ == "pulumi:pulumi:StackReference":
        ref = args.resource_id or args.name
        if ref not in m.stack_outputs:
            raise KeyError(
                f"MotoMocks: no outputs for StackReference {ref!r}; "
                f"known: {sorted(m.stack_outputs)}"
            )
        return ref, {"name": ref, "outputs": dict(m.stack_outputs[ref]), "secretOutputNames": []}
    return rid, state


def _check_alb(m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str) -> None:
    op = "CreateLoadBalancer"
    ec2 = m._client("ec2", region)
    subnets = ec2.describe_subnets(SubnetIds=list(args.inputs.get("subnets") or []))["Subnets"]
    if (
        args.inputs.get("loadBalancerType", "application") == "application"
        and len({s["AvailabilityZone"] for s in subnets}) < 2
    ):
        raise MockCheckError(
            "ValidationError",
            "At least two subnets in two different Availability Zones must be specified",
            op,
        )
    groups = list(args.inputs.get("securityGroups") or [])
    if groups:
        ec2.describe_security_groups(GroupIds=groups)  # InvalidGroup.NotFound from moto
