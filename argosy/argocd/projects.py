"""AppProjects: what each group of deliveries may take from where and put where.

The platform's own deliveries (the controllers and the cluster baseline) run in one project,
:func:`platform_project`. Its bounds follow SECURITY.md A4, mostly in every stage: explicit
source repositories, never ``*``; destinations by cluster, never a wildcard cluster; an
explicit list of cluster-scoped kinds, never ``*/*``. Only "every namespace of a cluster"
(``*``) is left to non-production projects. A wildcard cluster matters everywhere, because
the hub's Argo CD manages every stage: a development project allowed ``*`` could deploy to
production.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from argosy.argocd.metadata import DNS_LABEL_RULE, PRODUCTION
from argosy.manifests.argo_schemas import check_argo_manifest
from argosy.patterns import is_dns_label

#: The platform's project: the controllers and the cluster baseline.
PLATFORM_PROJECT = "platform"

#: The cluster-scoped kinds a controller install creates, as (API group, kind). Nothing else
#: cluster-scoped can be synced by the platform project; in particular no
#: ``*/*`` (A4), no PersistentVolume, Node or CertificateSigningRequest.
CONTROLLER_CLUSTER_RESOURCES: tuple[tuple[str, str], ...] = (
    # Every controller brings its CRDs (Rollouts, Workflows, Events, external-secrets, ...).
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    # Controllers watch their resources in every namespace, through a ClusterRole and a
    # ClusterRoleBinding to their service account.
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    # Each controller and the baseline's team namespaces get their own namespace.
    ("", "Namespace"),
    # Admission webhooks: the LB controller (pod readiness gates, Service/Ingress defaults),
    # external-secrets and cert-manager validate or mutate their objects.
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    # Charts that must not be evicted first declare a PriorityClass.
    ("scheduling.k8s.io", "PriorityClass"),
    # The baseline's storage classes (beyond the EBS CSI add-on's default).
    ("storage.k8s.io", "StorageClass"),
    # The LB controller's IngressClass (alb) and its IngressClassParams (the chart creates
    # both by default: ingressClassParams.create, createIngressClassResource).
    ("networking.k8s.io", "IngressClass"),
    ("elbv2.k8s.aws", "IngressClassParams"),
    # Aggregated APIs, such as metrics-server's metrics.k8s.io.
    ("apiregistration.k8s.io", "APIService"),
    # The add-ons' own cluster-scoped objects (argosy/addons): Karpenter's default NodePool
    # and EC2NodeClass, external-secrets' ClusterSecretStore, Crossplane's providers.
    ("karpenter.sh", "NodePool"),
    ("karpenter.k8s.aws", "EC2NodeClass"),
    ("external-secrets.io", "ClusterSecretStore"),
    ("pkg.crossplane.io", "Provider"),
    ("pkg.crossplane.io", "DeploymentRuntimeConfig"),
)

_WILDCARD = re.compile(r"[*?\[\]!]")
_NAMESPACE_PATTERN = re.compile(r"^[a-z0-9*]([-a-z0-9*]*[a-z0-9*])?$")
_SERVER = re.compile(r"^(https://\S+|arn:[a-z-]+:eks:[^:\s]+:[0-9]{12}:cluster/[^/\s]+)$")


@dataclass(frozen=True, kw_only=True)
class Destination:
    """Where a project may deploy: one cluster (by Argo CD name or server) and namespaces.

    Build one with :meth:`by_name` or :meth:`by_server`, or from a shorter spelling with
    :meth:`of`; the constructor takes exactly one of ``name`` and ``server``.

    Attributes:
        name: Argo CD's name of the cluster (the stage, for registrations argosy writes).
        server: The cluster's server: an EKS cluster ARN (managed capability) or an API URL.
        namespace: A namespace or a glob of namespaces (``argo-*``); ``*`` for every
            namespace, refused in production (A4).
    """

    namespace: str
    name: str | None = None
    server: str | None = None

    def __post_init__(self) -> None:
        if (self.name is None) == (self.server is None):
            raise ValueError("a destination names its cluster by exactly one of name and server")
        if self.name is not None and not is_dns_label(self.name):
            raise ValueError(
                f"destination name {self.name!r} is not valid: a registered cluster's name "
                f"(never a wildcard), {DNS_LABEL_RULE}"
            )
        if self.server is not None and (
            not _SERVER.fullmatch(self.server) or _WILDCARD.search(self.server)
        ):
            raise ValueError(
                f"destination server {self.server!r} is not valid: one cluster's EKS ARN or "
                "https:// API URL, never a wildcard"
            )
        if len(self.namespace) > 63 or not _NAMESPACE_PATTERN.fullmatch(self.namespace):
            raise ValueError(
                f"destination namespace {self.namespace!r} is not valid: a namespace or a glob "
                "of namespaces (lowercase letters, digits, '-' and '*'), such as argo-rollouts "
                "or argo-*"
            )

    @classmethod
    def by_name(cls, name: str, namespace: str) -> Destination:
        """Namespaces of the cluster Argo CD knows as ``name``."""
        return cls(name=name, namespace=namespace)

    @classmethod
    def by_server(cls, server: str, namespace: str) -> Destination:
        """Namespaces of the cluster at ``server`` (an EKS cluster ARN or an API URL)."""
        return cls(server=server, namespace=namespace)

    @classmethod
    def of(cls, value: DestinationLike) -> Destination:
        """A destination from a :data:`DestinationLike`.

        A ``(cluster, namespace)`` pair names the cluster by server when ``cluster`` is an
        ``https://`` URL or an ARN, else by name; a bare cluster name allows every namespace
        of that cluster (``*``), which production refuses (A4).
        """
        if isinstance(value, Destination):
            return value
        if isinstance(value, str):
            return cls.by_name(value, "*")
        cluster, namespace = value
        if cluster.startswith(("https://", "arn:")):
            return cls.by_server(cluster, namespace)
        return cls.by_name(cluster, namespace)

    def to_manifest(self) -> dict[str, str]:
        """The AppProject ``spec.destinations`` item."""
        target = {"name": self.name} if self.name is not None else {"server": str(self.server)}
        return {**target, "namespace": self.namespace}

    def sort_key(self) -> tuple[bool, str, str]:
        """Order destinations by cluster (named ones first), then namespace."""
        return (self.name is None, self.name or str(self.server), self.namespace)


#: A destination as a caller may write it: a :class:`Destination`, a ``(cluster name or
#: server, namespace)`` pair, or a bare cluster name (every namespace of that cluster).
DestinationLike = Destination | tuple[str, str] | str


def _check_source_repos(source_repos: Sequence[str]) -> list[str]:
    if not source_repos:
        raise ValueError("source_repos is empty: list every repository the project may use")
    for repo in source_repos:
        if not repo or _WILDCARD.search(repo) or any(c.isspace() for c in repo):
            raise ValueError(
                f"source repository {repo!r} is not valid: one repository's URL, never a "
                "wildcard or a negation (SECURITY.md A4)"
            )
    return sorted(set(source_repos))


def _check_destinations(
    destinations: Sequence[DestinationLike], production: bool
) -> list[dict[str, str]]:
    if not destinations:
        raise ValueError("destinations is empty: list every cluster and namespace to deploy to")
    checked = [Destination.of(d) for d in destinations]
    for destination in checked:
        if production and destination.namespace == "*":
            cluster = destination.name or destination.server
            raise ValueError(
                f"destination {destination.to_manifest()} allows every namespace; in "
                f"production list the namespaces, e.g. ({cluster!r}, 'argo-rollouts') "
                "(SECURITY.md A4)"
            )
    unique = {d.sort_key(): d for d in checked}
    return [unique[key].to_manifest() for key in sorted(unique)]


def _check_source_namespaces(source_namespaces: Sequence[str]) -> list[str]:
    if not source_namespaces:
        raise ValueError(
            "source_namespaces is empty: name the namespace(s) the project's Applications live "
            "in (the EKS Argo CD capability requires spec.sourceNamespaces)"
        )
    for namespace in source_namespaces:
        if not is_dns_label(namespace):
            raise ValueError(
                f"source namespace {namespace!r} is not valid: one namespace, never a glob, "
                f"{DNS_LABEL_RULE}"
            )
    return sorted(set(source_namespaces))


def platform_project(
    *,
    namespace: str,
    source_repos: Sequence[str],
    destinations: Sequence[DestinationLike],
    production: bool,
    source_namespaces: Sequence[str],
) -> dict[str, Any]:
    """The AppProject of the platform's own deliveries: controllers and the cluster baseline.

    Args:
        namespace: Argo CD's namespace, where the project lives.
        source_repos: Every repository (Git or Helm) the platform's Applications read: listed
            one by one, never ``*`` or a glob (A4).
        destinations: The clusters and namespaces they deploy to (:class:`Destination`,
            ``(cluster, namespace)`` pairs or bare cluster names): never a wildcard cluster,
            and never every namespace in production (A4).
        production: Whether the project serves a production stage (labelled
            ``argosy.dev/production``; ``*`` namespaces refused).
        source_namespaces: The namespaces whose Applications may use the project
            (``spec.sourceNamespaces``, which the EKS capability requires): named one by one.

    Returns:
        The AppProject ``platform``, checked against the upstream schema in strict mode. It
        warns about orphaned resources, so that an object left behind by a removed add-on
        shows in Argo CD instead of lingering unseen.
    """
    if not is_dns_label(namespace):
        raise ValueError(f"namespace {namespace!r} is not valid: {DNS_LABEL_RULE}")
    manifest: dict[str, Any] = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {
            "name": PLATFORM_PROJECT,
            "namespace": namespace,
            "labels": {PRODUCTION: "true" if production else "false"},
        },
        "spec": {
            "description": "The platform's controllers and cluster baseline, delivered by argosy.",
            "sourceRepos": _check_source_repos(source_repos),
            "sourceNamespaces": _check_source_namespaces(source_namespaces),
            "destinations": _check_destinations(destinations, production),
            "clusterResourceWhitelist": [
                {"group": group, "kind": kind}
                for group, kind in sorted(CONTROLLER_CLUSTER_RESOURCES)
            ],
            "orphanedResources": {"warn": True},
        },
    }
    # An Argo kind: what check_manifest dispatches to, without a Kubernetes version that the
    # strict Argo schema would not use.
    check_argo_manifest(manifest)
    return manifest
