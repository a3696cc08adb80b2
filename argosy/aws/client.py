"""The one way argosy's tooling calls AWS: per account, recorded, with clear errors.

Every call goes through :meth:`AwsApi.call`, which records the IAM action it needs (so tests
can assert, for instance, that nothing was ever deleted) and turns an access denial into an
:class:`AccessDeniedError` that names the missing permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import botocore.exceptions
from botocore import xform_name

from argosy.aws.errors import (
    AccessDeniedError,
    NoCredentialsError,
    WrongAccountError,
    iam_action,
    is_access_denied,
)
from argosy.config.stage import AwsStageConfig
from argosy.manifests.iam import account_of_arn


@dataclass(frozen=True, kw_only=True)
class Identity:
    """Who the credentials are: account and ARN (``sts:GetCallerIdentity``)."""

    account: str
    arn: str


def error_code(error: botocore.exceptions.ClientError) -> str:
    """The AWS error code of a failed call (``NoSuchBucket``, ``AccessDenied``, ...)."""
    return str(error.response.get("Error", {}).get("Code", ""))


class AwsApi:
    """AWS calls in one account and region, recorded in order.

    Args:
        session: The boto3 session whose credentials are used.
        region: The region of every regional call.
    """

    def __init__(self, session: boto3.Session, region: str) -> None:
        self.session = session
        self.region = region
        self.calls: list[str] = []
        self._clients: dict[str, Any] = {}
        self._identity: Identity | None = None

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` (created once)."""
        if service not in self._clients:
            self._clients[service] = self.session.client(service, region_name=self.region)
        return self._clients[service]

    def call(self, service: str, operation: str, *, resource: str = "*", **params: Any) -> Any:
        """Call ``operation`` (API name, e.g. ``PutBucketVersioning``) of ``service``.

        Raises:
            AccessDeniedError: the identity lacks the permission; names the IAM action.
            NoCredentialsError: no credentials at all.
            botocore.exceptions.ClientError: any other AWS error, for the caller to judge.
        """
        action = iam_action(service, operation)
        self.calls.append(action)
        try:
            return getattr(self.client(service), xform_name(operation))(**params)
        except botocore.exceptions.NoCredentialsError:
            raise NoCredentialsError(
                "no AWS credentials found",
                "sign in (aws sso login --profile NAME, then export AWS_PROFILE=NAME) or set "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            ) from None
        except botocore.exceptions.ClientError as exc:
            if is_access_denied(error_code(exc)) and operation != "GetCallerIdentity":
                who = self._identity.arn if self._identity else "these credentials"
                raise AccessDeniedError(
                    action=action,
                    resource=resource,
                    identity=who,
                    fix=f"grant {action} to {who} (an administrator role of the account has "
                    "it), or run as a role that has it with --role-arn",
                ) from None
            raise

    def identity(self) -> Identity:
        """Who the credentials are (cached)."""
        if self._identity is None:
            answer = self.call("sts", "GetCallerIdentity")
            self._identity = Identity(account=str(answer["Account"]), arn=str(answer["Arn"]))
        return self._identity

    def assume(self, role_arn: str, session_name: str) -> AwsApi:
        """An API with the credentials of ``role_arn``, assumed from these credentials."""
        try:
            answer = self.call(
                "sts",
                "AssumeRole",
                resource=role_arn,
                RoleArn=role_arn,
                RoleSessionName=session_name,
            )
        except AccessDeniedError as exc:
            raise AccessDeniedError(
                action="sts:AssumeRole",
                resource=role_arn,
                identity=self.identity().arn,
                fix=f"let {self.identity().arn} assume {role_arn}: the role must trust it and "
                "its own policies must allow sts:AssumeRole on the role; or use credentials of "
                "the stage's account directly",
            ) from exc
        credentials = answer["Credentials"]
        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.region,
        )
        return AwsApi(session, self.region)


def connect(
    config: AwsStageConfig,
    *,
    role_arn: str | None = None,
    session: boto3.Session | None = None,
) -> AwsApi:
    """Calls into the stage's account, and only that account.

    With credentials of the stage's account, they are used as they are. Otherwise the role
    ``role_arn`` (default: the stage's deploy role) is assumed; it must be in the stage's
    account, and the identity it yields is checked again.

    Raises:
        WrongAccountError: the role, or the identity after assuming it, is in another account.
        AccessDeniedError: the role cannot be assumed.
        NoCredentialsError: there are no credentials at all.
    """
    account = config.aws.account_id
    base = AwsApi(session or boto3.Session(region_name=config.aws.region), config.aws.region)
    me = base.identity()
    if me.account == account:
        return base
    target = role_arn or config.aws.deploy_role_arn
    if account_of_arn(target) != account:
        raise WrongAccountError(
            f"role {target} is in account {account_of_arn(target) or '(none)'}, not in stage "
            f"{config.stage}'s account {account}",
            f"pass --role-arn with a role of account {account}, e.g. "
            f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        )
    assumed = base.assume(target, session_name=f"argosy-{config.stage}")
    them = assumed.identity()
    if them.account != account:
        raise WrongAccountError(
            f"assuming {target} gave an identity in account {them.account} ({them.arn}), not "
            f"in stage {config.stage}'s account {account}",
            "check the role ARN: argosy never acts outside the stage's account",
        )
    return assumed
