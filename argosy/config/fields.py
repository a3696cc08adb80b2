"""The config models' fields, found along a value's location.

Issues and examples are about a field: the one a pydantic error's location ends in, the one
whose example to offer, the fields allowed beside an unknown one. These helpers walk the
models by the camelCase keys a stack file uses, through Optional, Annotated, lists and maps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from argosy.config.source import PathPart, ValuePath


def unwrap(annotation: Any) -> Any:
    """The model or item type behind Optional, Annotated, tuple[...] and Mapping[...]."""
    while True:
        origin = get_origin(annotation)
        args = get_args(annotation)
        if origin is None:
            return annotation
        if origin in (tuple, list):
            annotation = args[0]
        elif origin is Mapping or (isinstance(origin, type) and issubclass(origin, Mapping)):
            annotation = args[1]
        else:
            # Annotated[X, ...] and unions with None: the first non-None argument.
            candidates = [a for a in args if a is not type(None)]
            if not candidates or candidates[0] is annotation:
                return annotation
            annotation = candidates[0]


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The model behind ``annotation`` (see :func:`unwrap`), if it is one."""
    inner = unwrap(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def aliases(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """``model``'s fields by the key a stack file writes (the alias, else the name)."""
    return {info.alias or name: info for name, info in model.model_fields.items()}


@dataclass(frozen=True)
class LocatedField:
    """A model field found along a value's location."""

    key: str
    info: FieldInfo
    owner: type[BaseModel]
    loc: ValuePath  # the location of the field itself


def field_at(model: type[BaseModel] | None, loc: Sequence[PathPart]) -> LocatedField | None:
    """The last model field named along ``loc``, with its camelCase key."""
    found: LocatedField | None = None
    current: Any = model
    for n, part in enumerate(loc):
        if not isinstance(part, str):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        info = aliases(current).get(part)
        if info is None:
            break
        found = LocatedField(key=part, info=info, owner=current, loc=tuple(loc[: n + 1]))
        current = unwrap(info.annotation)
    return found


def allowed_fields(model: type[BaseModel] | None, loc: Sequence[PathPart]) -> list[str]:
    """The keys allowed in the mapping at ``loc`` of ``model``'s value (none if not a model)."""
    parent = field_at(model, loc)
    target: Any = model if parent is None else unwrap(parent.info.annotation)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(aliases(target))
    return []
