"""``allocations.json``: what a re-plan must never change once deployed (DESIGN.md
"Allocations").

The file lives in the stack-config folder and is committed with the stack configs. It is
keyed by provider (``azure``, ``aws``), so switching the target keeps both. Per provider:

- ``address_space``: the cloud's address block (Azure: the /13 holding hub and spokes);
- ``subnets``: ``<environment>/<system>`` (a unit's subnet) or ``<environment>/<system>/
  <part>`` (e.g. ``/gateway`` for an Application Gateway subnet) -> CIDR; a provider whose
  subnets are not per system uses its own second part (e.g. ``prod/private-a``, one per
  availability zone);
- ``servers``: server id -> its system, environment, private IP and (Windows servers built
  from an image) computer name;
- ``names``: globally unique names (``key_vault``, ``storage_account``) -> the name;
- ``groups`` (optional; files written before it load as empty): network group name (an
  Azure application security group, an AWS security group) -> what the group is (its
  system, environment, kind and identity) and its members when last planned, so that a
  re-plan gives a group the name it had (:mod:`stacks.network.stable_names`).

``utflytt plan`` reads it, keeps every entry, adds new ones (:mod:`stacks.allocate`) and
writes it back; the stacks read the same entries from ``plan.json`` (its ``allocations``
field), never from this file. Entries of systems that left the catalog stay until
:func:`release_systems` (``utflytt allocations release``) drops them.

The model is strict: a broken file is an :class:`AllocationsError` naming the file, the
entry and what is wrong, and ``utflytt plan`` then writes nothing.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from migration.errors import InputFileError
from migration.fileio import dumps_json, read_json_input
from migration.ipv4 import is_canonical
from migration.plan_checks import text_problems

FILE_NAME = "allocations.json"
PROVIDERS = ("azure", "aws")
COMPUTER_NAME_LENGTH = 15  # NetBIOS
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9_.-]+)?$")
_GROUP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_COMPUTER_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?$")


class AllocationsError(InputFileError):
    """``allocations.json`` cannot be read or is not a valid allocations file; the message
    names the file, the entry and what is wrong. Fix or restore the file (it is committed
    with the stack configs): nothing is planned or written from a broken one."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _network(value: str) -> str:
    try:
        return str(ipaddress.IPv4Network(value))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IPv4 network address ({exc})") from None


class ServerAllocation(_Model):
    """A server's stable facts: where it was placed and what it is called."""

    system: str = Field(min_length=1)
    environment: str = Field(min_length=1)
    ip: str = ""  # its private IP ("" none allocated on this provider)
    computer_name: str = ""  # Windows servers built from an image

    @field_validator("ip")
    @classmethod
    def _ip(cls, value: str) -> str:
        if not value or is_canonical(value):  # as written back: 100k of them, fast
            return value
        try:
            return str(ipaddress.IPv4Address(value))
        except ValueError:
            raise ValueError(f"{value!r} is not an IPv4 address") from None

    @field_validator("computer_name")
    @classmethod
    def _computer_name(cls, value: str) -> str:
        if value and (not _COMPUTER_NAME.match(value) or value.isdigit()):
            raise ValueError(
                f"{value!r} is not a Windows computer name (1-{COMPUTER_NAME_LENGTH} letters, "
                "digits or '-', not only digits, not ending with '-')"
            )
        return value


class GroupAllocation(_Model):
    """A network group's recorded name: what the group is and who was in it. ``identity``
    tells groups of one system x environment (own) or network (client) apart: an own
    group's roles (``app,web``), a client group's ``permits:<digest>`` of the destinations
    and port sets that admit it; ``members`` (server ids) match a group whose identity
    changed by overlap."""

    kind: Literal["own", "client"]
    system: str = Field(min_length=1)  # own: its system; client: its destination's
    environment: str = Field(min_length=1)
    identity: str = ""
    members: tuple[str, ...] = ()

    @field_validator("members")
    @classmethod
    def _members(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value)))


_ALL_GIVEN = set(ServerAllocation.model_fields)


