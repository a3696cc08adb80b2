"""What ``argosy bootstrap`` and ``argosy doctor`` read: ``argosy:bootstrap`` and ``backend``."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo

from argosy.config.models.base import Model, StrictInt, StrictStr, violation
from argosy.config.models.scalars import check_principal_arn

_GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_GITHUB_ENVIRONMENT = re.compile(r"^[^'\"`,;\\]{1,255}$")
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


def _github_repository(value: str) -> str:
    if not _GITHUB_REPOSITORY.fullmatch(value):
        violation("a GitHub repository as owner/name", "githubRepository: acme/platform")
    return value


def _github_environment(value: str) -> str:
    if not _GITHUB_ENVIRONMENT.fullmatch(value):
        violation(
            "a GitHub environment name: 1 to 255 characters, none of ' \" ` , ; \\",
            "githubEnvironment: production",
        )
    return value


def bucket_name(value: str) -> str:
    """Check an S3 bucket name against the general purpose bucket naming rules."""
    if (
        not _BUCKET_NAME.fullmatch(value)
        or ".." in value
        or re.fullmatch(r"\d+\.\d+\.\d+\.\d+", value)
        or value.startswith(("xn--", "sthree-"))
        or value.endswith(("-s3alias", "--ol-s3"))
    ):
        violation(
            "an S3 bucket name: 3 to 63 lowercase letters, digits, '.' or '-', starting and "
            "ending with a letter or digit, not shaped like an IP address",
            "stateBucket: acme-pulumi-state-dev",
        )
    return value


def _role_name(value: str) -> str:
    if not _ROLE_NAME.fullmatch(value):
        violation(
            "an IAM role name: 1 to 64 letters, digits or + = , . @ _ -",
            "previewRoleName: argosy-preview",
        )
    return value


def _trusted_principal(value: str, info: ValidationInfo) -> str:
    return check_principal_arn(
        value, info, key="trustedPrincipals", kinds=("role", "user"), in_list=True
    )


TrustedPrincipal = Annotated[StrictStr, AfterValidator(_trusted_principal)]
GithubRepository = Annotated[StrictStr, AfterValidator(_github_repository)]
GithubEnvironment = Annotated[StrictStr, AfterValidator(_github_environment)]
BucketName = Annotated[StrictStr, AfterValidator(bucket_name)]
RoleName = Annotated[StrictStr, AfterValidator(_role_name)]


class BootstrapSettings(Model):
    """What ``argosy bootstrap`` creates in the stage's account: ``argosy:bootstrap``."""

    github_repository: GithubRepository = Field(
        description="The repository whose GitHub Actions may deploy (main branch or the "
        "protected environment) and preview (pull requests), through GitHub's OIDC provider.",
        examples=["acme/platform"],
    )
    github_environment: GithubEnvironment | None = Field(
        default=None,
        description="The protected GitHub environment allowed to deploy. Default: the stage's "
        "name.",
        examples=["production"],
    )
    trusted_principals: tuple[TrustedPrincipal, ...] = Field(
        default=(),
        description="IAM principals of the stage's account that may assume the deploy and "
        "preview roles (people, break-glass roles). Default: the account itself, so that IAM "
        "policies decide.",
        examples=[["arn:aws:iam::111111111111:role/platform-admins"]],
    )
    state_bucket: BucketName | None = Field(
        default=None,
        description="Name of the S3 bucket for Pulumi state. Default: "
        "argosy-state-<account>-<region>.",
        examples=["acme-pulumi-state-dev"],
    )
    preview_role_name: RoleName = Field(
        default="argosy-preview",
        description="Name of the read-only role GitHub Actions assume to preview pull requests.",
        examples=["argosy-preview"],
    )
    noncurrent_version_days: StrictInt = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days the state bucket keeps a replaced version of a state file.",
        examples=[90],
    )


def _backend_url(value: str) -> str:
    if not value.startswith("s3://"):
        violation(
            "the stage's Pulumi state backend, an s3:// URL as `argosy bootstrap --write` "
            "records it",
            "argosy:backend: s3://argosy-state-111111111111-eu-west-1?region=eu-west-1&awssdk=v2",
        )
    return value


BackendUrl = Annotated[StrictStr, AfterValidator(_backend_url)]
