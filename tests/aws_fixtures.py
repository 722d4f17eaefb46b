"""A small hand-built plan for the AWS stack tests (no planner involved).

Waves: 0 = AD (foundation), 1 = library (pilot, rebuild), 2 = economy (prod + test,
latency-sensitive app -> db), 3 = citizen portal (web tier behind an ALB). The economy app's
system-level dependency on AD is expanded to server flows, as the planner does. An archive
server is retained (permanent hybrid flow), a CRM is retired (its flow is not opened).
"""

from __future__ import annotations

from datetime import date, timedelta

from migration.plan import Flow, NotMigrated, Plan, PlannedServer, PlannedSystem, Target, Wave

SOURCE_NETWORKS = ("10.10.0.0/16",)


def _system(
    name: str,
    level: str,
    *,
    disposition: str = "rehost",
    wave: int | None,
    rpo: float | None = 24,
    cost_centre: str | None = "1000",
    classification: str = "internal",
    foundation: bool = False,
) -> PlannedSystem:
    return PlannedSystem(
        name=name,
        level=level,
        sector="it",
        owner=f"{name} owner",
        disposition=disposition,
        criticality="medium",
        data_classification=classification,
        personal_data=False,
        foundation=foundation,
        cost_centre=cost_centre,
        rpo_hours=rpo,
        wave=wave,
    )


def _server(
    system: str,
    wave: int | None,
    sku: str | None,
    os: str,
    disks: tuple[float, ...],
    *,
    role: str = "app",
    env: str = "prod",
    ip: str | None = None,
    disposition: str = "rehost",
) -> PlannedServer:
    return PlannedServer(
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
        ip=ip,
        disposition=disposition,
    )


def _flow(consumer: str, provider: str, *ports: str, latency: bool = False) -> Flow:
    return Flow.model_validate(
        {"from": consumer, "to": provider, "ports": ports, "latency_sensitive": latency}
    )


SYSTEMS = {
    "ad": _system("Active Directory", "shared", wave=0, rpo=4, foundation=True),
    "library": _system("Bibliotek", "office", disposition="rebuild", wave=1, cost_centre=None),
    "economy": _system(
        "Ekonomisystem", "shared", wave=2, rpo=1, cost_centre="1200", classification="confidential"
    ),
    "portal": _system("Invånarportal", "citizen", disposition="replatform", wave=3, rpo=12),
    "archive": _system("Arkiv", "sector", disposition="retain", wave=None),
    "crm": _system("Gammalt CRM", "office", disposition="retire", wave=None),
}

SERVERS = {
    "dc01": _server(
        "ad", 0, "m6i.large", "windows-server-2019", (128,), role="infra", ip="10.10.1.10"
    ),
    "dc02": _server(
        "ad", 0, "m6i.large", "windows-server-2019", (128,), role="infra", ip="10.10.1.11"
    ),
    "lib-web01": _server(
        "library", 1, "t3.medium", "ubuntu-22.04", (32,), role="web", disposition="rebuild"
    ),
    "eko-app01": _server(
        "economy", 2, "m6i.xlarge", "windows-server-2019", (128, 500), ip="10.10.4.21"
    ),
    "eko-db01": _server(
        "economy",
        2,
        "m6i.2xlarge",
        "windows-server-2019",
        (128, 1000, 200),
        role="db",
        ip="10.10.4.22",
    ),
    "eko-test01": _server("economy", 2, "t3.medium", "windows-server-2019", (128,), env="test"),
    "portal-web01": _server(
        "portal",
        3,
        "m6i.large",
        "ubuntu-22.04",
        (40,),
        role="web",
        disposition="replatform",
        ip="10.10.7.10",
    ),
    "portal-web02": _server(
        "portal",
        3,
        "m6i.large",
        "ubuntu-22.04",
        (40,),
        role="web",
        disposition="replatform",
        ip="10.10.7.11",
    ),
    "portal-app01": _server(
        "portal", 3, "m6i.large", "rhel-9", (40, 100), disposition="replatform", ip="10.10.7.20"
    ),
    "arch01": _server(
        "archive", None, None, "windows-server-2012r2", (200,), ip="10.10.9.9", disposition="retain"
    ),
    "crm01": _server(
        "crm", None, None, "windows-server-2012r2", (60,), ip="10.10.9.50", disposition="retire"
    ),
}

FLOWS = (
    _flow("eko-app01", "eko-db01", "tcp/1433", latency=True),
    _flow("eko-test01", "eko-db01", "tcp/1433"),  # test -> prod: other VPC
    _flow("eko-app01", "dc01", "tcp/389", "tcp/636"),  # system-level dep on AD, expanded
    _flow("eko-app01", "dc02", "tcp/389", "tcp/636"),
    _flow("lib-web01", "dc01", "tcp/389", "udp/53"),
    _flow("portal-app01", "eko-app01", "tcp/8000-8100"),  # consumer moves later: hybrid
    _flow("portal-web01", "portal-app01", "tcp/8080"),
    _flow("portal-web02", "portal-app01", "tcp/8080"),
    _flow("arch01", "eko-db01", "tcp/1433"),  # retained consumer
    _flow("crm01", "eko-app01", "tcp/443"),  # retired consumer: re-point
)

WAVE_SERVERS = {
    0: ("dc01", "dc02"),
    1: ("lib-web01",),
    2: ("eko-app01", "eko-db01", "eko-test01"),
    3: ("portal-app01", "portal-web01", "portal-web02"),
}


def small_plan(**changes: object) -> Plan:
    """The plan above; keyword arguments replace top-level fields (e.g. ``servers=``)."""
    start = date(2027, 2, 1)
    waves = tuple(
        Wave(
            number=n,
            name=f"wave-{n:02d}",
            start=start + timedelta(days=14 * n),
            end=start + timedelta(days=14 * n + 13),
            systems=tuple(sorted({SERVERS[s].system for s in servers})),
            servers=servers,
        )
        for n, servers in WAVE_SERVERS.items()
    )
    fields: dict[str, object] = {
        "catalog_sha256": "0" * 64,
        "target": Target(provider="aws", region="eu-north-1"),
        "notice_date": date(2027, 6, 30),
        "deadline": date(2027, 12, 31),
        "waves": waves,
        "not_migrated": NotMigrated(retain=("arch01",), retire=("crm01",)),
        "servers": SERVERS,
        "systems": SYSTEMS,
        "flows": FLOWS,
        "source_networks": SOURCE_NETWORKS,
        "organisation": "Testby kommun",
        "provider_name": "ÅDA",
    }
    fields.update(changes)
    return Plan(**fields)  # type: ignore[arg-type]
