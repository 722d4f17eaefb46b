"""The ``utflytt preview`` outputs of an offline run: a text tree and a JSON document."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from migration.plan import Plan
from stacks.harness.allstacks import StackSummary
from stacks.harness.records import PROJECT, STACK_REFERENCE, OfflineRun, RecordedResource
from stacks.network import stack_rule_sets


def key_inputs(r: RecordedResource) -> str:
    """The few inputs a reviewer looks at first, per resource type."""
    i = r.inputs
    t = r.type.rsplit(":", 1)[-1]
    if r.type == STACK_REFERENCE:
        return f"{len(r.state.get('outputs') or {})} outputs"
    if t == "VirtualMachine":
        sec = i.get("securityProfile") or {}
        extra = ", trusted launch" if sec.get("securityType") == "TrustedLaunch" else ""
        return f"{(i.get('hardwareProfile') or {}).get('vmSize')}{extra}"
    if t == "Disk":
        create = (i.get("creationData") or {}).get("createOption")
        return f"{int(i.get('diskSizeGB', 0))} GB, {create}"
    if t == "NetworkSecurityGroup":
        rules = i.get("securityRules") or []
        allow = sum(1 for x in rules if x.get("access") == "Allow")
        return f"{allow} allow rules + {len(rules) - allow} deny"
    if t == "NetworkInterface":
        cfgs = i.get("ipConfigurations") or [{}]
        return str(cfgs[0].get("privateIPAddress") or "dynamic")
    if t == "Subnet":
        return str(i.get("addressPrefix", ""))
    if t == "VirtualNetwork":
        return ", ".join((i.get("addressSpace") or {}).get("addressPrefixes") or [])
    if t in ("ResourceGroup", "Workspace", "Vault", "StorageAccount"):
        return str(i.get("location", ""))
    if t == "LocalNetworkGateway":
        return ", ".join((i.get("localNetworkAddressSpace") or {}).get("addressPrefixes") or [])
    if t in ("PublicIPAddress", "ApplicationGateway", "VirtualNetworkGateway"):
        return str((i.get("sku") or {}).get("name", ""))
    if t == "ProtectedItem":
        return str((i.get("properties") or {}).get("policyId", "")).rsplit("/", 1)[-1]
    return ""


def render_preview(
    run: OfflineRun,
    stack: str,
    describe: Callable[[RecordedResource], str] | None = None,
    mocks: str = "mocks",
) -> str:
    """A ``pulumi preview``-like tree (program order), then counts per type.

    ``describe`` gives a resource's key inputs (default: the Azure ones); ``mocks`` names
    what answered the calls in the heading.
    """
    describe = describe or key_inputs
    by_urn = {r.urn: r for r in run.resources}

    def depth(r: RecordedResource) -> int:
        d = 0
        parent = r.parent
        while parent in by_urn:
            d += 1
            parent = by_urn[parent].parent
        return d

    rows = [("", "pulumi:pulumi:Stack", f"{PROJECT}-{stack}", "")]
    for r in run.resources:
        op = "read" if r.kind == "read" else "+"
        rows.append((op, "  " * (depth(r) + 1) + r.type, r.name, describe(r)))
    width_type = max(len(t) for _, t, _, _ in rows) + 2
    width_name = max(len(n) for _, _, n, _ in rows) + 2
    lines = [f"Previewing {stack} (offline, under {mocks}: nothing is created)", ""]
    lines.append(f"{'':6}{'Type':{width_type}}{'Name':{width_name}}Key inputs")
    for op, typ, name, info in rows:
        lines.append(f"{op:6}{typ:{width_type}}{name:{width_name}}{info}".rstrip())
    counts: dict[str, int] = {}
    for r in run.resources:
        if r.kind == "register":
            counts[r.type] = counts.get(r.type, 0) + 1
    lines += ["", "Resources per type:"]
    width = max((len(t) for t in counts), default=0) + 2
    for typ, n in sorted(counts.items()):
        lines.append(f"    {typ:{width}}{n:>5}")
    lines.append(f"    {'+ to create':{width}}{sum(counts.values()):>5}")
    if run.warnings:
        lines += ["", "Warnings:"] + [f"    {w}" for w in run.warnings]
    return "\n".join(lines)


def preview_json(run: OfflineRun, stack: str, plan: Plan | None = None) -> dict[str, Any]:
    """The ``--json`` document: every resource's type, name, parent and inputs, and (given
    the plan) the stack's network rule sets with their counts and limits."""
    counts: dict[str, int] = {}
    for r in run.resources:
        if r.kind == "register":
            counts[r.type] = counts.get(r.type, 0) + 1
    return {
        "stack": stack,
        "resources": [r.to_json() for r in run.resources],
        "counts": dict(sorted(counts.items())),
        "warnings": list(run.warnings),
        **({"rule_sets": stack_rule_sets(plan, stack)} if plan is not None else {}),
    }


def render_stack_line(summary: StackSummary, index: int, total: int) -> str:
    """``preview --all``'s line for one stack: resources, warnings and seconds, or FAILED."""
    width = len(str(total))
    head = f"[{index:>{width}}/{total}] {summary.stack:<12}"
    if not summary.ok:
        return f"{head} FAILED after {summary.seconds:.1f} s: {summary.error}"
    warned = f", {len(summary.warnings)} warnings" if summary.warnings else ""
    return f"{head} {summary.resources:>6,} resources{warned} in {summary.seconds:.1f} s"


def render_summary_line(results: Sequence[StackSummary], total: int, provider: str) -> str:
    """``preview --all``'s last line: stacks, resources, failures, wall time."""
    failed = sum(1 for r in results if not r.ok)
    seconds = sum(r.seconds for r in results)
    mocks = "moto-backed mocks" if provider == "aws" else "mocks"
    return (
        f"{len(results)} of {total} stacks previewed offline ({provider}, {mocks}): "
        f"{sum(r.resources for r in results):,} resources, {failed} failed, {seconds:.1f} s"
    )
