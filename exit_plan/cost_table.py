"""The exit plan's cost comparison: staying at ÅDA against moving to each cloud.

:func:`cost_view` turns cost.json into the :class:`~exit_plan.view.CostTable` the templates
and the spreadsheet show: the rows a decision weighs (stay, and ÅDA during the move plus each
cloud), the parts those rows are made of, each row's price source with its retrieval date,
break-even notes and the sensitivity range. :mod:`exit_plan.report` re-exports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exit_plan.data import Checklist, Lang
from exit_plan.view import CostRow, CostTable

__all__ = ["PROVIDER_ORDER", "cost_view"]

PROVIDER_ORDER = ("ada", "azure", "aws")  # ÅDA, then the primary target, then the second


def _provider_order(providers: Mapping[str, Any]) -> list[str]:
    def rank(key: str) -> tuple[int, str]:
        return (PROVIDER_ORDER.index(key) if key in PROVIDER_ORDER else len(PROVIDER_ORDER), key)

    return sorted(providers, key=rank)


def _series(doc: Mapping[str, Any], years: list[str], key: str) -> list[float]:
    return [float((doc.get(key) or {}).get(y, 0.0)) for y in years]


def _price_source(cost: Mapping[str, Any], key: str, checklist: Checklist, lang: Lang) -> str:
    retrieved = checklist.label("retrieved", lang)
    parts = [
        f"{b.get('provider')} {b.get('region')}: “{b.get('source')}”, {retrieved} "
        f"{b.get('retrieved')}" + (f" (“{b['note']}”)" if b.get("note") else "")
        for b in cost.get("price_books", []) or []
        if b.get("provider") == key
    ]
    return "; ".join(parts) if parts else "—"


def _row(
    key: str,
    label: str,
    doc: Mapping[str, Any],
    years: list[str],
    source: str,
    **extra: Any,
) -> dict[str, Any]:
    row = {
        "key": key,
        "label": label,
        "yearly": _series(doc, years, "yearly"),
        "cumulative": _series(doc, years, "cumulative"),
        "one_time": float(doc.get("one_time", 0.0) or 0.0),
        "npv": doc.get("npv"),
        "total": float(doc.get("total", 0.0) or 0.0),
        "pricing_option": doc.get("pricing_option"),
        "break_even": None,
        "has_break_even": False,
        "sensitivity": None,
        "source": source,
    }
    row.update(extra)
    return row


def cost_view(cost: Mapping[str, Any] | None, checklist: Checklist, lang: Lang) -> CostTable | None:
    """The cost comparison: staying at ÅDA against moving to each cloud, and what each move is.

    cost.json's ``providers`` are parts, not alternatives: ``ada`` is what ÅDA still costs
    while moving, ``azure``/``aws`` the cloud's own costs. The alternatives a decision weighs
    are ``stay`` and the ``paths`` (ÅDA during the move + that cloud); those are the rows of
    the comparison and the charts, and break-even compares each path with staying. A
    document without ``stay``/``paths`` (an older cost model) compares the providers as is.
    """
    if cost is None:
        return None
    years = [str(y) for y in cost.get("years", [])]
    providers = cost.get("providers", {}) or {}
    paths = cost.get("paths") or {}
    stay = cost.get("stay")
    break_even = cost.get("break_even") or {}
    sensitivity = cost.get("sensitivity") or {}
    current = checklist.label("cost_source_current", lang)
    parts = []
    for key in _provider_order(providers):
        doc = providers[key]
        label = str(doc.get("label", key))
        if key == "ada":
            parts.append(_row(key, checklist.label("part_ada", lang), doc, years, current))
        else:
            sens = sensitivity.get(key)
            parts.append(
                _row(
                    key,
                    label,
                    doc,
                    years,
                    _price_source(cost, key, checklist, lang),
                    sensitivity=sens,
                )
            )
    if stay is None or not paths:
        rows = [
            dict(part, break_even=break_even.get(part["key"]), has_break_even=part["key"] != "ada")
            for part in parts
        ]
        parts = []
    else:
        ada_doc = providers.get("ada") or {}
        ada_total = float(ada_doc.get("total", 0.0) or 0.0)
        ada_one_time = float(ada_doc.get("one_time", 0.0) or 0.0)
        rows = [_row("stay", checklist.label("path_stay", lang), stay, years, current)]
        for key in _provider_order(paths):
            cloud = providers.get(key) or {}
            sens = sensitivity.get(key)
            label = checklist.label("path_to", lang).format(target=str(cloud.get("label", key)))
            rows.append(
                _row(
                    key,
                    label,
                    paths[key],
                    years,
                    f"{current}; {_price_source(cost, key, checklist, lang)}",
                    one_time=ada_one_time + float(cloud.get("one_time", 0.0) or 0.0),
                    pricing_option=cloud.get("pricing_option"),
                    break_even=break_even.get(key),
                    has_break_even=True,
                    sensitivity=(
                        {
                            "low": ada_total + float(sens["low"]),
                            "high": ada_total + float(sens["high"]),
                        }
                        if sens and sens.get("low") is not None and sens.get("high") is not None
                        else None
                    ),
                )
            )
    horizon = f"{years[0]}–{years[-1]}" if years else ""
    share = (cost.get("assumptions") or {}).get("sensitivity")
    notes = []
    for row in rows:
        if row["has_break_even"]:
            key = "break_even_month_note" if row["break_even"] else "break_even_none_note"
            notes.append(
                checklist.label(key, lang).format(
                    label=row["label"], month=row["break_even"], horizon=horizon
                )
            )
    return CostTable(
        currency=str(cost.get("currency", "EUR")),
        years=tuple(years),
        horizon=horizon,
        rows=tuple(CostRow.from_row(r) for r in rows),
        parts=tuple(CostRow.from_row(r) for r in parts),
        price_books=tuple(dict(b) for b in cost.get("price_books", []) or []),
        warnings=tuple(dict(w) for w in cost.get("warnings", []) or []),
        break_even={r["label"]: r["break_even"] for r in rows if r["break_even"]},
        break_even_notes=tuple(notes),
        sensitivity_pct=f"{float(share) * 100:g}" if share is not None else "—",
    )
