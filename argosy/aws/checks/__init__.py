"""doctor's checks, one module a section, and the row every check returns.

``argosy.aws.doctor`` runs the sections in order; each module here holds one concept:
:mod:`.region`, :mod:`.bootstrapped` (bootstrap's resources and the stack file's records),
:mod:`.principals` (the IAM principals the config names, the deploy role's self-assume),
:mod:`.quotas` (instance types and service quotas), :mod:`.kubernetes` (the version's support
lifecycle). :class:`DoctorCheck` lives here rather than in ``doctor`` so that the sections can
build rows without importing the module that imports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["pass", "warn", "fail", "skip"]


@dataclass(frozen=True, kw_only=True)
class DoctorCheck:
    """One preflight check: what was checked, how it went, and how to fix it."""

    name: str
    status: Status
    detail: str
    fix: str = ""
