"""Errors raised by the utflytt core.

Every error the user can cause derives from :class:`UtflyttError`; the command line turns
them into ``Error: ...`` messages with exit code 1 in one place (``app.cli``).

- :class:`CatalogError`: the catalog (one file or a folder) is invalid; carries every
  :class:`Issue` found, sorted by file, line and column.
- :class:`PlanError`: the catalog is valid but cannot be planned as asked (a pin that
  contradicts a dependency, a frozen wave that must change).
- :class:`InputFileError`: another input (a plan, a CSV, an import) is unreadable or invalid.
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
    """Base of every error a user can cause with bad input or options."""


class CatalogError(UtflyttError):
    """The catalog is invalid; ``issues`` lists every problem found, sorted."""

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
        self, message: str, subjects: Sequence[Subject] = (), where: Sequence[str] = ()
    ) -> None:
        self.message = message
        self.subjects = tuple(subjects)
        self.where = tuple(dict.fromkeys(where))  # in order, each line once
        super().__init__("\n".join([message, *(f"  at {line}" for line in self.where)]))

    def located(self, where: Sequence[str]) -> PlanError:
        """The same error with more ``where`` lines (file:line: what)."""
        return PlanError(self.message, self.subjects, (*self.where, *where))


class InputFileError(UtflyttError):
    """An input other than the catalog is unreadable or invalid."""
