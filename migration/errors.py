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


class PlanError(UtflyttError):
    """The catalog is valid but cannot be planned as asked."""


class InputFileError(UtflyttError):
    """An input other than the catalog is unreadable or invalid."""


class OutputError(UtflyttError):
    """An output could not be written (full disk, read-only folder, another run holds the
    lock). The message names the path and the reason; the previous outputs are unchanged."""

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
