"""Configuration values of the EKS managed add-ons (``configurationValues`` JSON)."""

from __future__ import annotations

import json
from typing import Any


def to_json(values: dict[str, Any]) -> str:
    """Canonical JSON, as EKS stores it back: sorted keys so a plan shows no spurious diff."""
    return json.dumps(values, sort_keys=True, separators=(",", ":"))


def vpc_cni_configuration() -> dict[str, Any]:
    """vpc-cni with its network policy agent on, so NetworkPolicy objects are enforced.

    Without ``enableNetworkPolicy`` the cluster accepts NetworkPolicies and ignores them.
    """
    return {"enableNetworkPolicy": "true"}


def ebs_csi_configuration() -> dict[str, Any]:
    """The EBS CSI driver declares the cluster's default StorageClass itself.

    ``defaultStorageClass`` (add-on v1.31.0 and later; EKS user guide, Kubernetes 1.30 notes)
    creates ``ebs-csi-default-sc``: gp3, ``WaitForFirstConsumer``, expandable, marked default.
    Its volumes are encrypted because argosy turns on EBS encryption by default for the
    account and region, with the stage's key where configured. Declaring it here, rather than
    as a Kubernetes object, keeps a stage's stack off the Kubernetes API (rule P2).
    """
    return {"defaultStorageClass": {"enabled": True}}


#: The StorageClass the EBS CSI add-on creates and marks default.
DEFAULT_STORAGE_CLASS = "ebs-csi-default-sc"
