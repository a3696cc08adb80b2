"""Kubernetes providers for a stage's cluster, and the objects every cluster gets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pulumi
import pulumi_kubernetes as k8s

from argosy.manifests import kubeconfig, kubernetes
from components._options import child_options


@dataclass(frozen=True, kw_only=True)
class EksProviderArgs:
    """Inputs of :func:`eks_kubernetes_provider`.

    Attributes:
        cluster_name: The EKS cluster (kubeconfig cluster and ``--cluster-name``).
        endpoint: The API server URL.
        certificate_authority_data: The API server's CA bundle.
        region: The cluster's region.
        role_arn: Role ``aws eks get-token`` assumes: the stage's deploy role.
        after: Resources the provider's first call waits for: the deploy role's access
            entry, without which every call is Unauthorized.
    """

    cluster_name: pulumi.Input[str]
    endpoint: pulumi.Input[str]
    certificate_authority_data: pulumi.Input[str]
    region: str
    role_arn: str
    after: Sequence[pulumi.Resource] = ()


class EksKubernetes(NamedTuple):
    """A Kubernetes provider for an EKS cluster and the kubeconfig it was given."""

    provider: k8s.Provider
    kubeconfig: pulumi.Output[str]


def eks_kubernetes_provider(
    name: str, args: EksProviderArgs, parent: pulumi.Resource
) -> EksKubernetes:
    """A Kubernetes provider for an EKS cluster, authenticating with ``aws eks get-token``.

    ``cluster_identifier`` is the cluster's name, so a kubeconfig change (a rotated CA, a new
    role) updates the provider instead of replacing every object it manages.
    """
    config = pulumi.Output.all(
        args.cluster_name, args.endpoint, args.certificate_authority_data
    ).apply(
        lambda values: kubeconfig.to_json(
            kubeconfig.eks_kubeconfig(
                cluster_name=values[0],
                endpoint=values[1],
                certificate_authority_data=values[2],
                region=args.region,
                role_arn=args.role_arn,
            )
        )
    )
    provider = k8s.Provider(
        name,
        kubeconfig=config,
        cluster_identifier=args.cluster_name,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(args.after) or None),
    )
    return EksKubernetes(provider=provider, kubeconfig=config)


def local_kubernetes_provider(
    name: str, *, context: str, kubeconfig_path: str | None, parent: pulumi.Resource
) -> k8s.Provider:
    """A Kubernetes provider for an existing kubeconfig context (kind, k3d).

    Args:
        name: Logical name.
        context: The kubeconfig context (provider ``context``).
        kubeconfig_path: The kubeconfig file (provider ``kubeconfig``); ``None`` leaves the
            provider to ``$KUBECONFIG`` or ``~/.kube/config``.
        parent: The stage component.
    """
    return k8s.Provider(
        name,
        context=context,
        kubeconfig=kubeconfig_path,
        cluster_identifier=context,
        opts=pulumi.ResourceOptions(parent=parent),
    )


@dataclass(frozen=True, kw_only=True)
class ClusterBaselineArgs:
    """Arguments of :class:`ClusterBaseline`.

    Attributes:
        kubernetes_version: The cluster's minor version; manifests are checked against it.
        provider: The cluster's Kubernetes provider.
    """

    kubernetes_version: str
    provider: k8s.Provider


class ClusterBaseline(pulumi.ComponentResource):
    """Objects every EKS cluster of argosy has: the default encrypted gp3 StorageClass."""

    default_storage_class: pulumi.Output[str]
    """Name of the default StorageClass."""

    def __init__(
        self, name: str, args: ClusterBaselineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:kubernetes:ClusterBaseline", name, None, opts)
        manifest = kubernetes.gp3_storage_class(args.kubernetes_version)
        storage_class = k8s.storage.v1.StorageClass(
            f"{name}-{manifest['metadata']['name']}",
            metadata=manifest["metadata"],
            provisioner=manifest["provisioner"],
            parameters=manifest["parameters"],
            reclaim_policy=manifest["reclaimPolicy"],
            volume_binding_mode=manifest["volumeBindingMode"],
            allow_volume_expansion=manifest["allowVolumeExpansion"],
            opts=child_options(self, args.provider),
        )
        self.default_storage_class = storage_class.metadata.name
        self.register_outputs({"defaultStorageClass": self.default_storage_class})
