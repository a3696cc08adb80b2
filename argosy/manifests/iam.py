"""IAM policy documents, as plain data with a canonical JSON form.

Documents are built here, away from Pulumi, so that trust relationships (who may assume what)
are unit-tested as data and serialized the same way on every run.
"""

from __future__ import annotations

import json
from typing import Any

from argosy.config.models import dns_suffix_of

PolicyDocument = dict[str, Any]

#: The audience EKS projects into service account tokens for IRSA.
STS_AUDIENCE = "sts.amazonaws.com"


def to_json(document: PolicyDocument) -> str:
    """Canonical JSON of a policy document: sorted keys, no spaces, so no spurious diffs."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def account_root_arn(partition: str, account_id: str) -> str:
    """The account's root principal: the whole account, as IAM and KMS policies name it."""
    return f"arn:{partition}:iam::{account_id}:root"


def elements(value: Any) -> list[Any]:
    """A policy element that may be one value or a list of them, as a list (none: empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def account_of_arn(arn: str) -> str:
    """The account ID in an ARN (empty if the ARN has none, as for AWS managed policies)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def service_principal(service: str, partition: str) -> str:
    """The service principal of ``service`` (``eks``, ``ec2``) in ``partition``."""
    # EC2 is the one service whose principal follows the partition's DNS suffix in China.
    if service == "ec2" and partition == "aws-cn":
        return f"ec2.{dns_suffix_of(partition)}"
    return f"{service}.amazonaws.com"


def managed_policy_arn(partition: str, name: str) -> str:
    """The ARN of an AWS managed policy, such as ``AmazonEKSWorkerNodePolicy``."""
    return f"arn:{partition}:iam::aws:policy/{name}"


def service_trust_policy(
    service: str, partition: str, *, tag_session: bool = False
) -> PolicyDocument:
    """Trust policy letting an AWS service assume the role.

    ``tag_session`` adds ``sts:TagSession``, which EKS needs for its cluster role.
    """
    actions = ["sts:AssumeRole", "sts:TagSession"] if tag_session else "sts:AssumeRole"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service_principal(service, partition)},
                "Action": actions,
            }
        ],
    }


def github_trust_statement(
    *, oidc_provider_arn: str, subjects: list[str], sid: str
) -> dict[str, Any]:
    """Let GitHub Actions assume a role, for exactly the token subjects listed.

    ``subjects`` are GitHub's ``sub`` claims, such as ``repo:acme/platform:ref:refs/heads/main``,
    ``repo:acme/platform:environment:prod`` or ``repo:acme/platform:pull_request``; they are
    matched exactly (``StringEquals``), never with wildcards, so forks and other branches get
    nothing.
    """
    host = oidc_provider_arn.split("oidc-provider/", 1)[-1]
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Federated": oidc_provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {
                f"{host}:aud": STS_AUDIENCE,
                f"{host}:sub": subjects[0] if len(subjects) == 1 else sorted(subjects),
            }
        },
    }


def principals_trust_statement(principals: list[str], *, sid: str) -> dict[str, Any]:
    """Let IAM principals (or a whole account, by its root ARN) assume a role."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": principals[0] if len(principals) == 1 else sorted(principals)},
        "Action": "sts:AssumeRole",
    }


def tls_only_bucket_policy(bucket_arn: str) -> PolicyDocument:
    """Deny every request to the bucket and its objects that does not use TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def preview_access_policy(*, bucket_arn: str, key_arn: str) -> PolicyDocument:
    """What a read-only preview needs beyond ReadOnlyAccess.

    ``pulumi preview`` on an S3 backend writes and removes a lock file, and decrypts the
    stack's secrets; it writes nothing else.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PreviewLocks",
                "Effect": "Allow",
                "Action": ["s3:DeleteObject", "s3:PutObject"],
                "Resource": f"{bucket_arn}/.pulumi/locks/*",
            },
            {
                "Sid": "DecryptStackSecrets",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": key_arn,
            },
        ],
    }


def irsa_trust_policy(
    *, oidc_provider_arn: str, issuer_url: str, namespace: str, service_account: str
) -> PolicyDocument:
    """Trust policy for IRSA: exactly one service account of one namespace may assume the role.

    Both the subject and the audience are pinned with ``StringEquals`` (never ``StringLike``),
    so no other service account, and no token minted for another audience, can use the role.
    """
    issuer = issuer_url.removeprefix("https://")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer}:aud": STS_AUDIENCE,
                        f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                    }
                },
            }
        ],
    }


#: The service principal EKS Pod Identity assumes roles as.
POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"


def pod_identity_trust_policy(
    *, account_id: str, cluster_arn: str, namespace: str, service_account: str
) -> PolicyDocument:
    """Trust policy for EKS Pod Identity: one service account of one namespace of one cluster.

    Pod Identity tags every session with the cluster, namespace and service account
    (``aws:RequestTag/...``; EKS user guide, "Create an IAM role for EKS Pod Identity",
    setting conditions), so the trust pins all three as well as the account: an association
    made for another service account, or in another cluster, cannot use the role even if
    someone creates one.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EksPodIdentity",
                "Effect": "Allow",
                "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "StringEquals": {
                        "aws:SourceAccount": account_id,
                        "aws:RequestTag/eks-cluster-arn": cluster_arn,
                        "aws:RequestTag/kubernetes-namespace": namespace,
                        "aws:RequestTag/kubernetes-service-account": service_account,
                    }
                },
            }
        ],
    }


def flow_logs_trust_policy(*, partition: str, region: str, account_id: str) -> PolicyDocument:
    """Let VPC Flow Logs of the stage's account and region assume the delivery role.

    ``aws:SourceAccount`` and ``aws:SourceArn`` keep another account's flow logs from using
    the role (the confused-deputy guard in the VPC user guide, "IAM role for publishing flow
    logs to CloudWatch Logs").
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*"
                    },
                },
            }
        ],
    }


def flow_logs_delivery_policy(log_group_arn: str) -> PolicyDocument:
    """What VPC Flow Logs need to write into one log group (which argosy creates)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteFlowLogs",
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                ],
                "Resource": [log_group_arn, f"{log_group_arn}:log-stream:*"],
            },
            {
                # DescribeLogGroups takes no resource-level permission.
                "Sid": "FindLogGroup",
                "Effect": "Allow",
                "Action": "logs:DescribeLogGroups",
                "Resource": "*",
            },
        ],
    }


def secrets_encryption_policy(key_arn: str) -> PolicyDocument:
    """The EKS cluster role's use of its Secrets key, and nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ListGrants"],
                "Resource": key_arn,
            }
        ],
    }
