"""Logs and detection on AWS: a KMS key for logs, CloudTrail, GuardDuty, the ALB access-log
bucket, and the settings of every log group.

- :class:`LogsKey`: a customer-managed key (rotated) that CloudTrail and CloudWatch Logs of
  this account and region may use; every log group is encrypted with it;
- :class:`AuditTrail`: a multi-region CloudTrail with log-file validation, encrypted with the
  logs key, into a private, versioned S3 bucket that only CloudTrail may write to;
- :class:`ThreatDetection`: GuardDuty, findings every 15 minutes;
- :class:`AccessLogBucket`: a private bucket the region's load balancers write access logs
  to (SSE-S3: ALB access logs do not support KMS keys); every public ALB logs there;
- retention of logs and log files from the data classification (``stacks.baseline``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from stacks import naming

# Elastic Load Balancing's account per region (access-log delivery); regions not listed
# use the log-delivery service principal.
ELB_ACCOUNTS = {
    "eu-north-1": "897822967062",
    "eu-west-1": "156460612806",
    "eu-west-3": "009996457667",
    "eu-central-1": "054676820928",
    "eu-south-1": "635631232127",
}


def account_of(arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """The account id inside an ARN (no lookup call needed)."""
    return pulumi.Output.from_input(arn).apply(lambda a: a.split(":")[4])


def _policy(statements: list[dict[str, object]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def bucket_named(purpose: str, args: LogsArgs) -> pulumi.Output[str]:
    """``utflytt-<purpose>-<account>-<region>``, made to fit S3's rule
    (:func:`stacks.naming.aws_bucket`)."""
    return pulumi.Output.from_input(args.account_id).apply(
        lambda account: naming.aws_bucket(purpose, account, args.region)
    )


def private_bucket(
    name: str,
    bucket: pulumi.Input[str],
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
    *,
    kms_key_arn: pulumi.Input[str] | None = None,
    expire_days: int | None = None,
) -> aws.s3.Bucket:
    """A bucket with every public access blocked, versioning and default encryption."""
    created = aws.s3.Bucket(
        name,
        bucket=bucket,
        force_destroy=False,
        lifecycle_rules=(
            [
                aws.s3.BucketLifecycleRuleArgs(
                    enabled=True,
                    expiration=aws.s3.BucketLifecycleRuleExpirationArgs(days=expire_days),
                )
            ]
            if expire_days
            else None
        ),
        tags=tags,
        opts=opts,
    )
    aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=created.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=created.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
            status="Enabled"
        ),
        opts=opts,
    )
    default = (
        aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms" if kms_key_arn else "AES256", kms_master_key_id=kms_key_arn
        )
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=created.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=default,
                bucket_key_enabled=bool(kms_key_arn),
            )
        ],
        opts=opts,
    )
    return created


@dataclass(frozen=True)
class LogsArgs:
    """Where the landing zone runs and how long its logs are kept."""

    region: str
    account_id: pulumi.Input[str]
    retention_days: int
    tags: dict[str, str] = field(default_factory=dict)


class LogsKey(pulumi.ComponentResource):
    """A KMS key for logs: the account administers it, CloudTrail and CloudWatch Logs use it."""

    def __init__(self, name: str, args: LogsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("utflytt:aws:LogsKey", name, None, opts)
        policy = pulumi.Output.from_input(args.account_id).apply(
            lambda account: _policy(
                [
                    {
                        "Sid": "AccountAdministers",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Sid": "CloudTrailEncrypts",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"],
                        "Resource": "*",
                        "Condition": {
                            "StringLike": {
                                "kms:EncryptionContext:aws:cloudtrail:arn": (
                                    f"arn:aws:cloudtrail:*:{account}:trail/*"
                                )
                            }
                        },
                    },
                    {
                        "Sid": "CloudWatchLogsEncrypt",
                        "Effect": "Allow",
                        "Principal": {"Service": f"logs.{args.region}.amazonaws.com"},
                        "Action": [
                            "kms:Encrypt*",
                            "kms:Decrypt*",
                            "kms:ReEncrypt*",
                            "kms:GenerateDataKey*",
                            "kms:Describe*",
                        ],
                        "Resource": "*",
                        "Condition": {
                            "ArnLike": {
                                "kms:EncryptionContext:aws:logs:arn": (
                                    f"arn:aws:logs:{args.region}:{account}:*"
                                )
                            }
                        },
                    },
                ]
            )
        )
        self.key = aws.kms.Key(
            f"{name}-key",
            description="utflytt: CloudTrail and CloudWatch Logs",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"keyArn": self.key.arn})


class AuditTrail(pulumi.ComponentResource):
    """Multi-region CloudTrail, validated and encrypted, into a private bucket."""

    def __init__(
        self,
        name: str,
        args: LogsArgs,
        key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("utflytt:aws:AuditTrail", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        bucket_name = bucket_named("trail", args)
        bucket = private_bucket(
            f"{name}-bucket",
            bucket_name,
            args.tags,
            child,
            kms_key_arn=key_arn,
            expire_days=args.retention_days,
        )
        policy = aws.s3.BucketPolicy(
            f"{name}-bucket-policy",
            bucket=bucket.id,
            policy=pulumi.Output.all(bucket.arn, args.account_id).apply(
                lambda v: _policy(
                    [
                        {
                            "Sid": "CloudTrailAclCheck",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudtrail.amazonaws.com"},
                            "Action": "s3:GetBucketAcl",
                            "Resource": v[0],
                        },
                        {
                            "Sid": "CloudTrailWrite",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudtrail.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": f"{v[0]}/AWSLogs/{v[1]}/*",
                            "Condition": {
                                "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}
                            },
                        },
                        {
                            "Sid": "TlsOnly",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [v[0], f"{v[0]}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                    ]
                )
            ),
            opts=child,
        )
        self.trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name="utflytt",
            s3_bucket_name=bucket.id,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=key_arn,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.register_outputs({"trailArn": self.trail.arn})


class ThreatDetection(pulumi.ComponentResource):
    """GuardDuty in the landing zone's region."""

    def __init__(self, name: str, tags: dict[str, str], opts: pulumi.ResourceOptions | None = None):
        super().__init__("utflytt:aws:ThreatDetection", name, None, opts)
        self.detector = aws.guardduty.Detector(
            f"{name}-detector",
            enable=True,
            finding_publishing_frequency="FIFTEEN_MINUTES",
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"detectorId": self.detector.id})


