"""Config values as written: finding one by its path, naming the path, showing the value.

Every check reads the values as the stack file holds them (mappings, lists, secrets), before
and whatever pydantic makes of them, and every issue names where a value is and what it is;
these helpers do both the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from argosy.config.errors import MISSING, NOT_SET, show_value
from argosy.config.source import PathPart, SecretValue, ValuePath


def format_path(path: ValuePath) -> str:
    """``path`` as issues name it: ``argosy:cluster.nodeGroups[0].name``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not text:
            text = str(part)
        elif str(part).replace("-", "").replace("_", "").isalnum():
            text += f".{part}"
        else:
            text += f'["{part}"]'
    return text


def lookup(value: Any, loc: Sequence[PathPart]) -> Any:
    """The value at ``loc`` inside ``value``, or :data:`MISSING` when there is none."""
    for part in loc:
        in_mapping = isinstance(value, Mapping) and part in value
        in_sequence = (
            isinstance(value, list | tuple) and isinstance(part, int) and part < len(value)
        )
        if not (in_mapping or in_sequence):
            return MISSING
        value = value[part]
    return value


def show(value: Any) -> str:
    """``value`` as an issue shows it: YAML flow text, secrets hidden, absence named."""
    if value is MISSING:
        return NOT_SET
    if isinstance(value, SecretValue):
        return "[secret]"
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True)
    return show_value(_plain(value))


def _plain(value: Any) -> Any:
    """Make a value safe to render: secrets hidden, tuples as lists."""
    if isinstance(value, SecretValue):
        return "[secret]"
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
