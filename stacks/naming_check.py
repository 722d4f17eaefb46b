"""Every cloud name a catalog gives rise to, checked against its provider's rule before
anything is planned or written (``utflytt validate`` and ``utflytt plan``).

Names built from ids go through :mod:`stacks.naming` and always fit; what can still fail
is text that is used as it is, because rewriting it would change what it says: a system's
owner or cost centre becomes a tag value on every one of its resources, and AWS load
balancers, IAM and CloudWatch Logs take only letters, digits, spaces and ``_ . : / = + -
@`` there. Windows computer names (:mod:`stacks.names`) are checked here too. A breach is a
:class:`NameCheckError` naming the catalog file, line and field, the value and the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from migration.catalog import Catalog
from migration.catalog.where import located_subjects, where_lines
from migration.errors import PlanError, Subject
from stacks import naming
from stacks.names import windows_computer_name
from stacks.naming import NameRule

PROVIDERS = ("azure", "aws")
SAMPLE_ACCOUNT = "123456789012"  # AWS account ids are 12 digits: bucket names are checked so
SHOWN = 20  # problems listed in the message; the rest are counted


class NameCheckError(PlanError):
    """A cloud name or tag value derived from the catalog breaks its provider's rule and
    cannot be shortened. The message lists each value, why it breaks the rule and the rule's
    source; ``where`` has the catalog line of each. The user edits those fields (for
    example writes ``IT och digitalisering`` for ``IT & digitalisering``)."""


@dataclass(frozen=True)
class DerivedName:
    """One name the stacks would give a resource, and the catalog field it comes from."""

    rule: NameRule
    name: str
    subject: Subject  # ("servers", id) / ("systems", id, field) / ("organisation",)


def derived_names(
    catalog: Catalog, provider: str, *, templated: bool = True
) -> Iterator[DerivedName]:
    """Every name and tag value the ``provider``'s stacks derive from the catalog.

    ``templated=False`` leaves out the names :mod:`stacks.naming` builds with
    :func:`~stacks.naming.fit` (VM, NIC, disks, secrets, host names, subnets, NSGs, ASGs,
    gateways, security groups, load balancers): fit always returns a name that meets its
    rule (tests/test_naming.py proves it for every id up to 63 characters), so what is left
    is what can fail (tag values, Windows computer names), and checking a 100,000-server
    catalog stays cheap."""
    systems = {s.id: s for s in catalog.systems if s.migrates}
    units: dict[tuple[str, str], set[str]] = {}
    for server in catalog.servers:
        if server.system not in systems:
            continue
        units.setdefault((server.system, server.environment), set()).add(server.role)
        subject: Subject = ("servers", server.id)
        if provider == "azure" and server.os.startswith("windows"):  # stacks.names, no fit()
            computer = windows_computer_name(server.id)
            yield DerivedName(naming.AZURE_WINDOWS_COMPUTER_NAME, computer, subject)
        if templated:
            yield from _server_names(provider, server.id, server.os, len(server.disks_gb), subject)
    for (system_id, env), roles in sorted(units.items()) if templated else []:
        system = systems[system_id]
        subject = ("systems", system_id)
        key = f"{system_id}-{env}"
        # the network groups: <system>.<env>[.<role>|.<n>] and their client groups
        groups = [f"{system_id}.{env}", *(f"{system_id}.{env}.{r}" for r in sorted(roles))]
        groups.append(f"clients.{groups[-1]}.99")
        if provider == "azure":
            kinds = list(naming.AZURE_UNIT_KINDS)
            if system.level == "citizen":
                kinds += naming.AZURE_GATEWAY_KINDS
                yield DerivedName(
                    naming.AZURE_KEY_VAULT_SECRET, naming.azure_tls_secret(system_id), subject
                )
            for kind in kinds:
                rule = naming.AZURE_UNIT_RULES[kind]
                yield DerivedName(rule, naming.azure_unit(kind, key), subject)
            for group in groups:
                yield DerivedName(naming.AZURE_ASG, naming.azure_asg(group), subject)
        else:
            for group in groups:
                yield DerivedName(
                    naming.AWS_SECURITY_GROUP_NAME, naming.aws_security_group(group), subject
                )
            if system.level == "citizen":
                yield DerivedName(
                    naming.AWS_LOAD_BALANCER, naming.aws_load_balancer(system_id), subject
                )
                yield DerivedName(
                    naming.AWS_TARGET_GROUP, naming.aws_target_group(system_id), subject
                )
    tag_rule = naming.AZURE_TAG_VALUE if provider == "azure" else naming.AWS_TAG_VALUE
    for system_id, system in sorted(systems.items()):
        yield DerivedName(tag_rule, system.owner, ("systems", system_id, "owner"))
        if system.cost_centre is not None:
            yield DerivedName(tag_rule, system.cost_centre, ("systems", system_id, "cost_centre"))
    yield DerivedName(tag_rule, catalog.organisation, ("organisation",))
    if provider == "aws" and templated:
        region = catalog.planning.region
        for purpose in ("trail", "alb-logs"):
            name = naming.aws_bucket(purpose, SAMPLE_ACCOUNT, region)
            yield DerivedName(naming.AWS_BUCKET_NAME, name, ("planning", "region"))


def _server_names(
    provider: str, server_id: str, os_slug: str, disks: int, subject: Subject
) -> Iterator[DerivedName]:
    if provider == "azure":
        yield DerivedName(naming.AZURE_VIRTUAL_MACHINE, naming.azure_vm(server_id), subject)
        yield DerivedName(naming.AZURE_NIC, naming.azure_nic(server_id), subject)
        for index in range(disks):
            yield DerivedName(naming.AZURE_DISK, naming.azure_disk(server_id, index), subject)
        yield DerivedName(
            naming.AZURE_KEY_VAULT_SECRET, naming.azure_admin_secret(server_id), subject
        )
    if provider == "azure" and not os_slug.startswith("windows"):
        linux = naming.azure_linux_computer_name(server_id)
        yield DerivedName(naming.AZURE_LINUX_COMPUTER_NAME, linux, subject)


def name_problems(
    catalog: Catalog, providers: Iterable[str], *, templated: bool = False
) -> list[tuple[DerivedName, str]]:
    """(name, why it breaks its rule) for every derived name that does, in catalog order
    (``templated``: see :func:`derived_names`)."""
    found: dict[tuple[str, str, Subject], tuple[DerivedName, str]] = {}
    for provider in providers:
        for derived in derived_names(catalog, provider, templated=templated):
            problem = derived.rule.problem(derived.name)
            if problem is not None:  # once per rule, name and field (both clouds may ask)
                found.setdefault(
                    (derived.rule.key, derived.name, derived.subject), (derived, problem)
                )
    return list(found.values())


def name_check_error(
    catalog: Catalog, catalog_path: str | Path, providers: Iterable[str]
) -> NameCheckError | None:
    """The :class:`NameCheckError` (with the catalog lines) for every name the
    ``providers``' stacks would derive from ``catalog`` that breaks its rule; None if none."""
    problems = name_problems(catalog, providers)
    if not problems:
        return None
    lines = [
        f"{len(problems)} cloud name{'s' if len(problems) != 1 else ''} or tag value"
        f"{'s' if len(problems) != 1 else ''} derived from the catalog would be refused:"
    ]
    for derived, problem in problems[:SHOWN]:
        lines.append(f"  {_field(derived.subject)}: {derived.name!r}: {problem}")
        lines.append(f"    {derived.rule.describe()}")
    if len(problems) > SHOWN:
        lines.append(f"  ... and {len(problems) - SHOWN} more")
    shown = problems[:SHOWN]
    subjects = [d.subject for d, _ in shown]
    # the structured form (``--json``) says what is wrong at each line, not only where
    details: dict[Subject, list[str]] = {}
    for derived, problem in shown:
        details.setdefault(derived.subject, []).append(
            f"{derived.name!r}: {problem} ({derived.rule.describe()})"
        )
    located = located_subjects(catalog_path, subjects)
    issues = [
        replace(issue, message=f"{issue.message}: {'; '.join(details[subject])}")
        for subject, issue in located
    ]
    return NameCheckError(
        "\n".join(lines), subjects, where_lines([issue for _, issue in located]), issues
    )


def check_catalog_names(
    catalog: Catalog, catalog_path: str | Path, providers: Iterable[str]
) -> None:
    """Raise :func:`name_check_error`'s error, if any."""
    error = name_check_error(catalog, catalog_path, providers)
    if error is not None:
        raise error


def _field(subject: Subject) -> str:
    if subject[0] == "servers":
        return f"server {subject[1]}"
    if subject[0] == "systems":
        return f"system {subject[1]}" + (f" {subject[2]}" if len(subject) > 2 else "")
    return ".".join(str(part) for part in subject)
