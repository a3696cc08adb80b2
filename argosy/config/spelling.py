"""Field names as written against field names as validated.

A stack file may spell a field in another case (``vpc_cidr`` for ``vpcCidr``) or indent a
config key into another key's value; pydantic reports errors by alias, or by Python name for
a defaulted field. Validation checks the values respelled (:func:`respell`), and every issue
points where the name is written (:class:`Spelling`, :func:`python_names_as_written`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from argosy.config.errors import MISSING
from argosy.config.fields import aliases, model_of, unwrap
from argosy.config.source import PathPart, ValuePath
from argosy.config.values import lookup


def _spelling(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


_NAMESPACED = re.compile(r"^[a-z][a-z0-9-]*:[A-Za-z0-9_.-]+$")


@dataclass
class Spelling:
    """What respelling found: renamed fields and config keys written inside a value.

    ``written`` maps a location as validated (camelCase) to the location as written, for
    every place where the two differ; deeper entries already include their parents'.
    """

    written: dict[ValuePath, ValuePath] = field(default_factory=dict)
    respelled: list[tuple[ValuePath, str, ValuePath]] = field(default_factory=list)
    misplaced: list[tuple[ValuePath, str, Any]] = field(default_factory=list)

    def as_written(self, path: ValuePath) -> ValuePath:
        """``path`` (as validated) as it is written in the file."""
        for end in range(len(path), 0, -1):
            written = self.written.get(path[:end])
            if written is not None:
                return (*written, *path[end:])
        return path

    def as_validated(self, path: ValuePath) -> ValuePath:
        """``path`` (as written in the file) as it is validated."""
        for end in range(len(path), 0, -1):
            for validated, written in self.written.items():
                if written == path[:end]:
                    return (*validated, *path[end:])
        return path


def respell(
    model: type[BaseModel] | None,
    raw: Any,
    written: ValuePath,
    validated: ValuePath,
    found: Spelling,
) -> Any:
    """``raw`` with field names written in another case (``vpc_cidr``) spelled as validated.

    pydantic would report ``vpc_cidr`` as unknown and ``vpcCidr`` as missing; respelled, the
    value is checked under its field, and the name is reported once, where it is written.
    Config keys written inside a value (``argosy:network`` indented under ``argosy:aws``) are
    taken out, to be reported and checked where they belong.
    """
    if model is None:
        return raw
    if isinstance(raw, list | tuple):
        return [
            respell(model, item, (*written, i), (*validated, i), found)
            for i, item in enumerate(raw)
        ]
    if not isinstance(raw, Mapping):
        return raw
    fields = aliases(model)
    by_spelling = {_spelling(alias): alias for alias in fields}
    result: dict[Any, Any] = {}
    for key, value in raw.items():
        here = (*written, key)
        target = key
        if isinstance(key, str) and key not in fields:
            if _NAMESPACED.fullmatch(key):
                found.misplaced.append((here, key, value))
                continue
            alias = by_spelling.get(_spelling(key))
            if alias is not None and alias not in raw and alias not in result:
                target = alias
                found.respelled.append((here, alias, (*validated, alias)))
                found.written[(*validated, alias)] = here
        info = fields.get(target) if isinstance(target, str) else None
        inner = model_of(info.annotation) if info is not None else None
        result[target] = respell(inner, value, here, (*validated, target), found)
    return result


def python_names_as_written(
    model: type[BaseModel] | None, loc: Sequence[PathPart], raw: Any
) -> list[PathPart]:
    """``loc`` with field names spelled as in the file.

    pydantic reports a defaulted field (validated with ``validate_default``) by its Python
    name, every other field by its alias; a name that is literally a key of the value (an
    unknown field) stays as written.
    """
    written: list[PathPart] = []
    current: Any = model
    for part in loc:
        if (
            isinstance(part, str)
            and isinstance(current, type)
            and issubclass(current, BaseModel)
            and not (isinstance(raw, Mapping) and part in raw)
        ):
            for name, info in current.model_fields.items():
                alias = info.alias or name
                if part in (name, alias):
                    part = alias
                    break
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            located = aliases(current).get(part)
            current = unwrap(located.annotation) if located is not None else None
        raw = lookup(raw, [part]) if raw is not MISSING else MISSING
        written.append(part)
    return written
