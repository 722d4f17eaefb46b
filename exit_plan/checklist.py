"""Turn the checklist rules into dated entries for one catalog and plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from exit_plan.data import PHASES, AnchorRule, Checklist, ChecklistItem
from exit_plan.facts import Subject, anchors, subjects_by_scope
from exit_plan.timeline import LegalTimeline, legal_timeline
from migration.catalog import Catalog
from migration.plan import Plan, Wave


@dataclass(frozen=True, slots=True)
class Entry:
    """One checklist line: an item applied to one subject, with its due date."""

    item: ChecklistItem
    subject: Subject
    due: date | None
    rule: AnchorRule  # the rule that gave the date (``due`` or its ``otherwise``)
    gates: Wave | None = None  # the wave that may not start before this entry is done

    def overdue(self, as_of: date) -> bool:
        """Due before ``as_of`` (nothing records completion: every open item counts)."""
        return self.due is not None and self.due < as_of


def matches(when: dict[str, Any], facts: dict[str, Any]) -> bool:
    """True when every condition holds; a list means any of its values."""
    for key, expected in when.items():
        value = facts[key]
        if isinstance(expected, list):
            if value not in expected:
                return False
        elif value != expected:
            return False
    return True


def _due(
    item: ChecklistItem,
    subject: Subject,
    waves: dict[int, Wave],
    wave_anchors: dict[int | None, dict[str, date | None]],
) -> tuple[date | None, AnchorRule]:
    wave = waves.get(subject.wave) if subject.wave is not None else None
    dates = wave_anchors[wave.number if wave is not None else None]
    rule: AnchorRule = item.due
    if item.due.from_ in ("wave_start", "wave_end") and wave is None and item.due.otherwise:
        rule = item.due.otherwise
    anchor = dates[rule.from_]
    return (anchor + timedelta(days=rule.days) if anchor is not None else None), rule


def _gated_wave(item: ChecklistItem, subject: Subject, waves: dict[int, Wave]) -> Wave | None:
    if item.gates == "first_wave":
        return waves[min(waves)] if waves else None
    if item.gates == "wave" and subject.wave is not None:
        return waves.get(subject.wave)
    return None


class _Alike:
    """One scope's subjects with their facts grouped by equality: a rule's ``when`` is
    judged once per distinct facts, not once per subject (100k servers have a few
    hundred distinct facts); :meth:`matching` keeps the subjects' order."""

    def __init__(self, subjects: list[Subject]) -> None:
        self.subjects = subjects
        self.facts: list[dict[str, Any]] = []
        self.group: list[int] = []  # per subject, the index of its facts in self.facts
        seen: dict[Any, int] = {}
        for subject in subjects:
            key: Any = tuple(subject.facts.items())
            try:
                index = seen.get(key)
            except TypeError:  # an unhashable fact: this subject is judged on its own
                key, index = id(subject), None
            if index is None:
                index = seen[key] = len(self.facts)
                self.facts.append(subject.facts)
            self.group.append(index)

    def matching(self, when: dict[str, Any]) -> list[Subject]:
        """The subjects whose facts meet ``when``, in order."""
        verdicts = [matches(when, facts) for facts in self.facts]
        return [s for s, g in zip(self.subjects, self.group, strict=True) if verdicts[g]]


def build_entries(
    checklist: Checklist,
    catalog: Catalog,
    plan: Plan,
    timeline: LegalTimeline | None = None,
    subjects: dict[str, list[Subject]] | None = None,
) -> list[Entry]:
    """Every entry that applies, sorted by phase, due date, item and subject
    (``subjects``: :func:`subjects_by_scope` when the caller has it already)."""
    subjects = subjects if subjects is not None else subjects_by_scope(catalog, plan)
    line = timeline or legal_timeline(catalog, plan)
    waves = {w.number: w for w in plan.waves}
    # the anchor dates of each wave (None: of a subject in no wave), worked out once
    wave_anchors = {n: anchors(line, w) for n, w in waves.items()} | {None: anchors(line, None)}
    alike = {scope: _Alike(these) for scope, these in subjects.items()}
    entries = []
    for item in checklist.items:
        # an item's date and gated wave depend on the subject's wave alone: once per wave
        dated: dict[int | None, tuple[date | None, AnchorRule, Wave | None]] = {}
        for subject in alike[item.per].matching(item.when):
            found = dated.get(subject.wave)
            if found is None:
                due, rule = _due(item, subject, waves, wave_anchors)
                gated = _gated_wave(item, subject, waves) if rule is item.due else None
                found = dated[subject.wave] = (due, rule, gated)
            entries.append(Entry(item, subject, *found))
    order = {phase: n for n, phase in enumerate(PHASES)}
    entries.sort(
        key=lambda e: (
            order[e.item.phase],
            e.due or date.max,
            e.item.id,
            e.subject.wave if e.subject.wave is not None else -1,
            e.subject.id,
        )
    )
    return entries


def sequence_violations(entries: list[Entry], timeline: LegalTimeline) -> list[str]:
    """Every broken ordering rule, as text (an empty list is a plan procurement can sign).

    - a gating entry is due before the wave it gates starts;
    - an item is due before every item it lists under ``before`` (the legal and
      governance gates before procurement);
    - both request options keep the Data Act order: request, transition, retrieval, erasure;
    - the notice (option B) comes before the exit day, the retrieval period after it.
    """
    problems = []
    for entry in entries:
        if entry.gates is not None and entry.due is not None and entry.due >= entry.gates.start:
            problems.append(
                f"{entry.item.id}: due {entry.due} is not before {entry.gates.name} "
                f"({entry.gates.start})"
            )
    first_due: dict[str, date] = {}
    last_due: dict[str, date] = {}
    for entry in entries:
        if entry.due is not None:
            key = entry.item.id
            first_due[key] = min(first_due.get(key, entry.due), entry.due)
            last_due[key] = max(last_due.get(key, entry.due), entry.due)
    for entry in entries:
        for later in entry.item.before:
            if entry.due is not None and later in first_due and entry.due >= first_due[later]:
                problems.append(f"{entry.item.id}: due {entry.due} is not before {later}")
    for option in timeline.options:
        dates = option.dates()
        if any(a > b for a, b in zip(dates, dates[1:], strict=False)):
            problems.append(f"option {option.key}: Data Act dates out of order: {dates}")
    if timeline.b.request > timeline.exit_day:
        problems.append(f"notice {timeline.b.request} after the exit day {timeline.exit_day}")
    return problems
