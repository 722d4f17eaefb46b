"""Catalog format v1: models, loading with file:line errors, checks and summary."""

from migration.catalog.loader import load_catalog, load_catalog_with_digest
from migration.catalog.models import (
    CRITICALITY_RANK,
    MIGRATING_DISPOSITIONS,
    Blackout,
    Catalog,
    Contract,
    Dependency,
    Licences,
    Planning,
    Server,
    System,
    parse_port,
)
from migration.catalog.summary import summarise


def json_schema() -> dict[str, object]:
    """JSON Schema of catalog v1 (for editors and the YAML language server)."""
    schema = Catalog.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://utflytt.example/schema/catalog-v1.json"
    schema["title"] = "utflytt catalog v1"
    return schema


__all__ = [
    "CRITICALITY_RANK",
    "MIGRATING_DISPOSITIONS",
    "Blackout",
    "Catalog",
    "Contract",
    "Dependency",
    "Licences",
    "Planning",
    "Server",
    "System",
    "json_schema",
    "load_catalog",
    "load_catalog_with_digest",
    "parse_port",
    "summarise",
]
