"""Network rule counts of generated estates, 120 to 2,000 systems, against the server-pair
baseline (one rule per consumer, provider and protocol, as utflytt wrote them before the
network policy) and the platform limits (Azure 1,000 rules and 4,000 prefixes per NSG,
3,000 ASGs; AWS 60 inbound rule units per security group, 5 security groups per
interface, 2,500 security groups per VPC).

    .venv/bin/python bench/network.py            # 120, 400, 1000, 2000 systems
    .venv/bin/python bench/network.py 120 400    # chosen sizes

Each estate is ``bench/estate.py generate(5 x systems, seed 7)`` with a source network and an
address for every server (the case that needs the most prefixes), twice: ``system`` (AD as a
system-level dependency, one collector per system) and ``server`` (each server picks its
own DC and collectors: the messy estate a dependency scan gives). "over" counts the rule
sets past the default limits on Azure / AWS.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.pipeline import plan_catalog  # noqa: E402
from bench.estate import EstateOptions, generate  # noqa: E402
from migration.catalog import Catalog  # noqa: E402
from migration.catalog.models import parse_port  # noqa: E402
from migration.plan import Plan  # noqa: E402
from stacks.network.limits import (
    RuleSetCount,  # noqa: E402
    rule_set_counts,  # noqa: E402
)
from stacks.network.policy import moves  # noqa: E402
from waves import PlanOptions  # noqa: E402

SIZES = (120, 400, 1000, 2000)


def estate(systems: int, services: str = "system") -> Plan:
    doc = generate(systems * 5, 7, EstateOptions(shared_services=services))
    doc["source_networks"] = ["10.10.0.0/16"]
    doc["servers"] = [
        dict(s, ip=f"10.10.{i // 250}.{i % 250 + 1}") for i, s in enumerate(doc["servers"])
    ]
    return plan_catalog(Catalog.model_validate(doc), "0" * 64, PlanOptions(deterministic_time=0.5))


def baseline(result: Plan) -> tuple[int, int]:
    """(rules, largest rule set) with one rule per consumer, provider and protocol."""
    rules = {
        (f.from_, f.to, parse_port(p)[0])
        for f in result.flows
        if moves(result.servers[f.to])
        for p in f.ports
    }
    per_set = Counter(
        (result.servers[v].system, result.servers[v].environment) for _, v, _ in rules
    )
    return len(rules), max(per_set.values(), default=0)


def worst(counts: list[RuleSetCount], what: str) -> tuple[int, int]:
    found = [c for c in counts if c.what == what]
    top = max(found, key=lambda c: c.count)
    return top.count, top.limit


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or list(SIZES)
    print(
        f"{'systems':>7} {'estate':>6} {'flows':>6} | {'pair rules':>10} {'max/set':>7} | "
        f"{'azure rules':>11} {'max/NSG':>9} {'prefixes':>10} {'ASGs':>9} | "
        f"{'aws max/SG':>10} {'SGs/ENI':>7} {'SGs/VPC':>10} | {'over':>9} | {'seconds':>7}"
    )
    for systems in sizes:
        for services in ("system", "server"):
            started = time.perf_counter()
            result = estate(systems, services)
            azure = rule_set_counts(result)
            aws = rule_set_counts(
                result.model_copy(
                    update={"target": result.target.model_copy(update={"provider": "aws"})}
                )
            )
            pair_rules, pair_max = baseline(result)
            nsg_rules = sum(c.count for c in azure if c.what == "rules")
            rules_max, rules_limit = worst(azure, "rules")
            prefixes, prefix_limit = worst(azure, "address prefixes")
            asgs, asg_limit = worst(azure, "application security groups")
            sg_max, sg_limit = worst(aws, "inbound rules")
            eni, eni_limit = worst(aws, "security groups per interface")
            vpc, vpc_limit = worst(aws, "security groups")
            over = f"{sum(c.breached for c in azure)}/{sum(c.breached for c in aws)}"
            print(
                f"{systems:>7} {services:>6} {len(result.flows):>6} | "
                f"{pair_rules:>10} {pair_max:>7} | {nsg_rules:>11} "
                f"{rules_max:>4}/{rules_limit:<4} {prefixes:>4}/{prefix_limit:<5} "
                f"{asgs:>4}/{asg_limit:<4} | {sg_max:>4}/{sg_limit:<5} {eni:>3}/{eni_limit:<3} "
                f"{vpc:>4}/{vpc_limit:<5} | {over:>9} | {time.perf_counter() - started:>7.1f}"
            )
    print("over: rule sets past the default limits on Azure / AWS (README: planning.quotas)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
