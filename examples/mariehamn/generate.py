"""Generate the bundled example catalog ``examples/mariehamn/catalog.yaml``.

The estate is fictional: a city of about 800 staff (Mariehamns stad) leaving its regional
hosting provider ÅDA. Every vendor name is invented. The output is deterministic (no clock,
no global random state: "performance data" is derived from a hash of each server id), so
running the script twice gives the same bytes, and a test checks that the committed YAML is
exactly this script's output.

Run from the repository root::

    python examples/mariehamn/generate.py          # rewrites catalog.yaml next to this file
    python examples/mariehamn/generate.py --check  # exit 1 if catalog.yaml is out of date

How a system is written below: ``system(id, name, ...)`` with ``servers=[...]`` given as short
specs ``"role os vcpu/memory disks [environment]"``, e.g. ``"db W19 4/32 128+800 test"``, or
``"name: role os ..."`` when the server's short name is not its role. Within one system and
environment, web servers depend on the app servers, and app servers (plus ``batch``
servers) depend on the database servers; the app -> database dependency is latency-sensitive.
Every other dependency is written out.
"""

from __future__ import annotations

import hashlib
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "catalog.yaml"

# Operating systems. End of support (at planning time, 2027): W12, W16, C7, R7, U20.
W12 = "windows-server-2012r2"
W16 = "windows-server-2016"
W19 = "windows-server-2019"
W22 = "windows-server-2022"
U20 = "ubuntu-20.04"
U22 = "ubuntu-22.04"
C7 = "centos-7"
R7 = "rhel-7"
R8 = "rhel-8"
R9 = "rhel-9"
OS_SHORT = {
    "W12": W12,
    "W16": W16,
    "W19": W19,
    "W22": W22,
    "U20": U20,
    "U22": U22,
    "C7": C7,
    "R7": R7,
    "R8": R8,
    "R9": R9,
}

# Common dependencies.
AD_PORTS = ["tcp/88", "tcp/389", "tcp/636"]
LDAPS = ["tcp/636"]
DNS_PORTS = ["udp/53", "tcp/53"]
HTTPS = ["tcp/443"]
SQL = ["tcp/1433"]
SMB = ["tcp/445"]
SFTP = ["tcp/22"]

# Blackouts.
ARSBOKSLUT = {"from": date(2027, 2, 15), "to": date(2027, 3, 5), "reason": "Årsbokslut"}
BOKSLUT = {"from": date(2027, 12, 1), "to": date(2028, 1, 20), "reason": "Bokslut"}
FINANCE_BLACKOUTS = [ARSBOKSLUT, BOKSLUT]
SKOLSTART = [{"from": date(2027, 8, 9), "to": date(2027, 8, 31), "reason": "Skolstart"}]
BATSASONG = [{"from": date(2027, 5, 15), "to": date(2027, 9, 15), "reason": "Båtsäsong"}]

# Owners (Swedish department names) and their cost centres.
COST_CENTRES = {
    "Stadskansliet": "1000",
    "IT-enheten": "1100",
    "Ekonomiavdelningen": "1200",
    "Personalavdelningen": "1300",
    "Socialförvaltningen": "3000",
    "Äldreomsorgen": "3400",
    "Utbildningsförvaltningen": "4000",
    "Barnomsorgen": "4500",
    "Tekniska förvaltningen": "6000",
    "Byggnadsinspektionen": "6500",
    "Stadsbiblioteket": "7100",
    "Kulturenheten": "7200",
    "Fritidsförvaltningen": "7500",
    "Hamnen": "8000",
}

# Third octet of each sector's server subnet: prod in 10.10.0.0/16, test/dev in 10.20.0.0/16.
SUBNETS = {
    "foundation": 1,
    "it": 2,
    "central-administration": 10,
    "finance": 12,
    "hr-payroll": 14,
    "social-services": 20,
    "education": 30,
    "daycare": 34,
    "technical-property": 40,
    "building-permits": 44,
    "library-culture": 50,
    "leisure": 54,
    "harbour": 60,
}
NETWORKS = {"prod": "10.10", "test": "10.20", "dev": "10.20"}

SECTIONS: list[tuple[str, str]] = []  # (sector key, comment title), in output order
SYSTEMS: list[dict[str, Any]] = []
SERVERS: list[dict[str, Any]] = []


def section(key: str, title: str) -> None:
    """Start a new commented section of systems (and of their servers)."""
    SECTIONS.append((key, title))


def dep(
    to: str, ports: list[str], latency_sensitive: bool = False, weight: float | None = None
) -> dict[str, Any]:
    """One dependency, from the record it is written on (consumer) to ``to`` (provider)."""
    record: dict[str, Any] = {"to": to, "ports": ports}
    if latency_sensitive:
        record["latency_sensitive"] = True
    if weight is not None:
        record["weight"] = weight
    return record


def system(
    id: str,
    name: str,
    *,
    level: str,
    sector: str,
    owner: str,
    disposition: str,
    criticality: str,
    classification: str,
    personal_data: bool,
    servers: list[str],
    vendor: str | None = None,
    capabilities: list[str] | None = None,
    users: int | None = None,
    open_api: bool | None = None,
    foundation: bool = False,
    rto: float | None = None,
    rpo: float | None = None,
    licence: float | None = None,
    saas: float | None = None,
    blackouts: list[dict[str, Any]] | None = None,
    depends_on: list[dict[str, Any]] | None = None,
    ad: bool | list[str] = True,
    dns: bool = True,
    prefix: str | None = None,
    web_port: list[str] | None = None,
    db_port: list[str] | None = None,
    sql: str = "standard",
    sa: bool = True,
    links: dict[str, list[dict[str, Any]]] | None = None,
    note: str | None = None,
) -> None:
    """Add a system and its servers.

    ``ad``/``dns``: add the usual dependency on the directory and on name resolution
    (``ad`` may be a list of ports, e.g. LDAPS only for Linux systems). ``prefix``: start of
    the server ids (default: the system id). ``sql``: SQL Server edition of Windows production
    database servers. ``sa``: Windows Server licences carry Software Assurance. ``links``: extra
    server-level dependencies, keyed by server id. ``note``: a comment above the system.
    """
    dependencies: list[dict[str, Any]] = []
    if ad:
        dependencies.append(dep("ad", ad if isinstance(ad, list) else AD_PORTS))
    if dns:
        dependencies.append(dep("dns", DNS_PORTS))
    dependencies += depends_on or []
    record: dict[str, Any] = {
        "id": id,
        "name": name,
        "level": level,
        "sector": sector,
        "owner": owner,
        "cost_centre": COST_CENTRES[owner],
        "vendor": vendor,
        "capabilities": capabilities,
        "users": users,
        "open_api": open_api,
        "disposition": disposition,
        "foundation": foundation or None,
        "criticality": criticality,
        "data_classification": classification,
        "personal_data": personal_data,
        "rto_hours": rto,
        "rpo_hours": rpo,
        "monthly_licence_cost": licence,
        "saas_monthly_cost": saas,
        "blackouts": blackouts,
        "depends_on": dependencies or None,
    }
    SYSTEMS.append(
        {
            "section": SECTIONS[-1][0],
            "note": note,
            "record": {k: v for k, v in record.items() if v is not None},
        }
    )
    subnet = "foundation" if foundation else sector
    _add_servers(
        id, prefix or id, subnet, servers, web_port or HTTPS, db_port, sql, sa, links or {}
    )


_SPEC = re.compile(
    r"^(?:(?P<name>[a-z]+): )?(?P<role>web|app|db|file|infra|other|batch) (?P<os>[A-Z0-9]+) "
    r"(?P<vcpu>\d+)/(?P<mem>\d+) (?P<disks>[\d+]+)(?: (?P<env>test|dev))?$"
)
_HOSTS: dict[tuple[str, str], int] = {}


def _add_servers(
    system_id: str,
    prefix: str,
    subnet: str,
    specs: list[str],
    web_port: list[str],
    db_port: list[str] | None,
    sql: str,
    sa: bool,
    links: dict[str, list[dict[str, Any]]],
) -> None:
    counters: dict[tuple[str, str], int] = {}
    made: list[dict[str, Any]] = []
    for spec in specs:
        match = _SPEC.match(spec)
        if not match:
            raise ValueError(f"bad server spec {spec!r} in {system_id}")
        role = match["role"]
        env = match["env"] or "prod"
        short = match["name"] or role
        counters[env, short] = counters.get((env, short), 0) + 1
        middle = "" if env == "prod" else f"{env}-"
        server_id = f"{prefix}-{middle}{short}{counters[env, short]:02d}"
        os_name = OS_SHORT[match["os"]]
        vcpu, memory = int(match["vcpu"]), int(match["mem"])
        disks = [int(d) for d in match["disks"].split("+")]
        network = NETWORKS[env]
        host = _HOSTS.get((network, subnet), 10) + 1
        _HOSTS[network, subnet] = host
        windows = os_name.startswith("windows")
        record: dict[str, Any] = {
            "id": server_id,
            "system": system_id,
            "role": "other" if role == "batch" else role,
            "environment": None if env == "prod" else env,
            "os": os_name,
            "vcpu": vcpu,
            "memory_gb": memory,
            "disks_gb": disks,
        }
        record.update(_performance(server_id))
        record["ip"] = f"{network}.{subnet_octet(subnet, host)}"
        record["monthly_cost"] = _monthly_cost(os_name, vcpu, memory, disks)
        licences: dict[str, Any] = {}
        if windows and sa and os_name != W12:
            licences["windows_software_assurance"] = True
        if windows and role == "db" and env == "prod":
            licences["sql"] = sql  # test and dev databases run the free developer edition
        if licences:
            record["licences"] = licences
        made.append({"record": record, "role": role, "env": env, "windows": windows})
    for server in made:
        record = server["record"]
        same_env = [s for s in made if s["env"] == server["env"]]
        wires: list[dict[str, Any]] = []
        if server["role"] == "web":
            apps = [s for s in same_env if s["role"] == "app"]
            wires = [dep(s["record"]["id"], web_port) for s in apps]
        elif server["role"] in ("app", "batch"):
            for db in (s for s in same_env if s["role"] == "db"):
                port = db_port or (SQL if db["windows"] else ["tcp/5432"])
                wires.append(dep(db["record"]["id"], port, latency_sensitive=True))
        wires += links.get(record["id"], [])
        if wires:
            record["depends_on"] = wires
        SERVERS.append(
            {
                "section": SECTIONS[-1][0],
                "system": system_id,
                "record": {k: v for k, v in record.items() if v is not None},
            }
        )
    unknown = set(links) - {s["record"]["id"] for s in made}
    if unknown:
        raise ValueError(f"links name servers that {system_id} does not have: {unknown}")


