"""Run a utflytt stack in-process under Pulumi mocks, fast, and record every resource.

Shipped with the package (like ``structlog.testing``): the tests, ``utflytt preview`` and
``bench/preview.py`` use it, for any provider (the AWS tests pass moto-backed mocks).

What it does per run (see docs/pulumi-testing.md):

- ``reset_options`` then ``set_mocks(project="utflytt", preview=False)`` with a
  :class:`RecordingMonitor` that records type, name, parent, inputs (secrets unwrapped,
  their paths kept), state and engine-style URNs, and answers StackReferences from a dict;
- the stack config the CLI would pass (``set_all_config``), with placeholders for the
  secrets a real stack holds encrypted;
- a legacy stack transformation that records the program order and strips azure-native's
  aliases (mocks never use them; they cost ~44 Output chains per resource);
- :func:`tune_gc` once per process (``gc.freeze`` + a high gen-0 threshold);
- during a run (``fast=True``, see :func:`_fast_run`): the SDK's executor calls answered
  inline instead of in a worker thread, properties (de)serialised synchronously
  (:mod:`stacks.fastmocks`), the cyclic GC off, and the run's objects frozen afterwards;
- warnings in program order (the engine receives them in asyncio order).

The harness's parts live in :mod:`stacks.harness` (records, mocks, monitor, speed,
preview); this module runs stacks and re-exports their names, so import from here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pulumi

from migration.plan import Plan
from stacks.config import as_engine_config, config_for, settings_to_config
from stacks.harness.mocks import _AZURE_PROVIDERS as _AZURE_PROVIDERS
from stacks.harness.mocks import _NAME_INPUTS as _NAME_INPUTS
from stacks.harness.mocks import OfflineMocks as OfflineMocks
from stacks.harness.mocks import _name_input as _name_input
from stacks.harness.mocks import _plural as _plural
from stacks.harness.monitor import RecordingMonitor as RecordingMonitor
from stacks.harness.monitor import _unwrap as _unwrap
from stacks.harness.monitor import _unwrap_inputs as _unwrap_inputs
from stacks.harness.preview import key_inputs as key_inputs
from stacks.harness.preview import preview_json as preview_json
from stacks.harness.preview import render_preview as render_preview
from stacks.harness.records import PLACEHOLDER_CONFIG as PLACEHOLDER_CONFIG
from stacks.harness.records import PLACEHOLDER_SECRETS as PLACEHOLDER_SECRETS
from stacks.harness.records import PROJECT as PROJECT
from stacks.harness.records import SECRET_SIG as SECRET_SIG
from stacks.harness.records import STACK_REFERENCE as STACK_REFERENCE
from stacks.harness.records import SUBSCRIPTION as SUBSCRIPTION
from stacks.harness.records import TENANT as TENANT
from stacks.harness.records import OfflineRun as OfflineRun
from stacks.harness.records import RecordedResource as RecordedResource
from stacks.harness.records import _redact as _redact
from stacks.harness.speed import _RUN_GARBAGE as _RUN_GARBAGE
from stacks.harness.speed import RUN_GARBAGE_BUDGET as RUN_GARBAGE_BUDGET
from stacks.harness.speed import _fast_run as _fast_run
from stacks.harness.speed import release_memory as release_memory
from stacks.harness.speed import strip_aliases as strip_aliases
from stacks.harness.speed import tune_gc as tune_gc
from stacks.settings import StackSettings


class _WarningCollector(logging.Handler):
    """Collects the program's warnings with the URN of the resource each is about.

    ``pulumi.log.warn(msg, resource)`` reaches the engine only once the resource's URN has
    resolved, i.e. in asyncio order, which changes from run to run; :meth:`ordered` puts
    the warnings back in program order (unattached ones first, as they are logged at once).
    """

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []
        self.urns: list[str] = []
        self._urn = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.urns.append(self._urn)

    def watch(self, engine: Any) -> None:
        """Note the URN of each log request the mock engine passes to the logger."""
        log = engine.Log

        def log_with_urn(request: Any) -> Any:
            self._urn = request.urn
            try:
                return log(request)
            finally:
                self._urn = ""

        engine.Log = log_with_urn

    def ordered(self, resources: list[RecordedResource]) -> list[str]:
        rank = {r.urn: r.order for r in resources}
        keyed = sorted(
            range(len(self.messages)),
            key=lambda i: (rank.get(self.urns[i], -1) if self.urns[i] else -1, i),
        )
        return [self.messages[i] for i in keyed]


# ----------------------------------------------------------------------------------- runs


def offline_config(
    settings: StackSettings, extra: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """The config a real CLI would pass for this stack, with placeholder credentials."""
    config = as_engine_config(settings_to_config(settings))
    config.update(PLACEHOLDER_CONFIG)
    config.update(PLACEHOLDER_SECRETS)
    if extra:
        config.update(extra)
    return config, sorted(PLACEHOLDER_SECRETS)


def run_offline_full(
    settings: StackSettings,
    plan: Plan,
    mocks: pulumi.runtime.Mocks | None = None,
    *,
    stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
    config: Mapping[str, str] | None = None,
    stack_configs: Mapping[str, Mapping[str, str]] | None = None,
    fast: bool = True,
) -> OfflineRun:
    """Run the stack under mocks; return resources (program order), exports and warnings.

    A wave stack's StackReference is answered from ``stack_outputs``; when that is None the
    foundation stack is run offline first and its exports are used. ``config`` goes to
    every stack run, each stack's own ``stack_configs`` entry on top (the user keys of its
    ``Pulumi.<stack>.yaml``, :mod:`stacks.user_config`). ``fast=False`` runs plain Pulumi
    mocks (no alias stripping, no GC tuning) for comparison.
    """
    from stacks import program

    if settings.kind == "wave" and stack_outputs is None:
        foundation = settings.foundation_settings()
        stack_outputs = {
            settings.foundation_stack: run_offline_full(
                foundation, plan, mocks, config=config, stack_configs=stack_configs, fast=fast
            ).outputs
        }
    if fast:
        tune_gc()
    cfg, secret_keys = offline_config(settings, config_for(settings.stack, config, stack_configs))
    collector = _WarningCollector()
    logger = logging.getLogger(f"utflytt.offline.{settings.stack}")
    logger.propagate = False
    logger.handlers = [collector]
    logger.setLevel(logging.WARNING)
    mocks = mocks or OfflineMocks()
    monitor = RecordingMonitor(mocks, stack_outputs or {}, fast=fast)
    pulumi.runtime.settings.reset_options(project=PROJECT, stack=settings.stack, preview=False)
    pulumi.runtime.set_all_config(cfg, secret_keys)
    pulumi.runtime.set_mocks(
        mocks, project=PROJECT, stack=settings.stack, preview=False, logger=logger, monitor=monitor
    )
    collector.watch(pulumi.runtime.settings.get_engine())
    order: dict[tuple[str, str], int] = {}

    def record_order(
        args: pulumi.ResourceTransformationArgs,
    ) -> pulumi.ResourceTransformationResult | None:
        order.setdefault((args.type_, args.name), len(order))
        return strip_aliases(args) if fast else None

    pulumi.runtime.register_stack_transformation(record_order)
    exports: dict[str, Any] = {}

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def body() -> pulumi.Output[Any]:
        result = program.run(settings, plan)
        return pulumi.Output.from_input(result).apply(exports.update)

    if fast:
        with _fast_run():
            body()
    else:
        body()
    rows = sorted(monitor.records, key=lambda r: (order.get((r[1], r[2]), len(order)), r[3]))
    resources = [RecordedResource(i, *row) for i, row in enumerate(rows)]
    return OfflineRun(resources, exports, collector.ordered(resources), cfg, secret_keys)


def run_offline(
    settings: StackSettings, plan: Plan, mocks: pulumi.runtime.Mocks | None = None, **kwargs: Any
) -> list[RecordedResource]:
    """Run the stack under mocks and return every resource it registers, in program order."""
    return run_offline_full(settings, plan, mocks, **kwargs).resources
