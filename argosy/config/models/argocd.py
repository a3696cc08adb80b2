"""Argo CD on the stage that hosts it: ``argosy:argocd``.

Where it runs (``topology``): on the hub, managing every stage (``hub-spoke``), or on each
stage, managing only its own cluster (``standalone``; the ``local`` stage always). How
(``install``): the EKS Argo CD capability (``managed``, :class:`ManagedArgoCdSettings`) or the
argo-cd chart (``self-hosted``,
:class:`~argosy.config.models.selfhosted.SelfHostedArgoCdSettings`).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from argosy import patterns
from argosy.config.models.base import (
    Model,
    StrictBool,
    StrictStr,
    is_production,
    validation_context,
    violation,
)
from argosy.config.models.scalars import DnsLabel, Region, RetentionDays
from argosy.config.models.selfhosted import SelfHostedArgoCdSettings

Topology = Literal["hub-spoke", "standalone"]
Install = Literal["managed", "self-hosted"]
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
        validate_default=True,
        description="`hub-spoke`: this stage's Argo CD manages every stage in `spokes` (and "
        "itself). `standalone`: it manages only this stage's cluster (a workload stage with "
        "an Argo CD of its own; the local stage). Default: hub-spoke.",
        examples=["hub-spoke"],
    )
    install: Install = Field(
        default="managed",
        validate_default=True,
        description="`managed`: the EKS Argo CD capability. `self-hosted`: the argo-cd chart, "
        "installed by this stack on its own cluster (the local stage's only choice). "
        "Default: managed.",
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

    self_hosted: SelfHostedArgoCdSettings | None = Field(
        default=None,
        validate_default=True,
        description="The argo-cd chart's host name, sign-in, roles, webhooks and "
        "notifications; required with install: self-hosted.",
        examples=[
            {
                "hostname": "argocd.hub.acme.example",
                "sso": {
                    "oidc": {
                        "issuer": "https://acme.okta.com",
                        "clientId": "argocd",
                        "clientSecret": "$argocd-sso:clientSecret",
                    }
                },
                "rbac": {"adminGroups": ["platform-admins"]},
                "webhooks": {"github": "$argocd-webhooks:github"},
            }
        ],
    )

    @field_validator("topology")
    @classmethod
    def _topology(cls, value: str, info: ValidationInfo) -> str:
        role = validation_context(info).get("role")
        if value == "hub-spoke" and role in ("local", "workload"):
            violation(
                f"a {role} stage's Argo CD manages only its own cluster; spokes are the hub's",
                "topology: standalone",
            )
        return value

    @field_validator("install")
    @classmethod
    def _install(cls, value: str, info: ValidationInfo) -> str:
        if value == "managed" and validation_context(info).get("role") == "local":
            violation(
                "the EKS capability runs on EKS only; the local stage installs the chart",
                "install: self-hosted",
            )
        return value

    @field_validator("spokes")
    @classmethod
    def _unique_spokes(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        repeated = sorted({s for s in value if value.count(s) > 1})
        if repeated:
            violation(f"each stage once; repeated: {', '.join(repeated)}", "spokes: [dev, prod]")
        if value and info.data.get("topology") == "standalone":
            violation("a standalone Argo CD manages only its own cluster", "spokes: []")
        return value

    @field_validator("managed")
    @classmethod
    def _managed_matches_install(
        cls, value: ManagedArgoCdSettings | None, info: ValidationInfo
    ) -> ManagedArgoCdSettings | None:
        if value is not None and info.data.get("install") == "self-hosted":
            violation(
                "managed settings go with install: managed; a self-hosted Argo CD is "
                "configured under selfHosted",
                "install: managed",
            )
        if value is None and info.data.get("install") == "managed":
            violation(
                "install: managed needs the capability's Identity Center instance and roles",
                "managed: {identityCenter: {instanceArn: "
                "arn:aws:sso:::instance/ssoins-0123456789abcdef}, rbac: [{role: ADMIN, groups: "
                "[906739a2-4071-7066-d5c9-2d0a1b2c3d4e]}]}",
            )
        return value

    @field_validator("self_hosted")
    @classmethod
    def _self_hosted(
        cls, value: SelfHostedArgoCdSettings | None, info: ValidationInfo
    ) -> SelfHostedArgoCdSettings | None:
        install = info.data.get("install")
        if value is None:
            if install == "self-hosted":
                violation(
                    "install: self-hosted needs the server's host name and sign-in",
                    "selfHosted: {hostname: argocd.hub.acme.example, sso: {oidc: {issuer: "
                    "https://acme.okta.com, clientId: argocd, clientSecret: "
                    "$argocd-sso:clientSecret}}, rbac: {adminGroups: [platform-admins]}, "
                    "webhooks: {github: $argocd-webhooks:github}}",
                )
            return value
        if install == "managed":
            violation(
                "selfHosted settings go with install: self-hosted; the capability is "
                "configured under managed",
                "install: self-hosted",
            )
        if validation_context(info).get("role") != "local":
            if value.hostname is None:
                violation(
                    "the server needs a host name on an AWS stage: its URL and Ingress",
                    "hostname: argocd.hub.acme.example",
                    field="hostname",
                )
            if value.sso is None:
                violation(
                    "people sign in through SSO on an AWS stage (SECURITY.md A1)",
                    "sso: {oidc: {issuer: https://acme.okta.com, clientId: argocd, "
                    "clientSecret: $argocd-sso:clientSecret}}",
                    field="sso",
                )
        if value.sso is not None and not value.rbac.admin_groups:
            violation(
                "with SSO, role:admin goes to named groups (SECURITY.md A3)",
                "adminGroups: [platform-admins]",
                field="rbac",
            )
        gitops = info.data.get("gitops")
        provider = patterns.git_provider(gitops.repo_url) if gitops is not None else None
        # A local Argo CD has no Ingress: no Git provider can call its webhook.
        local = validation_context(info).get("role") == "local"
        if provider is not None and not local and getattr(value.webhooks, provider) is None:
            key = {"github": "github", "gitlab": "gitlab", "bitbucket_server": "bitbucketServer"}
            violation(
                f"Argo CD's webhook needs a secret for {provider.replace('_', ' ')}, the "
                "GitOps repository's provider (SECURITY.md A8)",
                f"webhooks: {{{key[provider]}: $argocd-webhooks:{key[provider]}}}",
                field="webhooks",
            )
        pending = [s for s in value.pending_spokes if s not in info.data.get("spokes", ())]
        if pending:
            violation(
                f"pending spokes are spokes too; {', '.join(pending)} is not in spokes",
                "pendingSpokes: []",
                field="pendingSpokes",
            )
        return value
