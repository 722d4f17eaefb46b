"""The exception tree: every error type is reachable from UtflyttError and documented.

Walks every module of the five packages, collects every exception class defined there, and
checks it against ``migration/errors.py``'s tree: a UtflyttError subclass with a docstring,
named in that module's documentation; or one of the internal exceptions listed there.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import migration.errors
from migration.errors import UtflyttError

PACKAGES = ("app", "migration", "waves", "stacks", "exit_plan")
ENTRY_POINTS = {"app.__main__", "stacks.__main__"}  # run a program when imported
INTERNAL = {  # never reach the user (listed, with what they become, in migration/errors.py)
    "SourceError",
    "ParseProblem",
    "CellError",
    "MockCheckError",
    "_Fallback",
}


def exception_types() -> dict[str, type[BaseException]]:
    """Every exception class defined in the project's packages, by name."""
    found: dict[str, type[BaseException]] = {}
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        modules = [package_name] + [
            info.name
            for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}.")
            if info.name not in ENTRY_POINTS
        ]
        for name in modules:
            module = importlib.import_module(name)
            for _, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, BaseException) and value.__module__ == name:
                    found[value.__name__] = value
    return found


def tree_problems(types: dict[str, type[BaseException]], documentation: str) -> list[str]:
    """What is wrong with the tree: outside it, undocumented, or missing from errors.py."""
    problems = []
    for name, kind in sorted(types.items()):
        if name in INTERNAL:
            if name not in documentation:
                problems.append(f"{name}: internal, but not listed in migration/errors.py")
            continue
        if not issubclass(kind, UtflyttError):
            problems.append(f"{name} ({kind.__module__}): not a UtflyttError")
        if not (kind.__doc__ or "").strip():
            problems.append(f"{name}: no docstring")
        if name not in documentation:
            problems.append(f"{name}: not in the tree of migration/errors.py")
    return problems


@pytest.fixture(scope="module")
def types() -> dict[str, type[BaseException]]:
    return exception_types()


def test_every_error_type_is_in_the_documented_tree(types) -> None:
    """Each error type derives from UtflyttError, has a docstring and is in errors.py."""
    assert {"CatalogError", "PlanError", "InputFileError", "AwsConfigError"} <= set(types)
    assert tree_problems(types, migration.errors.__doc__ or "") == []


def test_the_tree_check_fires(types) -> None:
    """Negative: an error outside the tree, undocumented and unlisted, is reported."""

    class StrayError(ValueError):
        pass

    stray = {**types, "StrayError": StrayError}
    assert tree_problems(stray, migration.errors.__doc__ or "") == [
        "StrayError (test_errors): not a UtflyttError",
        "StrayError: no docstring",
        "StrayError: not in the tree of migration/errors.py",
    ]


def test_the_documented_types_of_errors_py_say_what_to_do() -> None:
    """The base types' docstrings say when they are raised and what the user does."""
    kinds: list[type[UtflyttError]] = [UtflyttError, *UtflyttError.__subclasses__()]
    for kind in kinds:
        if kind.__module__ != "migration.errors":
            continue
        doc = " ".join((kind.__doc__ or "").split())
        assert "Raised" in doc, kind.__name__
        assert "user" in doc, kind.__name__


def test_an_aws_config_error_is_a_clean_utflytt_error() -> None:
    """A typo in ``utflytt:aws`` is a UtflyttError: one line under pulumi preview, not a
    traceback (stacks/__main__.py catches UtflyttError)."""
    from stacks.aws.layout import AwsConfigError

    assert issubclass(AwsConfigError, UtflyttError)
    assert issubclass(AwsConfigError, ValueError)  # callers catching ValueError still do
