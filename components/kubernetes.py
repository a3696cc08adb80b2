"""Kubernetes access to a stage's cluster: the kubeconfig people use, and the local provider.

An AWS stage's stack calls no Kubernetes API (rule P2): it only exports a kubeconfig for
people and tools. The ``local`` stage deploys into an existing kind or k3d cluster through
its kubeconfig context.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from argosy.manifests import kubeconfig


def eks_kubeconfig_output(
    *,
    cluster_name: pulumi.Input[str],
    endpoint: pulumi.Input[str],
    certificate_authority_data: pulumi.Input[str],
    region: str,
    role_arn: str,
) -> pulumi.Output[str]:
    """A kubeconfig for an EKS cluster that authenticates with ``aws eks get-token``.

    It holds no credential: whoever uses it needs to be allowed to assume ``role_arn``.

    Args:
        cluster_name: The EKS cluster (kubeconfig cluster and ``--cluster-name``).
        endpoint: The API server URL.
        certificate_authority_data: The API server's CA bundle.
        region: The cluster's region.
        role_arn: Role ``aws eks get-token`` assumes: the stage's deploy role.
    """
    return pulumi.Output.all(cluster_name, endpoint, certificate_authority_data).apply(
        lambda values: kubeconfig.to_json(
            kubeconfig.eks_kubeconfig(
                cluster_name=values[0],
                endpoint=values[1],
                certificate_authority_data=values[2],
                region=region,
                role_arn=role_arn,
            )
        )
    )


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


def eks_kubernetes_provider(
    name: str,
    *,
    kubeconfig: pulumi.Input[str],
    cluster_name: pulumi.Input[str],
    namespace: str,
    parent: pulumi.Resource,
    after: list[pulumi.Resource],
) -> k8s.Provider:
    """The provider for the stage's own EKS cluster, for the stage that hosts Argo CD.

    Args:
        name: Logical name.
        kubeconfig: The stage's kubeconfig (``aws eks get-token`` as the deploy role).
        cluster_name: The cluster (provider ``clusterIdentifier``: a new kubeconfig for the
            same cluster does not replace what the provider manages).
        namespace: Argo CD's namespace, the default for objects that name none.
        parent: The stage component.
        after: What the first call needs: the deploy role's access entry.
    """
    return k8s.Provider(
        name,
        kubeconfig=kubeconfig,
        cluster_identifier=cluster_name,
        namespace=namespace,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=after),
    )
