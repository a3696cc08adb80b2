"""Problems with AWS that a person must fix, each stated with its fix."""

from __future__ import annotations

import re


class AwsProblemError(Exception):
    """An AWS call or precondition failed; ``fix`` says what to do about it."""

    def __init__(self, message: str, fix: str) -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message}\n  fix: {fix}")


class NoCredentialsError(AwsProblemError):
    """No AWS credentials could be found."""


class AccessDeniedError(AwsProblemError):
    """The identity lacks a permission; ``action`` is the IAM action it needs."""

    def __init__(self, *, action: str, resource: str, identity: str, fix: str) -> None:
        self.action = action
        super().__init__(
            f"access denied: {identity} may not {action} on {resource}",
            fix,
        )


class WrongAccountError(AwsProblemError):
    """The credentials, or a role, belong to an account other than the stage's."""


class NotOwnedError(AwsProblemError):
    """A resource with the name bootstrap wants exists, but bootstrap did not create it."""


class NameTakenError(AwsProblemError):
    """A globally unique name (an S3 bucket) belongs to another account."""


#: IAM actions whose names differ from the API operation that needs them.
_ACTION_OF_OPERATION: dict[tuple[str, str], str] = {
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "PutBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "PutBucketLifecycleConfiguration"): "s3:PutLifecycleConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "GetBucketTagging"): "s3:GetBucketTagging",
}
#: IAM service prefixes that differ from boto3's service names.
_PREFIX_OF_SERVICE: dict[str, str] = {"service-quotas": "servicequotas"}


def iam_action(service: str, operation: str) -> str:
    """The IAM action an API operation needs, e.g. ``s3:PutBucketVersioning``."""
    return _ACTION_OF_OPERATION.get(
        (service, operation), f"{_PREFIX_OF_SERVICE.get(service, service)}:{operation}"
    )


_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
)


def is_access_denied(code: str) -> bool:
    """Whether an AWS error code means a missing permission."""
    return code in _DENIED_CODES or bool(re.fullmatch(r".*AccessDenied.*", code))


class PrincipalMissingError(AwsProblemError):
    """An IAM principal the stage's config names does not exist in the stage's account."""
