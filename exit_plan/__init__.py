"""The exit plan: checklist, per-wave cutover runbooks and the cost report, in sv and en.

``write_exit_plan`` is the one entry point the command line calls; it renders, it does not
plan or price: the wave plan comes from plan.json and the costs from cost.json.
"""

from __future__ import annotations

import contextlib
import gc
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import date
from itertools import islice
from pathlib import Path
from typing import IO, Any, cast

from exit_plan.assemble import build_report
from exit_plan.data import LANGS, Checklist, Lang, load_checklist
from exit_plan.jsondoc import write_exit_plan_json
from exit_plan.overlap import overlap_rows
from exit_plan.render import stream_appendix_markdown, stream_html, stream_markdown
from exit_plan.view import ExitPlanView
from exit_plan.xlsx import write_xlsx
from migration.catalog import Catalog
from migration.collector import collector_paused
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
    files = []
    payloads = exit_plan_payloads(
        catalog, plan, cost, langs, formats, checklist, as_of, version, server_detail, overlap
    )
    for name, write in payloads:
        buffer = io.BytesIO()
        write(buffer)
        files.append((name, buffer.getvalue()))
    return files


Writer = Callable[[IO[bytes]], None]
Stage = Callable[[str], AbstractContextManager[object]]


def exit_plan_payloads(
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
    stage: Stage | None = None,
) -> list[tuple[str, Writer]]:
    """The files of :func:`exit_plan_files` as (name, writer), each writer rendering its
    file into a binary handle when called, in the order given. A language's report is
    assembled by its first writer and dropped after its last, and exit-plan.json is
    written chunk by chunk: so at 100k servers only one report and one rendering exist at
    a time (the pipeline hands the writers to the generation writer). ``stage(name)`` is
    entered around each assembly. Options are checked now, before anything is computed."""
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
    cost_doc = cost.to_json_dict() if isinstance(cost, CostReport) else cost
    timed = stage or (lambda _name: contextlib.nullcontext())
    writers: list[tuple[str, Writer]] = []
    for n, lang_name in enumerate(lang_list):
        lang = cast(Lang, lang_name)

        def assemble(lang: Lang = lang) -> ExitPlanView:
            with timed(f"exit plan report ({lang})"):
                report = build_report(
                    catalog, plan, cost_doc, data, lang, as_of, version, server_detail
                )
                return replace(report, overlap=overlap_rows(overlap, lang))

        renders: list[tuple[str, Callable[[ExitPlanView, IO[bytes]], None]]] = []
        if n == 0:
            renders.append(("exit-plan.json", write_exit_plan_json))
        for fmt in format_list:
            name = f"exit-plan.{lang}.{fmt}"
            if fmt == "md":
                renders.append((name, _text(stream_markdown, data, lang)))
                renders.append(
                    (f"exit-plan.{lang}.appendix.md", _text(stream_appendix_markdown, data, lang))
                )
            elif fmt == "html":
                renders.append((name, _text(stream_html, data, lang)))
            else:
                renders.append((name, _workbook(data, lang)))
        writers += _shared(assemble, renders)
    return writers


TEXT_PIECES = 65_536
"""Template fragments written at a time: about a megabyte of text (15 bytes each, on
average, in the appendix and the HTML report)."""


def _text(
    render: Callable[[ExitPlanView, Checklist, Lang], Iterator[str]], data: Checklist, lang: Lang
) -> Callable[[ExitPlanView, IO[bytes]], None]:
    """A writer of a template's text, streamed :data:`TEXT_PIECES` fragments at a time
    (a 50 MB appendix is never one string, nor the list of its fragments). The fragments
    are gathered and joined in C (``islice``, ``str.join``): at 100k servers there are
    millions of them, too many for a Python loop to handle one by one."""

    def write(report: ExitPlanView, handle: IO[bytes]) -> None:
        pieces = render(report, data, lang)
        while chunk := list(islice(pieces, TEXT_PIECES)):
            handle.write("".join(chunk).encode("utf-8"))

    return write


def _workbook(data: Checklist, lang: Lang) -> Callable[[ExitPlanView, IO[bytes]], None]:
    def write(report: ExitPlanView, handle: IO[bytes]) -> None:
        write_xlsx(report, data, lang, handle)

    return write


def _shared(
    assemble: Callable[[], ExitPlanView],
    renders: list[tuple[str, Callable[[ExitPlanView, IO[bytes]], None]]],
) -> list[tuple[str, Writer]]:
    """Writers sharing one report: made by the first called, dropped after the last."""
    held: list[ExitPlanView] = []
    left = [len(renders)]

    def writer(render: Callable[[ExitPlanView, IO[bytes]], None]) -> Writer:
        def write(handle: IO[bytes]) -> None:
            with collector_paused():
                if not held:
                    held.append(assemble())
                    gc.collect()  # the assembly's cycles, if any: none is frozen for good
                    gc.freeze()  # lives until its last file: no later collection walks it
                report = held[0]
                left[0] -= 1
                if not left[0]:
                    held.clear()  # the last file of this language: the report can go
                render(report, handle)

        return write

    return [(name, writer(render)) for name, render in renders]


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
    files = exit_plan_payloads(
        catalog, plan, cost, langs, formats, None, as_of, version, server_detail
    )  # rendered into the staging area one file at a time
    return write_generation([(Path(out_dir) / name, payload) for name, payload in files])


__all__ = [
    "FORMATS",
    "exit_plan_files",
    "exit_plan_payloads",
    "LANGS",
    "ExitPlanOptionError",
    "load_checklist",
    "render_exit_plan",
    "write_exit_plan",
]
