"""The exit plan: checklist, per-wave cutover runbooks and the cost report, in sv and en.

``write_exit_plan`` is the one entry point the command line calls; it renders, it does not
plan or price: the wave plan comes from plan.json and the costs from cost.json.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

from exit_plan.data import LANGS, Checklist, Lang, load_checklist
from exit_plan.render import render_html, render_markdown
from exit_plan.report import build_report
from exit_plan.xlsx import render_xlsx
from migration.catalog import Catalog
from migration.errors import UtflyttError
from migration.generation import write_generation
from migration.plan import Plan

FORMATS: tuple[str, ...] = ("md", "html", "xlsx")


class ExitPlanOptionError(UtflyttError):
    """An unknown language or output format was asked for."""


def render_exit_plan(
    catalog: Catalog,
    plan: Plan,
    cost: Mapping[str, Any] | None,
    lang: Lang,
    fmt: str,
    checklist: Checklist | None = None,
) -> bytes:
    """One report (``md``, ``html`` or ``xlsx``) in one language, as bytes."""
    data = checklist or load_checklist()
    report = build_report(catalog, plan, cost, data, lang)
    if fmt == "md":
        return render_markdown(report, data, lang).encode("utf-8")
    if fmt == "html":
        return render_html(report, data, lang).encode("utf-8")
    if fmt == "xlsx":
        return render_xlsx(report, data, lang)
    raise ExitPlanOptionError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def write_exit_plan(
    catalog: Catalog,
    plan: Plan,
    cost: Mapping[str, Any] | None,
    out_dir: str | Path,
    langs: Iterable[str] = ("sv",),
    formats: Iterable[str] = FORMATS,
) -> list[Path]:
    """Write ``exit-plan.<lang>.<format>`` files atomically; return their paths in order.

    Every option is checked before anything is written.
    """
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
    data = load_checklist()
    rendered = []
    for lang in lang_list:
        for fmt in format_list:
            payload = render_exit_plan(catalog, plan, cost, cast(Lang, lang), fmt, data)
            rendered.append((Path(out_dir) / f"exit-plan.{lang}.{fmt}", payload))
    return write_generation(list(rendered))  # all formats and languages, or none


__all__ = [
    "FORMATS",
    "LANGS",
    "ExitPlanOptionError",
    "load_checklist",
    "render_exit_plan",
    "write_exit_plan",
]
