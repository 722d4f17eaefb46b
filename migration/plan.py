"""The plan.json contract (docs/contracts.md, "plan.json"), as pydantic models.

The keys named in docs/contracts.md are what other tools rely on; everything else is an optional
extension that carries what the Pulumi program, the cost model and the exit plan need, so
that each of them reads the plan and nothing else. Never remove or rename a key; add
optional fields only.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from migration.allocations import Allocations
from migration.errors import InputFileError
from migration.fileio import read_input_text
from migration.generation import settle

SCHEMA_VERSION = 1
Readiness = Literal["ready", "conditionally ready", "not ready", "unknown"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Target(_Model):
    """Cloud provider and region the plan is for."""

    provider: Literal["azure", "aws"]
    region: str


class Wave(_Model):
    """One dated wave; wave 0 is the landing zone and the foundation systems."""

    number: int = Field(ge=0)
    name: str  # wave-00, wave-01, ...
    start: date
    end: date
    frozen: bool = False
    systems: tuple[str, ...] = ()
    servers: tuple[str, ...] = ()
    vcpu: int = 0
    reasons: dict[str, str] = Field(default_factory=dict)  # system id -> why it is here
    # extensions
    risk: dict[str, object] = Field(default_factory=dict)
    hybrid_flows_open: int = 0


class PlannedServer(_Model):
    """A server as planned: its wave (None when not migrated), size and readiness."""

    wave: int | None
    sku: str | None = None
    readiness: Readiness = "unknown"
    # extensions: catalog facts the stacks, cost model and exit plan need
    system: str = ""
    environment: str = "prod"
    role: str = "other"
    os: str = ""
    vcpu: int = 1
    memory_gb: float = 1.0
    disks_gb: tuple[float, ...] = ()
    ip: str | None = None
    disposition: str = "rehost"
    migrated: bool = False
    readiness_reasons: tuple[str, ...] = ()
    monthly_price: float | None = None
    price_source: str | None = None
    reason: str = ""


class PlannedSystem(_Model):
    """A system's facts that travel with the plan (tags, network exposure, backup)."""

    name: str
    level: str
    sector: str
    owner: str
    disposition: str
    criticality: str
    data_classification: str
    personal_data: bool
    foundation: bool = False
    cost_centre: str | None = None
    rpo_hours: float | None = None
    rto_hours: float | None = None
    wave: int | None = None
    public_environments: tuple[str, ...] = ()  # test/dev with a public entrance


class Flow(_Model):
    """A server-to-server dependency as the network sees it (consumer -> provider)."""

    from_: str = Field(alias="from")
    to: str
    ports: tuple[str, ...] = ()
    latency_sensitive: bool = False
    weight: float = 1.0


class HybridFlow(_Model):
    """A dependency whose ends are in different places for a while (or for good)."""

    from_: str = Field(alias="from")
    to: str
    ports: tuple[str, ...] = ()
    from_wave: int | None
    to_wave: int | None
    days: int | None
    # extension: "retained" flows never close; "repoint" flows go to a retired/SaaS system
    kind: Literal["temporary", "retained", "repoint"] = "temporary"


class Warning_(_Model):
    """A planning warning: what, and the ids it concerns."""

    code: str
    message: str
    subjects: tuple[str, ...] = ()


class NotMigrated(_Model):
    """Servers that are not moved, by their system's disposition."""

    retain: tuple[str, ...] = ()
    retire: tuple[str, ...] = ()
    repurchase: tuple[str, ...] = ()


class Plan(_Model):
    """The whole plan.json."""

    schema_version: Literal[1] = 1
    catalog_sha256: str
    target: Target
    notice_date: date | None
    deadline: date | None
    waves: tuple[Wave, ...]
    not_migrated: NotMigrated
    servers: dict[str, PlannedServer]
    hybrid_flows: tuple[HybridFlow, ...] = ()
    warnings: tuple[Warning_, ...] = ()
    # extensions
    organisation: str = ""
    provider_name: str = ""  # the hosting provider being left (contract.provider)
    currency: str = "EUR"
    source_networks: tuple[str, ...] = ()
    systems: dict[str, PlannedSystem] = Field(default_factory=dict)
    flows: tuple[Flow, ...] = ()
    quality: dict[str, Any] = Field(default_factory=dict)  # JSON: gates and metrics
    # the cloud account's raised limits the network was checked against (planning.quotas,
    # only the keys that differ from the providers' defaults)
    quotas: dict[str, int] = Field(default_factory=dict)
    # what a re-plan must not change (subnets, IPs, names), as in the stack-config folder's
    # allocations.json: the stacks read it here (empty in plans made before it existed)
    allocations: Allocations = Field(default_factory=Allocations)

    def wave(self, number: int) -> Wave:
        """The wave with this number (KeyError if none)."""
        for wave in self.waves:
            if wave.number == number:
                return wave
        raise KeyError(number)

    def to_json_dict(self) -> dict[str, object]:
        """The JSON-ready dict (aliases, ISO dates); serialise with ``fileio.dumps_json``."""
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def json_keys(cls) -> tuple[str, ...]:
        """The top-level keys of :meth:`to_json_dict`."""
        return tuple(f.alias or name for name, f in cls.model_fields.items())

    def json_member(self, key: str) -> object:
        """One member of :meth:`to_json_dict`, made alone (plan.json is streamed member by
        member: the whole document's dict never exists at once)."""
        name = next(n for n, f in type(self).model_fields.items() if (f.alias or n) == key)
        return self.model_dump(mode="json", by_alias=True, include={name})[key]


STALE_PLAN = """\
{plan} was made from another catalog than {catalog}
(catalog SHA-256 {actual}, plan says {expected}).
Run `utflytt plan {catalog}` again, then retry."""


def read_plan_for(path: str | Path, catalog_path: str | Path, catalog_sha256: str) -> Plan:
    """Load a plan.json made from the catalog at ``catalog_path`` (whose files hash to
    ``catalog_sha256``); a plan of another catalog is an :class:`InputFileError` that says
    to plan again. Every command that takes both a catalog and ``--plan`` reads it here."""
    plan = read_plan(path)
    if plan.catalog_sha256 != catalog_sha256:
        raise InputFileError(
            STALE_PLAN.format(
                plan=path,
                catalog=catalog_path,
                actual=catalog_sha256[:12],
                expected=plan.catalog_sha256[:12],
            )
        )
    return plan


def read_plan(path: str | Path) -> Plan:
    """Load a plan.json; raise :class:`InputFileError` naming the file and field if invalid."""
    file = Path(path)
    settle(file.parent)  # a run killed while switching generations is rolled back first
    text = read_input_text(file, "plan", "a plan.json")  # a pipe or device too, bounded
    try:
        return Plan.model_validate_json(text)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputFileError(
            f"{file}: not a utflytt plan.json (schema {SCHEMA_VERSION}): {where}: {first['msg']}"
        ) from None
