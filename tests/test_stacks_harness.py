"""The offline harness itself: its fast paths give what Pulumi's own mock path gives, its
output is deterministic, and it leaves the process as it found it."""

from __future__ import annotations

import asyncio
import gc

import pulumi
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime import rpc

import stacks.testing as testing
from stacks import fastmocks
from stacks.config import settings_for_stack
from stacks.testing import (
    OfflineMocks,
    preview_json,
    render_preview,
    run_offline_full,
)
from tests.stacks_fixtures import make_plan

SECRET = {rpc._special_sig_key: rpc._special_secret_sig}


def secret(value):
    return {**SECRET, "value": value}


def struct(value: dict) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(value)
    return s


SAMPLES = [
    {},
    {"a": "x", "n": 443, "f": 1.5, "b": True, "z": None, "l": [1, "two", None, False]},
    {"nested": {"deep": {"deeper": ["a", {"b": None, "c": 3}]}, "empty": {}, "none": None}},
    {"top": secret("s3cret")},
    {"osProfile": {"user": "u", "adminPassword": secret("p@ss")}},
    {"keys": ["a", secret("b"), "c"]},
    {"doubly": secret(secret("x"))},
    {"list": [{"x": secret(1)}, {"y": 2}]},
    {"unknown": rpc.UNKNOWN, "other": "x"},
    {"nested": {"unknown": rpc.UNKNOWN}},
    {rpc._special_sig_key: rpc._special_secret_sig, "value": {"whole": "struct"}},
]


@pytest.fixture(autouse=True)
def _not_a_preview() -> None:
    """The SDK decodes unknowns differently in preview; compare as the harness runs (no preview),
    whatever an earlier test in this process left set."""
    pulumi.runtime.settings.reset_options(project="utflytt", stack="test", preview=False)


@pytest.mark.parametrize("value", SAMPLES)
def test_decode_matches_the_sdk(value):
    """fastmocks.decode gives exactly rpc.deserialize_properties (secrets lifted alike)."""
    s = struct(value)
    assert fastmocks.struct_to_python(s) == rpc.deserialize_properties(s)


def test_decode_falls_back_for_assets_and_resources():
    """Special values other than secrets go through the SDK (and say so)."""
    asset = struct({"a": {rpc._special_sig_key: rpc._special_asset_sig, "text": "hi"}})
    value, fast = fastmocks.decode(asset)
    assert not fast
    assert isinstance(value["a"], pulumi.StringAsset)


def _sdk_serialize(value):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(value, {}))
    finally:
        loop.close()


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": None, "c": {"d": None, "e": [1, None, "x"]}},
        {"s": secret("x"), "t": True, "f": 2.5},
        {},
    ],
)
def test_encode_matches_the_sdk(value):
    assert fastmocks.python_to_struct(value) == _sdk_serialize(value)


def test_encode_falls_back_for_non_json_values():
    """Tuples, enums and other Python objects go through the SDK's serialiser."""
    value = {"t": ("a", "b"), "e": pulumi.StringAsset("x")}
    assert fastmocks.python_to_struct(value) == _sdk_serialize(value)


ECHOABLE = [v for v in SAMPLES[1:] if rpc.UNKNOWN not in str(v) and rpc._special_sig_key not in v]


@pytest.mark.parametrize("value", ECHOABLE)
def test_echo_struct_decodes_like_the_encoded_state(value):
    """Re-using the request's encoding decodes to what encoding the mock's state would."""
    request = struct(value)
    inputs, fast = fastmocks.decode(request)
    assert fast
    state = dict(inputs)
    state["name"] = "added"
    state.pop(next(iter(inputs), None), None)
    echoed = fastmocks.echo_struct(request, inputs, state)
    assert rpc.deserialize_properties(echoed) == rpc.deserialize_properties(
        fastmocks.python_to_struct(state)
    )


