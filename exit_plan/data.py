"""The exit plan's data files (checklist items, runbook tasks, sources, labels) as models.

Checklist items live in ``checklist/<phase>.yaml``, one file per phase; sources in
``sources.yaml``; runbook tasks and rollback criteria in ``runbook.yaml``; interface text in
``labels.yaml``. Everything is validated when loaded: an unknown key, an unknown fact in a
condition, an unknown owner role or an unknown source key is an error, so a typo in the data
fails the test suite instead of silently dropping an item.

The condition language (``per`` + ``when``) is small on purpose:

- ``per``: ``once`` (one item for the whole exit), ``system``, ``server`` or ``wave``;
- ``when``: a mapping of fact name -> value; every pair must hold. A list value means "any
  of these". The facts each ``per`` offers are listed in :data:`FACTS`.

Due dates: ``due: {from: ANCHOR, days: N}``, N may be negative. Anchors (see
:mod:`exit_plan.timeline`): ``first_wave_start``, ``last_wave_end``, ``exit_day`` (the one
exit day the cost model also uses), ``switch_request_a`` (option A: the Data Act switching
request before wave 0), ``notice_b`` (option B: notice as late as the exit day allows),
``retrieval_end`` and ``erasure`` (Data Act retrieval period after the exit day, then
erasure), and for items per wave, system or server ``wave_start`` / ``wave_end`` (that
subject's wave). Subjects without a wave (retained, retired, repurchased systems) use
``otherwise``, which is required then.

Sequence: ``gates: first_wave`` (the item must be done before wave 0) or ``gates: wave``
(before the subject's own wave) requires a due date before that wave starts; ``before:
[ids]`` says the item is due before those items (same anchor, fewer days), which is how the
legal and governance gates come before procurement. ``kind`` classifies the item for
exit-plan.json (default from its phase).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

Lang = Literal["sv", "en"]
LANGS: tuple[Lang, ...] = ("sv", "en")
Scope = Literal["once", "system", "server", "wave"]
Anchor = Literal[
    "first_wave_start",
    "last_wave_end",
    "exit_day",
    "switch_request_a",
    "notice_b",
    "retrieval_end",
    "erasure",
    "wave_start",
    "wave_end",
]
Kind = Literal[
    "legal", "governance", "procurement", "contract", "data", "technical", "decommission"
]
Gate = Literal["first_wave", "wave"]
WAVE_ANCHORS: frozenset[str] = frozenset({"wave_start", "wave_end"})
PHASES: tuple[str, ...] = (
    "governance",
    "contract",
    "data",
    "cutover",
    "security",
    "licensing",
    "decommissioning",
    "signoff",
)
PHASE_KIND: dict[str, Kind] = {
    "governance": "governance",
    "contract": "contract",
    "data": "data",
    "cutover": "technical",
    "security": "technical",
    "licensing": "contract",
    "decommissioning": "decommission",
    "signoff": "governance",
}
# Anchors an item gating wave 0 may count from (both fall before wave 0 starts).
FIRST_WAVE_GATE_ANCHORS: frozenset[str] = frozenset({"first_wave_start", "switch_request_a"})
ROLES: tuple[str, ...] = (
    "city_council",
    "city_board",
    "exit_owner",
    "legal",
    "procurement",
    "finance",
    "dpo",
    "archivist",
    "system_owner",
    "migration_lead",
    "network_engineer",
    "security_officer",
    "licence_manager",
    "communications",
)

# The facts a condition may test, per scope, with the values they take (None: any value of
# the given type). Computed in exit_plan.facts; kept here so the data can be validated.
FACTS: dict[str, dict[str, tuple[object, ...] | type]] = {
    "once": {
        "target": ("azure", "aws"),
        "notice_over_max": bool,
        "exit_fee_after_ban_date": bool,
        "exit_fee_before_ban_date": bool,
        "has_personal_data": bool,
        "has_retain": bool,
        "has_retire": bool,
        "has_repurchase": bool,
        "has_citizen": bool,
    },
    "system": {
        "level": ("office", "shared", "sector", "citizen"),
        "disposition": ("rehost", "replatform", "rebuild", "repurchase", "retire", "retain"),
        "migrates": bool,
        "personal_data": bool,
        "data_classification": ("public", "internal", "confidential", "secret"),
        "criticality": ("low", "medium", "high", "critical"),
        "foundation": bool,
        "has_dependants": bool,
        "target": ("azure", "aws"),
    },
    "server": {
        "os_family": ("windows", "linux", "other"),
        "windows_software_assurance": bool,
        "sql": ("none", "standard", "enterprise"),
        "os_end_of_support": bool,
        "disposition": ("rehost", "replatform", "rebuild", "repurchase", "retire", "retain"),
        "migrates": bool,
        "environment": ("prod", "test", "dev"),
        "target": ("azure", "aws"),
    },
    "wave": {
        "number": int,
        "frozen": bool,
        "has_citizen": bool,
        "has_personal_data": bool,
        "opens_flows": bool,
        "closes_flows": bool,
        "pilot": bool,
        "critical": bool,
    },
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Strict):
    """A text in both languages."""

    sv: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        """The text in ``lang``."""
        return self.sv if lang == "sv" else self.en


class Source(_Strict):
    """A cited source: what it is, which part, and where to read it."""

    kind: Literal["law", "guidance", "good-practice", "vendor", "inference", "internal"]
    title: str = Field(min_length=1)  # the official title (quoted as is in every language)
    title_sv: str | None = None  # the official Swedish title, where the act has one
    section: Text  # what the source says that the item relies on
    url: str | None = None

    def title_in(self, lang: Lang) -> str:
        """The official title in ``lang`` where there is one, else the original."""
        return self.title_sv if lang == "sv" and self.title_sv else self.title

    @model_validator(mode="after")
    def _url(self) -> Source:
        if self.url is None and self.kind not in ("inference", "internal"):
            raise ValueError(f"a {self.kind} source needs a url")
        if self.url is not None and not self.url.startswith(("https://", "http://")):
            raise ValueError(f"expected an http(s) url, got {self.url!r}")
        return self


class AnchorRule(_Strict):
    """A date relative to an anchor of the plan."""

    from_: Anchor = Field(alias="from")
    days: int


class DueRule(AnchorRule):
    """When an item is due; ``otherwise`` for subjects that have no wave."""

    otherwise: AnchorRule | None = None


def _check_when(scope: str, when: dict[str, Any], where: str) -> None:
    allowed = FACTS[scope]
    for key, value in when.items():
        if key not in allowed:
            raise ValueError(
                f"{where}: unknown fact {key!r} for per: {scope}; expected one of "
                f"{', '.join(sorted(allowed))}"
            )
        kind = allowed[key]
        values = value if isinstance(value, list) else [value]
        for one in values:
            if isinstance(kind, tuple):
                if one not in kind:
                    raise ValueError(f"{where}: {key}: expected one of {kind}, got {one!r}")
            elif not isinstance(one, kind) or (kind is int and isinstance(one, bool)):
                raise ValueError(f"{where}: {key}: expected {kind.__name__}, got {one!r}")


class ChecklistItem(_Strict):
    """One checklist rule; it yields one entry per subject that meets ``when``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    phase: str = ""
    kind: Kind | None = None
    gates: Gate | None = None
    before: tuple[str, ...] = ()
    per: Scope = "once"
    when: dict[str, Any] = Field(default_factory=dict)
    due: DueRule
    owner: str
    title: Text
    text: Text
    evidence: Text
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ChecklistItem:
        _check_when(self.per, self.when, self.id)
        if self.owner not in ROLES:
            raise ValueError(f"{self.id}: unknown owner role {self.owner!r}")
        for rule in (self.due, self.due.otherwise):
            if rule is not None and rule.from_ in WAVE_ANCHORS and self.per == "once":
                raise ValueError(f"{self.id}: {rule.from_} needs per: wave, system or server")
        if self.due.from_ in WAVE_ANCHORS and self.per in ("system", "server"):
            if self.due.otherwise is None:
                raise ValueError(
                    f"{self.id}: due from {self.due.from_} needs 'otherwise' for subjects "
                    "without a wave"
                )
        if self.due.otherwise is not None and self.due.otherwise.from_ in WAVE_ANCHORS:
            raise ValueError(f"{self.id}: 'otherwise' must not use a wave anchor")
        self._check_gate()
        return self

    def _check_gate(self) -> None:
        if self.gates is None:
            return
        if self.due.days >= 0:
            raise ValueError(f"{self.id}: gates {self.gates} needs a due date before the wave")
        if self.gates == "first_wave" and self.due.from_ not in FIRST_WAVE_GATE_ANCHORS:
            raise ValueError(
                f"{self.id}: gates first_wave counts from one of "
                f"{', '.join(sorted(FIRST_WAVE_GATE_ANCHORS))}, not {self.due.from_}"
            )
        if self.gates == "wave" and (self.per == "once" or self.due.from_ != "wave_start"):
            raise ValueError(f"{self.id}: gates wave needs per wave/system/server and wave_start")

    @property
    def item_kind(self) -> Kind:
        """The item's kind: its own, else its phase's."""
        return self.kind or PHASE_KIND.get(self.phase, "governance")


