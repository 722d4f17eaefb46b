"""The legal and governance sequence: gates before their wave, procurement after the legal
gates, notice, retrieval and erasure in Data Act order, on generated plans and the example."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exit_plan.checklist import Entry, build_entries, sequence_violations
from exit_plan.data import load_checklist
from exit_plan.testing import sample_catalog, sample_plan
from exit_plan.timeline import LegalTimeline, legal_timeline
from migration.catalog import Catalog
from migration.plan import Plan
from tests import golden_exit_plan as golden

LEGAL_GATES = (
    "con-inventory",
    "gov-owner-agreements",
    "con-data-act-scope",
    "data-gdpr-processor",
    "gov-exit-decision",
)


def _shifted(
    start: date, wave_days: int, gap_days: int, notice: int, ends_after: int | None
) -> tuple[Catalog, Plan]:
    """The sample, its three waves moved to ``start`` and resized, the contract varied."""
    catalog = sample_catalog()
    plan = sample_plan()
    waves = []
    day = start
    for wave in plan.waves:
        end = day + timedelta(days=wave_days - 1)
        waves.append(wave.model_copy(update={"start": day, "end": end}))
        day = end + timedelta(days=1 + gap_days)
    last = waves[-1].end
    ends = last + timedelta(days=ends_after) if ends_after is not None else None
    contract = catalog.contract.model_copy(update={"notice_months": notice, "ends": ends})
    catalog = catalog.model_copy(update={"contract": contract})
    return catalog, plan.model_copy(update={"waves": tuple(waves), "deadline": ends})


def _check(catalog: Catalog, plan: Plan) -> tuple[list[Entry], LegalTimeline]:
    timeline = legal_timeline(catalog, plan)
    entries = build_entries(load_checklist(), catalog, plan, timeline)
    return entries, timeline


plans = st.builds(
    _shifted,
    start=st.dates(date(2026, 1, 1), date(2032, 12, 31)),
    wave_days=st.integers(1, 60),
    gap_days=st.integers(0, 200),
    notice=st.integers(1, 24),
    ends_after=st.one_of(st.none(), st.integers(31, 800)),
)


@settings(max_examples=60, deadline=None)
@given(plans)
def test_generated_plans_keep_the_sequence(generated: tuple[Catalog, Plan]) -> None:
    """Every gate is due before its wave, the legal gates before procurement, procurement
    before wave 0, and both request options in Data Act order."""
    catalog, plan = generated
    entries, timeline = _check(catalog, plan)
    assert sequence_violations(entries, timeline) == []
    first = min(w.start for w in plan.waves)
    by_id: dict[str, list[Entry]] = {}
    for entry in entries:
        by_id.setdefault(entry.item.id, []).append(entry)
    (procurement,) = by_id["con-procurement"]
    assert procurement.due is not None and procurement.due < first
    assert procurement.gates is not None and procurement.gates.name == "wave-00"
    for item_id in LEGAL_GATES:
        for entry in by_id[item_id]:
            assert entry.due is not None and entry.due < procurement.due, item_id
            assert entry.gates is not None and entry.gates.name == "wave-00", item_id
    for entry in entries:
        if entry.gates is not None:
            assert entry.due is not None and entry.due < entry.gates.start, entry.item.id
    for option in timeline.options:
        request, start, end, retrieval, erasure = option.dates()
        assert request <= start <= end < retrieval < erasure
        assert retrieval - end >= timedelta(days=30)
    (notice,) = by_id["con-notice-letter"]
    (retrieved,) = by_id["data-retrieval-used"]
    (erased,) = by_id["dec-erasure-all"]
    assert notice.due is not None and retrieved.due is not None and erased.due is not None
    assert notice.due < timeline.exit_day < retrieved.due < erased.due
    assert timeline.a.request <= first <= timeline.a.transition_end


@settings(max_examples=20, deadline=None)
@given(plans, st.integers(-120, 120))
def test_gated_items_move_with_the_waves(generated: tuple[Catalog, Plan], shift: int) -> None:
    """Moving every wave by N days moves every wave-gated item by N days, the notice not."""
    catalog, plan = generated
    moved = plan.model_copy(
        update={
            "waves": tuple(
                w.model_copy(
                    update={
                        "start": w.start + timedelta(days=shift),
                        "end": w.end + timedelta(days=shift),
                    }
                )
                for w in plan.waves
            )
        }
    )
    before, _ = _check(catalog, plan)
    after = {(e.item.id, e.subject.id): e for e in _check(catalog, moved)[0]}
    for old in before:
        new = after.get((old.item.id, old.subject.id))
        if new is None:  # the exit day crossed 2027-01-12: the other fee item applies;
            # or a wave crossed an OS end-of-support date: the ESU item no longer applies
            assert old.item.id.startswith(("con-exit-fee", "lic-end-of-support")), old.item.id
            continue
        if old.gates is not None and old.rule.from_ in ("first_wave_start", "wave_start"):
            assert old.due is not None and new.due is not None
            assert new.due - old.due == timedelta(days=shift), old.item.id


class TestNegative:
    """sequence_violations fires when a rule is broken."""

    def test_gate_after_its_wave(self) -> None:
        entries, timeline = _check(sample_catalog(), sample_plan())
        gated = next(e for e in entries if e.gates is not None)
        late = dataclasses.replace(gated, due=gated.gates.start if gated.gates else None)
        problems = sequence_violations([late], timeline)
        assert problems and f"not before {gated.gates.name}" in problems[0]  # type: ignore[union-attr]

    def test_legal_gate_after_procurement(self) -> None:
        entries, timeline = _check(sample_catalog(), sample_plan())
        procurement = next(e for e in entries if e.item.id == "con-procurement")
        scope = next(e for e in entries if e.item.id == "con-data-act-scope")
        assert procurement.due is not None
        late = dataclasses.replace(scope, due=procurement.due, gates=None)
        problems = sequence_violations([late, procurement], timeline)
        assert problems == [
            f"con-data-act-scope: due {procurement.due} is not before con-procurement"
        ]

    def test_data_act_order(self) -> None:
        entries, timeline = _check(sample_catalog(), sample_plan())
        broken = dataclasses.replace(
            timeline, b=dataclasses.replace(timeline.b, erasure=timeline.b.request)
        )
        assert any("option B" in p for p in sequence_violations([], broken))

    def test_notice_after_exit_day(self) -> None:
        _, timeline = _check(sample_catalog(), sample_plan())
        broken = dataclasses.replace(
            timeline,
            b=dataclasses.replace(timeline.b, request=timeline.exit_day + timedelta(days=1)),
        )
        assert any("after the exit day" in p for p in sequence_violations([], broken))


@cache
def _estate(n: int, seed: int) -> tuple[Catalog, Plan]:
    from app.pipeline import PipelineOptions, plan_catalog
    from bench.estate import generate
    from migration.catalog import Catalog as CatalogModel

    catalog = CatalogModel.model_validate(generate(n, seed))
    return catalog, plan_catalog(catalog, "0" * 64, PipelineOptions().plan)


@pytest.mark.parametrize(("n", "seed"), [(120, 1), (300, 7)])
def test_generated_estates_keep_the_sequence(n: int, seed: int) -> None:
    """On planned generated estates (not only the sample) every gate falls before its wave."""
    catalog, plan = _estate(n, seed)
    entries, timeline = _check(catalog, plan)
    assert sequence_violations(entries, timeline) == []
    assert any(e.gates is not None and e.gates.number != plan.waves[0].number for e in entries)


def test_the_example_keeps_the_sequence() -> None:
    """The bundled Mariehamn example: no gate after its wave, procurement after the legal
    gates, and the register and memos due months before wave 0, not after it."""
    catalog, plan, _ = golden.example_inputs()
    entries, timeline = _check(catalog, plan)
    assert sequence_violations(entries, timeline) == []
    first = min(w.start for w in plan.waves)
    due = {e.item.id: e.due for e in entries if e.subject.scope == "once"}
    for item_id in LEGAL_GATES:
        gate, procurement = due[item_id], due["con-procurement"]
        assert gate is not None and procurement is not None
        assert gate < procurement < first
    assert timeline.a.request < first
    assert timeline.exit_day == catalog.contract.ends
