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
"""

from __future__ import annotations

import contextlib
import copy
import gc
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, resource_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from migration.plan import Plan
from stacks.config import as_engine_config, settings_to_config
from stacks.fastmocks import decode, echo_struct, inline_executor, python_to_struct
from stacks.network import stack_rule_sets
from stacks.settings import StackSettings

PROJECT = "utflytt"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
TENANT = "11111111-1111-1111-1111-111111111111"
SECRET_SIG = rpc._special_sig_key  # "4dabf18193072939515e22adb298388d"
STACK_REFERENCE = "pulumi:pulumi:StackReference"

# Secrets a real stack holds encrypted; offline runs use these placeholders (marked secret).
PLACEHOLDER_SECRETS = {
    "utflytt:adminPassword": "offline-Placeholder-1!",
    "utflytt:vpnSharedKey": "offline-placeholder-psk",
}
PLACEHOLDER_CONFIG = {
    "utflytt:vpnPeerAddress": "192.0.2.10",  # TEST-NET-1: never routable
    "utflytt:sshPublicKey": (
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOfflinePreviewPlaceholderKey offline"
    ),
}


@dataclass(frozen=True)
class RecordedResource:
    """One resource the program registered (``kind`` "register") or read ("read")."""

    order: int
    kind: str
    type: str
    name: str
    urn: str
    parent: str | None
    custom: bool
    id: str | None
    inputs: dict[str, Any]
    state: dict[str, Any]
    secret_paths: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON view for ``utflytt preview --json``."""
        return {
            "type": self.type,
            "name": self.name,
            "urn": self.urn,
            "parent": self.parent,
            "kind": self.kind,
            "inputs": _redact(self.inputs, self.secret_paths),
        }


@dataclass
class OfflineRun:
    """Everything one offline run produced."""

    resources: list[RecordedResource]
    outputs: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=dict)
    secret_keys: list[str] = field(default_factory=list)


def _redact(inputs: dict[str, Any], secret_paths: tuple[str, ...]) -> dict[str, Any]:
    return {k: ("[secret]" if k in secret_paths else v) for k, v in inputs.items()}


# ----------------------------------------------------------------------------------- mocks

_AZURE_PROVIDERS = {
    "resources": "Microsoft.Resources",
    "network": "Microsoft.Network",
    "compute": "Microsoft.Compute",
    "recoveryservices": "Microsoft.RecoveryServices",
    "keyvault": "Microsoft.KeyVault",
    "storage": "Microsoft.Storage",
    "operationalinsights": "Microsoft.OperationalInsights",
}
# azure-native's input that carries the resource's own name, where it is not <class>Name.
_NAME_INPUTS = {
    "azure-native:compute:VirtualMachine": "vmName",
    "azure-native:storage:StorageAccount": "accountName",
    "azure-native:network:Subnet": "subnetName",
    "azure-native:recoveryservices:ProtectionPolicy": "policyName",
    "azure-native:network:WebApplicationFirewallPolicy": "policyName",
    "azure-native:operationalinsights:Workspace": "workspaceName",
    "azure-native:storage:BlobContainer": "containerName",
    "azure-native:network:PublicIPAddress": "publicIpAddressName",
}


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def _name_input(typ: str) -> str:
    if typ in _NAME_INPUTS:
        return _NAME_INPUTS[typ]
    cls = typ.rsplit(":", 1)[-1]
    return cls[0].lower() + cls[1:] + "Name"