def subnet_octet(subnet: str, host: int) -> str:
    """Third and fourth octet of a sector's ``host``-th address (spills into the next /24)."""
    base = SUBNETS[subnet]
    return f"{base + host // 250}.{host % 250}"


def _fraction(server_id: str, salt: str) -> float:
    digest = hashlib.sha256(f"{salt}:{server_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def _performance(server_id: str) -> dict[str, float]:
    """p95 utilisation for about two servers in three (those the old monitoring covered)."""
    if _fraction(server_id, "monitored") > 0.66:
        return {}
    cpu = 0.06 + 0.74 * _fraction(server_id, "cpu") ** 1.6
    memory = 0.30 + 0.62 * _fraction(server_id, "memory")
    return {"cpu_p95": round(cpu, 2), "memory_p95": round(memory, 2)}


def _monthly_cost(os_name: str, vcpu: int, memory: int, disks: list[int]) -> float:
    """ÅDA's price list, roughly: a base fee, then per vCPU, GB of memory and GB of disk."""
    cost = 20 + 11 * vcpu + 2.5 * memory + 0.06 * sum(disks)
    if os_name.startswith("rhel"):
        cost += 15  # Red Hat subscription bought through the provider
    return float(5 * round(cost / 5))


# --------------------------------------------------------------------------------------------
# The estate
# --------------------------------------------------------------------------------------------
IT = "IT-enheten"

section("foundation", "IT-enheten: foundation services (shared infrastructure, moved in wave 0)")
system(
    "ad",
    "Katalogtjänst (Active Directory)",
    level="shared",
    sector="it",
    owner=IT,
    foundation=True,
    disposition="rehost",
    criticality="critical",
    classification="internal",
    personal_data=True,
    rto=4,
    rpo=1,
    licence=950,
    capabilities=["custom-directory"],
    ad=False,
    depends_on=[],
    prefix="ad",
    servers=["dc: infra W19 2/8 128", "dc: infra W19 2/8 128", "dc: infra W19 2/4 100 test"],
    note="Domain controllers; every Windows server and most applications authenticate here.",
)
system(
    "dns",
    "DNS och DHCP",
    level="shared",
    sector="it",
    owner=IT,
    foundation=True,
    disposition="rehost",
    criticality="critical",
    classification="internal",
    personal_data=False,
    rto=4,
    rpo=24,
    capabilities=["custom-name-resolution"],
    ad=False,
    dns=False,
    servers=["infra W16 2/4 80", "infra W16 2/4 80"],
)
system(
    "file",
    "Filtjänst (gemensamma mappar och hemkataloger)",
    level="shared",
    sector="it",
    owner=IT,
    foundation=True,
    disposition="replatform",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=24,
    capabilities=["custom-file-shares"],
    prefix="fil",
    servers=["file W19 4/16 128+2000", "file W19 4/16 128+1500"],
    note="Replatform: the shares move to a managed file service; the servers go with it.",
)
system(
    "sql-shared",
    "Gemensam SQL-plattform",
    level="shared",
    sector="it",
    owner=IT,
    foundation=True,
    disposition="replatform",
    criticality="critical",
    classification="confidential",
    personal_data=True,
    rto=8,
    rpo=1,
    licence=1600,
    capabilities=["custom-database-platform"],
    prefix="sql",
    sql="enterprise",
    servers=["db W19 8/64 128+1000", "db W19 8/64 128+1000"],
    note="Shared SQL Server cluster for small applications without a database of their own.",
)
system(
    "backup",
    "Säkerhetskopiering",
    level="shared",
    sector="it",
    owner=IT,
    foundation=True,
    disposition="rebuild",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=24,
    licence=720,
    vendor="Tallkottens IT Oy",
    capabilities=["custom-backup"],
    prefix="bkp",
    servers=["infra W19 4/16 128+4000", "proxy: infra W19 4/8 128"],
    note="Rebuild on the cloud provider's backup service; the proxy bridges the hybrid period.",
)
system(
    "monitoring",
    "Driftövervakning och loggning",
    level="shared",
    sector="it",
    owner=IT,
    foundation=True,
    disposition="replatform",
    criticality="high",
    classification="internal",
    personal_data=False,
    capabilities=["custom-monitoring"],
    prefix="mon",
    ad=LDAPS,
    servers=["infra U22 4/16 100+500", "log: infra U22 4/16 100+1000"],
)
system(
    "pki",
    "Certifikattjänst (PKI)",
    level="shared",
    sector="it",
    owner=IT,
    foundation=True,
    disposition="rehost",
    criticality="high",
    classification="internal",
    personal_data=False,
    capabilities=["custom-certificates"],
    prefix="ca",
    servers=["root: infra W16 2/4 80", "sub: infra W19 2/8 100"],
)
system(
    "print",
    "Utskriftstjänst (följ-mig-utskrift)",
    level="shared",
    sector="it",
    owner=IT,
    foundation=True,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=True,
    licence=310,
    vendor="Exempel Oy",
    capabilities=["custom-printing"],
    prefix="prn",
    servers=["infra W16 2/8 128+100"],
)
system(
    "rds",
    "Fjärrskrivbord (Remote Desktop)",
    level="shared",
    sector="it",
    owner=IT,
    foundation=True,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=8,
    licence=640,
    capabilities=["custom-remote-desktop"],
    depends_on=[dep("file", SMB), dep("print", SMB)],
    servers=[
        "gw: infra W19 2/8 128",
        "cb: infra W19 2/8 128",
        "sh: app W19 8/32 200",
        "sh: app W19 8/32 200",
        "sh: app W19 8/32 200",
    ],
    note="Session hosts for staff who run Windows-only applications from home and thin clients.",
)

section("it", "IT-enheten: office-internal and shared IT services")
system(
    "email",
    "E-post och kalender",
    level="office",
    sector="it",
    owner=IT,
    disposition="repurchase",
    criticality="high",
    classification="confidential",
    personal_data=True,
    licence=1100,
    saas=3200,
    capabilities=["email-calendar"],
    prefix="mail",
    servers=["mbx: app W16 4/32 128+1500", "mbx: app W16 4/32 128+1500", "edge: other W16 2/8 128"],
    note="Repurchase: moves to a cloud mail service; the servers are switched off after cutover.",
)
system(
    "office-suite",
    "Kontorspaket och licensserver",
    level="office",
    sector="it",
    owner=IT,
    disposition="repurchase",
    criticality="medium",
    classification="internal",
    personal_data=False,
    licence=4300,
    saas=7400,
    capabilities=["office-suite"],
    prefix="office",
    servers=["lic: app W19 2/4 100"],
)
system(
    "telephony",
    "Växel och telefoni",
    level="office",
    sector="it",
    owner=IT,
    disposition="repurchase",
    criticality="high",
    classification="internal",
    personal_data=True,
    licence=900,
    saas=1400,
    vendor="Havsörn Lösningar Ab",
    capabilities=["telephony"],
    prefix="vx",
    servers=["app W16 4/8 128", "app W16 4/8 128"],
)
system(
    "intranet",
    "Intranätet Insidan",
    level="office",
    sector="it",
    owner=IT,
    disposition="replatform",
    criticality="medium",
    classification="internal",
    personal_data=True,
    capabilities=["intranet"],
    ad=LDAPS,
    prefix="insidan",
    servers=["web U22 2/8 64", "db U22 2/8 64+100"],
)
system(
    "intranet-old",
    "Gamla intranätet",
    level="office",
    sector="it",
    owner=IT,
    disposition="retire",
    criticality="low",
    classification="internal",
    personal_data=False,
    capabilities=["intranet"],
    prefix="intra",
    sa=False,
    servers=["web W12 2/4 80", "db W12 2/8 80+100"],
    note="Retire: its pages were moved to Insidan (same capability, intranet-publishing).",
)
system(
    "servicedesk",
    "Servicedesk för IT-ärenden",
    level="office",
    sector="it",
    owner=IT,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=True,
    licence=420,
    vendor="Måsskär Software Oy",
    capabilities=["it-service-management"],
    prefix="sd",
    servers=["app W19 2/8 128", "db W19 2/8 128+100"],
)
system(
    "cmdb",
    "IT-inventarieregister",
    level="office",
    sector="it",
    owner=IT,
    disposition="retire",
    criticality="low",
    classification="internal",
    personal_data=False,
    capabilities=["it-service-management"],
    sa=False,
    servers=["app W12 2/4 80"],
    depends_on=[dep("sql-shared", SQL)],
    note="Retire: the servicedesk's asset module replaces it (it-asset-inventory).",
)
system(
    "client-management",
    "Programvarudistribution och klienthantering",
    level="office",
    sector="it",
    owner=IT,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=False,
    licence=560,
    capabilities=["endpoint-management"],
    prefix="klient",
    servers=["app W19 4/16 128+500", "db W19 2/16 128+200", "dp: other W19 2/4 128+1000"],
    depends_on=[dep("file", SMB)],
)
system(
    "patch",
    "Uppdateringstjänst för servrar",
    level="office",
    sector="it",
    owner=IT,
    disposition="retire",
    criticality="low",
    classification="internal",
    personal_data=False,
    capabilities=["endpoint-management"],
    servers=["app W16 2/8 128+500"],
    note="Retire: server patching moves into client management and the cloud's update service.",
)
system(
    "mdm",
    "Mobil enhetshantering",
    level="office",
    sector="it",
    owner=IT,
    disposition="repurchase",
    criticality="medium",
    classification="internal",
    personal_data=True,
    licence=520,
    saas=640,
    capabilities=["endpoint-management"],
    servers=["app W19 2/8 128"],
)
system(
    "antimalware",
    "Skydd mot skadlig kod (central konsol)",
    level="office",
    sector="it",
    owner=IT,
    disposition="repurchase",
    criticality="high",
    classification="internal",
    personal_data=False,
    licence=700,
    saas=880,
    vendor="Ejdern Data Ab",
    capabilities=["custom-endpoint-protection"],
    prefix="av",
    servers=["app W19 2/8 128"],
)
system(
    "mfa",
    "Tvåfaktorsinloggning (RADIUS och MFA)",
    level="shared",
    sector="it",
    owner=IT,
    disposition="rehost",
    criticality="high",
    classification="internal",
    personal_data=True,
    rto=4,
    licence=380,
    capabilities=["custom-multi-factor-authentication"],
    servers=["app W22 2/4 100", "app W22 2/4 100"],
)
system(
    "idm",
    "Behörighetssystem (identitetshantering)",
    level="shared",
    sector="it",
    owner=IT,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    licence=690,
    vendor="Norrsken Data Ab",
    capabilities=["identity-management"],
    servers=["app W22 2/8 128", "db W22 2/8 128+100", "app W22 2/4 100 test"],
    depends_on=[dep("hr", HTTPS, weight=2), dep("school-admin", HTTPS)],
    note="Creates and removes accounts from the HR and student registers.",
)
system(
    "cad-licence",
    "Licensserver för CAD och GIS",
    level="shared",
    sector="it",
    owner=IT,
    disposition="rehost",
    criticality="low",
    classification="internal",
    personal_data=False,
    capabilities=["custom-licence-server"],
    prefix="flex",
    servers=["app W19 1/2 60"],
)
system(
    "integration",
    "Integrationsplattform (filöverföring och meddelanden)",
    level="shared",
    sector="it",
    owner=IT,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=8,
    rpo=4,
    licence=540,
    vendor="Fyrbåk Programvara Ab",
    capabilities=["integration-platform"],
    ad=LDAPS,
    prefix="int",
    servers=[
        "app R9 4/8 64+200",
        "app R9 4/8 64+200",
        "app R8 2/4 64+100 test",
        "app R8 2/4 64+100 dev",
    ],
    note="Moves files and messages between the business systems (payroll, invoices, fees).",
)
system(
    "jump",
    "Administrationsservrar (hoppservrar)",
    level="shared",
    sector="it",
    owner=IT,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=False,
    capabilities=["custom-admin-access"],
    servers=["infra W22 2/8 128", "infra W22 2/8 128"],
)

section("central-administration", "Stadskansliet: central administration")
SK = "Stadskansliet"
system(
    "case-mgmt",
    "Ärende- och dokumenthanteringssystem (diariet)",
    level="shared",
    sector="central-administration",
    owner=SK,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=4,
    licence=1850,
    vendor="Norrsken Data Ab",
    capabilities=["case-management", "records-management"],
    users=420,
    prefix="diarie",
    servers=[
        "web W19 2/8 128",
        "app W19 4/16 128+200",
        "app W19 4/16 128+200",
        "db W19 4/32 128+800",
        "app W19 2/8 128 test",
        "db W19 2/16 128+200 test",
    ],
    depends_on=[dep("file", SMB), dep("print", SMB), dep("e-archive", HTTPS)],
)
system(
    "case-mgmt-old",
    "Gamla diariet",
    level="shared",
    sector="central-administration",
    owner=SK,
    disposition="retire",
    criticality="low",
    classification="confidential",
    personal_data=True,
    capabilities=["case-management", "records-management"],
    prefix="diarie-gl",
    sa=False,
    servers=["app W12 2/8 128", "db W12 2/16 128+300"],
    note="Retire: read-only since the new registry; records go to the e-archive first.",
)
system(
    "meetings",
    "Sammanträdeshantering och politikerportal",
    level="shared",
    sector="central-administration",
    owner=SK,
    disposition="replatform",
    criticality="medium",
    classification="internal",
    personal_data=True,
    licence=480,
    vendor="Sjöbris Kommunsystem Oy",
    capabilities=["meeting-management"],
    ad=LDAPS,
    prefix="mote",
    servers=[
        "web U22 2/4 64",
        "app U22 2/8 64",
        "db U22 2/8 64+100",
        "app U22 2/4 64 test",
        "db U22 2/4 64+50 test",
    ],
    depends_on=[dep("case-mgmt", HTTPS)],
)
system(
    "e-archive",
    "E-arkiv",
    level="shared",
    sector="central-administration",
    owner=SK,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=72,
    rpo=24,
    licence=900,
    vendor="Kobbens System Ab",
    capabilities=["e-archive"],
    ad=LDAPS,
    prefix="earkiv",
    servers=[
        "app R8 4/16 64+200",
        "db R8 4/16 64+500",
        "file R7 2/8 64+4000",
        "app R8 2/8 64 test",
        "db R8 2/8 64+100 test",
    ],
)
system(
    "population-data",
    "Befolkningsdatatjänst (uppslag i befolkningsregistret)",
    level="shared",
    sector="central-administration",
    owner=SK,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=8,
    licence=260,
    capabilities=["population-register"],
    prefix="befolk",
    servers=["app W22 2/4 100"],
    depends_on=[dep("integration", SFTP)],
)
system(
    "e-id",
    "Inloggningstjänst för e-legitimation",
    level="shared",
    sector="central-administration",
    owner=SK,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=4,
    licence=310,
    capabilities=["citizen-identification"],
    ad=False,
    prefix="eid",
    servers=["app U22 2/4 64", "app U22 2/4 64", "app U22 2/4 64 test"],
)
system(
    "website",
    "Stadens webbplats",
    level="citizen",
    sector="central-administration",
    owner=SK,
    disposition="replatform",
    criticality="high",
    classification="public",
    personal_data=False,
    rto=8,
    rpo=24,
    vendor="Exempel Oy",
    capabilities=["web-publishing", "event-calendar"],
    ad=False,
    prefix="webb",
    db_port=["tcp/3306"],
    servers=["web U22 2/8 64", "web U22 2/8 64", "db U22 2/8 64+100", "web U22 2/4 64 test"],
    links={
        "webb-web01": [dep("webb-db01", ["tcp/3306"], latency_sensitive=True)],
        "webb-web02": [dep("webb-db01", ["tcp/3306"], latency_sensitive=True)],
    },
)
system(
    "e-services",
    "E-tjänsteportal",
    level="citizen",
    sector="central-administration",
    owner=SK,
    disposition="rebuild",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=8,
    rpo=4,
    licence=750,
    vendor="Fyrbåk Programvara Ab",
    capabilities=["e-services", "fault-reporting"],
    users=5000,
    open_api=True,
    ad=LDAPS,
    prefix="etj",
    servers=[
        "web U22 2/8 64",
        "web U22 2/8 64",
        "app U22 4/16 64+100",
        "db U22 4/16 64+200",
        "web U22 2/4 64 test",
        "app U22 2/8 64 test",
        "db U22 2/8 64+100 test",
        "app U22 2/8 64 dev",
    ],
    depends_on=[dep("case-mgmt", HTTPS, weight=3), dep("e-id", HTTPS), dep("payment", HTTPS)],
    note="Rebuild: rewritten as a cloud-native service; submitted forms go to the registry.",
)
system(
    "forms",
    "Blankettservern",
    level="citizen",
    sector="central-administration",
    owner=SK,
    disposition="retire",
    criticality="low",
    classification="internal",
    personal_data=True,
    capabilities=["e-services"],
    prefix="blankett",
    sa=False,
    servers=["web W12 2/4 80"],
    note="Retire: the last PDF forms become e-services (same capability, e-forms).",
)
system(
    "signing",
    "E-underskrift",
    level="shared",
    sector="central-administration",
    owner=SK,
    disposition="repurchase",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    licence=180,
    saas=260,
    capabilities=["e-signing"],
    prefix="sign",
    servers=["app W22 2/4 100"],
)
system(
    "sms",
    "SMS-utskick",
    level="shared",
    sector="central-administration",
    owner=SK,
    disposition="repurchase",
    criticality="low",
    classification="internal",
    personal_data=True,
    licence=90,
    saas=150,
    capabilities=["citizen-messaging"],
    servers=["app W16 1/2 60"],
)
system(
    "webcast",
    "Webbsändning av stadsfullmäktige",
    level="citizen",
    sector="central-administration",
    owner=SK,
    disposition="repurchase",
    criticality="low",
    classification="public",
    personal_data=False,
    saas=220,
    capabilities=["custom-webcast"],
    ad=False,
    prefix="webbtv",
    servers=["web U20 2/4 64+500"],
)
system(
    "notice-board",
    "Digital anslagstavla",
    level="citizen",
    sector="central-administration",
    owner=SK,
    disposition="rehost",
    criticality="medium",
    classification="public",
    personal_data=False,
    capabilities=["web-publishing", "custom-official-notices"],
    prefix="anslag",
    servers=["web W22 2/4 100"],
    depends_on=[dep("case-mgmt", HTTPS)],
)
system(
    "whistleblower",
    "Visselblåsarkanal",
    level="citizen",
    sector="central-administration",
    owner=SK,
    disposition="repurchase",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    saas=90,
    capabilities=["custom-whistleblowing"],
    ad=False,
    prefix="vissel",
    servers=["web U20 1/2 40"],
)
system(
    "crisis",
    "Krisledningsverktyg",
    level="shared",
    sector="central-administration",
    owner=SK,
    disposition="repurchase",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    licence=120,
    saas=180,
    capabilities=["custom-crisis-management"],
    prefix="kris",
    servers=["app W22 2/4 100"],
)

section("finance", "Ekonomiavdelningen: finance (blackouts for the closing of the accounts)")
EK = "Ekonomiavdelningen"
system(
    "economy",
    "Ekonomisystem (huvudbok och reskontror)",
    level="shared",
    sector="finance",
    owner=EK,
    disposition="rehost",
    criticality="critical",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=4,
    licence=2400,
    vendor="Exempel Oy",
    capabilities=["accounting"],
    blackouts=FINANCE_BLACKOUTS,
    prefix="eko",
    sql="enterprise",
    servers=[
        "web W19 2/8 128",
        "app W19 4/16 128+200",
        "app W19 4/16 128+200",
        "batch W19 2/8 128+200",
        "db W19 8/64 128+1000",
        "web W19 2/4 100 test",
        "app W19 2/8 128 test",
        "db W19 4/16 128+300 test",
    ],
    depends_on=[dep("integration", SFTP + HTTPS, weight=2), dep("print", SMB)],
)
system(
    "economy-old",
    "Gamla ekonomisystemet (läsversion)",
    level="shared",
    sector="finance",
    owner=EK,
    disposition="retire",
    criticality="low",
    classification="confidential",
    personal_data=True,
    capabilities=["accounting"],
    prefix="eko-gl",
    sa=False,
    servers=["app W12 2/8 128", "db W12 2/16 128+400"],
    note="Retire: kept only for look-ups; the ten-year history is exported to the e-archive.",
)
system(
    "invoices",
    "Fakturahantering (e-faktura och skanning)",
    level="shared",
    sector="finance",
    owner=EK,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=8,
    licence=820,
    vendor="Sjöbris Kommunsystem Oy",
    capabilities=["invoice-processing"],
    blackouts=FINANCE_BLACKOUTS,
    prefix="faktura",
    servers=["app W19 4/16 128+300", "scan: other W19 2/8 128+500"],
    depends_on=[dep("economy", HTTPS, weight=3), dep("integration", SFTP)],
    links={"faktura-app01": [dep("eko-db01", SQL, latency_sensitive=True)]},
    note="Writes straight into the economy system's database: it must move with it.",
)
system(
    "budget",
    "Budget- och prognosverktyg",
    level="shared",
    sector="finance",
    owner=EK,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=False,
    licence=350,
    vendor="Bärnstensdata Ab",
    capabilities=["budgeting"],
    blackouts=FINANCE_BLACKOUTS,
    servers=["app W19 2/8 128"],
    depends_on=[dep("sql-shared", SQL), dep("economy", HTTPS)],
)
system(
    "reporting",
    "Beslutsstöd och rapporter (datalager)",
    level="shared",
    sector="finance",
    owner=EK,
    disposition="replatform",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    licence=610,
    capabilities=["reporting-analytics"],
    prefix="bi",
    servers=[
        "app W19 4/16 128+200",
        "db W19 8/32 128+1500",
        "app W19 2/8 128 test",
        "db W19 4/16 128+500 test",
    ],
    depends_on=[dep("economy", SQL, weight=3), dep("hr", SQL, weight=2)],
    note="Replatform: the data warehouse moves to a managed database; nightly loads only.",
)
system(
    "procurement",
    "Upphandlings- och avtalssystem",
    level="shared",
    sector="finance",
    owner=EK,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=False,
    licence=330,
    vendor="Kobbens System Ab",
    capabilities=["procurement"],
    ad=LDAPS,
    prefix="upph",
    servers=["web U22 2/4 64", "app U22 2/8 64", "db U22 2/8 64+100"],
)
system(
    "contract-register",
    "Avtalsdatabasen",
    level="shared",
    sector="finance",
    owner=EK,
    disposition="retire",
    criticality="low",
    classification="internal",
    personal_data=False,
    capabilities=["procurement"],
    prefix="avtal",
    sa=False,
    servers=["app W12 1/4 80"],
    depends_on=[dep("sql-shared", SQL)],
    note="Retire: contracts now live in the procurement system (contract-management).",
)
system(
    "billing",
    "Debitering av avgifter (kundfakturering)",
    level="shared",
    sector="finance",
    owner=EK,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=8,
    licence=640,
    vendor="Exempel Oy",
    capabilities=["invoicing"],
    blackouts=FINANCE_BLACKOUTS,
    prefix="debit",
    servers=[
        "app W19 2/8 128",
        "db W19 2/16 128+200",
        "app W19 2/4 100 test",
        "db W19 2/8 100+50 test",
    ],
    depends_on=[dep("economy", HTTPS, weight=2), dep("integration", SFTP)],
)
system(
    "cash",
    "Kassasystem",
    level="shared",
    sector="finance",
    owner=EK,
    disposition="rehost",
    criticality="medium",
    classification="confidential",
    personal_data=False,
    licence=280,
    vendor="Ejdern Data Ab",
    capabilities=["payments"],
    blackouts=FINANCE_BLACKOUTS,
    prefix="kassa",
    servers=["app W19 2/8 128", "db W19 2/8 128+100"],
    depends_on=[dep("economy", HTTPS)],
)
system(
    "payment",
    "Betaltjänst för e-tjänster",
    level="shared",
    sector="finance",
    owner=EK,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=4,
    rpo=1,
    licence=210,
    capabilities=["payments"],
    ad=False,
    blackouts=FINANCE_BLACKOUTS,
    prefix="betal",
    servers=["app U22 2/4 64", "app U22 2/4 64", "app U22 2/4 64 test"],
    depends_on=[dep("economy", HTTPS)],
)
system(
    "asset-register",
    "Anläggningsregister",
    level="shared",
    sector="finance",
    owner=EK,
    disposition="retire",
    criticality="low",
    classification="internal",
    personal_data=False,
    capabilities=["accounting"],
    prefix="anlagg",
    servers=["app W16 2/4 100"],
    depends_on=[dep("sql-shared", SQL)],
    note="Retire: the economy system's fixed-assets module took over in 2025.",
)

section("hr-payroll", "Personalavdelningen: HR and payroll")
PA = "Personalavdelningen"
system(
    "hr",
    "Personal- och lönesystem",
    level="shared",
    sector="hr-payroll",
    owner=PA,
    disposition="rehost",
    criticality="critical",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=4,
    licence=2100,
    vendor="Norrsken Data Ab",
    capabilities=["payroll", "hr-administration", "custom-travel-expenses"],
    users=800,
    prefix="lon",
    sql="enterprise",
    servers=[
        "web W19 2/8 128",
        "app W19 4/16 128+200",
        "app W19 4/16 128+200",
        "db W19 8/48 128+800",
        "app W19 2/8 128 test",
        "db W19 4/16 128+200 test",
    ],
    depends_on=[
        dep("economy", HTTPS + SFTP, weight=3),
        dep("integration", SFTP),
        dep("print", SMB),
    ],
    note="Payroll posts every month's salaries to the economy system.",
)
system(
    "time",
    "Tidrapportering och schemaläggning",
    level="shared",
    sector="hr-payroll",
    owner=PA,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=8,
    licence=560,
    vendor="Norrsken Data Ab",
    capabilities=["time-reporting", "workforce-scheduling"],
    prefix="tid",
    servers=["web W19 2/4 100", "app W19 2/8 128"],
    depends_on=[dep("hr", HTTPS)],
    links={"tid-app01": [dep("lon-db01", SQL, latency_sensitive=True)]},
    note="Reads and writes the payroll database directly: it must move with the HR system.",
)
system(
    "staffing",
    "Vikarieförmedling och bemanning",
    level="shared",
    sector="hr-payroll",
    owner=PA,
    disposition="rehost",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    licence=240,
    vendor="Havsörn Lösningar Ab",
    capabilities=["workforce-scheduling"],
    prefix="vikarie",
    servers=["app W22 2/8 128", "db W22 2/8 128+100"],
    depends_on=[dep("hr", HTTPS), dep("sms", HTTPS)],
)
system(
    "recruitment",
    "Rekryteringssystem",
    level="shared",
    sector="hr-payroll",
    owner=PA,
    disposition="repurchase",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    licence=380,
    saas=450,
    capabilities=["recruitment"],
    prefix="rekry",
    servers=["web W16 2/4 100", "db W16 2/8 100+100"],
)
system(
    "hr-portal",
    "Personalportalen (självservice)",
    level="office",
    sector="hr-payroll",
    owner=PA,
    disposition="rehost",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    capabilities=["hr-administration"],
    users=800,
    prefix="minlon",
    servers=["web W22 2/4 100"],
    depends_on=[dep("hr", HTTPS)],
)
system(
    "payroll-old",
    "Gamla lönesystemet (arkiv)",
    level="shared",
    sector="hr-payroll",
    owner=PA,
    disposition="retire",
    criticality="low",
    classification="confidential",
    personal_data=True,
    capabilities=["payroll", "hr-administration"],
    prefix="lon-gl",
    sa=False,
    servers=["app W12 2/8 128", "db W12 2/16 128+300"],
    note="Retire: pension-relevant history is migrated into the HR system before shutdown.",
)
system(
    "travel",
    "Reseräkningar och utlägg",
    level="office",
    sector="hr-payroll",
    owner=PA,
    disposition="retire",
    criticality="low",
    classification="confidential",
    personal_data=True,
    capabilities=["custom-travel-expenses"],
    prefix="resa",
    servers=["app W16 2/4 100"],
    depends_on=[dep("sql-shared", SQL)],
    note="Retire: the HR system's expenses module replaces it (travel-expenses).",
)
system(
    "e-learning",
    "Utbildningsportal för personal",
    level="office",
    sector="hr-payroll",
    owner=PA,
    disposition="repurchase",
    criticality="low",
    classification="internal",
    personal_data=True,
    saas=300,
    capabilities=["learning-management"],
    users=800,
    ad=LDAPS,
    prefix="kurs",
    servers=["web U20 2/4 64"],
)
system(
    "work-environment",
    "Tillbuds- och arbetsmiljörapportering",
    level="office",
    sector="hr-payroll",
    owner=PA,
    disposition="rehost",
    criticality="low",
    classification="confidential",
    personal_data=True,
    licence=90,
    capabilities=["work-environment"],
    prefix="tillbud",
    servers=["app W22 2/4 100"],
    depends_on=[dep("sql-shared", SQL)],
)

section("social-services", "Socialförvaltningen: social services and elderly care")
SO = "Socialförvaltningen"
AO = "Äldreomsorgen"
system(
    "social-case",
    "Verksamhetssystem för socialtjänsten (klientregister och journaler)",
    level="sector",
    sector="social-services",
    owner=SO,
    disposition="rehost",
    criticality="critical",
    classification="secret",
    personal_data=True,
    rto=8,
    rpo=1,
    licence=3200,
    vendor="Sjöbris Kommunsystem Oy",
    capabilities=["social-care-records"],
    prefix="soc",
    sql="enterprise",
    servers=[
        "web W19 2/8 128",
        "app W19 4/16 128+200",
        "app W19 4/16 128+200",
        "db W19 8/64 128+1000",
        "file W19 2/8 128+800",
        "app W19 2/8 128 test",
        "db W19 4/16 128+300 test",
    ],
    depends_on=[
        dep("population-data", HTTPS),
        dep("case-mgmt", HTTPS),
        dep("print", SMB),
        dep("e-archive", HTTPS),
    ],
    links={"soc-app01": [dep("soc-file01", SMB)], "soc-app02": [dep("soc-file01", SMB)]},
    note="Case files of child welfare, income support and disability services.",
)
system(
    "social-archive",
    "Gamla klientregistret (läsarkiv)",
    level="sector",
    sector="social-services",
    owner=SO,
    disposition="retire",
    criticality="low",
    classification="secret",
    personal_data=True,
    capabilities=["social-care-records"],
    prefix="soc-gl",
    sa=False,
    servers=["app W12 2/8 128", "db W12 2/16 128+300"],
    note="Retire: records are transferred to the e-archive under the archive plan first.",
)
system(
    "home-care",
    "Hemtjänstplanering och mobil dokumentation",
    level="sector",
    sector="social-services",
    owner=AO,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=8,
    rpo=4,
    licence=880,
    vendor="Måsskär Software Oy",
    capabilities=["home-care-planning"],
    prefix="hemtj",
    servers=[
        "web W19 2/8 128",
        "app W19 4/16 128",
        "db W19 4/32 128+300",
        "app W19 2/8 128 test",
        "db W19 2/8 128+100 test",
    ],
    depends_on=[dep("social-case", HTTPS)],
)
system(
    "care-records",
    "Journalsystem för äldreboenden (hälso- och sjukvård)",
    level="sector",
    sector="social-services",
    owner=AO,
    disposition="rehost",
    criticality="critical",
    classification="confidential",
    personal_data=True,
    rto=4,
    rpo=1,
    licence=1250,
    vendor="Kobbens System Ab",
    capabilities=["health-care-records"],
    prefix="journal",
    servers=[
        "app W19 4/16 128+200",
        "db W19 4/32 128+500",
        "app W19 2/8 128 test",
        "db W19 2/8 128+100 test",
    ],
)
system(
    "medication",
    "Läkemedelshantering i boenden",
    level="sector",
    sector="social-services",
    owner=AO,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=4,
    rpo=1,
    licence=310,
    vendor="Kobbens System Ab",
    capabilities=["medication-management"],
    prefix="lakemedel",
    servers=["app W22 2/8 128"],
    depends_on=[dep("care-records", HTTPS)],
    links={"lakemedel-app01": [dep("journal-db01", SQL, latency_sensitive=True)]},
    note="A module on the journal system's database: it must move with it.",
)
system(
    "safety-alarm",
    "Trygghetslarm (larmmottagning)",
    level="sector",
    sector="social-services",
    owner=AO,
    disposition="rehost",
    criticality="critical",
    classification="confidential",
    personal_data=True,
    rto=2,
    rpo=1,
    licence=450,
    vendor="Ejdern Data Ab",
    capabilities=["safety-alarms"],
    prefix="larm",
    servers=[
        "app W22 2/8 128",
        "app W22 2/8 128",
        "db W22 2/8 128+100",
        "app W22 2/4 100 test",
        "db W22 2/4 100+50 test",
    ],
)
system(
    "transport-service",
    "Färdtjänsthandläggning",
    level="sector",
    sector="social-services",
    owner=SO,
    disposition="rehost",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    licence=160,
    capabilities=["special-transport"],
    users=14,
    prefix="fardtj",
    servers=["app W16 2/8 128", "db W16 2/8 128+100"],
)
system(
    "social-eservice",
    "E-tjänst för ansökan om utkomststöd",
    level="citizen",
    sector="social-services",
    owner=SO,
    disposition="rebuild",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=4,
    capabilities=["e-services"],
    ad=False,
    prefix="utkomst",
    servers=["web U22 2/4 64", "app U22 2/8 64", "web U22 2/4 64 test", "app U22 2/4 64 test"],
    depends_on=[dep("social-case", HTTPS), dep("e-id", HTTPS)],
)
system(
    "interpreting",
    "Tolkbokning",
    level="sector",
    sector="social-services",
    owner=SO,
    disposition="repurchase",
    criticality="low",
    classification="confidential",
    personal_data=True,
    licence=60,
    saas=120,
    capabilities=["interpreting"],
    prefix="tolk",
    servers=["app W16 1/4 80"],
)

section("education", "Utbildningsförvaltningen: schools (blackout at school start)")
UF = "Utbildningsförvaltningen"
system(
    "school-admin",
    "Skoladministrativt system (elevregister och betyg)",
    level="sector",
    sector="education",
    owner=UF,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=4,
    licence=1400,
    vendor="Fyrskepp Skolsystem Ab",
    capabilities=["school-administration"],
    blackouts=SKOLSTART,
    prefix="skola",
    servers=[
        "web W19 2/8 128",
        "web W19 2/8 128",
        "app W19 4/16 128+100",
        "db W19 4/32 128+400",
        "app W19 2/8 128 test",
        "db W19 2/16 128+100 test",
    ],
    depends_on=[dep("population-data", HTTPS)],
)
system(
    "school-admin-old",
    "Gamla elevregistret",
    level="sector",
    sector="education",
    owner=UF,
    disposition="retire",
    criticality="low",
    classification="confidential",
    personal_data=True,
    capabilities=["school-administration"],
    prefix="skola-gl",
    sa=False,
    servers=["app W12 2/4 100", "db W12 2/8 100+200"],
    note="Retire: grades older than the current system go to the e-archive.",
)
system(
    "lms",
    "Lärplattform",
    level="sector",
    sector="education",
    owner=UF,
    disposition="repurchase",
    criticality="high",
    classification="confidential",
    personal_data=True,
    licence=650,
    saas=1100,
    capabilities=["learning-management"],
    users=1900,
    open_api=True,
    ad=LDAPS,
    prefix="larp",
    servers=["web U20 2/8 64", "web U20 2/8 64", "db U20 4/16 64+300"],
    links={
        "larp-web01": [dep("larp-db01", ["tcp/5432"], latency_sensitive=True)],
        "larp-web02": [dep("larp-db01", ["tcp/5432"], latency_sensitive=True)],
    },
)
system(
    "timetabling",
    "Schemaläggning för skolor",
    level="sector",
    sector="education",
    owner=UF,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=True,
    licence=190,
    vendor="Fyrskepp Skolsystem Ab",
    capabilities=["timetabling"],
    blackouts=SKOLSTART,
    prefix="schema",
    servers=["app W22 2/8 128"],
    depends_on=[dep("school-admin", HTTPS)],
)
system(
    "student-health",
    "Elevhälsans journalsystem",
    level="sector",
    sector="education",
    owner=UF,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=4,
    licence=280,
    vendor="Kobbens System Ab",
    capabilities=["health-care-records"],
    blackouts=SKOLSTART,
    prefix="elevh",
    servers=["app W22 2/8 128", "db W22 2/16 128+200"],
    depends_on=[dep("school-admin", HTTPS)],
)
system(
    "school-transport",
    "Skolskjutsplanering",
    level="sector",
    sector="education",
    owner=UF,
    disposition="rehost",
    criticality="low",
    classification="internal",
    personal_data=True,
    licence=70,
    capabilities=["special-transport"],
    users=5,
    blackouts=SKOLSTART,
    prefix="skjuts",
    servers=["app W19 2/4 100"],
    depends_on=[dep("sql-shared", SQL), dep("school-admin", HTTPS)],
)
system(
    "exams",
    "Digitala prov",
    level="sector",
    sector="education",
    owner=UF,
    disposition="repurchase",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    saas=240,
    capabilities=["learning-management"],
    users=600,
    ad=LDAPS,
    prefix="prov",
    servers=["web U22 2/8 64", "app U22 2/8 64"],
)
system(
    "guardian-portal",
    "Vårdnadshavarportalen för skolan",
    level="citizen",
    sector="education",
    owner=UF,
    disposition="rehost",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    capabilities=["guardian-communication"],
    users=1700,
    blackouts=SKOLSTART,
    prefix="vhportal",
    servers=["web W22 2/8 128"],
    depends_on=[dep("school-admin", HTTPS), dep("e-id", HTTPS)],
    links={"vhportal-web01": [dep("skola-app01", HTTPS)]},
)
system(
    "music-school",
    "Musikinstitutets elevadministration",
    level="sector",
    sector="education",
    owner=UF,
    disposition="rehost",
    criticality="low",
    classification="internal",
    personal_data=True,
    licence=60,
    capabilities=["course-enrolment"],
    prefix="musik",
    servers=["app W16 2/4 100"],
    depends_on=[dep("sql-shared", SQL), dep("billing", HTTPS)],
)
system(
    "school-library",
    "Skolbibliotekens utlåningssystem",
    level="sector",
    sector="education",
    owner=UF,
    disposition="retire",
    criticality="low",
    classification="internal",
    personal_data=True,
    capabilities=["library-management"],
    ad=False,
    prefix="skolbibl",
    servers=["app C7 1/2 40", "db C7 1/4 40+50"],
    note="Retire: school libraries join the city library's system (same capabilities).",
)
system(
    "adult-education",
    "Kursanmälan för medborgarinstitutet",
    level="citizen",
    sector="education",
    owner=UF,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=True,
    licence=140,
    capabilities=["course-enrolment"],
    ad=False,
    prefix="mi",
    servers=["web U22 2/4 64", "db U22 2/4 64+50"],
    depends_on=[dep("payment", HTTPS)],
    links={"mi-web01": [dep("mi-db01", ["tcp/5432"], latency_sensitive=True)]},
)

section("daycare", "Barnomsorgen: daycare")
BO = "Barnomsorgen"
system(
    "daycare",
    "Barnomsorgssystem (placering och avgifter)",
    level="sector",
    sector="daycare",
    owner=BO,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=8,
    licence=720,
    vendor="Fyrskepp Skolsystem Ab",
    capabilities=["day-care-placement"],
    prefix="dagis",
    servers=[
        "app W19 2/8 128",
        "db W19 2/16 128+200",
        "app W19 2/4 100 test",
        "db W19 2/8 100+50 test",
    ],
    depends_on=[
        dep("population-data", HTTPS),
        dep("billing", HTTPS + SFTP),
        dep("daycare-attendance", HTTPS),
    ],
    note="Deliberate small cycle with attendance: placements go out, attended hours come back.",
)
system(
    "daycare-attendance",
    "Närvaroregistrering i daghemmen",
    level="sector",
    sector="daycare",
    owner=BO,
    disposition="rehost",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    licence=190,
    capabilities=["attendance-registration"],
    ad=LDAPS,
    prefix="narvaro",
    servers=["app U22 2/4 64", "db U22 2/8 64+50"],
    depends_on=[dep("daycare", HTTPS)],
)
system(
    "daycare-eservice",
    "Ansökan om dagvårdsplats (e-tjänst)",
    level="citizen",
    sector="daycare",
    owner=BO,
    disposition="rehost",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    capabilities=["e-services"],
    prefix="dagis-etj",
    servers=["web W22 2/4 100"],
    depends_on=[dep("daycare", HTTPS), dep("e-id", HTTPS)],
)
system(
    "daycare-app",
    "Daghemsappen (kontakt med vårdnadshavare)",
    level="citizen",
    sector="daycare",
    owner=BO,
    disposition="repurchase",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    licence=280,
    saas=420,
    capabilities=["guardian-communication", "pedagogical-documentation"],
    users=1100,
    open_api=True,
    ad=False,
    prefix="dagapp",
    servers=["web U20 2/4 64", "db U20 2/8 64+100"],
    links={"dagapp-web01": [dep("dagapp-db01", ["tcp/5432"], latency_sensitive=True)]},
)
system(
    "daycare-docs",
    "Pedagogisk dokumentation",
    level="sector",
    sector="daycare",
    owner=BO,
    disposition="retire",
    criticality="low",
    classification="confidential",
    personal_data=True,
    capabilities=["pedagogical-documentation"],
    prefix="peddok",
    sa=False,
    servers=["app W12 2/4 100+200"],
    note="Retire: documentation is done in the daycare app (pedagogical-documentation).",
)

section("technical-property", "Tekniska förvaltningen: streets, property and maps")
TF = "Tekniska förvaltningen"
system(
    "gis",
    "Geografiskt informationssystem (GIS och kartserver)",
    level="shared",
    sector="technical-property",
    owner=TF,
    disposition="rehost",
    criticality="high",
    classification="internal",
    personal_data=True,
    rto=24,
    rpo=24,
    licence=1150,
    vendor="Måsskär Software Oy",
    capabilities=["gis"],
    users=60,
    open_api=True,
    servers=[
        "app W19 4/16 128+200",
        "app W19 4/16 128+200",
        "db U22 4/32 64+800",
        "app W19 2/8 128 test",
        "db U22 2/8 64+200 test",
        "app W19 2/8 128 dev",
    ],
    depends_on=[dep("cad-licence", ["tcp/27000-27009"]), dep("file", SMB)],
)
system(
    "map-portal",
    "Kartportalen (webbkarta för invånare)",
    level="citizen",
    sector="technical-property",
    owner=TF,
    disposition="replatform",
    criticality="medium",
    classification="public",
    personal_data=False,
    capabilities=["gis"],
    users=3000,
    ad=False,
    prefix="karta",
    servers=["web U22 2/8 64", "web U22 2/8 64"],
    depends_on=[dep("gis", HTTPS)],
    links={
        "karta-web01": [dep("gis-db01", ["tcp/5432"], latency_sensitive=True)],
        "karta-web02": [dep("gis-db01", ["tcp/5432"], latency_sensitive=True)],
    },
)
system(
    "address-register",
    "Adressregister (belägenhetsadresser)",
    level="shared",
    sector="technical-property",
    owner=TF,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=False,
    capabilities=["gis"],
    prefix="adress",
    servers=["app W22 2/4 100"],
    links={"adress-app01": [dep("gis-db01", ["tcp/5432"], latency_sensitive=True)]},
)
system(
    "property",
    "Fastighetsförvaltning och underhållsplanering",
    level="sector",
    sector="technical-property",
    owner=TF,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=False,
    licence=690,
    vendor="Bärnstensdata Ab",
    capabilities=["property-management", "fault-reporting"],
    prefix="fast",
    servers=[
        "web W19 2/4 100",
        "app W19 2/8 128",
        "db W19 2/16 128+200",
        "app W19 2/4 100 test",
        "db W19 2/8 100+50 test",
    ],
    depends_on=[dep("gis", HTTPS), dep("economy", HTTPS)],
)
system(
    "work-orders",
    "Arbetsordersystem (mobil)",
    level="sector",
    sector="technical-property",
    owner=TF,
    disposition="retire",
    criticality="low",
    classification="internal",
    personal_data=False,
    capabilities=["property-management"],
    prefix="ao",
    servers=["app W16 2/4 100", "db W16 2/8 100+100"],
    note="Retire: work orders moved into the property system (work-orders).",
)
system(
    "fault-report",
    "Felanmälan för invånare",
    level="citizen",
    sector="technical-property",
    owner=TF,
    disposition="retire",
    criticality="low",
    classification="internal",
    personal_data=True,
    capabilities=["fault-reporting"],
    ad=False,
    prefix="felanm",
    servers=["web C7 1/2 40"],
    depends_on=[dep("property", HTTPS)],
    note="Retire: the e-services portal has a fault-report form (fault-reporting).",
)
system(
    "building-automation",
    "Fastighetsautomation (styr och övervakning)",
    level="sector",
    sector="technical-property",
    owner=TF,
    disposition="retain",
    criticality="high",
    classification="internal",
    personal_data=False,
    licence=520,
    vendor="Kobbens System Ab",
    capabilities=["building-automation"],
    prefix="fastaut",
    servers=["app W16 4/8 128+200", "db W16 2/8 128+200", "gw: other W16 2/4 100"],
    note="Retain: talks to the buildings' field buses over ÅDA's network; stays until replaced.",
)
system(
    "energy",
    "Energiuppföljning",
    level="sector",
    sector="technical-property",
    owner=TF,
    disposition="rehost",
    criticality="low",
    classification="internal",
    personal_data=False,
    licence=110,
    capabilities=["building-automation"],
    prefix="energi",
    servers=["app W22 2/4 100"],
    depends_on=[dep("sql-shared", SQL), dep("building-automation", HTTPS)],
)
system(
    "fleet",
    "Fordonsbokning och fordonsregister",
    level="sector",
    sector="technical-property",
    owner=TF,
    disposition="repurchase",
    criticality="low",
    classification="internal",
    personal_data=False,
    saas=160,
    capabilities=["custom-fleet-management"],
    prefix="fordon",
    servers=["app W16 1/4 80"],
)
system(
    "streets",
    "Gatuunderhåll och vinterväghållning",
    level="sector",
    sector="technical-property",
    owner=TF,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=False,
    licence=240,
    capabilities=["custom-street-maintenance"],
    prefix="gata",
    servers=["app W19 2/8 128", "db W19 2/8 128+100"],
    depends_on=[dep("gis", HTTPS)],
)
system(
    "cad",
    "CAD och ritningsarkiv",
    level="sector",
    sector="technical-property",
    owner=TF,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=False,
    licence=430,
    capabilities=["custom-cad-drawings"],
    prefix="ritning",
    servers=["app W19 4/16 128+1500"],
    depends_on=[dep("cad-licence", ["tcp/27000-27009"]), dep("file", SMB)],
)
system(
    "meals",
    "Kostsystem (måltidsplanering och specialkost)",
    level="sector",
    sector="technical-property",
    owner=TF,
    disposition="rehost",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    licence=210,
    vendor="Exempel Oy",
    capabilities=["meal-planning"],
    prefix="kost",
    servers=["app W22 2/8 128", "db W22 2/8 128+100"],
    depends_on=[dep("economy", HTTPS)],
)
system(
    "premises",
    "Hyres- och lokaladministration",
    level="sector",
    sector="technical-property",
    owner=TF,
    disposition="rehost",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    licence=260,
    vendor="Bärnstensdata Ab",
    capabilities=["property-management"],
    prefix="hyra",
    servers=["app W19 2/8 128", "db W19 2/8 128+100"],
    depends_on=[dep("billing", HTTPS), dep("property", HTTPS)],
)
system(
    "parking",
    "Parkeringsövervakning",
    level="sector",
    sector="technical-property",
    owner=TF,
    disposition="rehost",
    criticality="low",
    classification="confidential",
    personal_data=True,
    licence=150,
    capabilities=["custom-parking-enforcement"],
    ad=LDAPS,
    prefix="parkering",
    servers=["app R7 2/4 64", "db R7 2/4 64+50"],
    depends_on=[dep("billing", SFTP)],
)

section("building-permits", "Byggnadsinspektionen: building permits")
BI = "Byggnadsinspektionen"
system(
    "permits",
    "Bygglovssystem",
    level="sector",
    sector="building-permits",
    owner=BI,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=8,
    licence=980,
    vendor="Måsskär Software Oy",
    capabilities=["building-permits"],
    prefix="bygglov",
    servers=[
        "app W19 4/16 128+200",
        "db W19 4/16 128+400",
        "app W19 2/8 128 test",
        "db W19 2/8 128+100 test",
    ],
    depends_on=[
        dep("gis", HTTPS + ["tcp/5432"], weight=3),
        dep("case-mgmt", HTTPS),
        dep("address-register", HTTPS),
        dep("e-archive", HTTPS),
        dep("permits-archive", SMB),
    ],
)
system(
    "permits-eservice",
    "E-tjänst för bygglov",
    level="citizen",
    sector="building-permits",
    owner=BI,
    disposition="rebuild",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    capabilities=["e-services"],
    ad=False,
    prefix="bygglov-etj",
    servers=["web U22 2/4 64", "app U22 2/8 64", "web U22 2/4 64 test", "app U22 2/4 64 test"],
    depends_on=[dep("permits", HTTPS), dep("e-id", HTTPS), dep("payment", HTTPS)],
)
system(
    "permits-archive",
    "Bygglovsarkivet (skannade ritningar)",
    level="sector",
    sector="building-permits",
    owner=BI,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=True,
    prefix="bygglov-arkiv",
    capabilities=["e-archive"],
    servers=["app W16 2/8 128", "file W16 2/8 128+3000"],
    links={"bygglov-arkiv-app01": [dep("bygglov-arkiv-file01", SMB)]},
)
system(
    "inspections",
    "Besiktningsprotokoll (mobil tillsyn)",
    level="sector",
    sector="building-permits",
    owner=BI,
    disposition="retire",
    criticality="low",
    classification="internal",
    personal_data=True,
    capabilities=["building-permits"],
    prefix="besikt",
    sa=False,
    servers=["app W12 2/4 100"],
    note="Retire: the permit system's mobile module replaces it (inspections).",
)
system(
    "plan-register",
    "Planregister (detaljplaner)",
    level="sector",
    sector="building-permits",
    owner=BI,
    disposition="rehost",
    criticality="medium",
    classification="public",
    personal_data=False,
    capabilities=["spatial-planning"],
    prefix="plan",
    servers=["app W22 2/4 100"],
    depends_on=[dep("gis", HTTPS)],
)

section("library-culture", "Stadsbiblioteket and Kulturenheten: library and culture")
SB = "Stadsbiblioteket"
KE = "Kulturenheten"
system(
    "library",
    "Bibliotekssystem (utlån och katalog)",
    level="sector",
    sector="library-culture",
    owner=SB,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=8,
    licence=760,
    vendor="Bärnstensdata Ab",
    capabilities=["library-management"],
    users=25,
    open_api=True,
    ad=LDAPS,
    prefix="bibl",
    servers=[
        "app R9 4/16 64+200",
        "db R9 4/16 64+300",
        "app R9 2/8 64 test",
        "db R9 2/8 64+100 test",
    ],
    depends_on=[dep("payment", HTTPS)],
)
system(
    "library-opac",
    "Bibliotekets webbkatalog",
    level="citizen",
    sector="library-culture",
    owner=SB,
    disposition="rehost",
    criticality="medium",
    classification="public",
    personal_data=True,
    capabilities=["library-management"],
    users=4000,
    ad=False,
    prefix="opac",
    servers=["web U22 2/4 64", "web U22 2/4 64"],
    depends_on=[dep("library", HTTPS)],
    links={
        "opac-web01": [dep("bibl-app01", ["tcp/8443"])],
        "opac-web02": [dep("bibl-app01", ["tcp/8443"])],
    },
)
system(
    "library-pc",
    "Publika datorer och utskrift i biblioteket",
    level="sector",
    sector="library-culture",
    owner=SB,
    disposition="rehost",
    criticality="low",
    classification="internal",
    personal_data=True,
    licence=140,
    vendor="Ejdern Data Ab",
    capabilities=["custom-public-computers"],
    prefix="bibl-pc",
    servers=["app W19 2/4 100"],
    depends_on=[dep("library", HTTPS), dep("print", SMB)],
)
system(
    "museum",
    "Samlingsdatabas för stadsmuseet",
    level="sector",
    sector="library-culture",
    owner=KE,
    disposition="rehost",
    criticality="low",
    classification="public",
    personal_data=False,
    licence=95,
    capabilities=["collections-management", "custom-museum-exhibitions"],
    users=6,
    prefix="museum",
    servers=["app W16 2/4 100", "db W16 2/8 100+200"],
)
system(
    "art-register",
    "Konstregister (stadens konstsamling)",
    level="sector",
    sector="library-culture",
    owner=KE,
    disposition="rehost",
    criticality="low",
    classification="internal",
    personal_data=False,
    capabilities=["collections-management"],
    users=3,
    prefix="konst",
    sa=False,
    servers=["app W16 1/2 60"],
    depends_on=[dep("sql-shared", SQL)],
)
system(
    "events",
    "Evenemangskalendern",
    level="citizen",
    sector="library-culture",
    owner=KE,
    disposition="retire",
    criticality="low",
    classification="public",
    personal_data=False,
    capabilities=["event-calendar"],
    ad=False,
    prefix="evenemang",
    servers=["web C7 1/2 40", "db C7 1/2 40+20"],
    links={"evenemang-web01": [dep("evenemang-db01", ["tcp/3306"], latency_sensitive=True)]},
    note="Retire: events are published on the city website (event-calendar).",
)
system(
    "picture-archive",
    "Digitalt bildarkiv",
    level="citizen",
    sector="library-culture",
    owner=KE,
    disposition="replatform",
    criticality="low",
    classification="public",
    personal_data=False,
    capabilities=["collections-management"],
    users=12,
    ad=False,
    prefix="bildarkiv",
    servers=["web U22 2/4 64+1000"],
)

section("leisure", "Fritidsförvaltningen: leisure, sports and youth")
FF = "Fritidsförvaltningen"
system(
    "facility-booking",
    "Bokning av idrottsanläggningar och lokaler",
    level="citizen",
    sector="leisure",
    owner=FF,
    disposition="rehost",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=8,
    licence=370,
    vendor="Havsörn Lösningar Ab",
    capabilities=["room-booking"],
    users=2400,
    open_api=True,
    prefix="bokning",
    servers=[
        "web W22 2/4 100",
        "app W22 2/8 128",
        "db W22 2/16 128+100",
        "app W22 2/4 100 test",
        "db W22 2/8 100+50 test",
    ],
    depends_on=[dep("payment", HTTPS), dep("billing", HTTPS), dep("e-id", HTTPS)],
)
system(
    "booking-old",
    "Gamla lokalbokningen (simhallen)",
    level="sector",
    sector="leisure",
    owner=FF,
    disposition="retire",
    criticality="low",
    classification="internal",
    personal_data=True,
    capabilities=["room-booking"],
    prefix="bokning-gl",
    sa=False,
    servers=["app W12 1/4 80", "db W12 1/4 80+50"],
    note="Retire: the swimming hall's lanes are booked in the new booking system.",
)
system(
    "swimming-hall",
    "Kassa- och passersystem för simhallen",
    level="sector",
    sector="leisure",
    owner=FF,
    disposition="rehost",
    criticality="medium",
    classification="internal",
    personal_data=True,
    licence=230,
    vendor="Ejdern Data Ab",
    capabilities=["custom-entrance-control"],
    prefix="simhall",
    servers=["app W22 2/8 128", "db W22 2/8 128+100"],
    depends_on=[dep("cash", HTTPS), dep("facility-booking", HTTPS)],
)
system(
    "grants",
    "Förenings- och kulturbidrag",
    level="sector",
    sector="leisure",
    owner=FF,
    disposition="rehost",
    criticality="low",
    classification="internal",
    personal_data=True,
    capabilities=["grants"],
    prefix="bidrag",
    servers=["app W22 2/4 100"],
    depends_on=[dep("sql-shared", SQL), dep("case-mgmt", HTTPS)],
)
system(
    "youth",
    "Ungdomsgårdarnas medlemsregister",
    level="sector",
    sector="leisure",
    owner=FF,
    disposition="rehost",
    criticality="low",
    classification="confidential",
    personal_data=True,
    capabilities=["custom-youth-membership"],
    prefix="ungdom",
    servers=["app W16 1/4 80"],
    depends_on=[dep("sql-shared", SQL)],
)
system(
    "leisure-guide",
    "Fritidsguiden",
    level="citizen",
    sector="leisure",
    owner=FF,
    disposition="retire",
    criticality="low",
    classification="public",
    personal_data=False,
    capabilities=["web-publishing", "event-calendar"],
    ad=False,
    prefix="fritidsguide",
    servers=["web C7 1/2 40"],
    note="Retire: its pages move to the city website (web-publishing, event-calendar).",
)

section("harbour", "Hamnen: the harbour (SCADA and access control stay at ÅDA)")
HA = "Hamnen"
system(
    "harbour-scada",
    "Hamnens SCADA (ramper och landström)",
    level="sector",
    sector="harbour",
    owner=HA,
    disposition="retain",
    criticality="critical",
    classification="internal",
    personal_data=False,
    rto=2,
    rpo=1,
    licence=1300,
    vendor="Lotsbåten Automation Ab",
    capabilities=["custom-harbour-control"],
    prefix="scada",
    servers=[
        "app W16 4/8 128+200",
        "app W16 4/8 128+200",
        "hmi: other W16 2/8 128",
        "db W16 2/8 128+200",
    ],
    note="Retain: controls the ferry ramps and shore power; stays at ÅDA next to the plant.",
)
system(
    "harbour-access",
    "Passerkontroll och kameraövervakning i hamnen",
    level="sector",
    sector="harbour",
    owner=HA,
    disposition="retain",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=4,
    rpo=24,
    licence=520,
    vendor="Lotsbåten Automation Ab",
    capabilities=["custom-access-control", "custom-video-surveillance"],
    prefix="passer",
    servers=["app W16 4/8 128", "rec: file W16 4/16 128+4000"],
    note="Retain: the ISPS-secured area's door controllers and cameras sit on ÅDA's network.",
)
system(
    "harbour-admin",
    "Hamnadministration (fartygsanlöp och hamnavgifter)",
    level="sector",
    sector="harbour",
    owner=HA,
    disposition="rehost",
    criticality="high",
    classification="confidential",
    personal_data=True,
    rto=8,
    rpo=4,
    licence=480,
    vendor="Lotsbåten Automation Ab",
    capabilities=["harbour-management"],
    prefix="hamn",
    servers=["app W22 2/8 128", "db W22 2/16 128+200", "app W22 2/4 100 test"],
    depends_on=[dep("billing", SFTP), dep("economy", HTTPS), dep("harbour-scada", ["tcp/4840"])],
    note="Reads shore-power meters from the SCADA (OPC UA): a permanent hybrid flow.",
)
system(
    "guest-harbour",
    "Gästhamnsbokning",
    level="citizen",
    sector="harbour",
    owner=HA,
    disposition="rehost",
    criticality="medium",
    classification="confidential",
    personal_data=True,
    rto=24,
    rpo=8,
    licence=190,
    capabilities=["room-booking"],
    users=900,
    blackouts=BATSASONG,
    ad=False,
    prefix="gasthamn",
    db_port=["tcp/3306"],
    servers=["web U22 2/4 64", "app U22 2/4 64", "db U22 2/8 64+50"],
    depends_on=[dep("payment", HTTPS), dep("harbour-admin", HTTPS)],
    note="Blackout in the boating season, when guests book berths every day.",
)
system(
    "harbour-weather",
    "Väder och vattenstånd i hamnen",
    level="citizen",
    sector="harbour",
    owner=HA,
    disposition="rehost",
    criticality="low",
    classification="public",
    personal_data=False,
    capabilities=["custom-weather-display"],
    ad=False,
    prefix="vader",
    servers=["web U22 1/2 40"],
    depends_on=[dep("harbour-scada", ["tcp/4840"])],
)


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------
HEADER = """\
# yaml-language-server: $schema=../catalog.schema.json
#
# Mariehamns stad leaving ÅDA: the bundled example catalog of utflytt (catalog format v1).
# A fictional estate of a city of about 800 staff; every vendor name is invented.
# Generated by examples/mariehamn/generate.py: edit the script, then run it again.
#
# Read it top down: the hosting contract, the networks at the provider, the planner's
# options, then the systems by sector, then their servers in the same order.
# A dependency points from the consumer to the provider ("depends_on: to: ...").
"""
SYSTEMS_INTRO = """\
# Business systems (applications), by sector. The disposition says what happens to each:
# rehost, replatform and rebuild move its servers; repurchase, retire and retain do not.
# Systems that share a capability are consolidation candidates (see the retired ones)."""
SERVERS_INTRO = """\
# Servers at ÅDA, by system; monthly_cost is what ÅDA charges for each today.
# app -> db dependencies are latency-sensitive: both ends move in the same wave."""

TOP = {
    "version": 1,
    "organisation": "Mariehamns stad",
    "currency": "EUR",
}
CONTRACT = {
    "provider": "ÅDA",
    "notice_months": 6,
    "ends": date(2027, 12, 31),
    "monthly_base_fee": 5400.0,
    "exit_fee": 18000.0,
}
SOURCE_NETWORKS = ["10.10.0.0/16", "10.20.0.0/16"]
PLANNING = {
    "start": date(2027, 2, 1),
    "wave_days": 14,
    "max_servers_per_wave": 25,
    "max_vcpu_per_wave": 120,
    "pilot": True,
    "target": "azure",
    "region": "swedencentral",
    "blackouts": [{"from": date(2027, 6, 21), "to": date(2027, 8, 8), "reason": "Semester"}],
    # The AWS account of the second supplier asks for two raised quotas (Service Quotas,
    # "Inbound or outbound rules per security group" and "Security groups per network
    # interface"; their product stays within AWS's 1,000): AD's test domain admits 84 rule
    # units and the budget system's servers join 6 groups. Azure's defaults hold as they are.
    "quotas": {"aws_rules_per_security_group": 120, "aws_security_groups_per_eni": 8},
}
SYSTEM_KEYS = [
    "id",
    "name",
    "level",
    "sector",
    "owner",
    "cost_centre",
    "vendor",
    "capabilities",
    "users",
    "open_api",
    "disposition",
    "foundation",
    "criticality",
    "data_classification",
    "personal_data",
    "rto_hours",
    "rpo_hours",
    "monthly_licence_cost",
    "saas_monthly_cost",
    "blackouts",
    "depends_on",
]
SERVER_KEYS = [
    "id",
    "system",
    "role",
    "environment",
    "os",
    "vcpu",
    "memory_gb",
    "disks_gb",
    "cpu_p95",
    "memory_p95",
    "ip",
    "monthly_cost",
    "licences",
    "depends_on",
]


_FLOW_UNSAFE = r"[:#\[\]{},&*!|>'\"%@`]"
_BLOCK_UNSAFE = r"(: |\s#|^[\[\]{}&*!|>'\"%@`-])"


def scalar(value: Any, flow: bool = False) -> str:
    """A YAML scalar: plain where that reads back as the same text, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    plain_ok = (
        text
        and text == text.strip()
        and not re.search(_FLOW_UNSAFE if flow else _BLOCK_UNSAFE, text)
        and yaml.safe_load(text) == text
    )
    if plain_ok:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flow(value: Any) -> str:
    """A value in flow style: ``[a, b]`` or ``{key: value}``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value, flow=True)