def server_allocation(
    system: str, environment: str, ip: str, computer_name: str
) -> ServerAllocation:
    """A validated :class:`ServerAllocation`, all fields given: it shares one set of given
    field names with every other (pydantic makes one per object: 20 MB at 100k servers)."""
    entry = ServerAllocation(
        system=system, environment=environment, ip=ip, computer_name=computer_name
    )
    object.__setattr__(entry, "__pydantic_fields_set__", _ALL_GIVEN)
    return entry


class ProviderAllocations(_Model):
    """One provider's allocations."""

    address_space: str = ""
    subnets: dict[str, str] = Field(default_factory=dict)
    servers: dict[str, ServerAllocation] = Field(default_factory=dict)
    names: dict[str, str] = Field(default_factory=dict)
    groups: dict[str, GroupAllocation] = Field(default_factory=dict)

    @field_validator("groups")
    @classmethod
    def _groups(cls, value: dict[str, GroupAllocation]) -> dict[str, GroupAllocation]:
        for name in value:
            if not _GROUP_NAME.match(name):
                raise ValueError(f"group name {name!r} is not letters, digits, '.', '_', '-'")
        return value

    @field_validator("address_space")
    @classmethod
    def _space(cls, value: str) -> str:
        return _network(value) if value else value

    @field_validator("subnets")
    @classmethod
    def _subnets(cls, value: dict[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, cidr in value.items():
            if not _KEY.match(key):
                raise ValueError(f"subnet key {key!r} is not <environment>/<system>[/<part>]")
            try:
                out[key] = _network(cidr)
            except ValueError as exc:
                raise ValueError(f"subnet {key}: {exc}") from None
        return out

    @model_validator(mode="after")
    def _consistent(self) -> ProviderAllocations:
        nets = sorted((ipaddress.IPv4Network(c), k) for k, c in self.subnets.items())
        for (a, ka), (b, kb) in zip(nets, nets[1:], strict=False):
            if a.overlaps(b):
                raise ValueError(f"subnets {ka} ({a}) and {kb} ({b}) overlap")
        if self.address_space:
            space = ipaddress.IPv4Network(self.address_space)
            for net, key in nets:
                if not net.subnet_of(space):
                    raise ValueError(f"subnet {key} ({net}) is outside address_space {space}")
        seen_ip: dict[str, str] = {}
        seen_name: dict[str, str] = {}
        for sid, server in sorted(self.servers.items()):
            if server.ip:
                other = seen_ip.setdefault(server.ip, sid)
                if other != sid:
                    raise ValueError(f"servers {other} and {sid} both have ip {server.ip}")
            if server.computer_name:
                other = seen_name.setdefault(server.computer_name.lower(), sid)
                if other != sid:
                    raise ValueError(
                        f"servers {other} and {sid} both have computer name "
                        f"{server.computer_name!r}"
                    )
        return self

    def flat(self) -> dict[str, str]:
        """Subnet key -> CIDR and server id -> IP in one mapping (subnet keys hold a ``/``,
        server ids never do): the ``previous`` an address planner keeps."""
        return {**self.subnets, **{sid: a.ip for sid, a in self.servers.items() if a.ip}}

    def systems(self) -> set[str]:
        """Every system with a server entry (a system's subnet is always allocated with its
        servers; a subnet key's second part need not be a system, e.g. a per-AZ subnet
        ``prod/private-a``)."""
        return {s.system for s in self.servers.values()}


class Allocations(_Model):
    """The whole ``allocations.json`` (and ``plan.json``'s ``allocations``)."""

    version: Literal[1] = 1
    azure: ProviderAllocations = Field(default_factory=ProviderAllocations)
    aws: ProviderAllocations = Field(default_factory=ProviderAllocations)

    def provider(self, name: str) -> ProviderAllocations:
        """The allocations of ``name`` (``azure`` or ``aws``)."""
        found: ProviderAllocations = getattr(self, name)
        return found

    def with_provider(self, name: str, allocations: ProviderAllocations) -> Allocations:
        """A copy with ``name``'s allocations replaced."""
        return self.model_copy(update={name: allocations})

    def is_empty(self) -> bool:
        """Nothing allocated for any provider."""
        return self == Allocations()

    def to_json_dict(self) -> dict[str, object]:
        """The JSON-ready dict; serialise with :func:`dumps_json` (sorted keys). Empty
        fields are left out (a provider never planned for, a server with no computer name)
        so that the committed file shows only what is allocated."""
        return {"version": self.version, **self.model_dump(mode="json", exclude_defaults=True)}


def allocations_path(stack_config_dir: str | Path) -> Path:
    """Where a stack-config folder keeps its allocations."""
    return Path(stack_config_dir) / FILE_NAME


def read_allocations(path: str | Path) -> Allocations:
    """The allocations in ``path``; an absent file is empty allocations (a first plan).
    A broken file is an :class:`AllocationsError` naming the file and the entry."""
    file = Path(path)
    if not file.exists():
        return Allocations()
    try:
        data = read_json_input(file, "allocations", "an allocations.json")
    except InputFileError as exc:
        raise AllocationsError(str(exc)) from None
    try:
        allocations = Allocations.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise AllocationsError(
            f"{file}: not a valid allocations.json: {where + ': ' if where else ''}{message} "
            f"({exc.error_count()} problem{'s' if exc.error_count() != 1 else ''}; fix or "
            "restore the committed file)"
        ) from None
    problem = next(text_problems(allocations, "allocations"), None)
    if problem is not None:  # plan.json carries them: a plan must read back what it wrote
        raise AllocationsError(
            f"{file}: not a valid allocations.json: {problem.removeprefix('allocations.')} "
            "(fix or restore the committed file)"
        )
    return allocations


def dumps_allocations(allocations: Allocations) -> str:
    """Canonical text of an allocations file (sorted keys: same allocations, same bytes)."""
    return dumps_json(allocations.to_json_dict())


def release_systems(
    allocations: Allocations, systems: Iterable[str], groups: Iterable[str] = ()
) -> Allocations:
    """A copy without any entry (subnet, server, network group) of ``systems``, nor the
    recorded network ``groups`` (by name), on every provider."""
    gone = set(systems)
    gone_groups = set(groups)
    out = allocations
    for name in PROVIDERS:
        current = allocations.provider(name)
        out = out.with_provider(
            name,
            current.model_copy(
                update={
                    "subnets": {
                        k: v for k, v in current.subnets.items() if k.split("/")[1] not in gone
                    },
                    "servers": {k: v for k, v in current.servers.items() if v.system not in gone},
                    "groups": {
                        k: v
                        for k, v in current.groups.items()
                        if v.system not in gone and k not in gone_groups
                    },
                }
            ),
        )
    return out


def release_in_folder(
    stack_config_dir: str | Path, systems: Iterable[str], groups: Iterable[str] = ()
) -> dict[str, int]:
    """``utflytt allocations release``: drop every entry of ``systems`` (subnets, servers,
    their network groups) and the recorded network ``groups`` named from the folder's
    allocations.json (all providers) and write it back (locked, atomic). Returns the number
    of entries released per system (and per ``group <name>``). A missing file, or a system
    or group without entries, is an :class:`AllocationsError` and nothing is written."""
    from migration.generation import write_generation

    path = allocations_path(stack_config_dir)
    if not path.exists():
        raise AllocationsError(f"{path}: not found (nothing to release)")
    current = read_allocations(path)
    wanted = sorted(set(systems))
    names = sorted(set(groups))
    counts = {system: _entries_of(current, system) for system in wanted}
    missing = [system for system, n in counts.items() if n == 0]
    if missing:
        known = sorted(set().union(*(current.provider(p).systems() for p in PROVIDERS)))
        raise AllocationsError(
            f"{path}: no entries for {', '.join(missing)} (known: "
            f"{', '.join(known) or 'none'}); nothing released"
        )
    for group in names:
        counts[f"group {group}"] = sum(group in current.provider(p).groups for p in PROVIDERS)
    unknown = [g for g in names if not counts[f"group {g}"]]
    if unknown:
        raise AllocationsError(
            f"{path}: no network group {', '.join(unknown)} recorded; nothing released"
        )
    write_generation([(path, dumps_allocations(release_systems(current, wanted, names)))])
    return counts


def _entries_of(allocations: Allocations, system: str) -> int:
    total = 0
    for name in PROVIDERS:
        found = allocations.provider(name)
        total += sum(1 for k in found.subnets if k.split("/")[1] == system)
        total += sum(1 for a in found.servers.values() if a.system == system)
        total += sum(1 for g in found.groups.values() if g.system == system)
    return total
