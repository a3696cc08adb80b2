"""The rule plumbing every config model shares.

Every rule raises a :func:`violation` carrying the rule text and a valid example, so that the
error report can name both; built-in pydantic checks (types, required fields, unknown fields)
take their example from the field's ``examples``. Rules that need another top-level key (is
the stage production? which account?) read it from the validation context, built by
:mod:`argosy.config.context` before the models run; examples take the stage's account and
partition from it too, so that each is valid where it is suggested.

Rules between items (a repeated name, a reserved key) run through :func:`collect`, on the
items as written, so that they are reported even when an item has mistakes of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Strict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

# --------------------------------------------------------------------------------------
# Rule plumbing


def violation(rule: str, example: str, *, field: str | None = None) -> NoReturn:
    """Fail validation with ``rule`` and a valid ``example`` (``key: value`` as in the file).

    ``field`` names a child field (camelCase) when a model-level check blames one field.
    """
    context: dict[str, Any] = {"rule": rule, "example": example}
    if field is not None:
        context["field"] = field
    raise PydanticCustomError("argosy", "{rule}", context)


@dataclass(frozen=True)
class Violation:
    """A rule broken at ``loc`` (relative to the value being validated), for :func:`collect`."""

    loc: tuple[str | int, ...]
    value: Any
    rule: str
    example: str


#: What :func:`collect` hands its checks when the value itself did not validate.
INVALID: Any = object()


def collect(
    value: Any,
    handler: ValidatorFunctionWrapHandler,
    checks: Callable[[Any, Any], Sequence[Violation]],
    *,
    rewrite: Callable[[tuple[str | int, ...], str], str] | None = None,
) -> Any:
    """Validate ``value`` with ``handler`` and run ``checks`` too, reporting both at once.

    For rules that do not depend on every item being valid (a repeated name, a reserved key):
    ``checks(value, validated)`` reads the raw value (``validated`` is the handler's result,
    or :data:`INVALID` when it failed), and its violations join the handler's errors, so a
    second mistake is not hidden behind the first.

    ``rewrite(loc, example)`` may replace the example of an item's own rule with one that
    knows the other items (a name no other item has, say).
    """
    errors: list[InitErrorDetails] = []
    result: Any = None
    try:
        result = handler(value)
    except ValidationError as exc:
        errors.extend(_line_errors(exc))
    if rewrite is not None:
        for detail in errors:
            kind = detail["type"]
            if isinstance(kind, PydanticCustomError) and kind.type == "argosy":
                context = dict(kind.context or {})
                context["example"] = rewrite(tuple(detail["loc"]), str(context["example"]))
                detail["type"] = PydanticCustomError("argosy", "{rule}", context)
    for found in checks(value, INVALID if errors else result):
        context = {"rule": found.rule, "example": found.example}
        errors.append(
            InitErrorDetails(
                type=PydanticCustomError("argosy", "{rule}", context),
                loc=found.loc,
                input=found.value,
            )
        )
    if errors:
        raise ValidationError.from_exception_data("argosy", errors)
    return result


def _line_errors(exc: ValidationError) -> list[InitErrorDetails]:
    """Re-raisable details of ``exc``'s errors, custom ones included."""
    details: list[InitErrorDetails] = []
    for error in exc.errors(include_url=False):
        ctx = error.get("ctx")
        if error["type"] == "argosy":
            assert ctx is not None
            detail = InitErrorDetails(
                type=PydanticCustomError("argosy", "{rule}", ctx),
                loc=error["loc"],
                input=error["input"],
            )
        else:
            detail = InitErrorDetails(type=error["type"], loc=error["loc"], input=error["input"])
            if ctx is not None:
                detail["ctx"] = ctx
        details.append(detail)
    return details


def with_example(exc: ValidationError, example: str) -> ValidationError:
    """``exc`` with ``example`` as the example of each of its argosy rules."""
    details = _line_errors(exc)
    for detail in details:
        kind = detail["type"]
        if isinstance(kind, PydanticCustomError) and kind.type == "argosy":
            context = {**(kind.context or {}), "example": example}
            detail["type"] = PydanticCustomError("argosy", "{rule}", context)
    return ValidationError.from_exception_data("argosy", details)


def repeated(items: Sequence[Any]) -> list[tuple[int, int]]:
    """(index, index of its first occurrence) for every item equal to an earlier one.

    Unhashable and ``None`` items are never repeats (their own rule reports them).
    """
    first: dict[Any, int] = {}
    found = []
    for i, item in enumerate(items):
        if item is None or not isinstance(item, str | int | bool | float):
            continue
        if item in first:
            found.append((i, first[item]))
        else:
            first[item] = i
    return found


def unused_name(preferred: str, taken: Sequence[Any], *, limit: int = 63) -> str:
    """``preferred``, or ``preferred-2``, ``-3``... whichever no item of ``taken`` is."""
    candidate = preferred[:limit]
    n = 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate = preferred[: limit - len(suffix)].rstrip("-") + suffix
        n += 1
    return candidate


def example_account(info: ValidationInfo | Mapping[str, Any]) -> str:
    """The stage's account for examples: its own when known, a documentation one otherwise."""
    context = info if isinstance(info, Mapping) else validation_context(info)
    account = context.get("account")
    return account if isinstance(account, str) else "111111111111"


def example_partition(info: ValidationInfo | Mapping[str, Any]) -> str:
    """The stage's partition for examples: its region's when known, ``aws`` otherwise."""
    context = info if isinstance(info, Mapping) else validation_context(info)
    partition = context.get("partition")
    return partition if isinstance(partition, str) else "aws"


def example_role_arn(info: ValidationInfo | Mapping[str, Any], name: str) -> str:
    """An IAM role ARN in the stage's account and partition, for examples."""
    return f"arn:{example_partition(info)}:iam::{example_account(info)}:role/{name}"


def validation_context(info: ValidationInfo) -> Mapping[str, Any]:
    """Facts from other top-level keys (built by :mod:`argosy.config.context`)."""
    return info.context if isinstance(info.context, Mapping) else {}


def is_production(info: ValidationInfo) -> bool:
    """Whether the stage being validated declared ``argosy:production: true``."""
    return validation_context(info).get("production") is True


class Model(BaseModel):
    """Base of every config model: immutable, camelCase keys, unknown keys rejected."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
    )


def matching(pattern: re.Pattern[str], rule: str, example: str) -> AfterValidator:
    """A validator of text that must match ``pattern`` whole; else :func:`violation`."""

    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            violation(rule, example)
        return value

    return AfterValidator(check)


StrictStr = Annotated[str, Strict()]
StrictInt = Annotated[int, Strict()]
StrictBool = Annotated[bool, Strict()]