def test_inline_executor_runs_calls_in_place_only_while_inline():
    import threading

    executor = fastmocks.InlineExecutor()
    try:
        executor.inline = True
        assert executor.submit(threading.get_ident).result() == threading.get_ident()
        failed = executor.submit(lambda: 1 / 0)
        assert isinstance(failed.exception(), ZeroDivisionError)
        executor.inline = False
        assert executor.submit(threading.get_ident).result() != threading.get_ident()
    finally:
        executor.shutdown()


# ------------------------------------------------------------------------ whole runs


@pytest.fixture(scope="module")
def plan():
    return make_plan()


def _run(plan, stack, fast=True, outputs=None):
    return run_offline_full(
        settings_for_stack(plan, stack, "plan.json"),
        plan,
        stack_outputs=None if outputs is None else {"foundation": outputs},
        fast=fast,
    )


@pytest.fixture(scope="module")
def foundation(plan):
    return _run(plan, "foundation")


def test_fast_and_plain_runs_record_the_same(plan, foundation):
    """The fast paths change nothing a test or the preview sees."""
    for stack in ("wave-01", "wave-02"):
        fast = _run(plan, stack, True, foundation.outputs)
        plain = _run(plan, stack, False, foundation.outputs)
        assert fast.resources == plain.resources
        assert fast.outputs == plain.outputs
        assert fast.warnings == plain.warnings
        assert render_preview(fast, stack) == render_preview(plain, stack)


def test_preview_is_byte_identical_between_runs(plan, foundation):
    """Program order, and warnings in the order of the resources they are about."""
    first = _run(plan, "wave-02", True, foundation.outputs)
    second = _run(plan, "wave-02", True, foundation.outputs)
    assert render_preview(first, "wave-02") == render_preview(second, "wave-02")
    assert preview_json(first, "wave-02") == preview_json(second, "wave-02")
    assert first.warnings  # the fixture's portal server has no planned size
    assert [r.order for r in first.resources] == list(range(len(first.resources)))


def test_no_alias_is_collapsed_to_a_urn(plan, foundation, monkeypatch):
    """Stripping azure-native's aliases reaches every resource: no alias URN is computed."""
    import pulumi.resource as pulumi_resource

    calls = []
    real = pulumi_resource.collapse_alias_to_urn

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(pulumi_resource, "collapse_alias_to_urn", counting)
    run = _run(plan, "wave-02", True, foundation.outputs)
    assert any(r.type.startswith("azure-native:") for r in run.resources)
    assert calls == []


def test_a_run_restores_gc_and_executor_even_when_the_program_fails(plan, monkeypatch):
    from stacks import program

    def broken(settings, plan):
        raise RuntimeError("program failed")

    monkeypatch.setattr(program, "run", broken)
    assert gc.isenabled()
    with pytest.raises(Exception, match="program failed"):
        _run(plan, "foundation")
    assert gc.isenabled()
    loop = asyncio.get_event_loop()
    assert fastmocks.inline_executor(loop).inline is False


def test_release_memory_collects_what_runs_left_frozen(plan, foundation):
    _run(plan, "wave-01", True, foundation.outputs)
    assert testing._RUN_GARBAGE[0] > 0
    assert testing.release_memory() >= 0
    assert testing._RUN_GARBAGE[0] == 0


def test_other_mocks_get_the_sdk_encoding(plan, foundation):
    """A mock other than OfflineMocks may mutate its inputs: its state is encoded anew."""

    class Mutating(OfflineMocks):
        def new_resource(self, args):
            tags = args.inputs.get("tags")
            if isinstance(tags, dict):
                tags["mutated"] = "yes"
            return super().new_resource(args)

    run = run_offline_full(
        settings_for_stack(plan, "wave-01", "plan.json"),
        plan,
        Mutating(),
        stack_outputs={"foundation": foundation.outputs},
    )
    vms = [r for r in run.resources if r.type == "azure-native:compute:VirtualMachine"]
    assert vms and all(r.state["tags"]["mutated"] == "yes" for r in vms)
