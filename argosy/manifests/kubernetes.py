"""Kubernetes objects of the cluster baseline, as plain, schema-checked dicts."""

from __future__ import annotations

from typing import Any

from argosy.manifests.validation import check_kubernetes_manifest

#: Labels on every object argosy creates, so `kubectl get -l` finds them.
COMMON_LABELS: dict[str, str] = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "argosy",
}

GP3_STORAGE_CLASS = "gp3"


def gp3_storage_class(kubernetes_version: str) -> dict[str, Any]:
    """The cluster's default StorageClass: encrypted gp3 volumes from the EBS CSI driver.

    EKS's own ``gp2`` class uses the in-tree provisioner and, since Kubernetes 1.30, is no
    longer the default; without a default class, PersistentVolumeClaims that name none stay
    Pending. ``WaitForFirstConsumer`` creates a volume in the zone its pod is scheduled to.

    Args:
        kubernetes_version: The cluster's minor version, whose schema the object must match.
    """
    return dict(
        check_kubernetes_manifest(
            {
                "apiVersion": "storage.k8s.io/v1",
                "kind": "StorageClass",
                "metadata": {
                    "name": GP3_STORAGE_CLASS,
                    "labels": dict(COMMON_LABELS),
                    "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
                },
                "provisioner": "ebs.csi.aws.com",
                "parameters": {
                    "type": "gp3",
                    "encrypted": "true",
                    "csi.storage.k8s.io/fstype": "ext4",
                },
                "reclaimPolicy": "Delete",
                "volumeBindingMode": "WaitForFirstConsumer",
                "allowVolumeExpansion": True,
            },
            kubernetes_version,
        )
    )
