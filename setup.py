"""Build hook: the wheel carries the bundled example catalog as package data.

The editable copy stays in ``examples/mariehamn/catalog.yaml`` (what people open, and what
``examples/mariehamn/generate.py`` writes); ``build_py`` copies it to
``migration/examples/mariehamn/catalog.yaml`` inside the built package, where
:mod:`migration.examples` finds it when no checkout is around. Everything else about the
build is in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

EXAMPLE = Path(__file__).resolve().parent / "examples" / "mariehamn" / "catalog.yaml"


class BuildWithExample(build_py):
    """``build_py`` that also copies the example catalog into ``migration/examples``."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "migration" / "examples" / "mariehamn" / "catalog.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(EXAMPLE, target)


setup(cmdclass={"build_py": BuildWithExample})
