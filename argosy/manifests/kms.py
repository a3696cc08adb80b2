"""KMS key policies: every customer-managed key of a stage states who may do what (E13).

A key without a policy gets KMS's default, which hands everything to IAM (``kms:*`` for the
account). argosy's keys separate the two halves: the account (and so the deploy role, through
its IAM policy) may *administer* a key: rotate, tag, change its policy, schedule deletion; only
the principals and services that need a key may *use* it, or create grants on it. An
administrator holds no use directly: to decrypt, it would have to rewrite the key policy
first, a deliberate act that CloudTrail records, never an accident of a broad IAM policy.
"""

from __future__ import annotations

from typing import Any

from argosy.config.regions import dns_suffix_of
from argosy.manifests.iam import PolicyDocument, account_root_arn

#: What the administrators of a key may do: everything but use it (no Encrypt, Decrypt,
#: GenerateDataKey, ReEncrypt, Sign) or grant its use. The "key administrators" statement of
#: the KMS developer guide's default key policy, with ``kms:Create*`` narrowed to
#: ``kms:CreateAlias``: ``kms:CreateGrant`` would let an administrator grant itself use.
ADMIN_ACTIONS: tuple[str, ...] = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
)
#: Actions that use a key: what only a key's users get.
USE_ACTIONS: tuple[str, ...] = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)


def _admin_statement(partition: str, account_id: str) -> dict[str, Any]:
    # The account, not the deploy role by name: a recreated deploy role keeps access, and the
    # key can never be locked out. IAM policies then decide who administers it.
    return {
        "Sid": "AccountAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": account_root_arn(partition, account_id)},
        "Action": list(ADMIN_ACTIONS),
        "Resource": "*",
    }


def secrets_key_policy(*, partition: str, account_id: str, cluster_role_arn: str) -> PolicyDocument:
    """The key that envelope-encrypts a cluster's Secrets: used by the EKS cluster role only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            _admin_statement(partition, account_id),
            {
                "Sid": "EksClusterUsesKey",
                "Effect": "Allow",
                "Principal": {"AWS": cluster_role_arn},
                "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ListGrants"],
                "Resource": "*",
            },
        ],
    }


def logs_key_policy(
    *, partition: str, region: str, account_id: str, log_group_names: list[str]
) -> PolicyDocument:
    """The key of a stage's log groups: used by CloudWatch Logs, for those groups only.

    CloudWatch Logs calls KMS with the log group's ARN as encryption context; the condition
    limits the key to the named groups (CloudWatch Logs user guide, "Encrypt log data in
    CloudWatch Logs using AWS KMS").
    """
    arns = sorted(
        f"arn:{partition}:logs:{region}:{account_id}:log-group:{name}" for name in log_group_names
    )
    return {
        "Version": "2012-10-17",
        "Statement": [
            _admin_statement(partition, account_id),
            {
                "Sid": "CloudWatchLogsUsesKey",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.{dns_suffix_of(partition)}"},
                "Action": [*USE_ACTIONS],
                "Resource": "*",
                "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": arns}},
            },
        ],
    }


def _via_service(*services: str, partition: str, region: str, account_id: str) -> dict[str, Any]:
    """The condition: a caller of the account, through one of ``services`` in the region."""
    vias = sorted(f"{service}.{region}.{dns_suffix_of(partition)}" for service in services)
    return {
        "StringEquals": {
            "kms:CallerAccount": account_id,
            "kms:ViaService": vias[0] if len(vias) == 1 else vias,
        }
    }


def _account_uses_through(sid: str, via: dict[str, Any]) -> dict[str, Any]:
    """Principals of the account may use the key, under the ``via`` condition only."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": [*USE_ACTIONS],
        "Resource": "*",
        "Condition": via,
    }


def ebs_key_policy(*, partition: str, region: str, account_id: str) -> PolicyDocument:
    """The account's default EBS key: usable by principals of the account, through EC2 only.

    The same shape as AWS's own ``aws/ebs`` key: EC2 Auto Scaling (the managed node groups'
    service-linked role), the EBS CSI driver and people creating volumes all call through
    EC2 in the account, and nothing can use the key directly.
    """
    via_ec2 = _via_service("ec2", partition=partition, region=region, account_id=account_id)
    return {
        "Version": "2012-10-17",
        "Statement": [
            _admin_statement(partition, account_id),
            _account_uses_through("AccountUsesKeyThroughEc2", via_ec2),
            {
                "Sid": "AccountGrantsKeyToEc2",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {
                    **via_ec2,
                    "Bool": {"kms:GrantIsForAWSResource": "true"},
                },
            },
        ],
    }


def artifacts_key_policy(*, partition: str, region: str, account_id: str) -> PolicyDocument:
    """The Argo Workflows artifact bucket's key: usable by principals of the account, through S3.

    Who may read or write artifacts is the IAM policies' say (each workflow namespace's
    identity, its own prefix; the server's, read-only): the key adds only that nothing uses it
    outside S3.
    """
    via_s3 = _via_service("s3", partition=partition, region=region, account_id=account_id)
    return {
        "Version": "2012-10-17",
        "Statement": [
            _admin_statement(partition, account_id),
            _account_uses_through("AccountUsesKeyThroughS3", via_s3),
        ],
    }


def database_key_policy(*, partition: str, region: str, account_id: str) -> PolicyDocument:
    """The key of one app's database and its secret: used through RDS and Secrets Manager only.

    Principals of the account may use it only through RDS (the database's storage, snapshots
    and backups) and Secrets Manager (the connection secret, read by external-secrets), and
    RDS may create grants on it for its own resources, as the default policy of AWS's
    ``aws/rds`` key allows.
    """
    common = {"partition": partition, "region": region, "account_id": account_id}
    via_rds = _via_service("rds", **common)
    return {
        "Version": "2012-10-17",
        "Statement": [
            _admin_statement(partition, account_id),
            _account_uses_through(
                "AccountUsesKeyThroughRdsAndSecretsManager",
                _via_service("rds", "secretsmanager", **common),
            ),
            {
                "Sid": "RdsGrantsKeyToItsResources",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*",
                "Condition": {**via_rds, "Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ],
    }
