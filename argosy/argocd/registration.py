"""Cluster registrations: the Secrets through which Argo CD learns the clusters it manages.

Argo CD reads a cluster from a Secret labelled ``argocd.argoproj.io/secret-type: cluster`` in
its namespace. argosy writes one per managed cluster, named ``cluster-<stage>``, carrying the
cluster's facts as labels and annotations (:mod:`argosy.argocd.metadata`).

No registration holds a long-lived credential (SECURITY.md A5, A9). The Secret kind is what
Argo CD reads registrations from; nothing in it is secret:

- with the EKS Argo CD capability (``install: managed``), ``server`` is the cluster's ARN and
  there is no ``config``: the spoke's EKS access entry for the capability role authorizes
  Argo CD, and AWS connects to the cluster;
- with a self-hosted Argo CD, ``config`` names an IAM role Argo CD assumes for a short-lived
  EKS token (``awsAuthConfig``) and the API server's CA certificate, which is public: there is
  no bearer token, client key or password.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from argosy.argocd.metadata import DNS_LABEL_RULE, ClusterMetadata
from argosy.argocd.versions import ChartVersion
from argosy.config.models.scalars import IAM_PRINCIPAL_ARN
from argosy.manifests.argo_schemas import check_manifest
from argosy.patterns import is_dns_label, is_dns_subdomain

#: The label by which Argo CD finds cluster registrations among Secrets.
SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"
SECRET_TYPE_CLUSTER = "cluster"
#: The namespace Argo CD keeps registrations in unless configured otherwise.
DEFAULT_NAMESPACE = "argocd"

_EKS_ENDPOINT = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def cluster_secret_name(stage: str) -> str:
    """The registration Secret's name for ``stage``: ``cluster-<stage>``, a DNS-1123 label."""
    name = f"cluster-{stage}"
    if not is_dns_label(name):
        raise ValueError(f"registration Secret name {name!r} is not valid: {DNS_LABEL_RULE}")
    return name


def _check_namespace(namespace: str) -> None:
    if not is_dns_label(namespace):
        raise ValueError(f"namespace {namespace!r} is not valid: {DNS_LABEL_RULE}")


def _check_project(project: str) -> None:
    if not is_dns_subdomain(project):
        raise ValueError(
            f"project {project!r} is not valid: the name of an AppProject, a DNS-1123 "
            "subdomain (lowercase letters, digits, '-' and '.', at most 253 characters)"
        )


def registration_metadata(metadata: ClusterMetadata, *, namespace: str) -> dict[str, Any]:
    """The registration Secret's metadata: its name, and the cluster's labels and annotations.

    It depends on the cluster's metadata only, so a stack can declare it while the Secret's
    data still waits on a value only AWS knows (a spoke's endpoint).
    """
    _check_namespace(namespace)
    return {
        "name": cluster_secret_name(metadata.stage),
        "namespace": namespace,
        "labels": {SECRET_TYPE_LABEL: SECRET_TYPE_CLUSTER, **metadata.labels()},
        "annotations": metadata.annotations(),
    }


def _secret(
    metadata: ClusterMetadata,
    *,
    namespace: str,
    project: str,
    string_data: dict[str, str],
    host_kubernetes_version: str,
) -> dict[str, Any]:
    _check_project(project)
    manifest: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": registration_metadata(metadata, namespace=namespace),
        "type": "Opaque",
        "stringData": {"name": metadata.stage, **string_data, "project": project},
    }
    check_manifest(manifest, host_kubernetes_version)
    return manifest


def managed_cluster_secret(
    metadata: ClusterMetadata,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    project: str,
    host_kubernetes_version: str,
) -> dict[str, Any]:
    """The registration of a cluster with the EKS Argo CD capability.

    ``server`` is the cluster's ARN: the capability identifies clusters by ARN, never by API
    URL, and reaches private clusters in other accounts itself. The Secret holds no
    credential and no ``config`` (A5, A9): the spoke's EKS access entry for the capability's
    IAM role is what authorizes Argo CD there. The capability associates each cluster with
    exactly one AppProject, ``project``.

    Args:
        metadata: The managed cluster's facts.
        namespace: The capability's namespace (``configuration.argoCd.namespace``).
        project: The AppProject the cluster belongs to.
        host_kubernetes_version: The Kubernetes minor version of the cluster hosting Argo CD,
            where the Secret is created (its schema is checked for that version).
    """
    if metadata.cluster_arn is None:
        raise ValueError(
            f"cluster {metadata.stage!r} is not on AWS: the capability registers EKS clusters "
            "by ARN only"
        )
    return _secret(
        metadata,
        namespace=namespace,
        project=project,
        string_data={"server": metadata.cluster_arn},
        host_kubernetes_version=host_kubernetes_version,
    )


#: How Argo CD names the cluster it runs in.
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"


