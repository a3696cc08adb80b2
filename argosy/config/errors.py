"""Configuration problems: one shape for every mistake, reported together.

Every problem names the file (and line when the file is at hand), the field path, the bad
value, the rule it breaks and a valid example, so a user can fix all of them in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import yaml

Severity = Literal["error", "warning"]

#: Shown instead of a value that was never given.
NOT_SET = "(not set)"


def show_value(value: Any) -> str:
    """Render a config value compactly, as YAML flow text, keys in the order given."""
    if value is _Missing:
        return NOT_SET
    text = yaml.safe_dump(
        value, default_flow_style=True, sort_keys=False, width=1_000_000, allow_unicode=True
    )
    text = text.strip()
    # safe_dump terminates bare scalars with a document end marker.
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    if text.endswith("..."):
        text = text[: -len("...")].rstrip()
    return text


class _MissingType:
    """Marker for a value that is absent (distinct from an explicit null)."""

    def __repr__(self) -> str:
        return NOT_SET


_Missing = _MissingType()
MISSING: Any = _Missing


@dataclass(frozen=True, kw_only=True, order=True)
class ConfigIssue:
    """One problem found in a stage's configuration.

    Attributes:
        file: The stack file the value came from, as given (relative paths stay relative).
        line: 1-based line of the value in ``file``; ``None`` when unknown (for instance when
            the program runs under the Pulumi CLI, which hands config over without lines).
        path: Where the value sits, e.g. ``argosy:cluster.nodeGroups[0].minSize``.
        value: The offending value rendered as YAML flow text, or ``(not set)``.
        rule: What the value must satisfy, in one sentence.
        example: A valid value for the same place, written as it would appear in the file.
        severity: ``error`` stops the plan and the program; ``warning`` is reported only.
    """

    file: str
    line: int | None
    path: str
    value: str
    rule: str
    example: str
    severity: Severity = "error"

    def format(self) -> str:
        """Render as the three-line block the CLI and the program print."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        label = "" if self.severity == "error" else "warning: "
        return (
            f"{label}{where}: {self.path} = {self.value}\n"
            f"    rule: {self.rule}\n"
            f"    example: {self.example}"
        )


class ConfigInvalidError(Exception):
    """Raised when a stage's configuration has at least one error.

    Carries every issue found (errors and warnings) so callers can print them all at once.
    """

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        self.issues: tuple[ConfigIssue, ...] = tuple(sorted(issues, key=_issue_order))
        self.errors = tuple(i for i in self.issues if i.severity == "error")
        super().__init__(format_issues(self.errors))


def _issue_order(issue: ConfigIssue) -> tuple[str, int, str, str]:
    return (issue.file, issue.line or 0, issue.path, issue.rule)


def sort_issues(issues: Iterable[ConfigIssue]) -> list[ConfigIssue]:
    """Order issues by file, line and path so reports are stable."""
    return sorted(issues, key=_issue_order)


def format_issues(issues: Iterable[ConfigIssue]) -> str:
    """Render issues as one report, with a count line first."""
    ordered = sort_issues(issues)
    errors = sum(1 for i in ordered if i.severity == "error")
    warnings = len(ordered) - errors
    head = f"{errors} configuration error{'s' if errors != 1 else ''}"
    if warnings:
        head += f" and {warnings} warning{'s' if warnings != 1 else ''}"
    return "\n".join([head + ":", *(i.format() for i in ordered)])
