"""Run the AWS program in-process under :class:`MotoMocks` (tests, offline preview).

A small stand-in for ``stacks.testing.run_offline`` that also returns the stack's exports,
so that a wave stack's StackReference can be fed with the foundation's real (moto) outputs.
Each recorded resource gets its URN, its parent's URN and its program order (the order of
the constructor calls, which does not depend on how the engine's threads interleave), and
``pulumi.log`` warnings are collected instead of printed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from botocore.exceptions import ClientError
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.sync_await import _ensure_event_loop

from migration.plan import Plan
from stacks.aws import moto_speed
from stacks.aws.moto_mocks import MotoMocks, RecordedCall, RecordedResource
from stacks.settings import StackSettings
from stacks.testing import RecordingMonitor, _fast_run, tune_gc

PROJECT = "utflytt"  # the name in Pulumi.yaml: pulumi.Config("utflytt") must match


@dataclass
class AwsRun:
    """What one stack run registered, called, exported and warned about."""

    resources: list[RecordedResource]
    calls: list[RecordedCall]
    outputs: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def of_type(self, typ: str) -> list[RecordedResource]:
        """The recorded resources of one type token, in registration order."""
        return [r for r in self.resources if r.type == typ]


def aws_config(options: Mapping[str, Any]) -> dict[str, str]:
    """The fully qualified config map for a ``utflytt:aws`` object (values as the CLI passes)."""
    return {f"{PROJECT}:aws": json.dumps(dict(options))}


class _Monitor(RecordingMonitor):
    """The harness's mock monitor (engine-style URNs, synchronous (de)serialisation),
    noting each registration's URN, parent URN and secret inputs for :class:`AwsRun`.

    StackReferences go to :class:`MotoMocks` (its ``stack_outputs``), which records them.
    """

    def __init__(self, mocks: MotoMocks, *, fast: bool = True) -> None:
        super().__init__(mocks, None, fast=fast)
        self.urns: dict[tuple[str, str], tuple[str, str | None]] = {}
        # inputs that held a Pulumi secret, per resource (the plain-secret check reads them)
        self.secret_paths: dict[tuple[str, str], tuple[str, ...]] = {}

    def _record(self, *row: Any) -> None:
        kind, typ, name, urn, parent, *_, secret_paths = row
        with self._lock:
            self.urns.setdefault((typ, name), (urn, parent))
            self.secret_paths[(typ, name)] = secret_paths


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _quiet_sibling_failures(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """When one registration fails (a moto check), its siblings' futures fail the same way
    and nobody awaits them: the run already raised the first error, so their "Future
    exception was never retrieved" is noise. Anything else goes to the default handler."""
    error = context.get("exception")
    if "never retrieved" in str(context.get("message", "")) and isinstance(error, ClientError):
        return
    loop.default_exception_handler(context)


def run_aws_offline(
    settings: StackSettings,
    plan: Plan,
    mocks: MotoMocks,
    config: Mapping[str, str] | None = None,
    *,
    fast: bool = True,
) -> AwsRun:
    """Run ``stacks.aws.program.run`` once, under ``mocks``; raise what the mocks raise.

    ``fast`` (the default) runs as the Azure harness does (``stacks.testing``): the SDK's
    executor calls answered inline, properties (de)serialised synchronously, the cyclic GC
    off during the run; ``fast=False`` runs Pulumi's threaded mock path (bench baseline).
    """
    from stacks.aws.program import run

    if fast:
        tune_gc(azure=False)
        moto_speed.install()  # moto's tag lookup is O(all tags): quadratic at scale

    first_resource, first_call = len(mocks.resources), len(mocks.calls)
    runtime_settings.reset_options(project=PROJECT, stack=settings.stack)
    warnings = _Warnings()
    logger = logging.getLogger(f"utflytt.aws.offline.{settings.stack}")
    logger.propagate = False
    logger.handlers = [warnings]
    logger.setLevel(logging.WARNING)
    monitor = _Monitor(mocks, fast=fast)
    pulumi.runtime.set_mocks(
        mocks, project=PROJECT, stack=settings.stack, preview=False, logger=logger, monitor=monitor
    )
    pulumi.runtime.set_all_config(dict(config or {}), [])
    order: dict[tuple[str, str], int] = {}

    def record_order(args: pulumi.ResourceTransformationArgs) -> None:
        order.setdefault((args.type_, args.name), len(order))
        return None

    pulumi.runtime.register_stack_transformation(record_order)
    exported: dict[str, Any] = {}

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # pulumi's test() is unannotated
    def program() -> pulumi.Output[None]:
        run(settings, plan)
        root = runtime_settings.get_root_resource()
        outputs = dict(getattr(root, "outputs", {}) or {})
        return pulumi.Output.from_input(outputs).apply(exported.update)

    loop: asyncio.AbstractEventLoop = _ensure_event_loop()  # type: ignore[no-untyped-call]
    loop.set_exception_handler(_quiet_sibling_failures)
    if fast:
        with _fast_run():
            program()
    else:
        program()
    resources = mocks.resources[first_resource:]
    for r in resources:
        r.urn, r.parent = monitor.urns.get((r.type, r.name), (None, None))
        r.order = order.get((r.type, r.name), len(order))
        r.secret_paths = monitor.secret_paths.get((r.type, r.name), ())
    return AwsRun(resources, mocks.calls[first_call:], exported, warnings.messages)
