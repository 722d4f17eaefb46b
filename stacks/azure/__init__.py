"""The Azure program: the foundation stack's landing zone, or one wave's servers.

:func:`run` is what ``stacks.program`` calls; it returns the stack's exports (the
foundation's are what wave stacks read through their StackReference).
"""

from __future__ import annotations

import pulumi

from migration.plan import Plan
from stacks.azure import layout
from stacks.azure.landing_zone import LandingZone, LandingZoneArgs
from stacks.azure.wave import WaveStack, WaveStackArgs
from stacks.settings import StackSettings

__all__ = ["run", "LandingZone", "WaveStack", "layout"]


def run(settings: StackSettings, plan: Plan) -> dict[str, pulumi.Input[object]]:
    """Build the stack ``settings`` names from ``plan``; return its exports.

    Credentials come from the stack config and only as needed: ``utflytt:vpnPeerAddress``
    and the secret ``utflytt:vpnSharedKey`` (foundation, when the plan has source
    networks), ``utflytt:sshPublicKey`` (Linux servers built from images) and, optionally,
    ``utflytt:tlsCertificates`` (system -> Key Vault secret id of its TLS certificate).
    Windows servers built from images get a generated password each, kept in Key Vault.
    """
    config = pulumi.Config("utflytt")
    if settings.kind == "foundation":
        zone = LandingZone(
            "landing-zone",
            LandingZoneArgs(
                plan=plan,
                region=settings.region,
                tags=dict(settings.tags),
                vpn_peer_address=config.get("vpnPeerAddress"),
                vpn_shared_key=config.get_secret("vpnSharedKey"),
            ),
        )
        return zone.outputs
    assert settings.wave is not None
    stack = WaveStack(
        settings.stack,
        WaveStackArgs(
            plan=plan,
            wave=settings.wave,
            region=settings.region,
            foundation_stack=settings.foundation_stack,
            tags=dict(settings.tags),
            ssh_public_key=config.get("sshPublicKey"),
            tls_certificates=dict(config.get_object("tlsCertificates") or {}),
        ),
    )
    return stack.outputs
