"""The deploy role's trust in itself: the statement bootstrap writes, and how doctor reads it.

In CI the runner authenticates *as* the deploy role (GitHub OIDC, ``AssumeRoleWithWebIdentity``)
and the Pulumi AWS provider then assumes the deploy role again: a role chaining into itself.
Since IAM's trust policy change of September 2022, a role may assume itself only when its own
trust policy allows it, by naming the role or by trusting the whole account (then the role's
``AdministratorAccess`` decides); the identity policy alone no longer suffices. A trust that
lists only ``trustedPrincipals`` (people, break-glass roles) therefore breaks CI at the
provider's first call, ``pulumi preview`` included.

Why a trust statement rather than skipping the second assume in the program: the program
cannot know offline, deterministically, who runs it (CI as the deploy role, or a person
holding other credentials), and one provider configuration for both keeps the account guard
(assume the deploy role, allow only the stage's account) identical everywhere.

Why the account root with an ``aws:PrincipalArn`` condition rather than the role's ARN as the
principal: IAM resolves a role principal to the role's unique ID when the policy is saved, so
it rejects the ARN of a role that does not exist yet (the role's own ``CreateRole``), and a
role deleted and recreated finds its trust naming the old, dead ID. The account root is always
valid, and the condition, compared by ARN at each request, narrows it to the deploy role.

:func:`self_assume` evaluates a trust document, as data, for whether the role may assume
itself; doctor reports it.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argosy.manifests import iam

#: The Sid of the statement that lets the deploy role assume itself; stable across runs.
SELF_ASSUME_SID = "DeployRoleChainsToItself"
ASSUME_ROLE = "sts:AssumeRole"


def account_root(role_arn: str) -> str:
    """The root principal (``arn:<partition>:iam::<account>:root``) of a role's account."""
    parts = role_arn.split(":")
    return iam.account_root_arn(parts[1], parts[4])


def self_assume_statement(role_arn: str) -> dict[str, Any]:
    """The trust statement that lets the role ``role_arn`` assume itself (see the module)."""
    return {
        "Sid": SELF_ASSUME_SID,
        "Effect": "Allow",
        "Principal": {"AWS": account_root(role_arn)},
        # sts:AssumeRole only: the provider passes neither session tags nor a source identity.
        "Action": ASSUME_ROLE,
        "Condition": {"ArnEquals": {"aws:PrincipalArn": role_arn}},
    }


@dataclass(frozen=True, kw_only=True)
class SelfAssume:
    """Whether a role's trust policy lets the role assume itself, and which statement decides."""

    allowed: bool
    reason: str


