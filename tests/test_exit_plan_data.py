"""The exit plan's data files: they load, and typos in them fail loudly."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from exit_plan.data import FACTS, PHASES, ROLES, Checklist, ChecklistItem, load_checklist
from exit_plan.facts import subjects_by_scope
from exit_plan.testing import sample_catalog, sample_plan


def _item(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": "x-item",
        "phase": "data",
        "due": {"from": "exit_day", "days": 0},
        "owner": "dpo",
        "title": {"sv": "t", "en": "t"},
        "text": {"sv": "t", "en": "t"},
        "evidence": {"sv": "e", "en": "e"},
        "sources": ["gdpr-30"],
    }
    item.update(overrides)
    return item


class TestDataFiles:
    def test_all_files_load(self) -> None:
        """Every phase file, the sources, the runbook and the labels validate together."""
        checklist = load_checklist()
        assert {item.phase for item in checklist.items} == set(PHASES)
        assert len(checklist.items) >= 60
        assert len(checklist.runbook.tasks) >= 10

    def test_every_source_is_citable(self) -> None:
        """Every source has a title and section, and a URL unless it is our own inference."""
        for key, source in load_checklist().sources.items():
            assert source.title and source.section, key
            if source.kind not in ("inference", "internal"):
                assert source.url and source.url.startswith("http"), key

    def test_unknown_source_key_fails(self) -> None:
        """An item citing a source key not in sources.yaml is rejected."""
        data = load_checklist().model_dump(by_alias=True)
        data["items"][0]["sources"] = ["no-such-source"]
        with pytest.raises(ValidationError, match="unknown source key 'no-such-source'"):
            Checklist.model_validate(data)

    def test_duplicate_id_fails(self) -> None:
        """Two items with one id are rejected."""
        data = load_checklist().model_dump(by_alias=True)
        data["items"] = [*data["items"], data["items"][0]]
        with pytest.raises(ValidationError, match="duplicate checklist id"):
            Checklist.model_validate(data)

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"per": "system", "when": {"personal_dat": True}}, "unknown fact 'personal_dat'"),
            ({"per": "system", "when": {"level": "town"}}, "expected one of"),
            ({"per": "wave", "when": {"number": "one"}}, "expected int"),
            ({"owner": "janitor"}, "unknown owner role"),
            ({"due": {"from": "wave_start", "days": 0}}, "needs per: wave"),
            ({"per": "system", "due": {"from": "wave_start", "days": 0}}, "needs 'otherwise'"),
            ({"sources": []}, "at least 1 item"),
            ({"extra": 1}, "Extra inputs are not permitted"),
            ({"gates": "first_wave", "due": {"from": "exit_day", "days": -10}}, "counts from"),
            ({"gates": "first_wave", "due": {"from": "first_wave_start", "days": 0}}, "before"),
            ({"gates": "wave", "due": {"from": "first_wave_start", "days": -5}}, "gates wave"),
        ],
        ids=[
            "fact",
            "value",
            "type",
            "owner",
            "wave-once",
            "otherwise",
            "no-source",
            "extra",
            "gate-anchor",
            "gate-not-before",
            "gate-wave-once",
        ],
    )
    def test_bad_items_fail(self, overrides: dict[str, Any], message: str) -> None:
        """Typos in conditions, owners and due rules are errors, not silent no-ops."""
        with pytest.raises(ValidationError, match=message):
            ChecklistItem.model_validate(_item(**overrides))

    def test_roles_and_phases_have_labels(self) -> None:
        """Every role and phase has a Swedish and an English label."""
        checklist = load_checklist()
        for key in [f"role.{r}" for r in ROLES] + [f"phase.{p}" for p in PHASES]:
            assert checklist.label(key, "sv") and checklist.label(key, "en")


def test_facts_match_the_condition_language() -> None:
    """Each scope yields exactly the facts the data files may test."""
    subjects = subjects_by_scope(sample_catalog(), sample_plan())
    for scope, allowed in FACTS.items():
        assert subjects[scope], scope
        for subject in subjects[scope]:
            assert set(subject.facts) == set(allowed), (scope, subject.id)