class OfflineMocks(pulumi.runtime.Mocks):
    """Echo mocks that look like azure-native (any other provider: plain echo).

    Each resource gets its inputs back plus ``name`` and a deterministic ARM-style ``id``;
    a few computed outputs programs read are filled in (IP addresses from documentation
    ranges). ``getClientConfig`` answers with a fixed subscription and tenant.
    """

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        state = dict(args.inputs)
        typ = args.typ
        if typ.startswith("random:"):  # a generated value, distinct per resource
            state.setdefault("result", f"offline-{args.name}-Aa1!")
        if not typ.startswith("azure-native:"):
            state.setdefault("name", args.name)
            return f"{args.name}-id", state
        _, module, cls = typ.split(":")
        name = state.get(_name_input(typ)) or args.name
        if typ == "azure-native:resources:ResourceGroup":
            name = state.get("resourceGroupName") or args.name
        state["name"] = name
        rg = state.get("resourceGroupName", "rg-offline")
        provider = _AZURE_PROVIDERS.get(module, f"Microsoft.{module}")
        if typ == "azure-native:resources:ResourceGroup":
            rid = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}"
        elif typ == "azure-native:network:Subnet":
            rid = (
                f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/{provider}/"
                f"virtualNetworks/{state.get('virtualNetworkName')}/subnets/{name}"
            )
        else:
            rid = (
                f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/{provider}/"
                f"{_plural(cls[0].lower() + cls[1:])}/{name}"
            )
        identity = state.get("identity")
        if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
            # inputs list the identities; the resource's output maps each to its details
            users: dict[str, dict[str, str]] = {
                i: {} for i in identity["userAssignedIdentities"] if isinstance(i, str)
            }
            state["identity"] = {**identity, "userAssignedIdentities": users}
        if typ == "azure-native:network:PublicIPAddress":
            state.setdefault("ipAddress", "203.0.113.10")
        if typ == "azure-native:keyvault:Vault":
            props = dict(state.get("properties") or {})
            props.setdefault("vaultUri", f"https://{name}.vault.azure.net/")
            state["properties"] = props
        if typ == "azure-native:storage:StorageAccount":
            state.setdefault("primaryEndpoints", {"blob": f"https://{name}.blob.core.windows.net/"})
        return rid, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        if args.token == "azure-native:authorization:getClientConfig":
            return {
                "subscriptionId": SUBSCRIPTION,
                "tenantId": TENANT,
                "clientId": "22222222-2222-2222-2222-222222222222",
                "objectId": "33333333-3333-3333-3333-333333333333",
            }
        return {}


