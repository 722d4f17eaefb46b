"""Azure marketplace images per OS slug: what a rebuilt or replatformed server starts from
(a rehosted server brings its own disks). Provider-neutral module so that ``utflytt plan``
can tell, without loading the Pulumi SDK, which servers a stack could not build."""

from __future__ import annotations

from dataclasses import dataclass

from migration.plan import Plan


@dataclass(frozen=True)
class OsImage:
    """How an OS slug maps to Azure: OS type, a Gen2 marketplace image, trusted launch."""

    os_type: str  # "Windows" | "Linux"
    publisher: str
    offer: str
    sku: str
    trusted_launch: bool


OS_IMAGES: dict[str, OsImage] = {
    "windows-server-2012r2": OsImage(
        "Windows", "MicrosoftWindowsServer", "WindowsServer", "2012-R2-Datacenter", False
    ),
    "windows-server-2016": OsImage(
        "Windows", "MicrosoftWindowsServer", "WindowsServer", "2016-datacenter-gensecond", True
    ),
    "windows-server-2019": OsImage(
        "Windows", "MicrosoftWindowsServer", "WindowsServer", "2019-datacenter-gensecond", True
    ),
    "windows-server-2022": OsImage(
        "Windows", "MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-g2", True
    ),
    "windows-server-2025": OsImage(
        "Windows", "MicrosoftWindowsServer", "WindowsServer", "2025-datacenter-g2", True
    ),
    "ubuntu-20.04": OsImage(
        "Linux", "Canonical", "0001-com-ubuntu-server-focal", "20_04-lts-gen2", True
    ),
    "ubuntu-22.04": OsImage(
        "Linux", "Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", True
    ),
    "ubuntu-24.04": OsImage("Linux", "Canonical", "ubuntu-24_04-lts", "server", True),
    "rhel-7": OsImage("Linux", "RedHat", "RHEL", "7-LVM", False),
    "rhel-8": OsImage("Linux", "RedHat", "RHEL", "8-lvm-gen2", True),
    "rhel-9": OsImage("Linux", "RedHat", "RHEL", "9-lvm-gen2", True),
    "debian-11": OsImage("Linux", "Debian", "debian-11", "11-gen2", True),
    "debian-12": OsImage("Linux", "Debian", "debian-12", "12-gen2", True),
    "sles-15": OsImage("Linux", "SUSE", "sles-15-sp5", "gen2", True),
}


def missing_images(plan: Plan) -> list[str]:
    """Warnings for servers the Azure wave stack cannot build: not rehosted (so they start
    from an image) and no marketplace image for their OS."""
    return [
        f"server {sid}: {srv.os} has no Azure marketplace image, so the wave stack cannot "
        f"build this {srv.disposition} server: rehost it, or give it an OS from "
        f"{', '.join(sorted(OS_IMAGES))}"
        for sid, srv in sorted(plan.servers.items())
        if srv.wave is not None
        and srv.disposition in ("rebuild", "replatform")
        and srv.os not in OS_IMAGES
    ]
