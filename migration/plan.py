"""The plan.json contract (docs/contracts.md, "plan.json"), as pydantic models.

The keys named in docs/contracts.md are what other tools rely on; everything else is an optional
extension that carries what the Pulumi program, the cost model and the exit plan need, so
that each of them reads the plan and nothing else. Never remove or rename a key; add
optional fields only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from migration.allocations import Allocations
from migration.catalog.models import (
    CURRENCY_PATTERN,
    DISK_GB_MAX,
    DISKS_MAX,
    HOURS_MAX,
    MAX_SLOTS,
    MEMORY_GB_MAX,
    VCPU_MAX,
    Catalog,
    Classification,
    Criticality,
    Day,
    Disposition,
    Environment,
    Level,
    Money,
    Network,
    Role,
    Slug,
    Text,
)
from migration.errors import InputFileError
from migration.fileio import read_input_text
from migration.generation import settle
from migration.plan_checks import (
    DAYS_MAX,
    PORT_PATTERN,
    SCHEMA_VERSION,
    WAVE_NAME_PATTERN,
    Derived,
    Label,
    NoticeDay,
    OsOrEmpty,
    SlugOrEmpty,
    catalog_problems,
    check_plan,
    describe_error,
)

Readiness = Literal["ready", "conditionally ready", "not ready", "unknown"]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


# Every bound is the catalog's (migration.catalog.models): a plan holds what a valid catalog
# gives, so a hand-edited plan.json is held to the same limits (read_plan adds strict types
# and the cross-references of migration.plan_checks).
WaveNumber = Annotated[int, Field(ge=0, lt=MAX_SLOTS)]  # the planner's horizon
Port = Annotated[str, Field(pattern=PORT_PATTERN)]  # ranges checked in plan_checks


class Target(_Model):
    """Cloud provider and region the plan is for."""

    provider: Literal["azure", "aws"]
    region: str = Field(pattern=r"^[a-z0-9-]+$", max_length=64)


class Wave(_Model):
    """One dated wave; wave 0 is the landing zone and the foundation systems."""

    number: WaveNumber
    name: str = Field(pattern=WAVE_NAME_PATTERN)  # wave-00, wave-01, ...
    start: Day
    end: Day
    frozen: bool = False
    systems: tuple[str, ...] = ()  # ids of `systems` and `servers` (plan_checks)
    servers: tuple[str, ...] = ()
    vcpu: int = Field(default=0, ge=0)  # at most VCPU_MAX a server (plan_checks)
    reasons: dict[Slug, Derived] = Field(default_factory=dict)  # system id -> why it is here
    # extensions
    risk: dict[str, object] = Field(default_factory=dict)
    hybrid_flows_open: int = Field(default=0, ge=0)  # at most the plan's hybrid flows


class PlannedServer(_Model):
    """A server as planned: its wave (None when not migrated), size and readiness."""

    wave: WaveNumber | None
    sku: Text | None = None
    readiness: Readiness = "unknown"
    # extensions: catalog facts the stacks, cost model and exit plan need
    system: SlugOrEmpty = ""
    environment: Environment = "prod"
    role: Role = "other"
    os: OsOrEmpty = ""
    vcpu: int = Field(default=1, ge=1, le=VCPU_MAX)
    memory_gb: float = Field(default=1.0, gt=0, le=MEMORY_GB_MAX)
    disks_gb: tuple[Annotated[float, Field(gt=0, le=DISK_GB_MAX)], ...] = Field(
        default=(), max_length=DISKS_MAX
    )
    ip: str | None = Field(default=None, max_length=45)  # canonical: plan_checks
    disposition: Disposition = "rehost"
    migrated: bool = False
    readiness_reasons: tuple[Derived, ...] = ()
    monthly_price: Money | None = None
    price_source: Derived | None = None
    reason: Derived = ""


class PlannedSystem(_Model):
    """A system's facts that travel with the plan (tags, network exposure, backup)."""

    name: Text
    level: Level
    sector: Slug
    owner: Text
    disposition: Disposition
    criticality: Criticality
    data_classification: Classification
    personal_data: bool
    foundation: bool = False
    cost_centre: Text | None = None
    rpo_hours: float | None = Field(default=None, gt=0, le=HOURS_MAX)
    rto_hours: float | None = Field(default=None, gt=0, le=HOURS_MAX)
    wave: WaveNumber | None = None
    public_environments: tuple[Literal["test", "dev"], ...] = Field(default=(), max_length=2)


class Flow(_Model):
    """A server-to-server dependency as the network sees it (consumer -> provider)."""

    from_: str = Field(alias="from")  # ids of `servers` (plan_checks)
    to: str
    ports: tuple[Port, ...] = ()
    latency_sensitive: bool = False
    weight: float = Field(default=1.0, gt=0)  # declarations' weights added: no upper bound


