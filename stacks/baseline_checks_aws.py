"""The AWS half of the baseline invariants (see :mod:`stacks.baseline_checks` for the rules).

Each function checks one named rule over one stack's recorded resources and returns its
violations; :func:`stacks.baseline_checks.check_baseline` runs them for ``aws``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from migration.plan import Plan
from stacks import baseline
from stacks.baseline_checks import _is_foundation, _label, _of, _public_environment, _rid, _tags
from stacks.security import Violation

# -------------------------------------------------------------------------------- AWS


def _aws_management(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    out = []
    rule = "management-access"
    for inst in _of(resources, "aws:ec2/instance:Instance"):
        if not inst.inputs.get("iamInstanceProfile"):
            out.append(Violation(rule, _label(inst), "no instance profile (Systems Manager)"))
    endpoints: dict[str, set[str]] = {}
    for e in _of(resources, "aws:ec2/vpcEndpoint:VpcEndpoint"):
        service = str(e.inputs.get("serviceName", "")).rsplit(".", 1)[-1]
        endpoints.setdefault(str(e.inputs.get("vpcId")), set()).add(service)
    for vpc in _of(resources, "aws:ec2/vpc:Vpc"):
        missing = sorted(
            {"ssm", "ssmmessages", "ec2messages"} - endpoints.get(str(_rid(vpc)), set())
        )
        if missing:
            out.append(Violation(rule, _label(vpc), f"no VPC endpoint for {', '.join(missing)}"))
    return out


def _public_lbs(resources: Sequence[Any]) -> list[Any]:
    return [
        r
        for r in _of(resources, "aws:lb/loadBalancer:LoadBalancer")
        if not r.inputs.get("internal", False)
    ]


def _arn(r: Any) -> str:
    return str((getattr(r, "state", None) or {}).get("arn") or _rid(r))


def _aws_https(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    out = []
    rule = "https-only"
    listeners = _of(resources, "aws:lb/listener:Listener")
    for lb in _public_lbs(resources):
        own = [x for x in listeners if x.inputs.get("loadBalancerArn") == _arn(lb)]
        if not any(x.inputs.get("protocol") == "HTTPS" for x in own):
            out.append(Violation(rule, _label(lb), "no HTTPS listener"))
        out += _public_environment(lb, plan)
    for x in listeners:
        protocol = x.inputs.get("protocol")
        actions = x.inputs.get("defaultActions") or []
        if protocol == "HTTPS":
            policy = x.inputs.get("sslPolicy")
            if policy not in baseline.MODERN_TLS_POLICIES["aws"]:
                out.append(Violation(rule, _label(x), f"TLS policy {policy!r} is not a modern one"))
            if not x.inputs.get("certificateArn"):
                out.append(Violation(rule, _label(x), "HTTPS listener without a certificate"))
        elif not actions or any(
            a.get("type") != "redirect" or (a.get("redirect") or {}).get("protocol") != "HTTPS"
            for a in actions
        ):
            out.append(Violation(rule, _label(x), f"{protocol} listener does not only redirect"))
    return out


def _aws_logging(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    out = []
    rule = "logging"
    if _is_foundation(resources, "aws:ec2/vpc:Vpc"):
        trails = [
            t
            for t in _of(resources, "aws:cloudtrail/trail:Trail")
            if t.inputs.get("isMultiRegionTrail")
            and t.inputs.get("enableLogFileValidation")
            and t.inputs.get("kmsKeyId")
        ]
        if not trails:
            out.append(Violation(rule, "stack", "no multi-region, validated, encrypted CloudTrail"))
        if not any(
            d.inputs.get("enable") for d in _of(resources, "aws:guardduty/detector:Detector")
        ):
            out.append(Violation(rule, "stack", "GuardDuty is not on"))
    logged = {str(f.inputs.get("vpcId")) for f in _of(resources, "aws:ec2/flowLog:FlowLog")}
    for vpc in _of(resources, "aws:ec2/vpc:Vpc"):
        if str(_rid(vpc)) not in logged:
            out.append(Violation(rule, _label(vpc), "no flow log"))
    for group in _of(resources, "aws:cloudwatch/logGroup:LogGroup"):
        if not group.inputs.get("kmsKeyId"):
            out.append(Violation(rule, _label(group), "log group not encrypted with KMS"))
        if not group.inputs.get("retentionInDays"):
            out.append(Violation(rule, _label(group), "log group kept forever (no retention)"))
    for lb in _public_lbs(resources):
        if not (lb.inputs.get("accessLogs") or {}).get("enabled"):
            out.append(Violation(rule, _label(lb), "no access logs"))
    return out


def _aws_storage(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    out = []
    blocked = {
        str(b.inputs.get("bucket"))
        for b in _of(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
        if all(
            b.inputs.get(k)
            for k in (
                "blockPublicAcls",
                "blockPublicPolicy",
                "ignorePublicAcls",
                "restrictPublicBuckets",
            )
        )
    }
    for bucket in _of(resources, "aws:s3/bucket:Bucket"):
        if str(_rid(bucket)) not in blocked:
            out.append(Violation("closed-storage", _label(bucket), "public access not blocked"))
    return out


def _aws_keys(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    out = []
    for r in resources:
        if not baseline.needs_customer_key(baseline.classification_of(_tags(r))):
            continue
        disks = []
        if r.type == "aws:ebs/volume:Volume":
            disks = [r.inputs]
        elif r.type == "aws:ec2/instance:Instance":
            disks = [r.inputs.get("rootBlockDevice") or {}]
        if any(not d.get("kmsKeyId") for d in disks):
            out.append(Violation("customer-keys", _label(r), "volume without the city's KMS key"))
    return out


def _aws_backup(resources: Sequence[Any], plan: Plan | None) -> list[Violation]:
    from stacks.aws import layout

    out = []
    rule = "backup-rpo"
    for backup_plan in _of(resources, "aws:backup/plan:Plan"):
        for rule_args in backup_plan.inputs.get("rules") or []:
            tier = str(rule_args.get("ruleName", ""))
            hours = tier.removeprefix("rpo-").split("h-", 1)[0]
            expected = layout.backup_tier(float(hours) if hours.isdigit() else None)[1]
            if rule_args.get("schedule") != expected:
                out.append(
                    Violation(
                        rule, _label(backup_plan), f"{tier}: schedule {rule_args.get('schedule')}"
                    )
                )
    if plan is None:
        return out
    for inst in _of(resources, "aws:ec2/instance:Instance"):
        system = plan.systems.get(str(_tags(inst).get("system")))
        if system is None:
            continue
        expected = layout.backup_tier(system.rpo_hours, system.data_classification)[0]
        if _tags(inst).get("backup-tier") != expected:
            out.append(
                Violation(
                    rule,
                    _label(inst),
                    f"backup tier {_tags(inst).get('backup-tier')} for RPO "
                    f"{system.rpo_hours} h; expected {expected}",
                )
            )
    return out