def in_cluster_secret(
    metadata: ClusterMetadata,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    project: str,
    host_kubernetes_version: str,
) -> dict[str, Any]:
    """The registration of the cluster a self-hosted Argo CD runs in, with its metadata.

    Argo CD reaches its own cluster as its service accounts, whose RBAC the chart grants:
    ``server`` is the in-cluster address and ``config`` verifies TLS against the service
    account's CA. Declaring it (rather than relying on the implicit in-cluster entry) gives
    the own cluster the same labels and annotations as every other.
    """
    return _secret(
        metadata,
        namespace=namespace,
        project=project,
        string_data={
            "server": IN_CLUSTER_SERVER,
            "config": json.dumps(
                {"tlsClientConfig": {"insecure": False}}, sort_keys=True, separators=(",", ":")
            ),
        },
        host_kubernetes_version=host_kubernetes_version,
    )


def aws_auth_config(*, cluster_name: str, role_arn: str, ca_data: str) -> str:
    """The ``config`` of a self-hosted registration, as canonical JSON.

    Sorted keys and no spaces, so that the same inputs always give the same text and a plan
    shows no spurious diff.
    """
    config = {
        "awsAuthConfig": {"clusterName": cluster_name, "roleARN": role_arn},
        "tlsClientConfig": {"caData": ca_data},
    }
    return json.dumps(config, sort_keys=True, separators=(",", ":"))


def self_hosted_cluster_secret(
    metadata: ClusterMetadata,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    project: str,
    role_arn: str,
    endpoint: str,
    ca_data: str,
    host_kubernetes_version: str,
) -> dict[str, Any]:
    """The registration of a cluster with a self-hosted Argo CD (the argo-cd chart).

    Argo CD's controllers run as a management role (EKS Pod Identity or IRSA), assume
    ``role_arn`` for each request and get a short-lived EKS token (``awsAuthConfig``,
    ``argocd-k8s-auth``); the spoke's access entry for ``role_arn`` authorizes it. The
    Secret holds no bearer token, client key or password (A5, A9); ``caData`` is the API
    server's public CA certificate. TLS is always verified: there is no ``insecure``.

    Args:
        metadata: The managed cluster's facts.
        namespace: Argo CD's namespace.
        project: The AppProject the cluster is scoped to.
        role_arn: The IAM role Argo CD assumes to reach this cluster.
        endpoint: The cluster's API server URL (https).
        ca_data: The API server's CA bundle, base64, as EKS reports it.
        host_kubernetes_version: The Kubernetes minor version of the cluster hosting Argo CD,
            where the Secret is created (its schema is checked for that version).
    """
    match = IAM_PRINCIPAL_ARN.fullmatch(role_arn)
    if match is None or match["kind"] != "role":
        raise ValueError(
            f"role_arn {role_arn!r} is not valid: an IAM role ARN such as "
            "arn:aws:iam::222222222222:role/argosy-dev-argocd"
        )
    if not _EKS_ENDPOINT.fullmatch(endpoint):
        raise ValueError(
            f"endpoint {endpoint!r} is not valid: the cluster's API server URL, "
            "https://<host> with no path"
        )
    try:
        base64.b64decode(ca_data, validate=True)
    except binascii.Error:
        ca_data_ok = False
    else:
        ca_data_ok = bool(ca_data)
    if not ca_data_ok:
        raise ValueError(
            "ca_data is not valid: the API server's CA bundle, base64-encoded, as EKS reports "
            "it (certificateAuthority.data)"
        )
    return _secret(
        metadata,
        namespace=namespace,
        project=project,
        string_data={
            "server": endpoint,
            "config": aws_auth_config(
                cluster_name=metadata.cluster_name, role_arn=role_arn, ca_data=ca_data
            ),
        },
        host_kubernetes_version=host_kubernetes_version,
    )


#: The secret type of a repository Argo CD reads from.
SECRET_TYPE_REPOSITORY = "repository"


def helm_oci_repository_secret(
    chart: ChartVersion, *, namespace: str = DEFAULT_NAMESPACE, host_kubernetes_version: str
) -> dict[str, Any]:
    """The repository through which Argo CD reads ``chart`` from its public OCI registry.

    Argo CD pulls a Helm chart over OCI only from a repository declared with ``enableOCI``
    (Argo CD user guide, "Helm: OCI"); a public registry needs no credential, so the Secret
    holds none: its type, name and URL (the registry path without ``oci://``).
    """
    if not chart.is_oci:
        raise ValueError(f"chart {chart.chart} is not in an OCI registry: {chart.repository}")
    _check_namespace(namespace)
    manifest: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": f"repository-{chart.chart}",
            "namespace": namespace,
            "labels": {SECRET_TYPE_LABEL: SECRET_TYPE_REPOSITORY},
        },
        "type": "Opaque",
        "stringData": {
            "type": "helm",
            "name": chart.chart,
            "url": chart.argocd_repo_url,
            "enableOCI": "true",
        },
    }
    check_manifest(manifest, host_kubernetes_version)
    return manifest