class PhaseFile(_Strict):
    """One ``checklist/<phase>.yaml`` file."""

    phase: str
    items: tuple[ChecklistItem, ...] = Field(min_length=1)


class RunbookTask(_Strict):
    """A task in every wave's cutover runbook, dated from the wave's start or end."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    from_: Literal["wave_start", "wave_end"] = Field(alias="from")
    days: int = Field(ge=-14, le=7)
    when: dict[str, Any] = Field(default_factory=dict)
    owner: str
    title: Text
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RunbookTask:
        _check_when("wave", self.when, self.id)
        if self.owner not in ROLES:
            raise ValueError(f"{self.id}: unknown owner role {self.owner!r}")
        return self


class RoleSteps(_Strict):
    """The cutover and rollback steps of one server role."""

    cutover: tuple[Text, ...] = Field(min_length=1)
    rollback: tuple[Text, ...] = Field(min_length=1)


class GoNoGo(_Strict):
    """Go/no-go criteria by kind of wave (critical, pilot, standard) plus those of every wave."""

    critical: tuple[Text, ...]
    pilot: tuple[Text, ...]
    standard: tuple[Text, ...]
    always: tuple[Text, ...]

    def for_mode(self, mode: str) -> tuple[Text, ...]:
        """The criteria of a wave of kind ``mode``, then those of every wave."""
        own: tuple[Text, ...] = getattr(self, mode)
        return own + self.always


class RunbookData(_Strict):
    """``runbook.yaml``: the tasks, per-role steps and rollback criteria of every wave."""

    tasks: tuple[RunbookTask, ...]
    rollback_criteria: tuple[Text, ...]
    rollback_sources: tuple[str, ...]
    decision: Text
    role_steps: dict[Literal["infra", "db", "file", "app", "web", "other"], RoleSteps]
    go_no_go: GoNoGo

    @model_validator(mode="after")
    def _every_role(self) -> RunbookData:
        missing = {"infra", "db", "file", "app", "web", "other"} - set(self.role_steps)
        if missing:
            raise ValueError(f"role_steps lacks {', '.join(sorted(missing))}")
        return self


class Checklist(_Strict):
    """Everything in the data files, validated together (source keys resolve)."""

    items: tuple[ChecklistItem, ...]
    sources: dict[str, Source]
    runbook: RunbookData
    labels: dict[str, Text]

    @model_validator(mode="after")
    def _references(self) -> Checklist:
        seen: set[str] = set()
        used = [(item.id, item.sources) for item in self.items]
        used += [(task.id, task.sources) for task in self.runbook.tasks]
        used.append(("rollback", self.runbook.rollback_sources))
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"duplicate checklist id {item.id!r}")
            seen.add(item.id)
        by_id = {item.id: item for item in self.items}
        for item in self.items:
            for later_id in item.before:
                later = by_id.get(later_id)
                if later is None:
                    raise ValueError(f"{item.id}: before: unknown item {later_id!r}")
                if later.due.from_ != item.due.from_ or later.due.days <= item.due.days:
                    raise ValueError(
                        f"{item.id}: must be due before {later_id} (same anchor, fewer days)"
                    )
        for owner, keys in used:
            for key in keys:
                if key not in self.sources:
                    raise ValueError(f"{owner}: unknown source key {key!r}")
        missing = [f"role.{r}" for r in ROLES if f"role.{r}" not in self.labels] + [
            f"phase.{p}" for p in PHASES if f"phase.{p}" not in self.labels
        ]
        if missing:
            raise ValueError(f"labels.yaml lacks {', '.join(missing)}")
        return self

    def label(self, key: str, lang: Lang) -> str:
        """An interface text in ``lang`` (KeyError names the missing key)."""
        return self.labels[key].get(lang)


def _read_yaml(*parts: str) -> Any:
    text = resources.files("exit_plan").joinpath(*parts).read_text(encoding="utf-8")
    # libyaml's safe loader: the same values as yaml.safe_load, several times faster
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def load_phase_files() -> list[PhaseFile]:
    """Every ``checklist/<phase>.yaml``, in phase order; the phase must match the file."""
    files = []
    for phase in PHASES:
        raw = _read_yaml("checklist", f"{phase}.yaml")
        if not isinstance(raw, dict) or raw.get("phase") != phase:
            raise ValueError(f"checklist/{phase}.yaml: expected 'phase: {phase}'")
        items = [{**item, "phase": phase} for item in raw.get("items", [])]
        files.append(PhaseFile.model_validate({"phase": phase, "items": items}))
    return files


@cache
def load_checklist() -> Checklist:
    """Load and validate all data files (cached: they ship with the package)."""
    items = [item for phase_file in load_phase_files() for item in phase_file.items]
    return Checklist.model_validate(
        {
            "items": items,
            "sources": _read_yaml("sources.yaml"),
            "runbook": _read_yaml("runbook.yaml"),
            "labels": _read_yaml("labels.yaml"),
        }
    )
