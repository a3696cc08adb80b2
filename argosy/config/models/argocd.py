"""Argo CD on the stage that hosts it: ``argosy:argocd``.

Today the hub hosts Argo CD for every stage (``topology: hub-spoke``) as the EKS Argo CD
capability (``install: managed``). The self-hosted chart and the standalone topology (each
stage running its own Argo CD) come next; until then the two fields accept only the values
built, so a stack file never asks for something argosy would silently not do.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from argosy import patterns
from argosy.config.models.base import Model, StrictBool, StrictStr, is_production, violation
from argosy.config.models.scalars import DnsLabel, Region, RetentionDays

Topology = Literal["hub-spoke"]
Install = Literal["managed"]
ArgoCdRole = Literal["ADMIN", "EDITOR", "VIEWER"]

_IDC_INSTANCE_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):sso:::instance/ssoins-[0-9a-f]{16}$")
#: Identity Center user and group IDs: a UUID, optionally behind a 10-hex-digit store prefix.
_IDC_IDENTITY = re.compile(
    r"^([0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


class IdentityCenterSettings(Model):
    """The IAM Identity Center instance people sign in to Argo CD with."""

    instance_arn: StrictStr = Field(
        description="The Identity Center instance (capability "
        "configuration.argoCd.awsIdc.idcInstanceArn): `aws sso-admin list-instances`.",
        examples=["arn:aws:sso:::instance/ssoins-0123456789abcdef"],
    )
    region: Region | None = Field(
        default=None,
        description="The instance's home region (awsIdc.idcRegion). Default: the stage's region.",
        examples=["eu-west-1"],
    )

    @field_validator("instance_arn")
    @classmethod
    def _instance_arn(cls, value: str) -> str:
        if not _IDC_INSTANCE_ARN.fullmatch(value):
            violation(
                "an IAM Identity Center instance ARN, as `aws sso-admin list-instances` shows it",
                "instanceArn: arn:aws:sso:::instance/ssoins-0123456789abcdef",
            )
        return value


def _identities(value: tuple[str, ...]) -> tuple[str, ...]:
    for identity in value:
        if not _IDC_IDENTITY.fullmatch(identity):
            violation(
                "an Identity Center user or group ID (a UUID, as `aws identitystore "
                "list-groups` shows it), not a display name",
                "groups: [906739a2-4071-7066-d5c9-2d0a1b2c3d4e]",
            )
    if len(set(value)) != len(value):
        violation("each ID at most once", "groups: [906739a2-4071-7066-d5c9-2d0a1b2c3d4e]")
    return value


class RoleMapping(Model):
    """Who gets an Argo CD role (capability configuration.argoCd.rbacRoleMappings)."""

    role: ArgoCdRole = Field(
        description="ADMIN (everything), EDITOR (applications, not settings) or VIEWER.",
        examples=["ADMIN"],
    )
    groups: tuple[StrictStr, ...] = Field(
        default=(),
        description="Identity Center group IDs (identities of type SSO_GROUP).",
        examples=[["906739a2-4071-7066-d5c9-2d0a1b2c3d4e"]],
    )
    users: tuple[StrictStr, ...] = Field(
        default=(),
        validate_default=True,
        description="Identity Center user IDs (identities of type SSO_USER); never for ADMIN "
        "in production.",
        examples=[["c4f8e2d1-3b5a-4c6d-8e9f-0a1b2c3d4e5f"]],
    )

    @field_validator("groups")
    @classmethod
    def _groups(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _identities(value)

    @field_validator("users")
    @classmethod
    def _users(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        _identities(value)
        # Groups that failed their own check are absent here: that mistake is reported once.
        if not value and "groups" in info.data and not info.data["groups"]:
            violation(
                "a role mapping names at least one group or user",
                "groups: [906739a2-4071-7066-d5c9-2d0a1b2c3d4e]",
            )
        if value and info.data.get("role") == "ADMIN" and is_production(info):
            violation(
                "in production ADMIN goes to named groups only, so access follows group "
                "membership (SECURITY.md A3)",
                "users: []",
            )
        return value


class ManagedArgoCdSettings(Model):
    """The EKS Argo CD capability: ``argosy:argocd.managed``."""

    identity_center: IdentityCenterSettings = Field(
        description="The Identity Center instance for single sign-on (the capability's only "
        "sign-in).",
        examples=[{"instanceArn": "arn:aws:sso:::instance/ssoins-0123456789abcdef"}],
    )
    rbac: tuple[RoleMapping, ...] = Field(
        min_length=1,
        description="Argo CD roles for Identity Center groups and users; nobody else gets in.",
        examples=[[{"role": "ADMIN", "groups": ["906739a2-4071-7066-d5c9-2d0a1b2c3d4e"]}]],
    )
    private_endpoint: StrictBool = Field(
        default=False,
        description="Reach the UI and API only from the hub's VPC (and networks joined to it), "
        "through an `eks-capabilities` interface endpoint (networkAccess.vpceIds). Git "
        "webhooks from the internet then cannot reach Argo CD; it polls instead.",
        examples=[True],
    )
    log_retention_days: RetentionDays = Field(
        default=90,
        description="Days the capability's controller logs stay in CloudWatch.",
        examples=[90],
    )

    @field_validator("rbac")
    @classmethod
    def _one_mapping_per_role(cls, value: tuple[RoleMapping, ...]) -> tuple[RoleMapping, ...]:
        roles = [m.role for m in value]
        repeated = sorted({r for r in roles if roles.count(r) > 1})
        if repeated:
            violation(
                f"one mapping per role; merge the {', '.join(repeated)} mappings",
                "rbac: [{role: ADMIN, groups: [906739a2-4071-7066-d5c9-2d0a1b2c3d4e]}]",
            )
        if "ADMIN" not in roles:
            violation(
                "someone must administer Argo CD: map ADMIN to a group",
                "rbac: [{role: ADMIN, groups: [906739a2-4071-7066-d5c9-2d0a1b2c3d4e]}]",
            )
        return value


class GitOpsSettings(Model):
    """The repository Argo CD syncs the GitOps tree from: ``argosy:argocd.gitops``."""

    repo_url: StrictStr = Field(
        description="The Git repository (Application source.repoURL): https or SSH.",
        examples=["https://github.com/acme/platform.git"],
    )
    path: StrictStr = Field(
        default="gitops",
        description="The tree's directory in the repository (where `argosy render` writes).",
        examples=["gitops"],
    )
    target_revision: StrictStr = Field(
        default="main",
        description="The branch, tag or commit Argo CD follows (source.targetRevision).",
        examples=["main"],
    )

    @field_validator("repo_url")
    @classmethod
    def _repo_url(cls, value: str) -> str:
        if not patterns.GIT_URL.fullmatch(value):
            violation(
                "a Git repository URL: https://host/owner/repo.git, ssh://... or "
                "git@host:owner/repo",
                "repoUrl: https://github.com/acme/platform.git",
            )
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not patterns.GIT_PATH.fullmatch(value) or ".." in value.split("/"):
            violation(
                "a relative directory in the repository: no leading or trailing '/', no '..'",
                "path: gitops",
            )
        return value

    @field_validator("target_revision")
    @classmethod
    def _revision(cls, value: str) -> str:
        if not patterns.GIT_REVISION.fullmatch(value):
            violation("a branch, tag or commit", "targetRevision: main")
        return value


class ArgoCdSettings(Model):
    """Argo CD on the stage that hosts it: ``argosy:argocd``."""

    topology: Topology = Field(
        default="hub-spoke",
        description="`hub-spoke`: this stage's Argo CD manages every stage in `spokes` (and "
        "itself). (`standalone`, an Argo CD per stage, is not built yet.)",
        examples=["hub-spoke"],
    )
    install: Install = Field(
        default="managed",
        description="`managed`: the EKS Argo CD capability. (`self-hosted`, the argo-cd "
        "chart, is not built yet.)",
        examples=["managed"],
    )
    namespace: DnsLabel = Field(
        default="argocd",
        description="Where Argo CD keeps its Applications, projects and cluster registrations "
        "(capability configuration.argoCd.namespace).",
        examples=["argocd"],
    )
    spokes: tuple[DnsLabel, ...] = Field(
        default=(),
        description="The stages this Argo CD manages besides its own: stacks of this "
        "repository with role workload. What Argo CD needs about each comes from its stack file.",
        examples=[["dev", "staging", "prod"]],
    )
    gitops: GitOpsSettings = Field(
        description="The Git repository and path of the GitOps tree.",
        examples=[{"repoUrl": "https://github.com/acme/platform.git", "path": "gitops"}],
    )
    managed: ManagedArgoCdSettings | None = Field(
        default=None,
        validate_default=True,
        description="The capability's sign-in, roles, endpoint and logs; required with "
        "install: managed.",
        examples=[
            {
                "identityCenter": {"instanceArn": "arn:aws:sso:::instance/ssoins-0123456789abcdef"},
                "rbac": [{"role": "ADMIN", "groups": ["906739a2-4071-7066-d5c9-2d0a1b2c3d4e"]}],
            }
        ],
    )

    @field_validator("spokes")
    @classmethod
    def _unique_spokes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({s for s in value if value.count(s) > 1})
        if repeated:
            violation(f"each stage once; repeated: {', '.join(repeated)}", "spokes: [dev, prod]")
        return value

    @field_validator("managed")
    @classmethod
    def _managed_matches_install(
        cls, value: ManagedArgoCdSettings | None, info: ValidationInfo
    ) -> ManagedArgoCdSettings | None:
        if value is None and info.data.get("install") == "managed":
            violation(
                "install: managed needs the capability's Identity Center instance and roles",
                "managed: {identityCenter: {instanceArn: "
                "arn:aws:sso:::instance/ssoins-0123456789abcdef}, rbac: [{role: ADMIN, groups: "
                "[906739a2-4071-7066-d5c9-2d0a1b2c3d4e]}]}",
            )
        return value
