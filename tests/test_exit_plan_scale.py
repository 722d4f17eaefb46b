"""The exit plan at scale: per-server runbook steps only for small waves (or when asked),
per system, environment and role otherwise, with every server named and nothing lost;
warnings grouped by code with counts and first examples; the checklist sheet written fast
with the same cells."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import datetime
from functools import cache
from typing import Any

import pytest
from openpyxl import load_workbook

from exit_plan import exit_plan_files
from exit_plan import runbook as runbook_module
from exit_plan.data import load_checklist
from exit_plan.runbook import SERVER_STEPS_MAX, build_runbooks, move_groups
from exit_plan.runbook_view import RunbookView, runbook_views
from migration.catalog import Catalog
from migration.plan import Plan, Warning_
from tests import golden_exit_plan as golden

AS_OF = golden.AS_OF


@cache
def _estate() -> tuple[Catalog, Plan]:
    from app.pipeline import PipelineOptions, plan_catalog
    from bench.estate import generate

    catalog = Catalog.model_validate(generate(400, 3))
    return catalog, plan_catalog(catalog, "0" * 64, PipelineOptions().plan)


def named_in_steps(view: RunbookView, rollback: bool = False) -> Counter[str]:
    """How often each server is named as the subject of a step block: the text before the
    first ': ' of each step, less its '(system, env)' suffix, split at ', '."""
    lines = view.rollback_steps if rollback else view.cutover
    named: Counter[str] = Counter()
    seen: set[str] = set()
    for line in lines:
        subject = line.split(": ")[0]
        if subject in seen:  # one block of several steps names its servers once
            continue
        seen.add(subject)
        named.update(subject.split(" (")[0].split(", "))
    return named


def lost_servers(views: list[RunbookView], plan: Plan) -> list[str]:
    """Migrating servers not in exactly one runbook, or not named exactly once in its
    cutover and rollback steps."""
    migrating = {sid for sid, s in plan.servers.items() if s.wave is not None}
    listed = Counter(sid for view in views for sid in view.servers)
    wrong = {sid for sid in migrating if listed[sid] != 1} | (set(listed) - migrating)
    for view in views:
        for rollback in (False, True):
            named = named_in_steps(view, rollback)
            wrong |= {sid for sid in view.servers if named[sid] != 1}
            wrong |= set(named) - set(view.servers)
    return sorted(wrong)


def _views(steps_max: int | None, server_detail: bool = False) -> list[RunbookView]:
    catalog, plan = _estate()
    checklist = load_checklist()
    books = build_runbooks(checklist, catalog, plan, server_detail, steps_max)
    return runbook_views(books, plan, catalog, checklist, "en")


def test_small_waves_keep_per_server_steps() -> None:
    """The bundled example (waves far below the threshold): a block of steps per server,
    each naming one server, and the move order one row per server."""
    catalog, plan, _ = golden.example_inputs()
    checklist = load_checklist()
    views = runbook_views(build_runbooks(checklist, catalog, plan), plan, catalog, checklist, "en")
    assert all(len(w.servers) <= SERVER_STEPS_MAX for w in plan.waves)
    assert all(view.per_server for view in views)
    for view in views:
        assert [m.server for m in view.moves] == list(view.servers)
        assert all(", " not in line.split(": ")[0] for line in view.cutover)
    assert lost_servers(views, plan) == []


def test_large_waves_get_per_system_steps_naming_every_server() -> None:
    """Above the threshold a wave's steps come per system, environment and role, each block
    naming all its servers: every migrating server is in exactly one runbook and named
    exactly once in its cutover and in its rollback; fewer lines than per server."""
    _, plan = _estate()
    grouped = _views(steps_max=5)
    per_server = _views(steps_max=5, server_detail=True)
    large = [v for v in grouped if len(v.servers) > 5]
    assert large and all(not v.per_server for v in large)
    assert all(v.per_server for v in grouped if len(v.servers) <= 5)
    assert all(v.per_server for v in per_server)
    assert lost_servers(grouped, plan) == []
    assert lost_servers(per_server, plan) == []
    assert sum(len(v.cutover) for v in grouped) < sum(len(v.cutover) for v in per_server)

    # derived smoke tests: one per port naming its servers, the same (server, port) pairs
    def pairs(views: list[RunbookView]) -> set[tuple[str, str]]:
        found = set()
        for view in views:
            for line in view.smoke:
                target = line.split("Connection to ")[1].split(" answers")[0]
                ids, port = target.rsplit(" ", 1)
                found |= {(sid, port) for sid in ids.split(", ")}
        return found

    assert pairs(grouped) == pairs(per_server) != set()
    assert sum(len(v.smoke) for v in grouped) < sum(len(v.smoke) for v in per_server)
    for view in large:
        # the move order: one row per run of one system, environment and role
        rows = [(m.system, m.environment, m.role) for m in view.moves]
        assert len(rows) == len(set(rows)) < len(view.servers)
        assert sorted(s for m in view.moves for s in m.server.split(", ")) == sorted(view.servers)


def test_lost_servers_fires_when_a_server_is_missing() -> None:
    """Negative: dropping a server's steps, or a server from a runbook, is found."""
    _, plan = _estate()
    views = _views(steps_max=5)
    view = next(v for v in views if not v.per_server)
    first_block = view.cutover[0].split(": ")[0]
    fewer_steps = [line for line in view.cutover if not line.startswith(first_block)]
    doctored = [v if v is not view else _replace(v, cutover=tuple(fewer_steps)) for v in views]
    assert lost_servers(doctored, plan) != []
    dropped = [v if v is not view else _replace(v, servers=v.servers[1:]) for v in views]
    assert view.servers[0] in lost_servers(dropped, plan)


