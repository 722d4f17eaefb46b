"""Every assumption of the cost model, as data: defaults, the catalog's ``cost:`` section and
``utflytt cost --set key=value``, each value with where it came from.

Precedence: ``--set`` over the catalog's ``cost.assumptions`` over the defaults below. Every
value lands in cost.json ``assumptions`` and on the Assumptions sheet of cost.xlsx.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from migration.errors import UtflyttError
from migration.exitday import DECOMMISSION_LAG_DAYS
from migration.plan import Plan
from migration.sizing.options import SizingOptions
from migration.sizing.readiness import CONDITIONAL, NOT_READY, READY, UNKNOWN

OPTIONS = ("payg", "reserved-1y", "reserved-3y", "savings-plan-1y", "savings-plan-3y")
OPTION_ALIASES = {"savings-plan": "savings-plan-1y"}
ADA_FEE_RULES = ("decommission", "contract-end")
SCOPE_ITEMS = ("operations", "backup", "monitoring", "patching")
DEFAULT_EFFORT_HOURS = {"web": 8.0, "app": 16.0, "db": 24.0, "file": 12.0, "infra": 16.0}
DEFAULT_EFFORT_HOURS["other"] = 12.0
DEFAULT_READINESS_FACTOR = {READY: 1.0, CONDITIONAL: 1.5, UNKNOWN: 2.0, NOT_READY: 3.0}
DEFAULT_SCOPE = dict.fromkeys(SCOPE_ITEMS, True)
DEFAULT_OPS_HOURS = {"operations": 0.5, "monitoring": 0.25, "patching": 0.5}

# key -> what it means (the Assumptions sheet's text)
DESCRIPTIONS = {
    "option": "cloud compute pricing option: " + ", ".join(OPTIONS),
    "extra_years": "budget years after the last wave's year in the horizon",
    "decommission_lag_days": "days a moved server keeps running at ÅDA after its wave",
    "discount_rate": "yearly discount rate of the NPV",
    "sensitivity": "share by which every book price moves in the sensitivity test",
    "migration_rate_per_hour": "EUR per hour of one-time migration work",
    "effort_hours_by_role": "hours of migration work per server by role",
    "readiness_effort_factor": "multiplier of migration hours by readiness",
    "egress_gb_per_server": "internet egress GB per server and month",
    "logging_gb_per_server": "log ingestion GB per server and month",
    "ada_fee_until": "ÅDA per-server fee runs until: decommission (wave + lag) or contract-end",
    "ada_renewal_factor": "ÅDA prices after the contract ends, as a share of today's",
    "ada_indexation": "yearly indexation of ÅDA prices after the contract ends",
    "exit_fee_on_partial_exit": "charge the exit fee although servers stay at ÅDA",
    "ada_scope": "what the ÅDA per-server fee includes (true: the cloud side pays for it)",
    "ops_hours_per_server": "cloud operations hours per server and month, by scope item",
    "ops_rate_per_hour": "EUR per hour of cloud operations work",
    "ops_cost_per_server": "flat EUR per server and month for cloud operations "
    "(overrides hours x rate when set)",
    "public_entrances": "public entrances (gateways) per citizen-facing system",
    "devtest_hours_per_week": "hours a week test and dev servers run under a schedule",
    "eur_per_usd": "EUR per USD for the books' USD prices (default: the book's dated rate)",
    "fx_date": "date of eur_per_usd",
    "fx_source": "source of eur_per_usd",
}


@dataclass(frozen=True)
class CostOptions:
    """Everything the cost model assumes; every value lands in cost.json ``assumptions``."""

    option: str = "payg"
    years: tuple[int, ...] | None = None  # budget years; default: the plan's years + extra
    extra_years: int = 3
    decommission_lag_days: int = DECOMMISSION_LAG_DAYS
    discount_rate: float = 0.03
    sensitivity: float = 0.2
    migration_rate_per_hour: float = 95.0
    effort_hours_by_role: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_EFFORT_HOURS)
    )
    readiness_effort_factor: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_READINESS_FACTOR)
    )
    egress_gb_per_server: float = 20.0
    logging_gb_per_server: float = 2.0
    ada_fee_until: str = "decommission"
    ada_renewal_factor: float = 1.0
    ada_indexation: float = 0.03
    exit_fee_on_partial_exit: bool = False
    ada_scope: Mapping[str, bool] = field(default_factory=lambda: dict(DEFAULT_SCOPE))
    ops_hours_per_server: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_OPS_HOURS)
    )
    ops_rate_per_hour: float = 65.0
    ops_cost_per_server: float | None = None
    public_entrances: int = 1
    devtest_hours_per_week: float = 60.0
    eur_per_usd: float | None = None
    fx_date: str | None = None
    fx_source: str | None = None
    azure_region: str | None = None
    aws_region: str | None = None
    sizing: SizingOptions = SizingOptions()
    books_dir: Path | None = None
    origins: Mapping[str, str] = field(default_factory=dict)  # key -> set by (catalog | --set)

    def __post_init__(self) -> None:
        option = OPTION_ALIASES.get(self.option, self.option)
        if option not in OPTIONS:
            raise ValueError(f"option must be one of {', '.join(OPTIONS)}, got {self.option!r}")
        object.__setattr__(self, "option", option)
        if not 0 <= self.sensitivity < 1:
            raise ValueError(f"sensitivity must be in [0, 1), got {self.sensitivity}")
        if self.ada_fee_until not in ADA_FEE_RULES:
            raise ValueError(
                f"ada_fee_until must be one of {', '.join(ADA_FEE_RULES)}, "
                f"got {self.ada_fee_until!r}"
            )
        unknown = sorted(set(self.ada_scope) - set(SCOPE_ITEMS))
        if unknown:
            raise ValueError(
                f"ada_scope: unknown item {unknown[0]!r} (expected {', '.join(SCOPE_ITEMS)})"
            )
        for name in ("discount_rate", "ada_indexation"):
            if not -0.5 < getattr(self, name) < 1:
                raise ValueError(f"{name} must be a share between -0.5 and 1")
        if self.years is not None:
            # the monthly series index months from the first year on: a gap would shift
            # every later year's figures into the wrong column
            ordered = sorted(set(self.years))
            if not ordered or ordered != list(range(ordered[0], ordered[-1] + 1)):
                raise ValueError(f"years must be consecutive budget years, got {self.years}")

    def region(self, provider: str, plan: Plan) -> str | None:
        """Planned region for a provider: the option, else the plan's region for its target."""
        chosen = self.azure_region if provider == "azure" else self.aws_region
        if chosen is not None:
            return chosen
        return plan.target.region if plan.target.provider == provider else None

    def scope_hours(self) -> float:
        """Cloud operations hours per server and month for what ÅDA's fee includes."""
        return sum(
            hours
            for item, hours in self.ops_hours_per_server.items()
            if self.ada_scope.get(item, False)
        )

    def ops_per_server(self) -> float:
        """EUR per server and month of cloud operations (like-for-like with ÅDA's scope)."""
        if self.ops_cost_per_server is not None:
            return self.ops_cost_per_server
        return self.scope_hours() * self.ops_rate_per_hour


