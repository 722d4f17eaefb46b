"""A Pulumi mock monitor that records every resource a program registers or reads.

It keeps type, name, parent, inputs (secrets unwrapped, their paths kept), state and
engine-style URNs, and answers StackReferences from a dict of stack outputs.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, resource_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from stacks.fastmocks import decode, echo_struct, python_to_struct
from stacks.harness.mocks import OfflineMocks
from stacks.harness.records import SECRET_SIG, STACK_REFERENCE


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
        stack_outputs: Mapping[str, Mapping[str, Any]] | None,
        *,
        fast: bool = True,
    ):
        super().__init__(mocks)
        # None: the mocks answer StackReferences (as MotoMocks does), like any other read
        self.stack_outputs = None if stack_outputs is None else dict(stack_outputs)
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
        if request.type == STACK_REFERENCE and self.stack_outputs is not None:
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