class AccessLogBucket(pulumi.ComponentResource):
    """The bucket every public load balancer writes its access logs to."""

    def __init__(self, name: str, args: LogsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("utflytt:aws:AccessLogBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = private_bucket(
            f"{name}-bucket",
            bucket_named("alb-logs", args),
            args.tags,
            child,
            expire_days=args.retention_days,
        )
        elb = ELB_ACCOUNTS.get(args.region)
        principal = (
            {"AWS": f"arn:aws:iam::{elb}:root"}
            if elb
            else {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
        )
        aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, args.account_id).apply(
                lambda v: _policy(
                    [
                        {
                            "Sid": "LoadBalancersWrite",
                            "Effect": "Allow",
                            "Principal": principal,
                            "Action": "s3:PutObject",
                            "Resource": f"{v[0]}/AWSLogs/{v[1]}/*",
                        }
                    ]
                )
            ),
            opts=child,
        )
        self.register_outputs({"bucket": self.bucket.id})


class Monitoring(pulumi.ComponentResource):
    """Logs key, CloudTrail, GuardDuty and the access-log bucket of the landing zone."""

    def __init__(self, name: str, args: LogsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("utflytt:aws:Monitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.logs_key = LogsKey(f"{name}-logs-key", args, opts=child).key
        AuditTrail(f"{name}-trail", args, self.logs_key.arn, opts=child)
        ThreatDetection(f"{name}-guardduty", args.tags, opts=child)
        self.access_logs = AccessLogBucket(f"{name}-alb-logs", args, opts=child).bucket
        self.register_outputs({"logsKeyArn": self.logs_key.arn})
