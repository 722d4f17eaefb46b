"""Run the AWS program in-process under :class:`MotoMocks` (tests, offline preview).

A small stand-in for ``stacks.testing.run_offline`` that also returns the stack's exports,
so that a wave stack's StackReference can be fed with the foundation's real (moto) outputs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import settings as runtime_settings

from migration.plan import Plan
from stacks.aws.moto_mocks import MotoMocks, RecordedCall, RecordedResource
from stacks.settings import StackSettings

PROJECT = "utflytt"   # the name in Pulumi.yaml: pulumi.Config("utflytt") must match


@dataclass
class AwsRun:
    """What one stack run registered, called and exported."""

    resources: list[RecordedResource]
    calls: list[RecordedCall]
    outputs: dict[str, Any]

    def of_type(self, typ: str) -> list[RecordedResource]:
        """The recorded resources of one type token, in registration order."""
        return [r for r in self.resources if r.type == typ]


def aws_config(options: Mapping[str, Any]) -> dict[str, str]:
    """The fully qualified config map for a ``utflytt:aws`` object (values as the CLI passes)."""
    return {f"{PROJECT}:aws": json.dumps(dict(options))}


def run_aws_offline(settings: StackSettings, plan: Plan, mocks: MotoMocks,
                    config: Mapping[str, str] | None = None) -> AwsRun:
    """Run ``stacks.aws.program.run`` once, under ``mocks``; raise what the mocks raise."""
    from stacks.aws.program import run

    first_resource, first_call = len(mocks.resources), len(mocks.calls)
    runtime_settings.reset_options(project=PROJECT, stack=settings.stack)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=settings.stack, preview=False)
    pulumi.runtime.set_all_config(dict(config or {}), [])
    exported: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        run(settings, plan)
        root = runtime_settings.get_root_resource()
        outputs = dict(getattr(root, "outputs", {}) or {})
        return pulumi.Output.from_input(outputs).apply(exported.update)

    program()
    return AwsRun(mocks.resources[first_resource:], mocks.calls[first_call:], exported)
