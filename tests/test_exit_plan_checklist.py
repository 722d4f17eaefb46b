"""Checklist entries and runbooks for a fixed catalog and plan."""

from __future__ import annotations

from datetime import date, timedelta

from exit_plan.checklist import Entry, build_entries
from exit_plan.data import load_checklist
from exit_plan.runbook import build_runbooks
from exit_plan.testing import sample_catalog, sample_plan
from migration.catalog import Catalog
from migration.plan import Plan


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


class TestDueDates:
    def test_every_entry_is_sourced_and_dated_from_the_plan(self) -> None:
        """Each entry cites a resolvable source, and its date is its anchor plus its days."""
        checklist = load_checklist()
        plan = sample_plan()
        assert plan.notice_date is not None and plan.deadline is not None
        notice, deadline = plan.notice_date, plan.deadline
        waves = {w.number: w for w in plan.waves}
        exit_start = min(notice, plan.waves[0].start)
        anchors = {
            "notice_date": notice,
            "deadline": deadline,
            "exit_start": exit_start,
            "first_wave_start": plan.waves[0].start,
            "last_wave_end": plan.waves[-1].end,
        }
        entries = _entries()
        assert len(entries) > 80
        for entry in entries:
            assert entry.item.sources and all(k in checklist.sources for k in entry.item.sources)
            assert entry.due is not None, entry.item.id
            due = entry.due
            wave = waves.get(entry.subject.wave) if entry.subject.wave is not None else None
            if entry.rule.from_ in ("wave_start", "wave_end"):
                assert wave is not None, entry.item.id
                anchor = wave.start if entry.rule.from_ == "wave_start" else wave.end
                assert wave.start - timedelta(days=30) <= due <= wave.end + timedelta(180)
            else:
                anchor = anchors[entry.rule.from_]
            assert due == anchor + timedelta(days=entry.rule.days), entry.item.id
            assert exit_start - timedelta(days=120) <= due <= deadline + timedelta(days=180)
            if entry.item.phase == "contract" and entry.rule.from_ == "notice_date":
                assert due <= notice, entry.item.id

    def test_subjects_without_a_wave_use_otherwise(self) -> None:
        """A retained system's wave-anchored item counts from the fallback anchor."""
        entries = [e for e in _entries() if e.item.id == "data-archive" and e.subject.id == "gis"]
        assert len(entries) == 1
        assert entries[0].rule.from_ == "deadline"
        assert entries[0].due == date(2027, 12, 31) - timedelta(days=120)

    def test_no_contract_end_means_no_date(self) -> None:
        """Without a contract end the notice-anchored items have no date, not a made-up one."""
        plan = sample_plan().model_copy(update={"notice_date": None, "deadline": None})
        entries = _entries(plan=plan)
        undated = {e.item.id for e in entries if e.due is None}
        assert "con-notice-letter" in undated
        assert "gov-exit-decision" not in undated  # exit start falls back to the first wave


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
        opened = [[(f.from_, f.to) for f in b.flows_open] for b in books]
        closed = [[(f.from_, f.to) for f in b.flows_close] for b in books]
        assert opened == [
            [("eko-app01", "dc01"), ("web01", "dc01")],
            [("web01", "gis01"), ("web01", "pay01")],
            [],
        ]
        assert closed == [[], [("web01", "dc01")], [("eko-app01", "dc01")]]
        ids = [[t.task.id for t in b.tasks] for b in books]
        assert "rb-open-flows" in ids[0] and "rb-open-flows" not in ids[2]
        assert "rb-close-flows" in ids[2] and "rb-close-flows" not in ids[0]

    def test_rollback_owner_and_rto(self) -> None:
        """Each runbook names who decides and the wave's shortest RTO."""
        books = build_runbooks(load_checklist(), sample_catalog(), sample_plan())
        assert books[0].shortest_rto_hours == 4
        assert books[2].system_owners == ("Ekonomiavdelningen",)
