"""Checklist entries and runbooks for a fixed catalog and plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from exit_plan.checklist import Entry, _Alike, build_entries, matches
from exit_plan.data import load_checklist
from exit_plan.facts import Subject, subjects_by_scope
from exit_plan.runbook import build_runbooks
from exit_plan.testing import sample_catalog, sample_plan
from migration.catalog import Catalog
from migration.plan import Plan
from tests import golden_exit_plan as golden
from waves.calendar import months_before


def _entries(catalog: Catalog | None = None, plan: Plan | None = None) -> list[Entry]:
    return build_entries(load_checklist(), catalog or sample_catalog(), plan or sample_plan())


def _applied(entries: list[Entry]) -> set[tuple[str, str]]:
    return {(e.item.id, e.subject.id) for e in entries}


class TestConditions:
    def test_per_system_items(self) -> None:
        """Personal data, retire, repurchase, retain and citizen items hit the right systems."""
        applied = _applied(_entries())
        for system in ("ad", "economy", "portal", "payroll"):
            assert ("data-ropa", system) in applied
        assert ("data-ropa", "gis") not in applied
        assert ("data-dpia", "economy") in applied and ("data-dpia", "portal") not in applied
        assert ("data-retire-archive", "old-archive") in applied
        assert ("dec-retire-delete", "old-archive") in applied
        assert ("con-repurchase", "payroll") in applied
        assert ("data-repurchase-migration", "payroll") in applied
        assert ("con-retain", "gis") in applied
        for item in ("cut-dns-ttl", "cut-certificates", "cut-citizen-communication"):
            assert {s for i, s in applied if i == item} == {"portal"}
        assert ("dec-erasure-certificate", "payroll") in applied
        assert ("dec-erasure-certificate", "gis") not in applied

    def test_per_server_licensing(self) -> None:
        """Hybrid Benefit for moving Windows servers with SA; end of support by move date."""
        applied = _applied(_entries())
        assert {s for i, s in applied if i == "lic-ahb"} == {"dc01", "eko-app01", "eko-db01"}
        assert {s for i, s in applied if i == "lic-dual-use"} == {"dc01", "eko-app01", "eko-db01"}
        # 2016 ends 2027-01-12; eko-db01 moves 2027-09-01. 2012 R2 servers do not move.
        assert {s for i, s in applied if i == "lic-end-of-support"} == {"eko-db01"}
        assert {s for i, s in applied if i == "lic-end-of-support-retained"} == {"gis01"}
        assert not {s for i, s in applied if i == "lic-aws-windows"}

    def test_aws_target_switches_licensing(self) -> None:
        """On AWS the Windows items are the licence-included ones, not Hybrid Benefit."""
        plan = sample_plan().model_copy(
            update={"target": sample_plan().target.model_copy(update={"provider": "aws"})}
        )
        applied = _applied(_entries(plan=plan))
        assert not {s for i, s in applied if i == "lic-ahb"}
        assert {s for i, s in applied if i == "lic-aws-windows"} == {
            "dc01",
            "eko-app01",
            "eko-db01",
        }
        assert ("gov-aws-egress", "") in applied and ("gov-azure-egress", "") not in applied

    def test_legal_items_follow_the_contract(self) -> None:
        """Notice over two months and an exit fee after 2027-01-12 each add a legal review."""
        applied = _applied(_entries())
        assert ("con-notice-over-max", "") in applied
        assert ("con-exit-fee-banned", "") in applied
        assert ("con-exit-fee-cost-based", "") not in applied
        contract = sample_catalog().contract.model_copy(update={"notice_months": 2, "exit_fee": 0})
        catalog = sample_catalog().model_copy(update={"contract": contract})
        applied = _applied(_entries(catalog=catalog))
        assert ("con-notice-over-max", "") not in applied
        assert ("con-exit-fee-banned", "") not in applied

    def test_in_house_governance_items(self) -> None:
        """Leaving a company the city part-owns adds owner-agreement and council items."""
        applied = _applied(_entries())
        for item in (
            "gov-owner-agreements",
            "gov-owner-dialogue",
            "gov-ownership-decision",
            "sign-council-report",
        ):
            assert (item, "") in applied


class TestGroupedFacts:
    """Rules are judged once per distinct facts: the same entries, in the same order."""

    def test_entries_equal_judging_every_subject(self) -> None:
        catalog, plan, checklist = sample_catalog(), sample_plan(), load_checklist()
        subjects = subjects_by_scope(catalog, plan)
        one_by_one = [
            (item.id, subject.id)
            for item in checklist.items
            for subject in subjects[item.per]
            if matches(item.when, subject.facts)
        ]
        entries = build_entries(checklist, catalog, plan, subjects=subjects)
        assert sorted(one_by_one) == sorted((e.item.id, e.subject.id) for e in entries)
        assert len(one_by_one) == len(entries)

    def test_order_kept_and_unhashable_facts_judged_alone(self) -> None:
        subjects = [
            Subject("server", "c", "c", None, {"os": "linux"}),
            Subject("server", "a", "a", None, {"os": ["windows", "linux"]}),
            Subject("server", "b", "b", None, {"os": "windows"}),
            Subject("server", "d", "d", None, {"os": "linux"}),
            Subject("server", "e", "e", None, {"os": ["windows", "linux"]}),
        ]
        alike = _Alike(subjects)
        assert len(alike.facts) == 4  # two linux alike; each unhashable list on its own
        assert [s.id for s in alike.matching({"os": "linux"})] == ["c", "d"]
        assert [s.id for s in alike.matching({"os": ["windows"]})] == ["b"]
        assert [s.id for s in alike.matching({})] == ["c", "a", "b", "d", "e"]


class TestExample:
    """Conditions on the bundled example: items only where they make sense for its estate."""

    def _entries(self) -> list[Entry]:
        catalog, plan, _ = golden.example_inputs()
        return _entries(catalog, plan)

    def test_repoint_only_where_something_depends_on_the_system(self) -> None:
        """Of 37 retired/repurchased systems only SMS has a dependant (staffing, wave 8): one
        re-pointing item, due before that wave as the planner's warning says."""
        _, plan, _ = golden.example_inputs()
        entries = [e for e in self._entries() if e.item.id == "cut-repoint"]
        assert [e.subject.id for e in entries] == ["sms"]
        wave8 = next(w for w in plan.waves if w.number == 8)
        assert entries[0].due == wave8.start - timedelta(days=14)
        assert any("before wave 8" in w.message for w in plan.warnings)

    def test_no_duplicate_items(self) -> None:
        """One entry per item and subject; a retired system gets the retire-archive item, not
        also the general archive item."""
        entries = self._entries()
        keys = [(e.item.id, e.subject.id) for e in entries]
        assert len(keys) == len(set(keys))
        applied = set(keys)
        assert ("data-retire-archive", "forms") in applied
        assert ("data-archive", "forms") not in applied

    def test_system_items_follow_the_prod_wave(self) -> None:
        """E-arkiv's test servers move in wave 2, its prod in wave 4: approval to switch off
        ÅDA counts from wave 4, and the wave table marks the wave-2 part as test."""
        _, plan, _ = golden.example_inputs()
        waves = {w.number: w for w in plan.waves}
        approval = next(
            e
            for e in self._entries()
            if e.item.id == "dec-approval" and e.subject.id == "e-archive"
        )
        assert approval.subject.wave == 4
        assert approval.due == waves[4].end + timedelta(days=7)
        text = golden.render("sv", "mariehamn")
        wave2 = f"| wave-02 | {waves[2].start} | {waves[2].end} |"
        row2 = next(line for line in text.splitlines() if line.startswith(wave2))
        assert "E-arkiv (test)" in row2