def _unwrap(value: Any) -> tuple[Any, bool]:
    """Plain value and whether a secret was inside."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == rpc._special_secret_sig:
            inner, _ = _unwrap(value.get("value"))
            return inner, True
        out: dict[str, Any] = {}
        secret = False
        for k, v in value.items():
            out[k], s = _unwrap(v)
            secret = secret or s
        return out, secret
    if isinstance(value, list):
        items = [_unwrap(v) for v in value]
        return [i for i, _ in items], any(s for _, s in items)
    return value, False


def _unwrap_inputs(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    plain: dict[str, Any] = {}
    secret_paths = []
    for key, value in inputs.items():
        plain[key], secret = _unwrap(value)
        if secret:
            secret_paths.append(key)
    return plain, tuple(sorted(secret_paths))


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A MockMonitor that records parents and inputs and serves StackReferences itself.

    With ``fast`` (the default) properties are (de)serialised synchronously by
    :mod:`stacks.fastmocks` (the SDK's functions for anything but plain JSON data), and an
    :class:`OfflineMocks` state that echoes the inputs re-uses the request's encoding;
    ``fast=False`` uses the SDK's functions throughout, as Pulumi's ``MockMonitor`` does.
    """

    def __init__(
        self,
        mocks: pulumi.runtime.Mocks,
        stack_outputs: Mapping[str, Mapping[str, Any]],
        *,
        fast: bool = True,
    ):
        super().__init__(mocks)
        self.stack_outputs = dict(stack_outputs)
        self.fast = fast
        self.records: list[
            tuple[
                str,
                str,
                str,
                str,
                str | None,
                bool,
                str | None,
                dict[str, Any],
                dict[str, Any],
                tuple[str, ...],
            ]
        ] = []
        self._lock = threading.Lock()

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """Engine-style URN: the full chain of parent types (the stack itself elided)."""
        qualified = type_
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != "pulumi:pulumi:Stack":
                qualified = f"{parent_type}${type_}"
        return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{qualified}::{name}"

    def _record(self, *row: Any) -> None:
        with self._lock:
            self.records.append(row)

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC name)
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()  # type: ignore[no-untyped-call]
        inputs, plain_json = self._decode(request.object)
        args = pulumi.runtime.MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=inputs,
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
        )
        id_, state = self.mocks.new_resource(args)
        plain, secret_paths = _unwrap_inputs(inputs)
        self._record(
            "register",
            request.type,
            request.name,
            urn,
            request.parent or None,
            bool(request.custom),
            id_,
            plain,
            dict(state),
            secret_paths,
        )
        if plain_json and type(self.mocks) is OfflineMocks:  # it never mutates its inputs
            obj = echo_struct(request.object, inputs, state)
        else:
            obj = self._encode(state)
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, id_ or "", state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_ or "", object=obj)

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 (gRPC name)
        _ensure_event_loop()  # type: ignore[no-untyped-call]
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs, _ = self._decode(request.properties)
        if request.type == STACK_REFERENCE:
            name = request.id or request.name
            if name not in self.stack_outputs:
                known = ", ".join(sorted(self.stack_outputs)) or "none"
                raise KeyError(f"no offline outputs for stack reference {name!r} (have: {known})")
            id_: str | None = name
            state: dict[str, Any] = {
                "name": name,
                "outputs": dict(self.stack_outputs[name]),
                "secretOutputNames": [],
            }
        else:
            args = pulumi.runtime.MockResourceArgs(
                typ=request.type,
                name=request.name,
                inputs=inputs,
                provider=request.provider,
                resource_id=request.id,
            )
            id_, state = self.mocks.new_resource(args)
        plain, secret_paths = _unwrap_inputs(inputs)
        self._record(
            "read",
            request.type,
            request.name,
            urn,
            request.parent or None,
            True,
            id_,
            plain,
            dict(state),
            secret_paths,
        )
        props = self._encode(state)
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, id_ or "", state)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=props)

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC name)
        if request.tok == "pulumi:pulumi:getResource":
            return super().Invoke(request)  # type: ignore[no-untyped-call]
        _ensure_event_loop()  # type: ignore[no-untyped-call]
        args, _ = self._decode(request.args)
        result = self.mocks.call(
            pulumi.runtime.MockCallArgs(token=request.tok, args=args, provider=request.provider)
        )
        if isinstance(result, dict):
            ret, failures = result, None
        else:
            ret = result[0]
            failures = [
                provider_pb2.CheckFailure(property=prop, reason=reason)
                for prop, reason in result[1] or []
            ]
        return resource_pb2.ResourceInvokeResponse(
            failures=failures, **{"return": self._encode(ret)}
        )

    def _decode(self, struct: Any) -> tuple[Any, bool]:
        if self.fast:
            return decode(struct)
        return rpc.deserialize_properties(struct), False

    def _encode(self, state: Any) -> Any:
        if self.fast:
            return python_to_struct(state)
        return _sync_await(rpc.serialize_properties(state, {}))


# --------------------------------------------------------------------------------- speed

_GC_TUNED = False


def tune_gc() -> None:
    """Load the provider modules, then freeze the heap and raise gen-0's threshold (once).

    The cyclic GC otherwise walks azure-native's ~400k module objects every few hundred
    allocations: more than half of a mock run's wall time.
    """
    global _GC_TUNED
    if _GC_TUNED:
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
    fast: bool = True,
) -> OfflineRun:
    """Run the stack under mocks; return resources (program order), exports and warnings.

    A wave stack's StackReference is answered from ``stack_outputs``; when that is None the
    foundation stack is run offline first and its exports are used. ``fast=False`` runs
    plain Pulumi mocks (no alias stripping, no GC tuning) for comparison.
    """
    from stacks import program

    if settings.kind == "wave" and stack_outputs is None:
        foundation = _foundation_settings(settings)
        stack_outputs = {
            settings.foundation_stack: run_offline_full(
                foundation, plan, mocks, config=config, fast=fast
            ).outputs
        }
    if fast:
        tune_gc()
    cfg, secret_keys = offline_config(settings, config)
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


def _foundation_settings(settings: StackSettings) -> StackSettings:
    return StackSettings(
        stack="foundation",
        kind="foundation",
        provider=settings.provider,
        region=settings.region,
        plan_path=settings.plan_path,
        wave=None,
        foundation_stack=settings.foundation_stack,
        tags=dict(settings.tags),
    )


# -------------------------------------------------------------------------------- preview


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
