"""stacks.references.require_outputs: StackReference.require_output's behaviour, one read."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from stacks.references import require_outputs


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self, secret: list[str] | None) -> None:
        self.secret = secret

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state: dict[str, Any] = {
            "name": args.name,
            "outputs": {"network": {"prod": {"vpcId": "vpc-1"}}, "kmsKeyArn": "arn:k"},
        }
        if self.secret is not None:
            state["secretOutputNames"] = self.secret
        return args.name, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        return {}


def _read(secret: list[str] | None, names: tuple[str, ...]) -> dict[str, tuple[Any, bool]]:
    pulumi.runtime.settings.reset_options(project="t", stack="wave-01")
    pulumi.runtime.set_mocks(_Mocks(secret), project="t", stack="wave-01", preview=False)
    seen: dict[str, tuple[Any, bool]] = {}

    @pulumi.runtime.test
    def body() -> Any:
        outputs = require_outputs(pulumi.StackReference("foundation"), names)

        def note(name: str, out: pulumi.Output[Any]) -> pulumi.Output[None]:
            async def secret() -> None:
                seen[name] = (await out.future(), await out.is_secret())

            return pulumi.Output.from_input(secret())

        return pulumi.Output.all(*(note(n, o) for n, o in outputs.items()))

    body()
    return seen


def test_values_and_secrecy_per_name():
    seen = _read(["kmsKeyArn"], ("network", "kmsKeyArn"))
    assert seen == {"network": ({"prod": {"vpcId": "vpc-1"}}, False), "kmsKeyArn": ("arn:k", True)}


def test_no_secret_names_means_the_secrecy_of_all_outputs():
    seen = _read(None, ("kmsKeyArn",))
    assert seen == {"kmsKeyArn": ("arn:k", False)}


def test_a_missing_output_is_a_key_error_naming_it():
    with pytest.raises(KeyError, match="vpnGateway"):
        _read([], ("network", "vpnGateway"))
