"""Kubeconfig for an EKS cluster, authenticated by ``aws eks get-token``.

A token fetched once expires after about 15 minutes, shorter than a first ``pulumi up``; the
exec plugin fetches a fresh one whenever the Kubernetes provider needs it.
"""

from __future__ import annotations

import json
from typing import Any

EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"


def eks_kubeconfig(
    *,
    cluster_name: str,
    endpoint: str,
    certificate_authority_data: str,
    region: str,
    role_arn: str,
) -> dict[str, Any]:
    """A kubeconfig whose single user runs ``aws eks get-token`` as ``role_arn``.

    Args:
        cluster_name: EKS cluster name; also the kubeconfig's cluster, user and context name.
        endpoint: The API server URL (EKS ``endpoint``).
        certificate_authority_data: Base64 CA bundle (EKS ``certificateAuthority.data``).
        region: The cluster's region, passed to the AWS CLI.
        role_arn: Role the AWS CLI assumes to get the token (the stage's deploy role, which
            has a cluster-admin access entry).
    """
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": cluster_name,
                "cluster": {
                    "server": endpoint,
                    "certificate-authority-data": certificate_authority_data,
                },
            }
        ],
        "contexts": [
            {"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}
        ],
        "current-context": cluster_name,
        "preferences": {},
        "users": [
            {
                "name": cluster_name,
                "user": {
                    "exec": {
                        "apiVersion": EXEC_API_VERSION,
                        "command": "aws",
                        "args": [
                            "eks",
                            "get-token",
                            "--cluster-name",
                            cluster_name,
                            "--region",
                            region,
                            "--role-arn",
                            role_arn,
                            "--output",
                            "json",
                        ],
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
    }


def to_json(kubeconfig: dict[str, Any]) -> str:
    """Canonical JSON text of a kubeconfig (the Kubernetes provider accepts JSON)."""
    return json.dumps(kubeconfig, sort_keys=True, separators=(",", ":"))
