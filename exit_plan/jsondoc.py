"""exit-plan.json: the exit plan for tools and tests (contract in DESIGN.md).

``document`` {version, generated, as_of, catalog_sha256, approvals}; ``checklist`` [{id,
title, kind, due, gates, owner, evidence, sources, overdue}]; ``runbooks`` [{wave, start,
end, servers (move order), steps, rollback, flows [{from_system, from_env, to_system,
to_env, ports, action}]}]; ``risks`` [...]. Optional extensions: ``timeline`` (the Data Act
dates of both request options and the shared exit day), ``emergency``, ``subject`` per
checklist line, ``step_detail`` per runbook: ``server`` (a block of steps per server) or
``system`` (a wave over :data:`exit_plan.runbook.SERVER_STEPS_MAX` servers: a block per
system, environment and role naming its servers; ``servers`` still lists every one).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from typing import IO, Any

from exit_plan.runbook_view import FlowRow, RunbookView
from exit_plan.view import ExitPlanView, TrackingRow
from migration.fileio import write_json_rows

SCHEMA_VERSION = 1


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _flow(row: FlowRow, action: str) -> dict[str, Any]:
    return {
        "from_system": row.from_system,
        "from_env": row.from_env,
        "to_system": row.to_system,
        "to_env": row.to_env,
        "ports": list(row.ports),
        "action": action,
        "server_pairs": row.pairs,
    }


def _runbook(view: RunbookView) -> dict[str, Any]:
    return {
        "wave": view.name,
        "number": view.number,
        "start": view.start.isoformat(),
        "end": view.end.isoformat(),
        "mode": view.mode,
        "servers": list(view.servers),
        "contacts": view.contacts,
        "step_detail": "server" if view.per_server else "system",
        "steps": [*(f"{t.date.isoformat()} {t.day}: {t.title}" for t in view.tasks), *view.cutover],
        "dns": list(view.dns),
        "smoke_tests": list(view.smoke),
        "go_no_go": list(view.go_no_go),
        "rollback": list(view.rollback_steps),
        "rto_hours": view.shortest_rto,
        "flows": [_flow(f, "open") for f in view.flows_open]
        + [_flow(f, "close") for f in view.flows_close],
    }


def _checklist_row(row: TrackingRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "kind": row.kind,
        "subject": row.subject,
        "due": _iso(row.due),
        "gates": row.gates or None,
        "owner": row.owner,
        "evidence": row.evidence,
        "sources": list(row.sources),
        "overdue": row.overdue,
    }


CHUNK_ROWS = 10_000


def write_exit_plan_json(report: ExitPlanView, handle: IO[bytes]) -> None:
    """exit-plan.json into ``handle``; its checklist (300,000 rows at 100k servers) is
    encoded and written 10,000 rows at a time, so neither its JSON-ready rows nor its text
    exist all at once."""
    rows = report.checklist_rows

    def chunks() -> Iterator[list[dict[str, Any]]]:
        for start in range(0, len(rows), CHUNK_ROWS):
            yield [_checklist_row(row) for row in rows[start : start + CHUNK_ROWS]]

    runbooks = ([_runbook(view)] for view in report.runbooks)  # one runbook at a time
    document = exit_plan_document(report, rows=False)
    write_json_rows(handle, document, {"checklist": chunks(), "runbooks": runbooks})


def exit_plan_document(report: ExitPlanView, rows: bool = True) -> dict[str, Any]:
    """The exit-plan.json document of an assembled report (see :mod:`exit_plan.assemble`);
    ``rows=False``: the checklist and runbooks left empty (:func:`write_exit_plan_json`
    writes them in chunks)."""
    document = report.document
    timeline = report.timeline
    return {
        "schema_version": SCHEMA_VERSION,
        "lang": report.lang,
        "document": {
            "version": document.version,
            "generated": document.generated.isoformat(),
            "as_of": document.as_of.isoformat(),
            "catalog_sha256": document.catalog_sha256,
            "approvals": [{"role": a.role, "name": a.name or None} for a in document.approvals],
        },
        "timeline": {
            "exit_day": timeline.exit_day.isoformat(),
            "decision_due": timeline.decision_due.isoformat(),
            "options": {
                option.key: {
                    "request": option.request.isoformat(),
                    "transition_start": option.transition_start.isoformat(),
                    "transition_end": option.transition_end.isoformat(),
                    "retrieval_end": option.retrieval_end.isoformat(),
                    "erasure": option.erasure.isoformat(),
                }
                for option in timeline.options
            },
        },
        "checklist": [_checklist_row(row) for row in report.checklist_rows] if rows else [],
        "runbooks": [_runbook(view) for view in report.runbooks] if rows else [],
        "risks": [asdict(risk) for risk in report.risks],
        "emergency": [
            {
                **asdict(row),
                "start": row.start.isoformat(),
                "critical_left": list(row.critical_left),
            }
            for row in report.emergency
        ],
    }