class HybridFlow(_Model):
    """A dependency whose ends are in different places for a while (or for good)."""

    from_: str = Field(alias="from")  # ids of `servers` (plan_checks)
    to: str
    ports: tuple[Port, ...] = ()
    from_wave: WaveNumber | None
    to_wave: WaveNumber | None
    days: Annotated[int, Field(ge=0, le=DAYS_MAX)] | None
    # extension: "retained" flows never close; "repoint" flows go to a retired/SaaS system
    kind: Literal["temporary", "retained", "repoint"] = "temporary"


class Warning_(_Model):
    """A planning warning: what, and the ids it concerns."""

    code: Slug
    # texts from allocations.json too, not only the catalog: checked on read (plan_checks)
    message: str
    subjects: tuple[str, ...] = ()


class NotMigrated(_Model):
    """Servers that are not moved, by their system's disposition."""

    retain: tuple[str, ...] = ()  # ids of `servers` (plan_checks)
    retire: tuple[str, ...] = ()
    repurchase: tuple[str, ...] = ()


class Plan(_Model):
    """The whole plan.json."""

    schema_version: Literal[1] = 1
    catalog_sha256: str  # SHA-256 hex: checked on read (tests build plans of "estate")
    target: Target
    notice_date: NoticeDay | None  # the deadline less the notice: before 2000 may be
    deadline: Day | None
    waves: tuple[Wave, ...]
    not_migrated: NotMigrated
    servers: dict[Slug, PlannedServer]
    hybrid_flows: tuple[HybridFlow, ...] = ()
    warnings: tuple[Warning_, ...] = ()
    # extensions
    organisation: Label = ""
    provider_name: Label = ""  # the hosting provider being left (contract.provider)
    currency: str = Field(default="EUR", pattern=CURRENCY_PATTERN)
    source_networks: tuple[Network, ...] = ()
    systems: dict[Slug, PlannedSystem] = Field(default_factory=dict)
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


def read_plan_for(
    path: str | Path,
    catalog_path: str | Path,
    catalog_sha256: str,
    *,
    catalog: Catalog | None = None,
) -> Plan:
    """Load a plan.json made from the catalog at ``catalog_path`` (whose files hash to
    ``catalog_sha256``); a plan of another catalog is an :class:`InputFileError` that says
    to plan again. Every command that takes both a catalog and ``--plan`` reads it here.

    With ``catalog`` (the one loaded from ``catalog_path``), the plan's servers and systems
    must be the catalog's: a plan that says it was made from it but was edited since (a
    server renamed or dropped) is refused with the JSON path, not priced or documented."""
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
    if catalog is not None:
        problems = catalog_problems(plan, catalog, str(catalog_path))
        first = next(problems, None)
        if first is not None:
            raise InputFileError(_not_a_plan(Path(path), first, 1 + sum(1 for _ in problems)))
    return plan


def read_plan(path: str | Path) -> Plan:
    """Load a plan.json; raise :class:`InputFileError` naming the file, the JSON path and
    what was expected when it is not one utflytt could have written.

    Read strictly (``"3"`` is not a wave number, ``1`` not a boolean), within the catalog's
    bounds, then checked as a whole (:mod:`migration.plan_checks`): a hand-edited plan
    either means what a written one means or is refused here, before any command uses it.
    """
    file = Path(path)
    settle(file.parent)  # a run killed while switching generations is rolled back first
    text = read_input_text(file, "plan", "a plan.json")  # a pipe or device too, bounded
    try:
        plan = Plan.model_validate_json(text, strict=True)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise InputFileError(_not_a_plan(file, describe_error(errors[0]), len(errors))) from None
    problem = check_plan(plan)
    if problem is not None:
        raise InputFileError(_not_a_plan(file, *problem))
    return plan


def read_plan_for_stacks(path: str | Path) -> Plan:
    """:func:`read_plan`, for the Pulumi program and ``utflytt preview``: the stacks tag,
    name and back up each server by its system's facts, so every migrating server's system
    must be in ``systems`` (a plan.json made before that field existed has none: plan
    again)."""
    plan = read_plan(path)
    for sid, server in plan.servers.items():
        if server.wave is not None and server.system not in plan.systems:
            raise InputFileError(
                f"{path}: servers.{sid}: its system {server.system!r} is not in `systems`, "
                "which the stacks need (a plan.json from an older utflytt, or edited); run "
                "`utflytt plan` again"
            )
    return plan


def _not_a_plan(file: Path, problem: str, count: int) -> str:
    more = f" (and {count - 1} more)" if count > 1 else ""
    return f"{file}: not a utflytt plan.json (schema {SCHEMA_VERSION}): {problem}{more}"
