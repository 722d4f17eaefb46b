"""Pydantic models of catalog format v1 (see docs/contracts.md, "Catalog v1").

Every model is strict about its keys (``extra="forbid"``: a typo must not pass silently) and
frozen; sequences are tuples so that a loaded catalog cannot be changed by accident.
Cross-references between records (unknown ids, duplicates, self-dependencies) are checked in
:mod:`migration.catalog.checks`, because they need the whole catalog.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic import Strict as StrictMode

from migration.ipv4 import (
    PROVIDER_NETWORK_EXAMPLE,
    SERVER_ADDRESS_EXAMPLE,
    provider_network_problem,
    server_address_problem,
)
from migration.regions import DEFAULT_REGIONS, region_problem

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
OS_PATTERN = r"^[a-z0-9][a-z0-9.-]{0,62}$"
PORT_RE = re.compile(r"^(tcp|udp)/([0-9]{1,5})(?:-([0-9]{1,5}))?$")

Slug = Annotated[str, Field(pattern=SLUG_PATTERN, description="lower-case slug")]
TEXT_PATTERN = (
    r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff"
    r"\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]*$"
)
"""Text without control characters (raw or escaped: both reach the model as the character),
including the bidirectional embedding, override and isolate controls (text that reads one
way and means another in the exit plan, "Trojan Source") and the invisible zero-width space,
word joiner and byte-order mark (two owners that look alike but are not)."""
TEXT_MAX, NOTE_MAX = 200, 500
Text = Annotated[str, Field(min_length=1, max_length=TEXT_MAX, pattern=TEXT_PATTERN)]
"""A name, an owner, a provider: one line of at most 200 characters."""
Note = Annotated[str, Field(max_length=NOTE_MAX, pattern=TEXT_PATTERN)]
"""A reason or a note: one line of at most 500 characters (may be empty)."""
# strict scalars: YAML ``true`` is not a number and ``"yes"``/``1`` are not booleans
Flag = Annotated[bool, StrictMode()]
Whole = Annotated[int, StrictMode()]
Number = Annotated[float, StrictMode()]
MONEY_MAX = 1e9
"""Upper bound of any amount in the catalog (per month or once): a billion."""
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
VCPU_MAX, MEMORY_GB_MAX, DISK_GB_MAX = 4096, 65_536, 1_048_576
"""Beyond the largest machines either cloud rents (AWS u7in: 1,920 vCPU, 32 TiB memory)."""
DISKS_MAX = 256
"""Most disks one server may list (beyond any VM either cloud rents: Azure 64, AWS 128)."""
MAX_WAVE = 2600
"""Highest wave number a pin may name (weekly waves from 2050 to 2100)."""
MAX_SLOTS = 5000
"""The planner's horizon: no wave beyond slot 4999 (about 190 years of 14 days)."""
NOTICE_MONTHS_MAX = 120
"""Longest notice period of a contract (ten years)."""
HOURS_MAX = 87_600
"""Longest RTO or RPO (ten years)."""
CURRENCY_PATTERN = r"^[A-Z]{3}$"


def _check_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"expected a date from {EARLIEST} to {LATEST}, got {value}")
    return value


Day = Annotated[date, AfterValidator(_check_date)]
Money = Annotated[Number, Field(ge=0, le=MONEY_MAX)]
Level = Literal["office", "shared", "sector", "citizen"]
Disposition = Literal["rehost", "replatform", "rebuild", "repurchase", "retire", "retain"]
Criticality = Literal["low", "medium", "high", "critical"]
Classification = Literal["public", "internal", "confidential", "secret"]
Role = Literal["web", "app", "db", "file", "infra", "other"]
Environment = Literal["prod", "test", "dev"]
SqlLicence = Literal["none", "standard", "enterprise"]
Target = Literal["azure", "aws"]

MIGRATING_DISPOSITIONS: frozenset[str] = frozenset({"rehost", "replatform", "rebuild"})
CRITICALITY_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3, "critical": 4}


