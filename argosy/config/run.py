"""The state one run of :func:`~argosy.config.validate.validate_stage` shares among its checks.

The checks (keys as written in :mod:`~argosy.config.findings`, each key's value in
:mod:`~argosy.config.issues`, names in :mod:`~argosy.config.names`) read the values at every
step (as written, as validated, as parsed) and add their issues to one list, in the order
they run, so that every mistake is reported at once and an example can tell whether the
value it would repeat is itself in error (:meth:`ValidationRun.clean_under`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from argosy.config.context import validation_context
from argosy.config.errors import ConfigIssue
from argosy.config.keys import NAMESPACE
from argosy.config.source import ConfigSource, ValuePath
from argosy.config.spelling import Spelling
from argosy.config.values import format_path, show


@dataclass(frozen=True)
class Found:
    """An issue and, for one about a value, where the value is (as written, under config)."""

    issue: ConfigIssue
    path: ValuePath | None


class ValidationRun:
    """One run of :func:`~argosy.config.validate.validate_stage`: its values and its issues.

    Attributes:
        stage: The stage's name (the stack name).
        values: Every config value given, by namespaced key, of any namespace.
        source: Where the values came from, and what reading them found.
        found: The issues so far, in the order they are reported.
        ours: The ``argosy:`` keys' values as written, with those found out of place.
        context: The validation context (:mod:`argosy.config.context`) of ``ours``.
        spelling: Where field names are written otherwise than validated.
        validated: Each key's value as validated (field names respelled), by namespaced key.
        parsed: Each valid key's parsed value, by key name.
    """

    def __init__(self, stage: str, values: Mapping[str, Any], source: ConfigSource) -> None:
        self.stage = stage
        self.values = values
        self.source = source
        self.found: list[Found] = [Found(i, None) for i in source.issues]
        self.ours: dict[str, Any] = {
            k: v for k, v in values.items() if isinstance(k, str) and k.startswith(f"{NAMESPACE}:")
        }
        self.context = validation_context(self.ours)
        self.spelling = Spelling()
        self.validated: dict[str, Any] = {}
        self.parsed: dict[str, Any] = {}

    def add(
        self,
        path: ValuePath,
        value: Any,
        rule: str,
        example: str,
        *,
        shown: str | None = None,
        severity: Literal["error", "warning"] = "error",
        line: int | None = None,
        path_text: str | None = None,
        about_value: bool = True,
        key_line: bool = False,
    ) -> None:
        """Report an issue at ``path`` (as written, under config).

        ``about_value`` says the issue is about the value there (rather than its key, say),
        which makes the value unfit to repeat in an example; ``key_line`` points the issue
        at the key rather than the value (for a key that is wrong itself).
        """
        if line is None:
            line = self.source.key_line_of(path) if key_line else self.source.line_of(path)
        issue = ConfigIssue(
            file=self.source.file,
            line=line,
            path=path_text if path_text is not None else format_path(path),
            value=shown if shown is not None else show(value),
            rule=rule,
            example=example,
            severity=severity,
        )
        self.found.append(Found(issue, path if about_value else None))

    def add_file_issue(self, path: str, value: str, rule: str, example: str) -> None:
        """Report an issue about the file as a whole (its stack name, say), without a line."""
        issue = ConfigIssue(
            file=self.source.file, line=None, path=path, value=value, rule=rule, example=example
        )
        self.found.append(Found(issue, None))

    def clean_under(self, path: ValuePath) -> bool:
        """Whether no error concerns the value at ``path`` or anything inside it."""
        return not any(
            f.path is not None and f.issue.severity == "error" and f.path[: len(path)] == path
            for f in self.found
        )
