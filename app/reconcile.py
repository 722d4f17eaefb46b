"""Price the generated stacks offline and reconcile them with the cost model's run-rate.

Each stack of the plan (foundation, wave-NN) runs in-process under mocks, as ``utflytt
preview`` runs it; :func:`migration.pricing.resources.price_resources` prices what it
records from the same book the cost model used. The reconciliation compares the model's
steady-state monthly run-rate (the last month of the horizon, infrastructure lines) with the
sum over the stacks, line by line: a line billed by usage (backup, log ingestion) or by a
licence the stacks cannot see (SQL Server) is itemised with its reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from migration.plan import Plan
from migration.pricing.book import PriceBook, find_book
from migration.pricing.resources import StackPrice, price_resources

WITHIN = 0.02
VPN_AFTER_MIGRATION = (
    "the model runs the VPN gateway only while the migration or a hybrid flow needs it; "
    "the foundation stack keeps it until it is removed"
)
REASONS = {
    "sql_licence": "SQL Server licence-included: the stacks import disks, the licence is "
    "billed on the VM by the image's meter, which the stack inputs do not show",
    "backup": "backup is billed by protected instance and stored GB (usage)",
    "logging": "log ingestion is billed per GB ingested (usage)",
    "os_licence": "RHEL and SLES subscriptions are billed by the image's meter, which the "
    "stacks' imported disks do not show (Windows licences are compared)",
    "remote_access": "remote access (Bastion / Session Manager) is costed by the model; the "
    "stacks create no host for it",
}


def _records(plan: Plan, plan_path: str) -> Iterator[tuple[str, list[tuple[str, str, Any]]]]:
    """(stack name, recorded (type, name, inputs)) for every stack of the plan."""
    from stacks.config import settings_for_stack, stack_names

    names = stack_names(plan)
    if plan.target.provider == "aws":
        from stacks.aws.preview import run_aws_preview

        for name in names:
            run = run_aws_preview(settings_for_stack(plan, name, plan_path), plan)
            yield name, [(r.type, r.name, r.inputs) for r in run.resources if r.kind == "register"]
        return
    from stacks.testing import run_offline_full

    foundation = run_offline_full(settings_for_stack(plan, "foundation", plan_path), plan)
    outputs: dict[str, Mapping[str, Any]] = {}
    for name in names:
        settings = settings_for_stack(plan, name, plan_path)
        if name == "foundation":
            run = foundation
            outputs[settings.foundation_stack] = foundation.outputs
        else:
            outputs.setdefault(settings.foundation_stack, foundation.outputs)
            run = run_offline_full(settings, plan, stack_outputs=outputs)
        yield name, [(r.type, r.name, r.inputs) for r in run.resources if r.kind == "register"]


def price_stack(plan: Plan, stack: str, plan_path: str, book: PriceBook) -> StackPrice:
    """The priced resources of one stack."""
    for name, records in _records_one(plan, stack, plan_path):
        del name
        return price_resources(book, records)
    raise AssertionError("unreachable")  # pragma: no cover


def _records_one(
    plan: Plan, stack: str, plan_path: str
) -> Iterator[tuple[str, list[tuple[str, str, Any]]]]:
    from stacks.config import settings_for_stack

    settings = settings_for_stack(plan, stack, plan_path)
    if settings.provider == "aws":
        from stacks.aws.preview import run_aws_preview

        run = run_aws_preview(settings, plan)
    else:
        from stacks.testing import run_offline_full

        run = run_offline_full(settings, plan)
    yield stack, [(r.type, r.name, r.inputs) for r in run.resources if r.kind == "register"]


def reconcile(
    plan: Plan, plan_path: str, cost: Mapping[str, Any], books_dir: Any = None
) -> dict[str, Any]:
    """cost.json ``reconciliation``: the plan's target provider against its stacks."""
    provider = plan.target.provider
    book = find_book(provider, plan.target.region, books_dir)
    fx = next((b["fx"] for b in cost["price_books"] if b["provider"] == provider), None)
    if fx and book.doc.fx and fx["eur_per_usd"] != book.doc.fx.eur_per_usd:
        from migration.pricing.book import FxRate, parse_book

        book = parse_book(book.doc.model_copy(update={"fx": FxRate(**fx)}), book.path)
    stacks: dict[str, float] = {}
    by_component: dict[str, float] = {}
    unpriced: set[str] = set()
    for name, records in _records(plan, plan_path):
        priced = price_resources(book, records)
        stacks[name] = round(priced.monthly_eur, 2)
        unpriced.update(priced.unpriced_types)
        for component, amount in priced.by_component.items():
            by_component[component] = by_component.get(component, 0.0) + amount
    run_rate = cost["providers"][provider]["run_rate"]
    model_parts: dict[str, float] = run_rate["components"]
    items = []
    comparable_model = comparable_stacks = 0.0
    for component in sorted(set(model_parts) | set(by_component)):
        model = float(model_parts.get(component, 0.0))
        stack = by_component.get(component, 0.0)
        if component in REASONS:
            items.append(_item(component, model, stack, REASONS[component]))
            continue
        if component == "vpn" and model == 0 and stack > 0:
            items.append(_item(component, model, stack, VPN_AFTER_MIGRATION))
            continue
        comparable_model += model
        comparable_stacks += stack
        if abs(stack - model) > WITHIN * max(model, 1.0):
            items.append(_item(component, model, stack, "differs by more than 2 %"))
    model_total = float(run_rate["monthly_eur"])
    stacks_total = sum(stacks.values())
    result = {
        "model_monthly_eur": round(model_total, 2),
        "stacks_monthly_eur": round(stacks_total, 2),
        "difference_pct": _pct(stacks_total, model_total),
        "comparable": {
            "model_monthly_eur": round(comparable_model, 2),
            "stacks_monthly_eur": round(comparable_stacks, 2),
            "difference_pct": _pct(comparable_stacks, comparable_model),
        },
        "items": items,
        "stacks": stacks,
        "unpriced_types": sorted(unpriced),
        "month": run_rate["month"],
    }
    other = "aws" if provider == "azure" else "azure"
    return {
        provider: result,
        other: {"status": f"no stacks: the plan's target is {provider}"},
    }


def _item(component: str, model: float, stacks: float, reason: str) -> dict[str, Any]:
    return {
        "component": component,
        "model_eur": round(model, 2),
        "stacks_eur": round(stacks, 2),
        "difference_eur": round(stacks - model, 2),
        "reason": reason,
    }


def _pct(value: float, base: float) -> float | None:
    return None if base == 0 else round((value - base) / base * 100, 2)


def apply(cost: dict[str, Any], reconciliation: dict[str, Any]) -> None:
    """Put the reconciliation into cost.json; a stack resource type without a price makes
    its provider incomplete (its totals lower bounds), named under ``unpriced``."""
    cost["reconciliation"] = reconciliation
    for provider, result in reconciliation.items():
        types = result.get("unpriced_types") or []
        if not types:
            continue
        data = cost["providers"][provider]
        data["unpriced"] = [
            *data["unpriced"],
            *(
                {
                    "what": f"stack resource type {t}",
                    "why": "no price for this type in migration.pricing.resources",
                    "count": 0,
                    "subjects": [],
                }
                for t in types
            ),
        ]
        data["complete"] = False
        data["lower_bound"] = True
        cost["complete"][provider] = False
        cost["paths"][provider]["complete"] = False
