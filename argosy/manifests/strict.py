"""Strict JSON Schema checks shared by the Argo and the CRD schemas.

Both kinds of vendored schema are checked in strict mode: every object schema that lists
``properties`` is closed (``additionalProperties: false``) unless it already says
``additionalProperties`` or ``x-kubernetes-preserve-unknown-fields``, so that a misspelt field
is an error here instead of being pruned silently by the API server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import jsonschema

# Keywords whose value is a subschema, a list of subschemas, or a name -> subschema map.
_SUBSCHEMA: Final = ("items", "additionalProperties", "additionalItems", "not", "contains")
_SUBSCHEMA_LISTS: Final = ("anyOf", "allOf", "oneOf", "items")
_SUBSCHEMA_MAPS: Final = ("properties", "patternProperties", "definitions", "dependencies")


def close_schema(schema: Any) -> None:
    """Close, in place, every object schema in ``schema`` that lists its ``properties``."""
    if not isinstance(schema, dict):
        return  # a boolean schema
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        schema["additionalProperties"] = False
    for keyword in _SUBSCHEMA:
        if isinstance(schema.get(keyword), dict):
            close_schema(schema[keyword])
    for keyword in _SUBSCHEMA_LISTS:
        if isinstance(schema.get(keyword), list):
            for subschema in schema[keyword]:
                close_schema(subschema)
    for keyword in _SUBSCHEMA_MAPS:
        if isinstance(schema.get(keyword), dict):
            for subschema in schema[keyword].values():
                close_schema(subschema)  # a dependencies list of names is skipped


def problems(errors: Iterable[jsonschema.ValidationError]) -> list[str]:
    """``<field path>: <message>`` for each error, sorted by path then message."""
    found = []
    for error in sorted(errors, key=lambda e: (list(e.absolute_path), e.message)):
        where = ".".join(str(p) for p in error.absolute_path) or "(root)"
        found.append(f"{where}: {error.message}")
    return found
