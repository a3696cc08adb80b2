"""What every rule module shares: the stage's facts, a finding, a rule, and input decoding.

:mod:`argosy.policy.rules` re-exports the types, so ``from argosy.policy.rules import
Finding`` keeps working; the rule modules import them from here, which keeps the imports
acyclic (``rules`` composes ``RULES`` from the rule modules).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from argosy.plan.monitor import Registration
from argosy.policy.graph import PlanGraph

#: IAM and EKS types that rules of both modules read.
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"


@dataclass(frozen=True, kw_only=True)
class StageFacts:
    """What the rules need to know about the stage besides its graph.

    Attributes:
        production: Whether production rules apply.
        account_id: The stage's AWS account, or ``None`` for a stage without AWS.
        kubernetes_allowed: Whether the stack may call a Kubernetes API (rule P2): only a
            ``local`` stage, or one that hosts Argo CD, on its own cluster. Default no.
        own_cluster: The stage's EKS cluster, the only one a Kubernetes provider of an AWS
            stage may target; ``None`` for a stage without AWS.
    """

    production: bool
    account_id: str | None
    kubernetes_allowed: bool = False
    own_cluster: str | None = None


@dataclass(frozen=True, kw_only=True, order=True)
class Finding:
    """One way the graph breaks a rule."""

    rule: str
    urn: str | None
    message: str

    def format(self) -> str:
        """One line: rule, resource, what is wrong."""
        where = self.urn.rsplit("::", 1)[-1] if self.urn else "(stack)"
        return f"{self.rule} {where}: {self.message}"


Check = Callable[[PlanGraph, StageFacts], Iterable[Finding]]


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A rule: its SECURITY.md ID, what it requires, the public rule it mirrors."""

    id: str
    title: str
    reference: str
    check: Check


def decode_json(value: Any) -> Any:
    """Inputs that providers receive JSON-encoded (policies, provider settings), decoded."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def statements(document: Any) -> list[dict[str, Any]]:
    """The statements of a decoded IAM policy document (one or a list; none: empty)."""
    found = document.get("Statement", []) if isinstance(document, dict) else []
    return found if isinstance(found, list) else [found]


def trust_statements(role: Registration) -> list[dict[str, Any]]:
    """The statements of a role's trust policy."""
    return statements(decode_json(role.inputs.get("assumeRolePolicy", "{}")))
