"""Each top-level key's value checked by its model, and pydantic's errors turned into issues.

:func:`check_key` checks a key against the stage's role (required, or not read at all), then
validates its value (field names respelled) with the key's adapter. Each pydantic error
becomes a :class:`~argosy.config.errors.ConfigIssue`: its location as written in the file,
its rule in words, the value at fault and a valid example for that place. Field names written
in another case are reported here too, once, where they are written.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from argosy.config.errors import MISSING
from argosy.config.examples import EXAMPLE_WIDTH, field_example, key_example
from argosy.config.fields import allowed_fields
from argosy.config.keys import NAMESPACE, ROLES, KeySpec
from argosy.config.run import ValidationRun
from argosy.config.source import PathPart, ValuePath
from argosy.config.spelling import python_names_as_written
from argosy.config.values import lookup, show

_BUILTIN_RULES: dict[str, str] = {
    "string_type": "must be a string (quote it in YAML)",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "string_too_short": "must not be empty",
}


def rule_for(
    error: Mapping[str, Any], model: type[BaseModel] | None, loc: Sequence[PathPart]
) -> str:
    """The rule a pydantic error of ``model``'s value at ``loc`` breaks, in words.

    Also the app catalog's (:mod:`argosy.apps.load`), so that both files read alike.
    """
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "argosy":
        return str(ctx["rule"])
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        allowed = allowed_fields(model, loc[:-1])
        return "unknown field; the fields here are: " + ", ".join(allowed)
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"must be one of: {expected.replace(' or ', ', ')}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    if kind == "too_short":
        n = ctx["min_length"]
        return f"must list at least {n} item{'s' if n != 1 else ''}"
    if kind == "too_long":
        return f"must list at most {ctx['max_length']} items"
    return _BUILTIN_RULES.get(kind, str(error["msg"]))


def check_key(run: ValidationRun, spec: KeySpec) -> None:
    """Check one top-level key against the role, then its value against its model."""
    role_value = run.ours.get(f"{NAMESPACE}:role")
    role = role_value if role_value in ROLES else None
    raw = run.validated.get(spec.key, MISSING)
    path = run.spelling.as_written((spec.key,))
    example = key_example(spec, run.ours, run.context)
    if raw is MISSING:
        if role is not None and role in spec.required:
            run.add(path, MISSING, f"required for role {role}", example)
        elif role is None and spec.name in ("role", "production"):
            run.add(path, MISSING, "required", example)
        return
    if role is not None and role not in spec.allowed:
        run.add(
            path,
            run.ours[spec.key],
            f"not read by role {role} (only by {', '.join(sorted(spec.allowed))}); remove it",
            f"argosy:role: {sorted(spec.allowed)[0]}",
            key_line=True,
        )
        return
    try:
        run.parsed[spec.name] = spec.adapter.validate_python(raw, context=run.context)
    except ValidationError as exc:
        _add_errors(run, exc, spec, raw)
    for here, alias, validated in run.spelling.respelled:
        if validated[:1] == (spec.key,):
            _report_respelled(run, spec, here, alias, validated)


def _add_errors(run: ValidationRun, exc: ValidationError, spec: KeySpec, raw: Any) -> None:
    """Report every error of ``exc`` (``spec``'s value ``raw``) where it is written."""
    errors = exc.errors(include_url=False)
    failed_below = {tuple(e["loc"][:n]) for e in errors for n in range(len(e["loc"]))}
    for error in errors:
        # pydantic counts only the items that passed; a length error above failing items
        # would blame the list for its items' faults.
        if error["type"] in ("too_short", "too_long") and tuple(error["loc"]) in failed_below:
            continue
        # Mapping keys are reported as (..., key, "[key]"): the key itself is at fault.
        loc = python_names_as_written(spec.model, [p for p in error["loc"] if p != "[key]"], raw)
        ctx = error.get("ctx") or {}
        if error["type"] == "argosy" and "field" in ctx:
            loc.append(ctx["field"])
        if error["type"] == "argosy":
            example = str(ctx["example"])
        elif error["type"] == "extra_forbidden":
            example = _unknown_field_example(run, spec, raw, loc)
        else:
            example = field_example(spec, loc, raw, run.ours, run.context)
        if error["type"] == "missing" or (error["input"] is None and lookup(raw, loc) is MISSING):
            value: Any = MISSING
        elif error["type"] == "argosy" and "field" in ctx:
            value = lookup(raw, loc)
        else:
            value = error["input"]
        path = run.spelling.as_written((spec.key, *loc))
        unknown = error["type"] == "extra_forbidden"
        run.add(path, value, rule_for(error, spec.model, loc), example, key_line=unknown)


def _unknown_field_example(
    run: ValidationRun, spec: KeySpec, raw: Any, loc: Sequence[PathPart]
) -> str:
    """The closest field, with the value written when it is valid there."""
    parent, key = tuple(loc[:-1]), loc[-1]
    allowed = allowed_fields(spec.model, parent)
    siblings = lookup(raw, parent)
    siblings = siblings if isinstance(siblings, Mapping) else {}
    close = difflib.get_close_matches(str(key), allowed, n=1)
    if not close:
        unset = [a for a in allowed if a not in siblings]
        close = difflib.get_close_matches(str(key), unset or allowed, n=1, cutoff=0.0)
    if not close:
        return key_example(spec, run.ours, run.context)
    name = close[0]
    value = siblings.get(key) if name not in siblings else siblings[name]
    # Try the value under the close name: suggest it only if it is valid there.
    trial = copy.deepcopy(raw)
    holder = lookup(trial, parent)
    if isinstance(holder, dict):
        holder.pop(key, None)
        holder[name] = value
    target = (*parent, name)
    if len(show(value)) <= EXAMPLE_WIDTH and not _errors_under(run, spec, trial, target):
        return f"{name}: {show(value)}"
    return field_example(spec, target, raw, run.ours, run.context)


def _errors_under(run: ValidationRun, spec: KeySpec, raw: Any, loc: ValuePath) -> bool:
    """Whether validating ``raw`` fails at ``loc`` or anywhere inside it."""
    try:
        spec.adapter.validate_python(raw, context=run.context)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            where = [p for p in error["loc"] if p != "[key]"]
            at = python_names_as_written(spec.model, where, raw)
            ctx = error.get("ctx") or {}
            if error["type"] == "argosy" and "field" in ctx:
                at.append(ctx["field"])
            if tuple(at[: len(loc)]) == loc:
                return True
    return False


def _report_respelled(
    run: ValidationRun, spec: KeySpec, here: ValuePath, alias: str, validated: ValuePath
) -> None:
    """Report a field name written in another case, at ``here``, as the unknown field it is."""
    allowed = allowed_fields(spec.model, validated[1:-1])
    value = lookup(run.validated.get(spec.key), validated[1:])
    if run.clean_under(here) and len(show(value)) <= EXAMPLE_WIDTH:
        example = f"{alias}: {show(value)}"
    else:
        example = field_example(
            spec, validated[1:], run.validated.get(spec.key), run.ours, run.context
        )
    written = lookup(run.values, here)
    run.add(
        here,
        value if written is MISSING else written,
        "unknown field; the fields here are: " + ", ".join(allowed),
        example,
        about_value=False,
        key_line=True,
    )
