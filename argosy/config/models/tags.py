"""Extra tags on every AWS resource of a stage: ``argosy:tags``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import ValidatorFunctionWrapHandler, WrapValidator

from argosy.config.models.base import Violation, collect
from argosy.config.models.scalars import TAGS_EXAMPLE, TagKey, TagValue

#: Tag keys argosy sets on every AWS resource through the provider's default tags.
RESERVED_TAG_KEYS: tuple[str, ...] = ("managed-by", "project", "stage")
#: AWS allows 50 tags per resource.
MAX_USER_TAGS = 50 - len(RESERVED_TAG_KEYS)


def tag_violations(value: Any) -> list[Violation]:
    """Rules for ``argosy:tags`` beyond each key and value's own format.

    They read the keys as written, so they hold whether or not every tag is valid.
    """
    if not isinstance(value, Mapping):
        return []
    found = []
    reserved = sorted(k for k in value if isinstance(k, str) and k.lower() in RESERVED_TAG_KEYS)
    if reserved:
        found.append(
            Violation(
                (),
                value,
                f"{', '.join(RESERVED_TAG_KEYS)} are set by argosy on every resource; "
                f"choose other keys than {', '.join(reserved)}",
                TAGS_EXAMPLE,
            )
        )
    if len(value) > MAX_USER_TAGS:
        found.append(
            Violation(
                (),
                value,
                f"at most {MAX_USER_TAGS} tags (AWS allows 50 per resource, argosy sets "
                f"{len(RESERVED_TAG_KEYS)})",
                TAGS_EXAMPLE,
            )
        )
    return found


def check_tags(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Validate tags: each key and value, and :func:`tag_violations`, all at once."""
    return collect(value, handler, lambda raw, _: tag_violations(raw))


Tags = Annotated[Mapping[TagKey, TagValue], WrapValidator(check_tags)]
