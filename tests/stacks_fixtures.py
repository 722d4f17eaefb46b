"""A small hand-built plan for the stack tests (no dependency on the wave planner).

Waves: 0 = AD (foundation system), 1 = economy (app + db, latency-sensitive, system-level
dependency on AD expanded to server flows), 2 = portal (citizen-facing, rebuilt on Linux,
one server without a planned size) and economy's test server. A retained archive system
consumes economy's database from the old provider for good. Portal's app consumes
economy's app from a later wave (so wave 1 admits it from the source networks and its
future cloud IP).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from migration.plan import Flow, NotMigrated, Plan, PlannedServer, PlannedSystem, Target, Wave

SYSTEMS: dict[str, dict[str, Any]] = {
    "ad": dict(
        name="Active Directory",
        level="shared",
        sector="it",
        owner="IT-enheten",
        disposition="rehost",
        criticality="critical",
        data_classification="internal",
        personal_data=True,
        foundation=True,
        rpo_hours=4,
    ),
    "economy": dict(
        name="Ekonomisystem",
        level="shared",
        sector="finance",
        owner="Ekonomiavdelningen",
        disposition="rehost",
        criticality="high",
        data_classification="confidential",
        personal_data=True,
        cost_centre="1200",
        rpo_hours=24,
    ),
    "portal": dict(
        name="Invånarportal",
        level="citizen",
        sector="service",
        owner="Kansliet",
        disposition="rebuild",
        criticality="medium",
        data_classification="internal",
        personal_data=False,
        rpo_hours=8,
    ),
    "archive": dict(
        name="Arkiv",
        level="sector",
        sector="archive",
        owner="Arkivet",
        disposition="retain",
        criticality="low",
        data_classification="internal",
        personal_data=True,
    ),
}

# id: (system, wave, sku, os, disks, role, environment)
SERVERS: dict[str, tuple[str, int | None, str | None, str, tuple[float, ...], str, str]] = {
    "dc01": ("ad", 0, "Standard_D2s_v5", "windows-server-2019", (128,), "infra", "prod"),
    "dc02": ("ad", 0, "Standard_D2s_v5", "windows-server-2012r2", (127.5,), "infra", "prod"),
    "eko-app01": (
        "economy",
        1,
        "Standard_D4s_v5",
        "windows-server-2019",
        (128, 500),
        "app",
        "prod",
    ),
    "eko-db01": (
        "economy",
        1,
        "Standard_E4s_v5",
        "windows-server-2016",
        (128, 1000, 200),
        "db",
        "prod",
    ),
    "eko-test01": ("economy", 2, "Standard_B2ms", "windows-server-2019", (128,), "app", "test"),
    "web01": ("portal", 2, "Standard_D2s_v5", "ubuntu-22.04", (64,), "web", "prod"),
    "portal-app01": ("portal", 2, None, "ubuntu-22.04", (64, 100), "app", "prod"),
    "arch01": ("archive", None, None, "windows-server-2012r2", (200,), "file", "prod"),
}

SYSTEM_DEPENDENCIES = [("economy", "ad", ("tcp/389", "tcp/636")), ("portal", "ad", ("udp/53",))]
SERVER_FLOWS = [
    ("eko-app01", "eko-db01", ("tcp/1433",), True),
    ("web01", "portal-app01", ("tcp/8000-8100",), True),
    ("portal-app01", "eko-app01", ("tcp/8443",), False),
    ("arch01", "eko-db01", ("tcp/1433",), False),
]
SOURCE_NETWORKS = ("10.10.0.0/16",)


def expanded_flows() -> list[Flow]:
    """Server flows: the declared ones plus system dependencies expanded server to server."""
    flows = [
        Flow(**{"from": a, "to": b, "ports": p, "latency_sensitive": ls})
        for a, b, p, ls in SERVER_FLOWS
    ]
    for consumer, provider, ports in SYSTEM_DEPENDENCIES:
        for a, (sys_a, *_rest) in SERVERS.items():
            if sys_a != consumer:
                continue
            for b, (sys_b, *_r) in SERVERS.items():
                if sys_b == provider:
                    flows.append(Flow(**{"from": a, "to": b, "ports": ports}))
    return sorted(flows, key=lambda f: (f.from_, f.to))


def make_plan(
    region: str = "swedencentral",
    source_networks: tuple[str, ...] = SOURCE_NETWORKS,
    provider: str = "azure",
) -> Plan:
    """The small test plan."""
    servers = {
        sid: PlannedServer(
            wave=wave,
            sku=sku,
            readiness="ready",
            system=system,
            environment=env,
            role=role,
            os=os,
            vcpu=2,
            memory_gb=8,
            disks_gb=disks,
            disposition=SYSTEMS[system]["disposition"],
        )
        for sid, (system, wave, sku, os, disks, role, env) in SERVERS.items()
    }
    numbers = sorted({w for (_, w, *_r) in SERVERS.values() if w is not None})
    start = date(2027, 2, 1)
    waves = tuple(
        Wave(
            number=n,
            name=f"wave-{n:02d}",
            start=start + timedelta(days=14 * n),
            end=start + timedelta(days=14 * n + 13),
            systems=tuple(sorted({s for (s, w, *_r) in SERVERS.values() if w == n})),
            servers=tuple(sorted(sid for sid, (_, w, *_r) in SERVERS.items() if w == n)),
        )
        for n in numbers
    )
    systems = {
        sid: PlannedSystem(
            **spec,
            wave=min(
                (w for (s, w, *_r) in SERVERS.values() if s == sid and w is not None), default=None
            ),
        )
        for sid, spec in SYSTEMS.items()
    }
    return Plan(
        catalog_sha256="0" * 64,
        target=Target(provider=provider, region=region),
        notice_date=date(2027, 6, 30),
        deadline=date(2027, 12, 31),
        waves=waves,
        not_migrated=NotMigrated(retain=("arch01",)),
        servers=servers,
        organisation="Testby kommun",
        provider_name="ÅDA",
        source_networks=source_networks,
        systems=systems,
        flows=tuple(expanded_flows()),
    )
