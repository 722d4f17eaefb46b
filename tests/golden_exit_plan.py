"""Golden files of the exit plan's Markdown (both languages), and the one command to refresh them.

    .venv/bin/python -m tests.golden_exit_plan --regenerate

(or run the tests with UPDATE_GOLDEN=1). The input is the fixed sample in exit_plan.testing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

from exit_plan import render_exit_plan
from exit_plan.data import Lang
from exit_plan.testing import sample_catalog, sample_cost, sample_plan

GOLDEN_DIR = Path(__file__).resolve().parent / "golden" / "exit_plan"
LANGS = ("sv", "en")
REGENERATE = ".venv/bin/python -m tests.golden_exit_plan --regenerate"


def golden_path(lang: str) -> Path:
    """Where the golden Markdown for ``lang`` lives."""
    return GOLDEN_DIR / f"sample.{lang}.md"


def render(lang: str) -> str:
    """The sample's Markdown exit plan in ``lang``."""
    language = cast(Lang, lang)
    return render_exit_plan(sample_catalog(), sample_plan(), sample_cost(), language, "md").decode(
        "utf-8"
    )


def regenerate() -> list[Path]:
    """Rewrite every golden file."""
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in LANGS:
        path = golden_path(lang)
        path.write_bytes(render(lang).encode("utf-8"))
        written.append(path)
    return written


if __name__ == "__main__":
    if sys.argv[1:] != ["--regenerate"]:
        sys.exit(f"usage: {REGENERATE}")
    for path in regenerate():
        print(f"wrote {path}")