class TestDueDates:
    @pytest.mark.parametrize("name", ["sample", "mariehamn"])
    def test_every_entry_is_sourced_and_dated_from_the_plan(self, name: str) -> None:
        """Each entry cites a resolvable source, and its date is its anchor plus its days.

        Run for the sample and for the bundled example (planned in-process from
        examples/mariehamn/catalog.yaml): the anchors are plan.json's notice date, waves and
        deadline, and a wave-anchored entry counts from its subject's own wave.
        """
        checklist = load_checklist()
        catalog, plan, _ = golden.INPUTS[name]()
        doc = plan.to_json_dict()  # the anchors as plan.json states them
        waves = {
            w["number"]: (date.fromisoformat(w["start"]), date.fromisoformat(w["end"]))
            for w in doc["waves"]
        }
        names = {w["number"]: w["name"] for w in doc["waves"]}
        first, last = min(waves), max(waves)
        # The one exit day (contract end here) and the two request options, computed by hand.
        exit_day = catalog.contract.ends
        assert exit_day is not None
        notice = catalog.contract.notice_months
        anchors = {
            "first_wave_start": waves[first][0],
            "last_wave_end": waves[last][1],
            "exit_day": exit_day,
            "switch_request_a": months_before(waves[first][0], min(notice, 2)),
            "notice_b": months_before(exit_day, notice),
            "retrieval_end": exit_day + timedelta(days=30),
            "erasure": exit_day + timedelta(days=31),
        }
        cutover: dict[str, int] = {}  # a system's prod moves in the last wave holding it
        for w in doc["waves"]:
            for system_id in w["systems"]:
                cutover[system_id] = max(cutover.get(system_id, -1), w["number"])
        entries = _entries(catalog, plan)
        assert len(entries) > 80
        for entry in entries:
            assert entry.item.sources, entry.item.id
            for key in entry.item.sources:
                source = checklist.sources[key]  # resolvable: a known key with a citation
                assert source.title and (source.url or source.kind in ("inference", "internal"))
            assert entry.due is not None, entry.item.id
            due, subject = entry.due, entry.subject
            if subject.scope == "server":
                assert subject.wave == doc["servers"][subject.id].get("wave"), subject.id
            elif subject.scope == "wave":
                assert names[subject.wave] == subject.id, subject.id
            elif subject.scope == "system" and subject.id in cutover:
                assert subject.wave == cutover[subject.id], subject.id
            if entry.rule.from_ in ("wave_start", "wave_end"):
                assert subject.wave in waves, entry.item.id
                start, end = waves[subject.wave]
                anchor = start if entry.rule.from_ == "wave_start" else end
                assert start - timedelta(days=30) <= due <= end + timedelta(180)
            else:
                anchor = anchors[entry.rule.from_]
            assert due == anchor + timedelta(days=entry.rule.days), entry.item.id
            assert anchors["first_wave_start"] - timedelta(days=300) <= due
            assert due <= exit_day + timedelta(days=180)

    def test_subjects_without_a_wave_use_otherwise(self) -> None:
        """A retained system's wave-anchored item counts from the fallback anchor."""
        entries = [e for e in _entries() if e.item.id == "data-archive" and e.subject.id == "gis"]
        assert len(entries) == 1
        assert entries[0].rule.from_ == "exit_day"
        assert entries[0].due == date(2027, 12, 31) - timedelta(days=120)

    def test_no_contract_end_uses_the_cost_models_exit_day(self) -> None:
        """Without a contract end the exit day is the last cutover + the decommission lag
        (migration.exitday, shared with the cost model), and the notice counts back from it."""
        catalog = sample_catalog()
        catalog = catalog.model_copy(
            update={"contract": catalog.contract.model_copy(update={"ends": None})}
        )
        plan = sample_plan()
        entries = {e.item.id: e for e in _entries(catalog=catalog, plan=plan)}
        day = max(w.end for w in plan.waves if w.servers) + timedelta(days=30)
        assert entries["dec-termination"].due == day + timedelta(days=30)
        assert entries["con-notice-letter"].due == months_before(day, 6) - timedelta(days=7)


