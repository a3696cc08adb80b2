"""A private S3 bucket as argosy makes every bucket: its key's encryption, nothing public, TLS only.

Shared by the Argo Workflows artifact bucket (:mod:`components.controllers`) and the apps'
buckets (:mod:`components.apps_aws`); each caller names its own key and lifecycle.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from argosy.manifests import iam
from components._options import child_options

#: Days S3 waits before it removes the parts of an upload that never completed.
ABORT_INCOMPLETE_UPLOAD_DAYS = 7


def private_bucket(
    parent: pulumi.Resource,
    name: str,
    *,
    bucket_name: str,
    partition: str,
    key_arn: pulumi.Input[str],
    lifecycle_rules: Sequence[aws.s3.BucketLifecycleConfigurationRuleArgs],
    production: bool,
    provider: aws.Provider,
    versioning: bool = False,
) -> aws.s3.Bucket:
    """A bucket with its ownership, public access block, encryption, policy and lifecycle.

    Args:
        parent: The component the bucket belongs to.
        name: Logical name of the bucket and of each of its settings.
        bucket_name: The bucket's name (S3 ``Bucket``), fixed so that others can name it.
        partition: The AWS partition, for the bucket's ARN in its policy.
        key_arn: The key of SSE-KMS (``kmsMasterKeyId``), with an S3 bucket key.
        lifecycle_rules: The bucket's lifecycle rules (``BucketLifecycleConfiguration``).
        production: Protect the bucket and keep its objects on delete (SECURITY.md L3);
            elsewhere it may go with its contents (``forceDestroy``).
        provider: The stage's AWS provider.
        versioning: Keep old versions of objects (``BucketVersioning`` Enabled). Default no
            (no versioning resource at all).
    """
    bucket = aws.s3.Bucket(
        name,
        bucket=bucket_name,
        force_destroy=not production,
        opts=child_options(parent, provider, protect=production),
    )
    parts = child_options(parent, provider)
    aws.s3.BucketOwnershipControls(
        name,
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=parts,
    )
    aws.s3.BucketPublicAccessBlock(
        name,
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=parts,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        name,
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=key_arn
                ),
                # One data key per bucket instead of one KMS call per object.
                bucket_key_enabled=True,
            )
        ],
        opts=parts,
    )
    aws.s3.BucketPolicy(
        name,
        bucket=bucket.id,
        policy=iam.to_json(iam.tls_only_bucket_policy(f"arn:{partition}:s3:::{bucket_name}")),
        opts=parts,
    )
    lifecycle_after: list[pulumi.Resource] = []
    if versioning:
        lifecycle_after.append(
            aws.s3.BucketVersioning(
                name,
                bucket=bucket.id,
                versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                    status="Enabled"
                ),
                opts=parts,
            )
        )
    aws.s3.BucketLifecycleConfiguration(
        name,
        bucket=bucket.id,
        rules=list(lifecycle_rules),
        # Rules on noncurrent versions apply once versioning is on (S3 user guide,
        # "Lifecycle configuration on a bucket with versioning").
        opts=child_options(parent, provider, depends_on=lifecycle_after),
    )
    return bucket


def abort_incomplete_uploads() -> (
    aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs
):
    """The lifecycle action that removes parts of uploads left unfinished for a week."""
    return aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
        days_after_initiation=ABORT_INCOMPLETE_UPLOAD_DAYS
    )
