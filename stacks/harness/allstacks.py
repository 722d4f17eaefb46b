"""Preview every stack of a plan in one process (``utflytt preview --all``).

The foundation runs once and its exports answer every wave stack's StackReference (a
single-stack preview runs the foundation first each time); what the stacks derive from
the plan alone (network policy, address plan, rule sets, layout) is computed once too
(:mod:`stacks.plancache`). Azure stacks run under the harness's echo mocks; AWS stacks
run one after another in one moto session (:func:`stacks.aws.preview.aws_stack_runner`),
so each wave's instances land in the foundation's subnets and moto's checks apply.

A stack that fails is reported with its error and the others still run, except when the
foundation fails: the wave stacks need its outputs, so nothing else runs.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from migration.errors import UtflyttError
from migration.plan import Plan
from stacks.harness.records import STACK_REFERENCE
from stacks.settings import StackSettings

# what a provider's runner returns for one stack: (kind, type) of every resource, the
# stack's warnings and its exports
StackRun = tuple[list[tuple[str, str]], list[str], dict[str, Any]]
# runs one stack; the second argument is the foundation's exports (None for the foundation)
StackRunner = Callable[[StackSettings, Mapping[str, Any] | None], StackRun]


@dataclass(frozen=True)
class StackSummary:
    """One stack of ``preview --all``: what it would create, or why it failed."""

    stack: str
    resources: int = 0  # resources it registers (StackReference reads not counted)
    counts: Mapping[str, int] = field(default_factory=dict)  # per resource type
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0  # wall time of its offline run (never in the JSON: not stable)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the stack previewed without an error."""
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        """JSON view for ``preview --all --json`` (deterministic: no timings)."""
        return {
            "stack": self.stack,
            "status": "ok" if self.ok else "failed",
            "resources": self.resources,
            "counts": dict(sorted(self.counts.items())),
            "warnings": list(self.warnings),
            **({"error": self.error} if self.error is not None else {}),
        }


def summarise(stack: str, run: StackRun, seconds: float) -> StackSummary:
    """The summary of one stack's run."""
    kinds, warnings, _ = run
    counts: dict[str, int] = {}
    for kind, typ in kinds:
        if kind == "register" and typ != STACK_REFERENCE:
            counts[typ] = counts.get(typ, 0) + 1
    return StackSummary(
        stack=stack,
        resources=sum(counts.values()),
        counts=dict(sorted(counts.items())),
        warnings=tuple(warnings),
        seconds=seconds,
    )


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, UtflyttError) or type(exc).__name__ in ("ClientError", "MockCheckError"):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


@contextlib.contextmanager
def azure_stack_runner(
    plan: Plan,
    config: Mapping[str, str] | None = None,
    stack_configs: Mapping[str, Mapping[str, str]] | None = None,
) -> Iterator[StackRunner]:
    """Azure: each stack under the harness's echo mocks; waves get the given exports."""
    from stacks.testing import run_offline_full

    def run(settings: StackSettings, foundation: Mapping[str, Any] | None) -> StackRun:
        outputs = {settings.foundation_stack: foundation} if foundation is not None else {}
        result = run_offline_full(
            settings, plan, stack_outputs=outputs, config=config, stack_configs=stack_configs
        )
        kinds = [(r.kind, r.type) for r in result.resources]
        return kinds, list(result.warnings), dict(result.outputs)

    yield run


def stack_runner(
    plan: Plan,
    config: Mapping[str, str] | None = None,
    stack_configs: Mapping[str, Mapping[str, str]] | None = None,
) -> contextlib.AbstractContextManager[StackRunner]:
    """The runner for the plan's cloud (AWS needs the aws extra: moto); ``stack_configs``:
    each stack's own keys (its ``Pulumi.<stack>.yaml``'s) on top of ``config``."""
    if plan.target.provider == "aws":
        from stacks.aws.preview import aws_stack_runner

        return aws_stack_runner(plan, config, stack_configs=stack_configs)
    return azure_stack_runner(plan, config, stack_configs)


def preview_all(
    plan: Plan,
    plan_path: str = "plan.json",
    *,
    config: Mapping[str, str] | None = None,
    stack_configs: Mapping[str, Mapping[str, str]] | None = None,
    on_start: Callable[[str, int, int], None] | None = None,
    on_done: Callable[[StackSummary, int, int], None] | None = None,
    runner: contextlib.AbstractContextManager[StackRunner] | None = None,
) -> list[StackSummary]:
    """Preview the foundation, then every wave stack, in one process.

    ``on_start(stack, index, total)`` is called before each stack runs and
    ``on_done(summary, index, total)`` after (index from 1). Returns one summary per stack
    previewed, in order; when the foundation fails, only its summary.
    """
    from stacks.config import settings_for_stack, stack_names

    names = stack_names(plan)
    total = len(names)
    results: list[StackSummary] = []
    foundation: Mapping[str, Any] | None = None
    with runner or stack_runner(plan, config, stack_configs) as run:
        for index, name in enumerate(names, start=1):
            settings = settings_for_stack(plan, name, plan_path)
            if on_start:
                on_start(name, index, total)
            started = time.perf_counter()
            try:
                if settings.kind == "wave" and foundation is None:
                    raise UtflyttError(f"stack {name}: the foundation's outputs are missing")
                outcome = run(settings, foundation if settings.kind == "wave" else None)
            except Exception as exc:  # noqa: BLE001 (reported per stack; the caller exits 1)
                summary = StackSummary(
                    stack=name, seconds=time.perf_counter() - started, error=_error_text(exc)
                )
            else:
                summary = summarise(name, outcome, time.perf_counter() - started)
                if settings.kind == "foundation":
                    foundation = outcome[2]
            results.append(summary)
            if on_done:
                on_done(summary, index, total)
            if settings.kind == "foundation" and not summary.ok:
                break  # every wave stack reads the foundation's outputs
    return results


def all_stacks_json(plan: Plan, results: Sequence[StackSummary]) -> dict[str, Any]:
    """The ``preview --all --json`` document (deterministic: no timings)."""
    return {
        "provider": plan.target.provider,
        "region": plan.target.region,
        "stacks": [r.to_json() for r in results],
        "resources": sum(r.resources for r in results),
        "failed": [r.stack for r in results if not r.ok],
    }


def failures_text(results: Sequence[StackSummary], total: int) -> str | None:
    """One line naming every failed stack and its error, or None when all passed."""
    failed = [r for r in results if not r.ok]
    if not failed:
        return None
    names = "; ".join(f"{r.stack}: {r.error}" for r in failed)
    skipped = total - len(results)
    tail = f" ({skipped} wave stacks not previewed: they need the foundation)" if skipped else ""
    return f"{len(failed)} of {total} stacks failed: {names}{tail}"