class TestRunbooks:
    def test_runbook_dates_and_flows(self) -> None:
        """Tasks run from two weeks before to one week after; flows open and close by wave."""
        books = build_runbooks(load_checklist(), sample_catalog(), sample_plan())
        assert [b.wave.number for b in books] == [0, 1, 2]
        for book in books:
            dates = [t.date for t in book.tasks]
            assert dates == sorted(dates)
            assert min(dates) == book.wave.start - timedelta(days=14)
            assert max(dates) == book.wave.end + timedelta(days=7)
        opened = [[(f.group.from_system, f.group.to_system) for f in b.flows_open] for b in books]
        closed = [[(f.group.from_system, f.group.to_system) for f in b.flows_close] for b in books]
        assert opened == [
            [("economy", "ad"), ("portal", "ad")],
            [("portal", "gis"), ("portal", "payroll")],
            [],
        ]
        assert closed == [[], [("portal", "ad")], [("economy", "ad")]]
        kinds = {(f.group.to_system, f.kind, f.closes) for f in books[1].flows_open}
        assert kinds == {("gis", "retained", None), ("payroll", "repoint", None)}
        ids = [[t.task.id for t in b.tasks] for b in books]
        assert "rb-open-flows" in ids[0] and "rb-open-flows" not in ids[2]
        assert "rb-close-flows" in ids[2] and "rb-close-flows" not in ids[0]

    def test_rollback_owner_and_rto(self) -> None:
        """Each runbook names who decides and the wave's shortest RTO."""
        books = build_runbooks(load_checklist(), sample_catalog(), sample_plan())
        assert books[0].shortest_rto_hours == 4
        assert books[2].system_owners == ("Ekonomiavdelningen",)
