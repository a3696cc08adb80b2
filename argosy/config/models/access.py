"""Who gets Kubernetes access through EKS access entries: ``argosy:access``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, ValidationInfo, ValidatorFunctionWrapHandler, field_validator

from argosy.config.models.base import (
    Model,
    StrictStr,
    Violation,
    collect,
    example_role_arn,
    repeated,
    unused_name,
    validation_context,
    violation,
)
from argosy.config.models.scalars import IAM_PRINCIPAL_ARN, NamespaceName, check_principal_arn

AccessPolicy = Literal["cluster-admin", "admin", "edit", "view"]

#: EKS access policies behind the short names used in config.
ACCESS_POLICY_NAMES: dict[str, str] = {
    "cluster-admin": "AmazonEKSClusterAdminPolicy",
    "admin": "AmazonEKSAdminPolicy",
    "edit": "AmazonEKSEditPolicy",
    "view": "AmazonEKSViewPolicy",
}


class AccessGrant(Model):
    """One IAM principal given Kubernetes access through an EKS access entry."""

    principal_arn: StrictStr = Field(
        description="IAM role or user ARN in the stage's account. For IAM Identity Center "
        "roles, drop the aws-reserved/sso.amazonaws.com/ path, as EKS requires.",
        examples=["arn:aws:iam::111111111111:role/platform-admins"],
    )
    policy: AccessPolicy = Field(
        description="EKS access policy: cluster-admin (AmazonEKSClusterAdminPolicy), admin, "
        "edit or view.",
        examples=["cluster-admin"],
    )
    namespaces: tuple[NamespaceName, ...] = Field(
        default=(),
        description="Limit the policy to these namespaces; empty means the whole cluster.",
        examples=[["team-a"]],
    )

    @field_validator("principal_arn")
    @classmethod
    def _principal(cls, value: str, info: ValidationInfo) -> str:
        check_principal_arn(value, info, key="principalArn", kinds=("role", "user"))
        match = IAM_PRINCIPAL_ARN.fullmatch(value)
        assert match is not None  # checked by _principal_arn
        if match["path"].startswith("aws-reserved/sso.amazonaws.com/"):
            violation(
                "EKS access entries take an Identity Center role's ARN without its path",
                f"principalArn: arn:{match['partition']}:iam::{match['account']}:role/"
                f"{match['name']}",
            )
        return value

    @field_validator("namespaces")
    @classmethod
    def _scope_fits_policy(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if value and info.data.get("policy") == "cluster-admin":
            violation(
                "cluster-admin is cluster-wide; use admin, edit or view to scope by namespace",
                "policy: admin",
            )
        return value


class AccessSettings(Model):
    """Who gets Kubernetes access: ``argosy:access``."""

    admins: tuple[AccessGrant, ...] = Field(
        default=(),
        description="IAM principals and their EKS access policies. The deploy role is added "
        "as cluster-admin automatically.",
        examples=[
            [
                {
                    "principalArn": "arn:aws:iam::111111111111:role/platform-admins",
                    "policy": "cluster-admin",
                }
            ]
        ],
    )

    @field_validator("admins", mode="wrap")
    @classmethod
    def _one_entry_per_principal(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        deploy_role = validation_context(info).get("deploy_role_arn")

        arns = [_principal_of(item) for item in value] if isinstance(value, list | tuple) else []
        taken = [a for a in (*arns, deploy_role) if isinstance(a, str)]

        def example() -> str:
            name = unused_name("platform-admins", [a.rpartition("/")[2] for a in taken])
            return f"principalArn: {example_role_arn(info, name)}"

        def rewrite(loc: tuple[str | int, ...], suggested: str) -> str:
            # An item's own example must not name another item's principal.
            if loc[1:] == ("principalArn",) and suggested.partition(": ")[2] in taken:
                return example()
            return suggested

        def checks(raw: Any, _: Any) -> list[Violation]:
            if not isinstance(raw, list | tuple):
                return []

            found = [
                Violation(
                    (i, "principalArn"),
                    arn,
                    "the deploy role (aws.deployRoleArn) is a cluster admin already; remove "
                    "this grant",
                    example(),
                )
                for i, arn in enumerate(arns)
                if arn is not None and arn == deploy_role
            ]
            found += [
                Violation(
                    (i, "principalArn"),
                    arns[i],
                    f"one access entry per principal: admins[{first}] grants {arns[i]} "
                    "already; remove this grant, or give it another principal",
                    example(),
                )
                for i, first in repeated(arns)
                if arns[i] != deploy_role
            ]
            return found

        return collect(value, handler, checks, rewrite=rewrite)


def _principal_of(item: Any) -> str | None:
    if isinstance(item, AccessGrant):
        return item.principal_arn
    arn = item.get("principalArn") if isinstance(item, Mapping) else None
    return arn if isinstance(arn, str) else None
