"""Pydantic models of catalog format v1 (see DESIGN.md, "Catalog format v1").

Every model is strict about its keys (``extra="forbid"``: a typo must not pass silently) and
frozen; sequences are tuples so that a loaded catalog cannot be changed by accident.
Cross-references between records (unknown ids, duplicates, self-dependencies) are checked in
:mod:`migration.catalog.checks`, because they need the whole catalog.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
OS_PATTERN = r"^[a-z0-9][a-z0-9.-]{0,62}$"
PORT_RE = re.compile(r"^(tcp|udp)/([0-9]{1,5})(?:-([0-9]{1,5}))?$")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# canonical dotted-quad IPv4 (no leading zeros): accepted without the slower ipaddress parse
IPV4_RE = re.compile(rf"^{_OCTET}(?:\.{_OCTET}){{3}}$")

Slug = Annotated[str, Field(pattern=SLUG_PATTERN, description="lower-case slug")]
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

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


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
    try:
        return str(ipaddress.ip_network(network, strict=True))
    except ValueError:
        raise ValueError(
            f"expected a network in CIDR form like 10.10.0.0/16, got {network!r}"
        ) from None


Network = Annotated[str, AfterValidator(_check_network)]


class Blackout(Strict):
    """A period in which nothing may be moved (holidays, year-end closing, school start)."""

    from_: date = Field(alias="from")
    to: date
    reason: str = ""

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
    ports: tuple[Port, ...] = ()
    latency_sensitive: bool = False
    weight: float = Field(default=1.0, gt=0)


class Contract(Strict):
    """The hosting contract being exited."""

    provider: str = Field(min_length=1)
    notice_months: int = Field(ge=0)
    ends: date | None = None
    monthly_base_fee: float | None = Field(default=None, ge=0)
    exit_fee: float | None = Field(default=None, ge=0)


class Planning(Strict):
    """Planner options; every field has a default."""

    start: date = date(2027, 2, 1)
    wave_days: int = Field(default=14, ge=1, le=366)
    max_servers_per_wave: int = Field(default=20, ge=1)
    max_vcpu_per_wave: int = Field(default=96, ge=1)
    pilot: bool = True
    blackouts: tuple[Blackout, ...] = ()
    target: Target = "azure"
    region: str = Field(default="swedencentral", pattern=r"^[a-z0-9-]+$")


class Licences(Strict):
    """Licence facts that change cloud prices (Hybrid Benefit, SQL editions)."""

    windows_software_assurance: bool = False
    sql: SqlLicence = "none"
    # optional extension of v1: SQL Server licences with their own Software Assurance
    # (Windows Server SA does not cover SQL Server); enables Azure Hybrid Benefit for SQL
    # and AWS License Mobility
    sql_software_assurance: bool = False


class System(Strict):
    """A business system (application) and the facts that steer its move."""

    id: Slug
    name: str = Field(min_length=1)
    level: Level
    sector: Slug
    owner: str = Field(min_length=1)
    cost_centre: str | None = None
    vendor: str | None = None
    capabilities: tuple[Slug, ...] = ()
    disposition: Disposition
    foundation: bool = False
    criticality: Criticality
    data_classification: Classification
    personal_data: bool
    rto_hours: float | None = Field(default=None, gt=0)
    rpo_hours: float | None = Field(default=None, gt=0)
    monthly_licence_cost: float | None = Field(default=None, ge=0)
    saas_monthly_cost: float | None = Field(default=None, ge=0)
    blackouts: tuple[Blackout, ...] = ()
    depends_on: tuple[Dependency, ...] = ()
    # test/dev environments of a citizen-facing system that get a public entrance too
    # (prod always does; test and dev stay internal unless listed here)
    public_environments: tuple[Literal["test", "dev"], ...] = ()

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
    vcpu: int = Field(ge=1)
    memory_gb: float = Field(gt=0)
    disks_gb: tuple[Annotated[float, Field(gt=0)], ...] = Field(min_length=1)
    cpu_p95: float | None = Field(default=None, ge=0, le=1)
    memory_p95: float | None = Field(default=None, ge=0, le=1)
    ip: str | None = None
    monthly_cost: float | None = Field(default=None, ge=0)
    licences: Licences = Licences()
    depends_on: tuple[Dependency, ...] = ()
    pinned_wave: int | None = Field(default=None, ge=0)
    migrated: bool = False

    @field_validator("ip")
    @classmethod
    def _ip(cls, value: str | None) -> str | None:
        if value is None or IPV4_RE.match(value):
            return value
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise ValueError(f"expected an IPv4 or IPv6 address, got {value!r}") from None


class Catalog(Strict):
    """A whole catalog: the contract, planner options, systems and servers."""

    version: Literal[1]
    organisation: str = Field(min_length=1)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    contract: Contract
    source_networks: tuple[Network, ...] = ()
    planning: Planning = Planning()
    systems: tuple[System, ...] = ()
    servers: tuple[Server, ...] = ()

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
