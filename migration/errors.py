"""Errors raised by utflytt: one tree, rooted at :class:`UtflyttError`.

Every error a user can cause (bad input, options, configs) derives from
:class:`UtflyttError`; the command line turns it into ``Error: ...`` with exit code 1 in one
place (``app.cli``), and the Pulumi program (``stacks/__main__.py``) into a one-line
``RunError``. Anything else escaping is a bug. The whole tree, with where each type lives,
when it is raised and what the user does about it:

- :class:`UtflyttError` (here): the base; raised as itself only for a one-off option
  problem (an unknown stack or exit-plan language). Fix the option the message names.

  - :class:`CatalogError` (here): the catalog is invalid; lists every problem with file,
    line, column and field. Edit the catalog at those lines; ``utflytt validate`` re-checks.
  - ``DraftCatalogError`` (``migration.catalog.findings``): the catalog is valid but still an
    import draft: its organisation or contract fields are placeholders, so ``plan``,
    ``cost`` and ``exit-plan`` refuse it. Fill in the fields the message lists.
  - :class:`PlanError` (here): the catalog is valid but the hard planning rules cannot all
    hold (pins, migrated servers, dependencies, blackouts). Names both ends and their
    catalog lines or wave-sheet rows; move or drop a pin, correct ``migrated``, or shorten
    a blackout.

    - ``SizingError`` (``migration.sizing.limits``): a migrating server is larger than any
      size planned for (128 vCPU, 2 TB memory on Azure and AWS); lists the servers with
      their catalog lines. Split the server, give it cpu_p95/memory_p95, or retain its
      system.
    - ``NameCheckError`` (``stacks.naming_check``): a tag value the catalog gives (a
      system's owner or cost centre, the organisation) has a character the target cloud
      refuses, or a Windows computer name would break its rule; raised by ``validate`` and
      ``plan`` before anything is written, with the catalog lines and the rule's source.
      Edit those fields (names built from ids are shortened, never refused).

  - :class:`InputFileError` (here): another input (plan.json, cost.json, a wave sheet, a
    pins file, a price book) is unreadable, invalid or stale. Regenerate it (``utflytt
    plan``) or fix the field the message names.

    - ``ImporterError`` (``migration.importers.common``): an inventory export (RVTools,
      Azure Migrate, dependency CSV) has rows that cannot be imported; lists them with
      sheet, row and column. Fix the export or import with the column mapping it suggests.
      Its kinds: ``MissingSheet`` (a sheet or per-sheet CSV the format needs is absent),
      ``MissingColumn`` (a needed header is absent) and ``BadValue`` (a cell cannot be
      read as what its column means).
    - ``AllocationsError`` (``migration.allocations``): the stack-config folder's
      ``allocations.json`` is unreadable or invalid (a bad CIDR or IP, overlapping subnets,
      a computer name used twice); names the file and the entry. Fix it or restore the
      committed file; ``utflytt plan`` writes nothing until then.

  - :class:`OutputError` (here): an output could not be written (full disk, read-only
    folder, another run holds the lock); the previous outputs are unchanged. Free the space,
    fix the permission or wait for the other run, then run again.
  - ``StackConfigError`` (``stacks.config``): a generated or hand-edited
    ``Pulumi.<stack>.yaml`` has invalid keys; run ``utflytt plan`` again or fix the keys.
  - ``AwsConfigError`` (``stacks.aws.layout``): the optional ``utflytt:aws`` object of a
    stack config is wrong (AMI ids, availability zones, VPC ranges); fix the key named.
  - ``NetworkLimitError`` (``stacks.network.limits``): the plan's network rules break a
    platform limit (rules or prefixes per NSG, ASGs, AWS rules per security group, groups per
    interface); raised by ``utflytt plan`` before anything is written, naming the rule set,
    the count, the limit and the flows behind it. Narrow the dependencies (``from_roles`` /
    ``to_roles``) or raise the quota in ``planning.quotas``.
  - ``AddressPlanError`` (``stacks.network.addresses``): the plan does not fit the cloud
    address plan (a spoke is full, a system has more servers than a subnet holds); raised
    by ``utflytt plan``, also when a system outgrew the subnet ``allocations.json`` keeps
    for it. Split the system, or release its allocation (``utflytt allocations release``)
    to re-address it on purpose.
  - ``NameError_`` (``stacks.names``): two servers would get the same computer name even
    after the allocator's suffixes; rename one server id.
  - ``NameRuleError`` (``stacks.naming``): a name template produced a name its cloud
    refuses even after shortening (a bug in utflytt, never the catalog's fault); report it.
  - ``LayoutError`` (``stacks.azure.layout``): the plan cannot be laid out on Azure
    (address space, rule or name limits, an unknown OS); change the catalog or raise the
    quota in ``planning.quotas``.
  - ``VpnPeerMissingError`` (``stacks.baseline``): the plan has ``source_networks``, so the
    landing zone builds a site-to-site VPN, but the stack config has no usable peer address
    (missing, private or not an IPv4 address). Set ``utflytt:vpnPeerAddress`` (Azure) or
    ``utflytt:aws.vpnPeerIp`` (AWS) to the old provider's public VPN endpoint.
  - ``CertificateMissingError`` (``stacks.baseline``): an AWS public entrance (HTTPS only)
    has no certificate; set ``utflytt:aws.certificateArns.<system>`` to its ACM ARN.
  - ``LivePreviewError`` (``stacks.program``): ``preview --live`` asked for the real
    Pulumi engine where it cannot run; install and log in to the Pulumi CLI, or drop
    ``--live``.
  - ``ExitPlanOptionError`` (``exit_plan``): an unknown exit-plan language or format;
    use one the message lists.

Internal exceptions that never reach the user (``SourceError`` and the parser's
``ParseProblem`` become a CatalogError,
``CellError`` an ImporterError, moto's ``MockCheckError`` a failed preview, the Pulumi mocks'
``_Fallback`` a slower serialisation path) stay outside the tree; ``tests/test_errors.py``
checks both lists against the code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Issue:
    """One problem found in an input, with where it is.

    ``line`` and ``column`` are 1-based; 0 means "the whole file" (missing file, empty file).
    ``path`` is the field path inside the document, e.g. ``servers[12].depends_on[0].to``.
    """

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line == 0 else f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class UtflyttError(Exception):
    """Base of every error a user can cause with bad input or options.

    Raised as itself only for a one-off option problem (an unknown stack, an exit-plan
    language not offered); the message names the option and what is accepted. Catch this
    type, never a subclass list, at a program's boundary.
    """


class CatalogError(UtflyttError):
    """The catalog is invalid; ``issues`` lists every problem found, sorted.

    Raised by loading and validating (``utflytt validate``, ``plan`` and every command that
    reads a catalog) before anything is written. The user edits the catalog at each
    ``file:line:column`` listed and runs ``utflytt validate`` again.
    """

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = sorted(issues)
        count = len(self.issues)
        head = f"catalog is invalid ({count} error{'s' if count != 1 else ''})"
        super().__init__("\n".join([head, *(str(issue) for issue in self.issues)]))


Subject = tuple[str | int, ...]
"""What an error names, as a catalog field path by id: ``("servers", "dc01")``,
``("systems", "eco")``, ``("systems", "eco", "blackouts", 0)``, ``("planning",
"blackouts", 1)``, ``("planning", "start")``. Ids, not list indexes, so that the planner,
which never sees the files, can name them; :mod:`migration.catalog.where` turns them into
file and line."""


class PlanError(UtflyttError):
    """The catalog is valid but cannot be planned as asked.

    Raised by the wave planner when pins (``pinned_wave``, ``--pins``), migrated servers,
    dependencies, blackouts and capacity contradict the hard planning rules. The message
    names both ends of the contradiction; ``subjects`` are the catalog entries it names and
    ``where`` the lines they were found at (added by whoever knows the files: the catalog
    loader's locator, the wave sheet's rows). The user edits one of the named entries: moves
    or removes a pin, corrects ``migrated``, or shortens a blackout.
    """

    def __init__(
        self,
        message: str,
        subjects: Sequence[Subject] = (),
        where: Sequence[str] = (),
        issues: Sequence[Issue] = (),
    ) -> None:
        self.message = message
        self.subjects = tuple(subjects)
        self.where = tuple(dict.fromkeys(where))  # in order, each line once
        # the same places as ``where``, structured (file, line, column, field path), for
        # ``--json``: every line the message names is an error object there too
        self.issues = tuple(dict.fromkeys(issues))
        super().__init__("\n".join([message, *(f"  at {line}" for line in self.where)]))

    def located(self, where: Sequence[str], issues: Sequence[Issue] = ()) -> PlanError:
        """The same error (same type) with more ``where`` lines (file:line: what) and
        their structured ``issues``."""
        return type(self)(
            self.message, self.subjects, (*self.where, *where), (*self.issues, *issues)
        )


class InputFileError(UtflyttError):
    """An input other than the catalog is unreadable, invalid or stale.

    Raised when reading plan.json, cost.json, a wave sheet, a pins file, a price book or an
    inventory export, and when a plan was made from another catalog than the one given.
    The message names the file (and row or field); the user regenerates the file with the
    command it names (usually ``utflytt plan``) or fixes the field. ``issues`` holds the
    same places structured (file, line or row, column, field) when the message lists them.
    """

    def __init__(self, message: str, issues: Sequence[Issue] = ()) -> None:
        self.issues = tuple(sorted(issues))
        super().__init__(message)


class OutputError(UtflyttError):
    """An output could not be written (full disk, read-only folder, another run holds the
    lock). The message names the path and the reason; the previous outputs are unchanged.

    Raised by the writers of ``utflytt plan`` and the other commands that write files. The
    user frees space, fixes the folder's permissions or waits for the other run, and runs
    the command again.
    """

    @classmethod
    def from_os_error(cls, exc: OSError, path: object = None) -> OutputError:
        """``PATH: cannot write: REASON`` from an OSError (the path it names, else ``path``)."""
        return cls(describe_os_error(exc, path, "cannot write"))


def describe_os_error(exc: OSError, path: object = None, action: str = "cannot access") -> str:
    """One line for an OSError: the path it concerns and the system's reason.

    ``No space left on device``, ``Permission denied``, ``Read-only file system``: the
    reason is the operating system's own text, so a user can search for it.
    """
    where = exc.filename if exc.filename is not None else path
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{where}: {action}: {reason}" if where is not None else f"{action}: {reason}"