class Strict(BaseModel):
    """Base of every catalog model: unknown keys rejected, instances immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


@functools.lru_cache(maxsize=4096)
def parse_port(port: str) -> tuple[str, int, int]:
    """Split ``tcp/N`` or ``tcp/N-M`` into (protocol, first, last); raise ValueError if bad."""
    match = PORT_RE.match(port)
    if not match:
        raise ValueError(f"expected a port like tcp/443, udp/53 or tcp/8000-8100, got {port!r}")
    proto, first_text, last_text = match.groups()
    first = int(first_text)
    last = int(last_text) if last_text else first
    for number in (first, last):
        if not 1 <= number <= 65535:
            raise ValueError(f"expected port numbers 1..65535, got {port!r}")
    if last < first:
        raise ValueError(f"expected a range low-high, got {port!r} (ends before it starts)")
    return proto, first, last


def _check_port(port: str) -> str:
    parse_port(port)
    return port


Port = Annotated[str, AfterValidator(_check_port)]


def _check_network(network: str) -> str:
    # a network at the provider: the hybrid connection routes it (one rule, migration.ipv4)
    try:
        parsed = ipaddress.ip_network(network, strict=True)
    except ValueError:
        raise ValueError(
            f"expected a network in CIDR form like 10.10.0.0/16, got {network!r}"
        ) from None
    problem = provider_network_problem(parsed)
    if problem is not None:
        raise ValueError(f"expected {PROVIDER_NETWORK_EXAMPLE}, got {network!r} ({problem})")
    return str(parsed)


Network = Annotated[str, AfterValidator(_check_network)]


class Blackout(Strict):
    """A period in which nothing may be moved (holidays, year-end closing, school start)."""

    from_: Day = Field(alias="from")
    to: Day
    reason: Note = ""

    @model_validator(mode="after")
    def _ordered(self) -> Blackout:
        if self.to < self.from_:
            raise ValueError(
                f"expected 'to' on or after 'from', got from {self.from_} to {self.to}"
            )
        return self

    def overlaps(self, start: date, end: date) -> bool:
        """True when the closed interval [start, end] touches this blackout."""
        return start <= self.to and self.from_ <= end


class Dependency(Strict):
    """A consumer depends on a provider (``to``) over the given ports."""

    to: Slug
    ports: tuple[Port, ...] = Field(default=(), max_length=1000)
    latency_sensitive: Flag = False
    weight: Number = Field(default=1.0, gt=0, le=1e6)


class SystemDependency(Dependency):
    """A system-level dependency; ``from_roles``/``to_roles`` narrow which servers of the
    consumer and of the provider take part (empty: every role). Optional extension of v1."""

    from_roles: tuple[Role, ...] = ()
    to_roles: tuple[Role, ...] = ()


class Quotas(Strict):
    """The cloud account's limits (optional extension of v1, ``planning.quotas``).

    Defaults are the providers' documented defaults (Azure networking limits; Amazon VPC
    quotas); raise one only when the account's quota has been raised.
    """

    azure_rules_per_nsg: Whole = Field(default=1000, ge=1, le=1_000_000)
    azure_prefixes_per_nsg: Whole = Field(default=4000, ge=1, le=1_000_000)
    azure_asgs_per_rule_side: Whole = Field(default=10, ge=1, le=1_000_000)
    azure_asgs_per_subscription: Whole = Field(default=3000, ge=1, le=1_000_000)
    azure_subnets_per_vnet: Whole = Field(default=3000, ge=1, le=1_000_000)
    aws_rules_per_security_group: Whole = Field(default=60, ge=1, le=1_000_000)
    aws_security_groups_per_eni: Whole = Field(default=5, ge=1, le=1_000_000)
    aws_rules_times_groups: Whole = Field(default=1000, ge=1, le=1_000_000)
    aws_subnets_per_vpc: Whole = Field(default=200, ge=1, le=1_000_000)
    aws_security_groups_per_vpc: Whole = Field(default=2500, ge=1, le=1_000_000)
    aws_prefix_lists_per_region: Whole = Field(default=100, ge=1, le=1_000_000)


class Contract(Strict):
    """The hosting contract being exited."""

    provider: Text
    notice_months: Whole = Field(ge=0, le=NOTICE_MONTHS_MAX)
    ends: Day | None = None
    monthly_base_fee: Money | None = None
    exit_fee: Money | None = None


class Planning(Strict):
    """Planner options; every field has a default."""

    start: Day = date(2027, 2, 1)
    wave_days: Whole = Field(default=14, ge=1, le=366)
    max_servers_per_wave: Whole = Field(default=20, ge=1, le=1_000_000)
    max_vcpu_per_wave: Whole = Field(default=96, ge=1, le=100_000_000)
    pilot: Flag = True
    blackouts: tuple[Blackout, ...] = Field(default=(), max_length=1000)
    target: Target = "azure"
    region: str = Field(
        default="swedencentral",
        pattern=r"^[a-z0-9-]+$",
        max_length=64,
        description="The target's region, in the EU (migration/regions.py lists them); "
        "default swedencentral for azure, eu-north-1 for aws",
    )
    quotas: Quotas = Quotas()

    @model_validator(mode="before")
    @classmethod
    def _target_default_region(cls, data: object) -> object:
        # no region given: the target's default (an AWS plan must not get an Azure region)
        if isinstance(data, dict) and "region" not in data:
            target = data.get("target", "azure")
            if isinstance(target, str) and target in DEFAULT_REGIONS:
                return {**data, "region": DEFAULT_REGIONS[target]}
        return data

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str, info: ValidationInfo) -> str:
        # the region of planning.target (checked when the target itself is valid)
        target = info.data.get("target")
        problem = region_problem(target, value) if isinstance(target, str) else None
        if problem is not None:
            raise ValueError(problem)
        return value


class Licences(Strict):
    """Licence facts that change cloud prices (Hybrid Benefit, SQL editions)."""

    windows_software_assurance: Flag = False
    sql: SqlLicence = "none"
    # optional extension of v1: SQL Server licences with their own Software Assurance
    # (Windows Server SA does not cover SQL Server); enables Azure Hybrid Benefit for SQL
    # and AWS License Mobility
    sql_software_assurance: Flag = False


DnsName = Annotated[
    str,
    Field(
        pattern=r"^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$"
    ),
]


class Check(Strict):
    """A smoke test run after a cutover (optional extension of v1, ``checks`` on a system):
    what to run and what it must show."""

    name: Text
    run: Text
    expect: Text | None = None


class Approval(Strict):
    """A signatory of the exit plan (optional extension of v1, top-level ``approvals``)."""

    role: Text
    name: Text | None = None


class System(Strict):
    """A business system (application) and the facts that steer its move."""

    id: Slug
    name: Text
    level: Level
    sector: Slug
    owner: Text
    cost_centre: Text | None = None
    vendor: Text | None = None
    capabilities: tuple[Slug, ...] = Field(default=(), max_length=100)
    # optional extension of v1 (utflytt overlap): users where known; a documented open API
    users: Whole | None = Field(default=None, ge=0, le=100_000_000)
    open_api: Flag | None = None
    disposition: Disposition
    foundation: Flag = False
    criticality: Criticality
    data_classification: Classification
    personal_data: Flag
    rto_hours: Number | None = Field(default=None, gt=0, le=HOURS_MAX)
    rpo_hours: Number | None = Field(default=None, gt=0, le=HOURS_MAX)
    monthly_licence_cost: Money | None = None
    saas_monthly_cost: Money | None = None
    blackouts: tuple[Blackout, ...] = Field(default=(), max_length=1000)
    depends_on: tuple[SystemDependency, ...] = Field(default=(), max_length=100_000)
    # optional extensions of v1 for the cutover runbooks: what users reach (URLs, host:port),
    # the DNS records that move with the system, and its smoke tests
    endpoints: tuple[Text, ...] = Field(default=(), max_length=1000)
    dns_names: tuple[DnsName, ...] = Field(default=(), max_length=1000)
    checks: tuple[Check, ...] = Field(default=(), max_length=1000)
    # optional extension of v1: test/dev environments of a citizen-facing system that get a
    # public entrance too (prod always does; test and dev stay internal unless listed here)
    public_environments: tuple[Literal["test", "dev"], ...] = Field(default=(), max_length=2)

    @model_validator(mode="after")
    def _public_only_for_citizen(self) -> System:
        if self.public_environments and self.level != "citizen":
            raise ValueError(
                f"public_environments is only for citizen-level systems (level is {self.level!r})"
            )
        return self

    @property
    def migrates(self) -> bool:
        """True for dispositions that move servers to the cloud."""
        return self.disposition in MIGRATING_DISPOSITIONS


class Server(Strict):
    """A virtual or physical server at the current provider."""

    id: Slug
    system: Slug
    role: Role
    environment: Environment = "prod"
    os: str = Field(pattern=OS_PATTERN)
    vcpu: Whole = Field(ge=1, le=VCPU_MAX)
    memory_gb: Number = Field(gt=0, le=MEMORY_GB_MAX)
    disks_gb: tuple[Annotated[Number, Field(gt=0, le=DISK_GB_MAX)], ...] = Field(
        min_length=1, max_length=DISKS_MAX
    )
    cpu_p95: Number | None = Field(default=None, ge=0, le=1)
    memory_p95: Number | None = Field(default=None, ge=0, le=1)
    ip: str | None = Field(
        default=None,
        max_length=45,
        json_schema_extra={"format": "ipv4"},
        description="The server's IPv4 address at the provider (not loopback, link-local, "
        "multicast or reserved), unique among the servers still there",
    )
    monthly_cost: Money | None = None
    licences: Licences = Licences()
    depends_on: tuple[Dependency, ...] = Field(default=(), max_length=100_000)
    pinned_wave: Whole | None = Field(default=None, ge=0, le=MAX_WAVE)
    migrated: Flag = False
    # optional extensions of v1 for the cutover runbooks (see System)
    endpoints: tuple[Text, ...] = Field(default=(), max_length=1000)
    dns_names: tuple[DnsName, ...] = Field(default=(), max_length=1000)

    @field_validator("ip")
    @classmethod
    def _ip(cls, value: str | None) -> str | None:
        # its own address at the provider: the /32 that admits it while it is still there
        problem = None if value is None else server_address_problem(value)
        if problem is not None:
            raise ValueError(f"expected {SERVER_ADDRESS_EXAMPLE}, got {value!r} ({problem})")
        return value


class Entitlements(Strict):
    """Licences the city owns with Software Assurance (Hybrid Benefit, License Mobility)."""

    windows_server_sa_cores: Whole | None = Field(default=None, ge=0, le=10_000_000)
    sql_server_sa_cores: Whole | None = Field(default=None, ge=0, le=10_000_000)


AssumptionValue = float | int | bool | str | dict[str, float | bool]


class CostSection(Strict):
    """Optional ``cost:``: assumptions (keys as for ``utflytt cost --set``) and entitlements."""

    assumptions: dict[str, AssumptionValue] = Field(default_factory=dict)
    entitlements: Entitlements = Entitlements()


class Catalog(Strict):
    """A whole catalog: the contract, planner options, systems and servers."""

    version: Literal[1]
    organisation: Text
    currency: str = Field(default="EUR", pattern=CURRENCY_PATTERN)
    contract: Contract
    source_networks: tuple[Network, ...] = Field(default=(), max_length=1000)
    planning: Planning = Planning()
    systems: tuple[System, ...] = ()
    servers: tuple[Server, ...] = ()
    # optional extension of v1: who signs the exit plan (default roles when empty)
    approvals: tuple[Approval, ...] = Field(default=(), max_length=100)
    cost: CostSection = CostSection()

    @field_validator("version", mode="before")
    @classmethod
    def _whole_version(cls, value: object) -> object:
        if type(value) is not int:  # 1.0, true and "1" are not the version number 1
            raise ValueError(
                f"unsupported catalog version {value!r} (expected 1: this is catalog format v1)"
            )
        return value

    @model_validator(mode="after")
    def _pins_before_2100(self) -> Catalog:
        pinned = max((s.pinned_wave or 0 for s in self.servers), default=0)
        last = self.planning.start + timedelta(days=(pinned + 1) * self.planning.wave_days)
        if last > LATEST:
            raise ValueError(
                f"a server pinned to wave {pinned} would move after {LATEST} "
                f"({self.planning.wave_days}-day waves from {self.planning.start})"
            )
        return self

    def system(self, system_id: str) -> System:
        """The system with this id (KeyError if none)."""
        return self.systems_by_id[system_id]

    @property
    def systems_by_id(self) -> dict[str, System]:
        """Systems keyed by id (built on each call; cache it in loops)."""
        return {s.id: s for s in self.systems}

    @property
    def servers_by_id(self) -> dict[str, Server]:
        """Servers keyed by id (built on each call; cache it in loops)."""
        return {s.id: s for s in self.servers}
