"""Click commands by area; each module exposes COMMANDS, registered in migration.cli."""

from pathlib import Path

# the bundled example every command falls back to when no catalog is given
EXAMPLE_CATALOG = Path(__file__).resolve().parents[2] / "examples" / "mariehamn" / "catalog.yaml"
