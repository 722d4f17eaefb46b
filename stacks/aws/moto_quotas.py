"""The account's raised quotas, in moto: rules per security group.

moto refuses a rule that takes a VPC security group past 60 inbound (or outbound) rules,
the AWS default, with ``RulesPerSecurityGroupLimitExceeded``; the limit is a literal in
``SecurityGroupBackend._verify_group_will_respect_rule_count_limit`` (moto 5), not a
setting. An account with the quota raised (``planning.quotas.aws_rules_per_security_group``,
which ``utflytt plan`` checks the rule sets against) accepts more, so the offline preview
of such a plan must too: :func:`rules_per_security_group` shifts moto's count by the raise
for the duration of one moto session (:class:`stacks.aws.moto_mocks.MotoMocks`), keeping
moto's own counting (CIDRs and referenced groups of the request, per direction), and puts
moto's method back afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from unittest import mock

MOTO_RULES_PER_VPC_GROUP = 60
"""moto's limit for a VPC security group (its literal, AWS's default quota)."""


@contextlib.contextmanager
def rules_per_security_group(limit: int) -> Iterator[None]:
    """While the block runs, moto allows ``limit`` rules per direction per VPC security
    group instead of :data:`MOTO_RULES_PER_VPC_GROUP` (EC2-Classic groups keep moto's 100)."""
    if limit == MOTO_RULES_PER_VPC_GROUP:
        yield
        return
    from moto.ec2.models.security_groups import SecurityGroupBackend

    original = SecurityGroupBackend._verify_group_will_respect_rule_count_limit
    shift = limit - MOTO_RULES_PER_VPC_GROUP

    def verify(self: Any, group: Any, current_rule_nb: int, *args: Any, **kwargs: Any) -> None:
        # moto raises when current + added > 60: counting ``shift`` fewer makes it > limit
        current = current_rule_nb - shift if group.vpc_id else current_rule_nb
        original(self, group, current, *args, **kwargs)

    with mock.patch.object(
        SecurityGroupBackend, "_verify_group_will_respect_rule_count_limit", verify
    ):
        yield
