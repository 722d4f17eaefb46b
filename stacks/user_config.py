"""The user's keys of the stack configs ``utflytt plan`` wrote, read back for offline runs.

A real ``pulumi preview`` hands the program every key of its ``Pulumi.<stack>.yaml``: the
ones ``utflytt plan`` manages (:data:`stacks.config.MANAGED_KEYS`, derived from the plan)
and the user's own (``utflytt:aws`` with ``vpcCidrs``, ``availabilityZones``, ``amis`` ...;
``utflytt:sshPublicKey``, ``utflytt:tlsCertificates`` ...). ``utflytt preview`` derives the
managed keys from the plan it previews and takes the user's from here, stack by stack, so
the offline run sees what ``pulumi preview`` of that stack would. ``utflytt plan`` lays out
the AWS address plan with the foundation's ``utflytt:aws`` (:func:`foundation_aws_options`),
as the foundation stack will.

Secrets (``secure:`` values) cannot be decrypted without the Pulumi CLI: they are left out,
and the offline runs keep their placeholders for them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from migration.errors import UtflyttError
from migration.plan import Plan
from stacks.aws.layout import AwsConfigError, AwsOptions, using_options
from stacks.config import MANAGED_KEYS, NAMESPACE, load_stack_config, stack_names
from stacks.project import plan_stack_dir

__all__ = [
    "PreviewConfigs",
    "StackConfigs",
    "aws_options_of",
    "foundation_aws_options",
    "preview_configs",
    "read_stack_configs",
    "user_keys",
]

StackConfigs = dict[str, dict[str, str]]
"""Stack name -> its user keys (fully qualified, values as the CLI passes them)."""


def _path(directory: Path, stack: str) -> Path:
    return directory / f"Pulumi.{stack}.yaml"


def user_keys(path: Path) -> dict[str, str]:
    """The ``utflytt:`` keys of one stack config that the plan does not manage, secrets
    left out (values as the Pulumi CLI hands them over: text, objects as JSON)."""
    config, secrets = load_stack_config(path)
    return {
        key: value
        for key, value in sorted(config.items())
        if key.startswith(f"{NAMESPACE}:") and key not in MANAGED_KEYS and key not in secrets
    }


def read_stack_configs(directory: Path, plan: Plan) -> StackConfigs:
    """The user keys of every stack of ``plan`` that has a config in ``directory`` (a stack
    without one gets none, as a stack without ``Pulumi.<stack>.yaml`` would).

    A config written for the other cloud (``utflytt:provider``) belongs to another plan:
    :class:`UtflyttError`, naming it.
    """
    configs: StackConfigs = {}
    for stack in stack_names(plan):
        path = _path(directory, stack)
        if not path.is_file():
            continue
        config, _ = load_stack_config(path)
        provider = config.get(f"{NAMESPACE}:provider")
        if provider is not None and provider != plan.target.provider:
            raise UtflyttError(
                f"{path}: a stack config for {provider}, but the plan targets "
                f"{plan.target.provider}: run `utflytt plan` for this project again, or point "
                "at the plan's own stack configs (--stack-config-dir)"
            )
        configs[stack] = user_keys(path)
    return configs


def foundation_aws_options(directory: Path | None) -> AwsOptions:
    """The ``utflytt:aws`` object of ``directory``'s ``Pulumi.foundation.yaml`` (none when
    the folder or the file is missing): the VPC CIDRs, zones and pins the foundation stack
    lays its VPCs out with. A wrong object is an :class:`AwsConfigError` naming the file."""
    if directory is None or not _path(directory, "foundation").is_file():
        return AwsOptions()
    path = _path(directory, "foundation")
    return aws_options_of(user_keys(path), path)


def aws_options_of(keys: Mapping[str, str], path: Path) -> AwsOptions:
    """The ``utflytt:aws`` object among a stack config's user ``keys`` (read from ``path``,
    named in the error when it is wrong)."""
    raw = keys.get(f"{NAMESPACE}:aws")
    if raw is None:
        return AwsOptions()
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise AwsConfigError(f"{path}: utflytt:aws: expected an object, got {raw!r}")
    try:
        return AwsOptions.from_config(value)
    except (TypeError, ValueError) as exc:  # AwsConfigError among them: it names the key
        raise AwsConfigError(f"{path}: {exc}") from None


@dataclass(frozen=True)
class PreviewConfigs:
    """What ``utflytt preview`` hands the offline runs: the folder read (None: no project
    found, nothing read), each stack's user keys, and the foundation's AWS options (the
    plan-time address plan's, :func:`stacks.aws.layout.using_options`)."""

    directory: Path | None
    stacks: StackConfigs
    aws: AwsOptions

    def using(self) -> AbstractContextManager[AwsOptions]:
        """The foundation's AWS options in effect for the block (``preview --json``'s rule
        sets count the subnets of the VPCs the foundation lays out)."""
        return using_options(self.aws)


def preview_configs(plan: Plan, plan_file: Path, directory: Path | None = None) -> PreviewConfigs:
    """The stack configs an offline preview of ``plan`` reads: those in ``directory``, by
    default the stack-config folder of the project holding ``plan_file``
    (:func:`stacks.project.plan_stack_dir`, where ``utflytt plan`` wrote them). None found:
    the run sees only what the plan gives, as before any config was written."""
    folder = directory if directory is not None else plan_stack_dir(plan_file)
    if folder is None or not folder.is_dir():
        return PreviewConfigs(None, {}, AwsOptions())
    configs = read_stack_configs(folder, plan)
    aws = AwsOptions()
    if plan.target.provider == "aws" and "foundation" in configs:
        aws = aws_options_of(configs["foundation"], _path(folder, "foundation"))
    return PreviewConfigs(folder, configs, aws)
