"""The existing cluster a ``local`` stage deploys to: ``argosy:kubernetes``."""

from __future__ import annotations

from pydantic import Field

from argosy.config import eks_versions
from argosy.config.models.base import Model, StrictStr
from argosy.config.models.scalars import KubernetesMinor


class LocalKubernetesSettings(Model):
    """The existing cluster a ``local`` stage deploys to: ``argosy:kubernetes``."""

    context: StrictStr = Field(
        min_length=1,
        description="kubeconfig context of the kind or k3d cluster.",
        examples=["kind-argosy"],
    )
    kubeconfig: StrictStr | None = Field(
        default=None,
        min_length=1,
        description="Path of the kubeconfig file; unset uses $KUBECONFIG or ~/.kube/config.",
        examples=["~/.kube/config"],
    )
    version: KubernetesMinor = Field(
        default=eks_versions.newest_version(),
        description="Kubernetes minor version of the cluster; manifests are validated "
        "against its schemas.",
        examples=[eks_versions.newest_version()],
    )
