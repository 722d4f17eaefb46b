"""Reading the foundation's outputs in a wave stack: one read of the StackReference.

``StackReference.require_output(name)`` is ``Output.all(name, self.outputs)``, and
``Output.all`` deep-converts every value of every output of the referenced stack into
nested Outputs on each call: O(all the foundation's outputs) per output read. At 1,000
systems the foundation exports thousands of subnet and security-group ids, and a wave that
reads six of them spent most of its time there (every ``pulumi preview``/``up`` of a wave
pays it too, not only the offline preview).

:func:`require_outputs` reads each named output from ``ref.outputs`` with a plain
``apply`` (no deep conversion) and keeps ``require_output``'s behaviour: a missing name
raises ``KeyError`` naming it, and an output is secret when the referenced stack lists
it as secret (or, when the engine does not say which are, when the outputs are).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pulumi


def _pick(name: str, outputs: dict[str, Any]) -> Any:
    return outputs[name]  # KeyError(name) when missing, as require_output raises


def require_outputs(
    ref: pulumi.StackReference, names: Iterable[str]
) -> dict[str, pulumi.Output[Any]]:
    """Each named output of ``ref`` (see the module docstring)."""
    outputs: pulumi.Output[dict[str, Any]] = ref.outputs
    secret_names: pulumi.Output[list[str] | None] = ref.secret_output_names

    def read(name: str) -> pulumi.Output[Any]:
        value = outputs.apply(lambda o: _pick(name, o))
        plain = pulumi.Output.unsecret(value)

        def secrecy(secret: list[str] | None) -> pulumi.Output[Any]:
            if secret is None:  # the engine did not say: the secrecy of all the outputs
                return value
            return pulumi.Output.secret(plain) if name in secret else plain

        return secret_names.apply(secrecy)

    return {name: read(name) for name in names}