def mapping_lines(record: dict[str, Any], keys: list[str], indent: str, first: str) -> list[str]:
    """Lines of one block mapping; lists of mappings become block lists of flow mappings."""
    lines: list[str] = []
    unknown = set(record) - set(keys)
    if unknown:
        raise ValueError(f"unexpected keys {unknown}")
    for key in (k for k in keys if k in record):
        value = record[key]
        prefix = first if not lines else indent
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{prefix}{key}:")
            lines += [f"{indent}  - {flow(item)}" for item in value]
        elif isinstance(value, list | dict):
            lines.append(f"{prefix}{key}: {flow(value)}")
        else:
            lines.append(f"{prefix}{key}: {scalar(value)}")
    return lines


def banner(title: str) -> list[str]:
    rule = "  # " + "-" * 94
    return ["", rule, f"  # {title}", rule]


def render() -> str:
    """The whole catalog as YAML text."""
    _check_estate()
    lines = HEADER.splitlines()
    lines += [f"{k}: {scalar(v)}" for k, v in TOP.items()]
    lines += ["", "# The hosting contract being exited (notice date = ends - notice_months)."]
    lines += ["contract:", *mapping_lines(CONTRACT, list(CONTRACT), "  ", "  ")]
    lines += ["", "# Address space at ÅDA: production 10.10/16, test and development 10.20/16."]
    lines += [f"source_networks: {flow(SOURCE_NETWORKS)}"]
    lines += ["", "# Waves of two weeks from February 2027, none during the summer holidays."]
    lines += ["# quotas: the AWS account's two raised limits (Service Quotas) that the second"]
    lines += ["# supplier's network rules need; Azure's documented defaults hold as they are."]
    lines += ["planning:", *mapping_lines(PLANNING, list(PLANNING), "  ", "  ")]
    lines += ["", *SYSTEMS_INTRO.splitlines(), "systems:"]
    titles = dict(SECTIONS)
    for key, _ in SECTIONS:
        lines += banner(titles[key])
        for item in (s for s in SYSTEMS if s["section"] == key):
            if item["note"]:
                lines.append(f"  # {item['note']}")
            lines += mapping_lines(item["record"], SYSTEM_KEYS, "    ", "  - ")
    lines += ["", *SERVERS_INTRO.splitlines(), "servers:"]
    names = {s["record"]["id"]: s["record"]["name"] for s in SYSTEMS}
    for key, _ in SECTIONS:
        lines += banner(titles[key])
        current = None
        for item in (s for s in SERVERS if s["section"] == key):
            if item["system"] != current:
                current = item["system"]
                lines.append(f"  # {current}: {names[current]}")
            lines += mapping_lines(item["record"], SERVER_KEYS, "    ", "  - ")
    return "\n".join(lines) + "\n"


def _check_estate() -> None:
    """Planner-friendliness limits that the format cannot express (fail loudly when edited)."""
    per_group: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in SERVERS:
        record = item["record"]
        per_group.setdefault((record["system"], record.get("environment", "prod")), []).append(
            record
        )
    for (system_id, env), servers in per_group.items():
        vcpu = sum(s["vcpu"] for s in servers)
        if len(servers) > 12 or vcpu > 60:
            raise ValueError(f"{system_id}/{env}: {len(servers)} servers, {vcpu} vCPU: too big")
    ips = [s["record"]["ip"] for s in SERVERS]
    if len(ips) != len(set(ips)):
        raise ValueError("duplicate IP address")


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is out of date: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}: {len(SYSTEMS)} systems, {len(SERVERS)} servers")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