def _replace(view: RunbookView, **changes: object) -> RunbookView:
    from dataclasses import replace

    return replace(view, **changes)  # type: ignore[arg-type]


def test_move_groups_are_runs_of_one_system_environment_and_role() -> None:
    catalog, plan = _estate()
    for book in build_runbooks(load_checklist(), catalog, plan, steps_max=5):
        groups = move_groups(book)
        assert [m for g in groups for m in g] == list(book.moves)
        for group in groups:
            keys = {(m.server.system, m.server.environment, m.server.role) for m in group}
            assert len(keys) == 1
            assert book.per_server == (len(group) == 1) or not book.per_server


def test_exit_plan_json_says_the_step_detail(monkeypatch: pytest.MonkeyPatch) -> None:
    """exit-plan.json: ``step_detail`` per runbook, every server in ``servers`` either way;
    ``server_detail`` gives per-server steps in every wave."""
    catalog, plan = _estate()
    monkeypatch.setattr(runbook_module, "SERVER_STEPS_MAX", 5)

    def runbooks(detail: bool) -> list[dict[str, Any]]:
        files = dict(
            exit_plan_files(
                catalog, plan, None, ("en",), ("md",), as_of=AS_OF, server_detail=detail
            )
        )
        books: list[dict[str, Any]] = json.loads(files["exit-plan.json"])["runbooks"]
        return books

    grouped, detailed = runbooks(False), runbooks(True)
    assert {b["step_detail"] for b in grouped} == {"server", "system"}
    assert {b["step_detail"] for b in detailed} == {"server"}
    for a, b in zip(grouped, detailed, strict=True):
        assert a["servers"] == b["servers"]
        assert len(a["steps"]) <= len(b["steps"])
    migrating = sorted(s for s, p in plan.servers.items() if p.wave is not None)
    assert sorted(s for b in grouped for s in b["servers"]) == migrating


