"""Turn the checklist rules into dated entries for one catalog and plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from exit_plan.data import PHASES, AnchorRule, Checklist, ChecklistItem
from exit_plan.facts import Subject, anchors, subjects_by_scope
from migration.catalog import Catalog
from migration.plan import Plan


@dataclass(frozen=True)
class Entry:
    """One checklist line: an item applied to one subject, with its due date."""

    item: ChecklistItem
    subject: Subject
    due: date | None
    rule: AnchorRule  # the rule that gave the date (``due`` or its ``otherwise``)


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


def _due(item: ChecklistItem, subject: Subject, plan: Plan) -> tuple[date | None, AnchorRule]:
    wave = None
    if subject.wave is not None:
        wave = next((w for w in plan.waves if w.number == subject.wave), None)
    dates = anchors(plan, wave)
    rule: AnchorRule = item.due
    if item.due.from_ in ("wave_start", "wave_end") and wave is None and item.due.otherwise:
        rule = item.due.otherwise
    anchor = dates[rule.from_]
    return (anchor + timedelta(days=rule.days) if anchor is not None else None), rule


def build_entries(checklist: Checklist, catalog: Catalog, plan: Plan) -> list[Entry]:
    """Every entry that applies, sorted by phase, due date, item and subject."""
    subjects = subjects_by_scope(catalog, plan)
    entries = []
    for item in checklist.items:
        for subject in subjects[item.per]:
            if matches(item.when, subject.facts):
                due, rule = _due(item, subject, plan)
                entries.append(Entry(item, subject, due, rule))
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
