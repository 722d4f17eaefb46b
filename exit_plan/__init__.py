"""The exit plan: checklist, per-wave cutover runbooks and the cost report, in sv and en.

``write_exit_plan`` is the one entry point the command line calls; it renders, it does not
plan or price: the wave plan comes from plan.json and the costs from cost.json.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, cast

from exit_plan.assemble import build_report
from exit_plan.data import LANGS, Checklist, Lang, load_checklist
from exit_plan.jsondoc import exit_plan_json
from exit_plan.overlap import overlap_rows
from exit_plan.render import render_appendix_markdown, render_html, render_markdown
from exit_plan.xlsx import render_xlsx
from migration.catalog import Catalog
from migration.cost.model import CostReport
from migration.errors import UtflyttError
from migration.generation import write_generation
from migration.overlap import OverlapReport
from migration.plan import Plan

FORMATS: tuple[str, ...] = ("md", "html", "xlsx")


class ExitPlanOptionError(UtflyttError):
    """An unknown language or output format was asked for."""


def render_exit_plan(
    catalog: Catalog,
    plan: Plan,
    cost: CostReport | Mapping[str, Any] | None,
    lang: Lang,
    fmt: str,
    checklist: Checklist | None = None,
    as_of: date | None = None,
    version: str = "1",
) -> bytes:
    """One report (``md``, ``html`` or ``xlsx``) in one language, as bytes.

    ``md`` is the decision summary; its appendices (full checklist, runbooks) come from
    :func:`exit_plan_files`. ``as_of`` (default today) dates the document and marks overdue
    items; pass it for reproducible bytes.
    """
    files = dict(exit_plan_files(catalog, plan, cost, (lang,), (fmt,), checklist, as_of, version))
    return files[f"exit-plan.{lang}.{fmt}"]


def exit_plan_files(
    catalog: Catalog,
    plan: Plan,
    cost: CostReport | Mapping[str, Any] | None,
    langs: Iterable[str] = ("sv",),
    formats: Iterable[str] = FORMATS,
    checklist: Checklist | None = None,
    as_of: date | None = None,
    version: str = "1",
    server_detail: bool = False,
    overlap: OverlapReport | None = None,
) -> list[tuple[str, bytes]]:
    """Every file of the exit plan as (name, bytes): per language and format, the
    Markdown appendix beside the Markdown summary, and one exit-plan.json (in the first
    language). Options are checked before anything is computed. With ``overlap`` (the
    analysis of ``utflytt overlap``) the decision summary lists its top findings."""
    lang_list = list(dict.fromkeys(langs))
    format_list = list(dict.fromkeys(formats))
    for lang in lang_list:
        if lang not in LANGS:
            raise ExitPlanOptionError(f"unknown language {lang!r}; expected one of sv, en")
    for fmt in format_list:
        if fmt not in FORMATS:
            raise ExitPlanOptionError(
                f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}"
            )
    data = checklist or load_checklist()
    if isinstance(cost, CostReport):  # the typed report from migration.cost, or cost.json
        cost = cost.to_json_dict()
    files: list[tuple[str, bytes]] = []
    for n, lang_name in enumerate(lang_list):
        lang = cast(Lang, lang_name)
        report = build_report(catalog, plan, cost, data, lang, as_of, version, server_detail)
        report = replace(report, overlap=overlap_rows(overlap, lang))
        if n == 0:
            files.append(("exit-plan.json", exit_plan_json(report)))
        for fmt in format_list:
            name = f"exit-plan.{lang}.{fmt}"
            if fmt == "md":
                files.append((name, render_markdown(report, data, lang).encode("utf-8")))
                appendix = render_appendix_markdown(report, data, lang).encode("utf-8")
                files.append((f"exit-plan.{lang}.appendix.md", appendix))
            elif fmt == "html":
                files.append((name, render_html(report, data, lang).encode("utf-8")))
            else:
                files.append((name, render_xlsx(report, data, lang)))
    return files


def write_exit_plan(
    catalog: Catalog,
    plan: Plan,
    cost: CostReport | Mapping[str, Any] | None,
    out_dir: str | Path,
    langs: Iterable[str] = ("sv",),
    formats: Iterable[str] = FORMATS,
    as_of: date | None = None,
    version: str = "1",
    server_detail: bool = False,
) -> list[Path]:
    """Write the exit plan's files as one unit (all or nothing); return their paths in order.

    Every option is checked before anything is written.
    """
    files = exit_plan_files(
        catalog, plan, cost, langs, formats, None, as_of, version, server_detail
    )
    return write_generation([(Path(out_dir) / name, payload) for name, payload in files])


__all__ = [
    "FORMATS",
    "exit_plan_files",
    "LANGS",
    "ExitPlanOptionError",
    "load_checklist",
    "render_exit_plan",
    "write_exit_plan",
]