def test_appendix_says_where_per_server_steps_are(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog, plan = _estate()
    monkeypatch.setattr(runbook_module, "SERVER_STEPS_MAX", 5)
    files = dict(exit_plan_files(catalog, plan, None, ("en", "sv"), ("md", "html"), as_of=AS_OF))
    for name in ("exit-plan.en.appendix.md", "exit-plan.en.html"):
        assert "--server-detail" in files[name].decode()
    assert "fler än 5 servrar" in files["exit-plan.sv.appendix.md"].decode()
    monkeypatch.undo()  # the example at the real threshold: no wave is over it
    small = dict(exit_plan_files(*golden.example_inputs()[:2], None, ("en",), ("md",), as_of=AS_OF))
    assert "--server-detail" not in small["exit-plan.en.appendix.md"].decode()


class TestWarnings:
    @staticmethod
    def _plan(count: int) -> Plan:
        _, plan = _estate()
        many = tuple(
            Warning_(code="split", message=f"message {n:02d}", subjects=(f"srv-{n:02d}",))
            for n in range(count)
        )
        one = Warning_(code="lonely", message="just one", subjects=("x",))
        return plan.model_copy(update={"warnings": (*many, one)})

    def test_plan_md_groups_by_code_with_first_examples(self) -> None:
        from waves.markdown import render_plan_markdown

        text = render_plan_markdown(self._plan(12))
        section = text.split("## Warnings")[1].split("## Hybrid flows")[0]
        assert "| split | 12 |" in section and "| lonely | 1 |" in section
        assert section.index("`split`") < section.index("`lonely`")  # most frequent first
        assert [f"message {n:02d}" in section for n in range(12)] == [True] * 5 + [False] * 7
        assert "... and 7 more (plan.json `warnings`)" in section
        assert "- just one" in section and "lonely` (1)" in section

    @pytest.mark.parametrize("lang", ["en", "sv"])
    def test_exit_plan_summary_groups_by_code(self, lang: str) -> None:
        catalog, _ = _estate()
        files = dict(exit_plan_files(catalog, self._plan(12), None, (lang,), ("md", "html")))
        md = files[f"exit-plan.{lang}.md"].decode()
        assert "`split` (12)" in md and "`lonely` (1)" in md
        assert [f"srv-{n:02d}" in md for n in range(12)] == [True] * 5 + [False] * 7
        more = "… and 7 more (all are in plan.json)" if lang == "en" else "… och 7 till"
        assert more in md and more in files[f"exit-plan.{lang}.html"].decode()
        assert ("message 00" in md) == (lang == "en")  # the planner's messages are English


def test_checklist_sheet_rows_dates_and_defused_text() -> None:
    """The checklist sheet written as XML: one row per tracking row in order, due dates as
    dates, the status column filled, and a header row from openpyxl."""
    catalog, plan = _estate()
    files = dict(exit_plan_files(catalog, plan, None, ("en",), ("xlsx",), as_of=AS_OF))
    book = load_workbook(io.BytesIO(files["exit-plan.en.xlsx"]))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    document = json.loads(files["exit-plan.json"])
    assert len(rows) <= len(document["checklist"]) and len(rows) > 100
    due = header.index("Due")
    assert all(isinstance(r[due], datetime) for r in rows if r[due] is not None)
    assert any(r[due] is not None for r in rows)
    assert {r[header.index("Status")] for r in rows} == {"open"}
    assert [r[0] for r in rows] == [r[0] for r in rows if r[0]]  # no empty row, no template
    assert "template" not in {r[0] for r in rows}


def test_large_per_system_items_are_folded_per_wave_in_the_appendix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above SERVER_ROWS subjects a per-system item reads "N systems in wave-03" in the
    appendix, owned by the role (not one system's owner); --server-detail lists every
    system; exit-plan.json keeps every row either way."""
    from exit_plan import report as report_module

    catalog, plan = _estate()
    monkeypatch.setattr(report_module, "SERVER_ROWS", 5)

    def files(detail: bool) -> dict[str, bytes]:
        return dict(
            exit_plan_files(
                catalog, plan, None, ("en",), ("md",), as_of=AS_OF, server_detail=detail
            )
        )

    folded, detailed = files(False), files(True)
    appendix = folded["exit-plan.en.appendix.md"].decode()
    assert " systems in wave-" in appendix
    assert len(appendix) < len(detailed["exit-plan.en.appendix.md"])
    assert " systems in wave-" not in detailed["exit-plan.en.appendix.md"].decode()
    checklist = json.loads(folded["exit-plan.json"])["checklist"]
    assert checklist == json.loads(detailed["exit-plan.json"])["checklist"]
    folded_rows = [line for line in appendix.splitlines() if " systems in wave-" in line]
    assert all("System owner:" not in line for line in folded_rows)
