"""What an offline run records: resources, the run's result, and the harness's constants.

Project name, the fixed subscription and tenant the mocks answer with, and the placeholder
config and secrets an offline run passes where a real stack holds its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import rpc

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
