"""Whether the IAM principals a stage's config names exist in its account.

IAM refuses a trust policy that names a missing principal (``MalformedPolicyDocument``), and
EKS refuses an access entry for one (``CreateAccessEntry``: invalid principal) after the
cluster already exists, leaving ``pulumi up`` half-applied. Both are cheaper to catch first.
"""

from __future__ import annotations

from collections.abc import Iterable

import botocore.exceptions

from argosy.aws.client import AwsApi, error_code

#: The read that proves a principal exists, by the kind in its ARN (``role/``, ``user/``).
_LOOKUP = {"role": ("GetRole", "RoleName"), "user": ("GetUser", "UserName")}


def principal_kind(arn: str) -> str:
    """``role`` or ``user``: the resource type of an IAM principal ARN."""
    return arn.split(":", 5)[-1].split("/", 1)[0]


def principal_name(arn: str) -> str:
    """The principal's name: the last segment of its ARN (its path left out)."""
    return arn.rsplit("/", 1)[-1]


def short_name(arn: str) -> str:
    """``role/NAME`` or ``user/NAME``, for lists in a table."""
    return f"{principal_kind(arn)}/{principal_name(arn)}"


def principal_exists(api: AwsApi, arn: str) -> bool:
    """Whether the role or user ``arn`` exists (looked up by name: GetRole, GetUser).

    Raises:
        AccessDeniedError: the identity may not read it (the error names iam:GetRole or
            iam:GetUser).
        ValueError: ``arn`` is neither a role nor a user (config validation allows no other).
    """
    kind = principal_kind(arn)
    if kind not in _LOOKUP:
        raise ValueError(f"{arn} is neither an IAM role nor a user")
    operation, parameter = _LOOKUP[kind]
    name = principal_name(arn)
    try:
        api.call("iam", operation, resource=arn, **{parameter: name})
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return False
        raise
    return True


def missing_principals(api: AwsApi, arns: Iterable[str]) -> list[str]:
    """The ARNs among ``arns`` whose principal does not exist, in order, each once."""
    missing: list[str] = []
    for arn in dict.fromkeys(arns):
        if not principal_exists(api, arn):
            missing.append(arn)
    return missing


def what_to_create(arns: list[str]) -> str:
    """``the role``, ``the user`` or ``them``: what a fix asks to create."""
    if len(arns) == 1:
        return f"the {principal_kind(arns[0])}"
    return "them"
