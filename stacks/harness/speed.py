"""What makes offline runs fast: GC tuning, inline executor calls, alias stripping.

See :func:`tune_gc` (once per process), :func:`_fast_run` (per run) and
:func:`release_memory` (collect what earlier runs left frozen).
"""

from __future__ import annotations

import contextlib
import copy
import gc
from collections.abc import Iterator

import pulumi
from pulumi.runtime.sync_await import _ensure_event_loop

from stacks.fastmocks import inline_executor

_GC_TUNED = False


def tune_gc(azure: bool = True) -> None:
    """Load the provider modules, then freeze the heap and raise gen-0's threshold (once).

    The cyclic GC otherwise walks azure-native's ~400k module objects every few hundred
    allocations: more than half of a mock run's wall time. ``azure=False`` (AWS runs)
    skips loading azure-native: only what is loaded is frozen.
    """
    global _GC_TUNED
    if _GC_TUNED:
        return
    if not azure:
        import pulumi_aws  # noqa: F401

        gc.collect()
        gc.freeze()
        gc.set_threshold(100_000, 50, 50)
        _GC_TUNED = True
        return
    from pulumi_azure_native import (
        authorization,
        compute,
        keyvault,
        network,
        operationalinsights,
        recoveryservices,
        resources,
        storage,
    )

    for module, name in (
        (compute, "VirtualMachine"),
        (network, "VirtualNetwork"),
        (resources, "ResourceGroup"),
        (recoveryservices, "Vault"),
        (keyvault, "Vault"),
        (storage, "StorageAccount"),
        (operationalinsights, "Workspace"),
        (authorization, "get_client_config_output"),
    ):
        getattr(module, name)  # azure-native submodules load lazily: load them now
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 50)
    _GC_TUNED = True


# About how many objects fast runs have frozen since the last release_memory (_fast_run).
# (gc.get_freeze_count() would tell exactly, but it walks the whole frozen list.)
_RUN_GARBAGE = [0]
# Above this many objects left frozen by earlier runs (~0.3 GB per million), the next fast
# run first collects them (release_memory).
RUN_GARBAGE_BUDGET = 4_000_000


def release_memory() -> float:
    """Collect what earlier fast runs left frozen (see :func:`run_offline_full`).

    Returns the seconds it took: about 2 s per million objects, i.e. per ~1,800 resources.
    """
    import time

    start = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    _RUN_GARBAGE[0] = 0
    return time.perf_counter() - start


@contextlib.contextmanager
def _fast_run() -> Iterator[None]:
    """Run a program with Pulumi's executor calls inline and without the cyclic GC.

    - The SDK hands every RegisterResource/Invoke to the loop's default executor (a thread);
      :class:`~stacks.fastmocks.InlineExecutor` answers in the calling thread instead.
    - Nothing a program builds becomes garbage before the run ends (the SDK keeps every
      resource, Output and task), yet the cyclic GC would walk the growing heap hundreds of
      times (about a third of a run's time). It is off during the run; afterwards the
      run's objects, which are mostly cyclic garbage once the caller drops the results,
      are frozen rather than collected: freeing ~560 objects per resource costs about as
      much again as the run's GC did. A CLI process exits without ever paying that; a
      process running many stacks collects them once ``RUN_GARBAGE_BUDGET`` is exceeded
      (or when it calls :func:`release_memory`).
    """
    if _RUN_GARBAGE[0] > RUN_GARBAGE_BUDGET:
        release_memory()
    executor = inline_executor(_ensure_event_loop())  # type: ignore[no-untyped-call]
    enabled = gc.isenabled()
    executor.inline = True
    gc.disable()
    try:
        yield
    finally:
        executor.inline = False
        _RUN_GARBAGE[0] += gc.get_count()[0]  # objects allocated (and alive) since gc.disable
        gc.freeze()
        if enabled:
            gc.enable()


def strip_aliases(
    args: pulumi.ResourceTransformationArgs,
) -> pulumi.ResourceTransformationResult | None:
    """Legacy stack transformation dropping aliases (mocks never use them)."""
    if args.opts is not None and args.opts.aliases:
        opts = copy.copy(args.opts)
        opts.aliases = None
        return pulumi.ResourceTransformationResult(args.props, opts)
    return None
