"""Fast paths for an in-process mock monitor (used by :mod:`stacks.testing`).

Pulumi's ``MockMonitor`` answers every RegisterResource in a worker thread of the event
loop's default executor and re-serialises the mock's state through the SDK's async
``serialize_properties`` on a nested event loop. For a monitor that lives in-process and
answers at once, both are pure overhead: a thread hand-off (and GIL ping-pong with the
busy main thread) plus a few hundred event-loop callbacks per resource. This module has

- :class:`InlineExecutor`, a ``ThreadPoolExecutor`` whose ``submit`` runs the call in the
  caller's thread while ``inline`` is set (``loop.set_default_executor`` is public asyncio
  API; the SDK's ``run_in_executor(None, ...)`` calls then complete at once), and a plain
  thread pool otherwise;
- :func:`struct_to_python` and :func:`python_to_struct`, synchronous equivalents of
  ``rpc.deserialize_properties`` / ``rpc.serialize_properties`` for plain JSON-like values
  (secrets included), which fall back to the SDK's functions for anything else (assets,
  archives, resource references, output values, unknowns, non-JSON Python objects).

See docs/pulumi-testing.md ("Why the mocks are fast here") for where a mock run's time goes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Mapping
from typing import Any

from google.protobuf import struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime import rpc
from pulumi.runtime.sync_await import _sync_await

SIG = rpc._special_sig_key
SECRET = rpc._special_secret_sig
UNKNOWN = rpc.UNKNOWN

_Struct = struct_pb2.Struct
_ListValue = struct_pb2.ListValue


class _Fallback(Exception):
    """A value the fast paths do not handle: use the SDK's own (de)serialisation."""


# --------------------------------------------------------------------------- executor


class InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs submitted calls synchronously in the caller's thread while ``inline`` is True.

    With ``inline`` False it is an ordinary thread pool, so plain-mock runs in the same
    process keep Pulumi's threaded behaviour.
    """

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="utflytt-mocks")
        self.inline = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if not self.inline:
            return super().submit(fn, *args, **kwargs)
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 (handed to the awaiting task, as a pool would)
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future


_EXECUTORS: dict[int, tuple[asyncio.AbstractEventLoop, InlineExecutor]] = {}


def inline_executor(loop: asyncio.AbstractEventLoop) -> InlineExecutor:
    """The loop's :class:`InlineExecutor`, installed as its default executor on first use."""
    entry = _EXECUTORS.get(id(loop))
    if entry is None or entry[0] is not loop:
        executor = InlineExecutor()
        loop.set_default_executor(executor)
        entry = (loop, executor)
        _EXECUTORS[id(loop)] = entry
    return entry[1]


# ------------------------------------------------------------------------ deserialise


def _is_secret(value: Any) -> bool:
    return type(value) is dict and value.get(SIG) == SECRET


def _unwrap_secret(value: Any) -> Any:
    return value["value"] if _is_secret(value) else value


def _value(v: Any) -> Any:
    """``rpc.deserialize_property`` of a ``struct_pb2.Value`` (a nested level)."""
    kind = v.WhichOneof("kind")
    if kind == "string_value":
        text = v.string_value
        if text == UNKNOWN:
            raise _Fallback
        return text
    if kind == "struct_value":
        fields = v.struct_value.fields
        if SIG in fields:
            if fields[SIG].string_value == SECRET:
                inner = _value(fields["value"])
                return inner if _is_secret(inner) else {SIG: SECRET, "value": inner}
            raise _Fallback  # asset, archive, resource reference, output value
        props = _fields(fields)
        for x in props.values():
            if type(x) is dict and SIG in x:
                return {SIG: SECRET, "value": {k: _unwrap_secret(y) for k, y in props.items()}}
        return props
    if kind == "list_value":
        values = [_value(x) for x in v.list_value.values]
        for x in values:
            if type(x) is dict and SIG in x:
                return {SIG: SECRET, "value": [_unwrap_secret(y) for y in values]}
        return values
    if kind == "number_value":
        return v.number_value
    if kind == "bool_value":
        return v.bool_value
    return None  # null_value


def _fields(fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, v in fields.items():
        value = _value(v)
        if value is not None:  # like the SDK: properties that deserialise to None are absent
            out[key] = value
    return out


def decode(struct: Any) -> tuple[dict[str, Any], bool]:
    """``rpc.deserialize_properties(struct)`` and whether the fast path could do it all."""
    try:
        if SIG in struct.fields:
            raise _Fallback
        return _fields(struct.fields), True
    except _Fallback:
        return rpc.deserialize_properties(struct), False


def struct_to_python(struct: Any) -> Any:
    """``rpc.deserialize_properties(struct)`` (secrets stay wrapped), without the detours."""
    return decode(struct)[0]


# -------------------------------------------------------------------------- serialise

_SCALARS = frozenset((str, float, int, bool, type(None)))


def _plain(value: Any) -> bool:
    t = type(value)
    if t in _SCALARS:
        return True
    if t is dict:
        for k, v in value.items():
            if type(k) is not str or not _plain(v):
                return False
        return True
    if t is list:
        for v in value:
            if not _plain(v):
                return False
        return True
    return False


def python_to_struct(state: Mapping[str, Any]) -> Any:
    """``await rpc.serialize_properties(state, {})``, synchronously for JSON-like state.

    Top-level ``None`` values are left out, as the SDK does; anything that is not plain
    JSON data (Outputs, Resources, assets, input types, enums, tuples...) goes through the
    SDK.
    """
    if type(state) is dict and _plain(state):
        struct = _Struct()
        struct.update({k: v for k, v in state.items() if v is not None})
        return struct
    return _sync_await(rpc.serialize_properties(state, {}))


def echo_struct(request: Any, inputs: Mapping[str, Any], state: Mapping[str, Any]) -> Any:
    """``python_to_struct(state)`` for a mock whose state echoes ``inputs`` (decoded from
    ``request`` by :func:`decode`'s fast path), re-using the request's encoding.

    Keys whose value is the very object in ``inputs`` are copied from the request (a
    C-level ``CopyFrom``); the others are encoded. The SDK decodes the result to the same
    values as it would decode ``python_to_struct(state)``: decoding drops nested nulls and
    lifts secrets to the enclosing object in both. Only for mocks that do not mutate
    ``inputs`` in place.
    """
    if type(state) is not dict:
        return python_to_struct(state)
    changed = {}
    for key, value in state.items():
        if value is not None and inputs.get(key) is not value:
            changed[key] = value
    if not _plain(changed):
        return python_to_struct(state)
    struct = _Struct()
    struct.CopyFrom(request)
    fields = struct.fields
    for key in [k for k in fields if state.get(k) is None]:
        del fields[key]
    struct.update(changed)
    return struct
