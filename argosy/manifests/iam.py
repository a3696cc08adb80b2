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