def _glob(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcards: ``*`` any run of characters, ``?`` one character; nothing else."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _arn_like(pattern: str, value: str) -> bool:
    """ArnEquals/ArnLike: each of the six colon-separated parts is matched on its own."""
    patterns, values = pattern.split(":", 5), value.split(":", 5)
    return len(patterns) == len(values) == 6 and all(
        _glob(p, v) for p, v in zip(patterns, values, strict=True)
    )


def _action_matches(statement: Mapping[str, Any]) -> bool:
    if "NotAction" in statement:
        return not any(
            _glob(str(a), ASSUME_ROLE, ignore_case=True)
            for a in iam.elements(statement["NotAction"])
        )
    return any(
        _glob(str(a), ASSUME_ROLE, ignore_case=True) for a in iam.elements(statement.get("Action"))
    )


def _principal_kind(principal: Any, role_arn: str) -> str | None:
    """How ``principal`` covers the role: ``anyone``, ``role``, ``account`` or not (``None``)."""
    if principal == "*":
        return "anyone"
    if not isinstance(principal, Mapping):
        return None
    names = [str(p) for p in iam.elements(principal.get("AWS"))]
    account = role_arn.split(":")[4]
    if "*" in names:
        return "anyone"
    if role_arn in names:
        return "role"
    if account_root(role_arn) in names or account in names:
        return "account"
    return None


#: Operators doctor evaluates, as (matcher, negated); ``...IfExists`` reads the same here,
#: since every key doctor knows is present in a self-assume request.
_OPERATORS: dict[str, tuple[str, bool]] = {
    "StringEquals": ("equals", False),
    "StringNotEquals": ("equals", True),
    "StringEqualsIgnoreCase": ("equals-ci", False),
    "StringNotEqualsIgnoreCase": ("equals-ci", True),
    "StringLike": ("like", False),
    "StringNotLike": ("like", True),
    "ArnEquals": ("arn", False),
    "ArnNotEquals": ("arn", True),
    "ArnLike": ("arn", False),
    "ArnNotLike": ("arn", True),
}


def _matches(matcher: str, pattern: str, value: str) -> bool:
    if matcher == "equals":
        return pattern == value
    if matcher == "equals-ci":
        return pattern.lower() == value.lower()
    if matcher == "like":
        return _glob(pattern, value)
    return _arn_like(pattern, value)


def _conditions_hold(condition: Any, role_arn: str) -> bool | None:
    """Whether every condition holds for the role assuming itself; ``None``: cannot tell.

    The request context of a self-assume is known for the keys below; any other key (an
    external ID, a principal tag, a source identity) depends on the caller, so doctor
    cannot decide it offline and says so rather than guess.
    """
    if not condition:
        return True
    if not isinstance(condition, Mapping):
        return None
    context = {
        "aws:principalarn": role_arn,
        "aws:principalaccount": role_arn.split(":")[4],
        "aws:principaltype": "AssumedRole",
    }
    for operator, keys in condition.items():
        known = _OPERATORS.get(str(operator).removesuffix("IfExists"))
        if known is None or not isinstance(keys, Mapping):
            return None
        matcher, negated = known
        for key, patterns in keys.items():
            value = context.get(str(key).lower())
            if value is None:
                return None
            hit = any(_matches(matcher, str(p), value) for p in iam.elements(patterns))
            if hit == negated:
                return False
    return True


def _names_principal_arn(condition: Any) -> bool:
    return isinstance(condition, Mapping) and any(
        isinstance(keys, Mapping) and any(str(k).lower() == "aws:principalarn" for k in keys)
        for keys in condition.values()
    )


def _parse(document: Mapping[str, Any] | str) -> Mapping[str, Any]:
    if isinstance(document, str):
        text = document.strip()
        # IAM's raw API returns the document URL-encoded; boto3 usually decodes it already.
        if text.startswith("%"):
            text = urllib.parse.unquote(text)
        parsed = json.loads(text) if text else {}
        return parsed if isinstance(parsed, Mapping) else {}
    return document


def self_assume(document: Mapping[str, Any] | str, role_arn: str) -> SelfAssume:
    """Whether the trust policy ``document`` of ``role_arn`` lets the role assume itself.

    As IAM decides it for ``sts:AssumeRole`` from a session of the role: an explicit Deny
    that applies wins; otherwise an Allow must apply, through a principal that names the
    role, the whole account (then the role's own policies decide; the deploy role's
    ``AdministratorAccess`` allows it), the account root narrowed by a condition on
    ``aws:PrincipalArn`` that matches the role, or anyone (``*``). Conditions on keys that
    depend on the caller are not assumed to hold: an Allow that needs them does not count,
    and a Deny that has them counts, so a pass is never a guess.
    """
    statements = iam.elements(_parse(document).get("Statement"))
    # The most specific Allow is the one worth naming: the role, the account narrowed to the
    # role, the whole account, anyone.
    allowed_by: list[tuple[int, str]] = []
    for number, statement in enumerate(statements, start=1):
        if not isinstance(statement, Mapping):
            continue
        name = f"statement {statement.get('Sid') or f'#{number}'}"
        effect = statement.get("Effect")
        if not _action_matches(statement):
            continue
        if effect == "Deny":
            if "NotPrincipal" in statement:
                spared = _principal_kind(statement["NotPrincipal"], role_arn) in ("role", "account")
                kind = None if spared else "anyone"
            else:
                kind = _principal_kind(statement.get("Principal"), role_arn)
            if kind is None:
                continue
            holds = _conditions_hold(statement.get("Condition"), role_arn)
            if holds is True:
                return SelfAssume(allowed=False, reason=f"{name} denies it")
            if holds is None:
                return SelfAssume(
                    allowed=False,
                    reason=f"{name} may deny it (a condition doctor cannot evaluate)",
                )
            continue
        if effect != "Allow":
            continue
        kind = _principal_kind(statement.get("Principal"), role_arn)
        if kind is None or _conditions_hold(statement.get("Condition"), role_arn) is not True:
            continue
        if kind == "role":
            allowed_by.append((0, f"{name} names the role"))
        elif kind == "anyone":
            allowed_by.append((3, f"{name} trusts any principal"))
        elif _names_principal_arn(statement.get("Condition")):
            allowed_by.append(
                (1, f"{name} trusts the account, narrowed to this role by aws:PrincipalArn")
            )
        else:
            allowed_by.append(
                (2, f"{name} trusts the whole account; the role's own policies decide")
            )
    if not allowed_by:
        return SelfAssume(allowed=False, reason="no statement allows it")
    return SelfAssume(allowed=True, reason=min(allowed_by, key=lambda a: a[0])[1])