SETTABLE = tuple(DESCRIPTIONS)
_MAPPINGS = {
    "effort_hours_by_role",
    "readiness_effort_factor",
    "ada_scope",
    "ops_hours_per_server",
}


def _coerce(key: str, value: Any, where: str) -> Any:
    """A value of the right type for an assumption, or a UtflyttError naming where."""
    current = {f.name: f for f in fields(CostOptions)}[key]
    kind = str(current.type)
    try:
        if key in _MAPPINGS:
            if isinstance(value, str):
                value = json.loads(value)
            if not isinstance(value, Mapping):
                raise ValueError("expected a mapping like {web: 8, app: 16}")
            if key == "ada_scope":
                return {str(k): _bool(v) for k, v in value.items()}
            return {str(k): float(v) for k, v in value.items()}
        if kind.startswith("bool"):
            return _bool(value)
        if kind.startswith("int"):
            return int(value)
        if kind.startswith("float | None"):
            return None if value in (None, "", "none", "null") else float(value)
        if kind.startswith("float"):
            return float(value)
        return None if value is None else str(value)
    except (TypeError, ValueError, json.JSONDecodeError) as exc:
        raise UtflyttError(f"{where}: {key}: {exc}") from None


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def with_assumptions(
    options: CostOptions, values: Mapping[str, Any], origin: str, where: str
) -> CostOptions:
    """``options`` with these assumption values applied (each checked and recorded)."""
    changes: dict[str, Any] = {}
    for key, value in values.items():
        name = key.replace("-", "_")
        if name not in SETTABLE:
            raise UtflyttError(
                f"{where}: unknown assumption {key!r}; settable: {', '.join(SETTABLE)}"
            )
        changes[name] = _coerce(name, value, where)
    origins = {**options.origins, **dict.fromkeys(changes, origin)}
    try:
        return replace(options, **changes, origins=origins)
    except ValueError as exc:
        raise UtflyttError(f"{where}: {exc}") from None


def parse_set(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``key=value`` strings (from ``--set``) as a mapping; a pair without ``=`` is an error."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UtflyttError(f"--set {pair!r}: expected key=value, e.g. discount_rate=0.04")
        values[key.strip()] = value.strip()
    return values


def assumptions_doc(opts: CostOptions) -> dict[str, Any]:
    """cost.json ``assumptions``: every value, what it means and where it was set."""
    values: dict[str, Any] = {}
    for key in SETTABLE:
        value = getattr(opts, key)
        if isinstance(value, Mapping):
            value = dict(sorted(value.items()))
        values[key] = value
    return {
        **values,
        "pricing_option": opts.option,
        "egress_gb_per_server_month": opts.egress_gb_per_server,
        "ops_eur_per_server_month": round(opts.ops_per_server(), 2),
        "comfort_factor": opts.sizing.comfort_factor,
        "performance_based": opts.sizing.performance_based,
        "families": {
            "azure": list(opts.sizing.azure_families),
            "aws": list(opts.sizing.aws_families),
        },
        "hours_per_month": 730,
        "explained": {k: DESCRIPTIONS[k] for k in SETTABLE},
        "set_by": {k: opts.origins.get(k, "default") for k in SETTABLE},
    }
