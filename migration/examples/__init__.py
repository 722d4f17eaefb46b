"""The bundled example catalog (Mariehamns stad), shipped as package data.

The repository keeps the editable copy in ``examples/mariehamn/``; the build copies it here
(see ``pyproject.toml``) so that an installed wheel plans it from any folder.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_CHECKOUT = _HERE.parents[1] / "examples" / "mariehamn" / "catalog.yaml"

EXAMPLE_CATALOG = _CHECKOUT if _CHECKOUT.exists() else _HERE / "mariehamn" / "catalog.yaml"
"""The bundled Mariehamn catalog every command falls back to when no catalog is given."""
