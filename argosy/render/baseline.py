"""The platform baseline of one cluster, as pure builders: what Argo CD syncs before anything else.

For each namespace the platform creates (the cluster's add-ons' namespaces and the namespaces
workflows run in, :func:`argosy.addons.catalog.namespaces_for`, but kube-system):
the Namespace, with Pod Security Admission labels, and four NetworkPolicies that together
deny everything except DNS, traffic inside the namespace, and HTTPS to the Kubernetes and AWS
APIs (SECURITY.md E8; Argo CD's Redis was reachable across namespaces, CVE-2024-31989).
kube-system gets nothing: EKS owns it, and its add-ons (CoreDNS, vpc-cni, the Pod Identity
agent) must stay reachable.

Every builder returns a plain manifest, checked against the Kubernetes schema of the cluster's
version in strict mode before it is returned, and a comment saying what the object is for. No
Pulumi, no I/O: :mod:`argosy.render.tree` turns the result into files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from argosy import patterns
from argosy.manifests.validation import check_kubernetes_manifest

#: The namespace EKS owns; the baseline never touches it.
KUBE_SYSTEM = "kube-system"

#: Labels on every object of the baseline (Kubernetes recommended labels).
MANAGED_BY = "app.kubernetes.io/managed-by"
PART_OF = "app.kubernetes.io/part-of"
#: The stage whose cluster holds the object.
STAGE_LABEL = "argosy.dev/stage"

#: Pod Security Admission (PSA) labels of a namespace.
PSA_PREFIX = "pod-security.kubernetes.io/"
#: What PSA refuses outright: the baseline standard (no privileged pods, host namespaces,
#: hostPath volumes, host ports or added capabilities beyond the default set).
PSA_ENFORCE = "baseline"
#: What PSA reports (to the client on apply, and in the audit log): the restricted standard.
PSA_REPORT = "restricted"

#: CoreDNS, as the EKS add-on labels its pods (and as its kube-dns Service selects them).
DNS_POD_LABELS: Mapping[str, str] = {"k8s-app": "kube-dns"}
#: The label the API server puts on every namespace (Kubernetes 1.22 and later).
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
#: The EKS Pod Identity agent: a host-network pod on every node, serving the credentials of
#: pods with a Pod Identity association over HTTP on this link-local address.
POD_IDENTITY_AGENT = "169.254.170.23/32"

NETWORK_POLICY_API = "networking.k8s.io/v1"

_DNS_LABEL_RULE = (
    "a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with "
    "a letter or digit"
)


@dataclass(frozen=True, kw_only=True)
class BaselineObject:
    """One object of the baseline and what it is for.

    Attributes:
        manifest: The object, checked against its Kubernetes schema.
        comment: Why the object exists, in a few sentences; written above it in its file.
    """

    manifest: Mapping[str, Any]
    comment: str

    @property
    def kind(self) -> str:
        """The object's kind, such as ``NetworkPolicy``."""
        return str(self.manifest["kind"])

    @property
    def name(self) -> str:
        """The object's name."""
        return str(self.manifest["metadata"]["name"])

    @property
    def namespace(self) -> str:
        """The namespace the object belongs to.

        A namespaced object's own; a Namespace's name, so that each namespace's directory
        holds everything about it.
        """
        metadata = self.manifest["metadata"]
        return str(metadata.get("namespace") or self.name)

    @property
    def path(self) -> str:
        """Its file, relative to the baseline's directory: ``<namespace>/<kind>-<name>.yaml``."""
        return f"{self.namespace}/{self.kind.lower()}-{self.name}.yaml".lower()


def _require_label(name: str, value: str) -> None:
    if len(value) > 63 or not patterns.DNS_LABEL.fullmatch(value):
        raise ValueError(f"{name} {value!r} is not valid: {_DNS_LABEL_RULE}")


def _require_names(namespace: str, stage: str) -> None:
    _require_label("namespace", namespace)
    _require_label("stage", stage)
    if namespace == KUBE_SYSTEM:
        raise ValueError("kube-system is EKS's: the baseline declares nothing in it")


def _minor(kubernetes_version: str) -> str:
    parts = kubernetes_version.split(".")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(
            f"kubernetes_version {kubernetes_version!r} is not valid: a Kubernetes minor version "
            "such as 1.36"
        )
    return kubernetes_version


def common_labels(stage: str) -> dict[str, str]:
    """The labels every baseline object carries: who manages it, what it is part of, where."""
    return {MANAGED_BY: "argocd", PART_OF: "argosy", STAGE_LABEL: stage}


def namespace(name: str, *, stage: str, kubernetes_version: str) -> BaselineObject:
    """The Namespace ``name`` on ``stage``'s cluster, with its Pod Security Admission labels.

    PSA enforces ``baseline`` and reports ``restricted`` (warn and audit). ``restricted``
    cannot be enforced on every platform namespace: the image-build step of Argo Workflows
    runs as root in its own pod (SECURITY.md K1), and upstream charts do not all set
    ``runAsNonRoot`` and a seccomp profile on every container. ``baseline`` still refuses
    what lets a pod take over its node. The enforced standard is pinned to the cluster's
    version, so an upgrade of the control plane changes admission only when this tree is
    rendered again for the new version (the stack file's ``cluster.version`` drives both);
    warnings follow the newest standard the API server knows.
    """
    _require_names(name, stage)
    version = _minor(kubernetes_version)
    labels = {
        **common_labels(stage),
        f"{PSA_PREFIX}enforce": PSA_ENFORCE,
        f"{PSA_PREFIX}enforce-version": f"v{version}",
        f"{PSA_PREFIX}warn": PSA_REPORT,
        f"{PSA_PREFIX}warn-version": "latest",
        f"{PSA_PREFIX}audit": PSA_REPORT,
        f"{PSA_PREFIX}audit-version": "latest",
    }
    manifest = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": labels},
    }
    comment = (
        f"The {name} namespace of the platform on {stage}. Pod Security Admission enforces the "
        "baseline standard (no privileged pods, host namespaces, hostPath volumes, host ports "
        "or added capabilities) and warns and audits against restricted: the image-build step "
        "of Argo Workflows runs as root in its own pod (SECURITY.md K1), and not every upstream "
        "chart sets runAsNonRoot and a seccomp profile, so restricted is reported, not enforced. "
        f"The enforced version is pinned to the cluster's (v{version}): an upgrade changes "
        "admission only once this tree is rendered for the new version."
    )
    return _checked(manifest, comment, version)


def _policy(
    name: str,
    namespace: str,
    *,
    stage: str,
    policy_types: Sequence[str],
    ingress: Sequence[Mapping[str, Any]] | None = None,
    egress: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": {}, "policyTypes": list(policy_types)}
    if ingress is not None:
        spec["ingress"] = [dict(rule) for rule in ingress]
    if egress is not None:
        spec["egress"] = [dict(rule) for rule in egress]
    return {
        "apiVersion": NETWORK_POLICY_API,
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace, "labels": common_labels(stage)},
        "spec": spec,
    }


def default_deny(namespace: str, *, stage: str, kubernetes_version: str) -> BaselineObject:
    """Select every pod of ``namespace`` for ingress and egress, allowing nothing.

    NetworkPolicies add up: a pod selected by any policy accepts only what some policy allows.
    This one makes every pod of the namespace selected, so the other policies are the whole
    list of what is allowed.
    """
    _require_names(namespace, stage)
    manifest = _policy("default-deny", namespace, stage=stage, policy_types=("Ingress", "Egress"))
    comment = (
        f"Default deny for every pod in {namespace}, in and out: only what another policy of "
        "this namespace allows gets through (SECURITY.md E8: Argo CD's Redis was reachable "
        "from other namespaces, CVE-2024-31989). vpc-cni enforces it (enableNetworkPolicy). "
        "A controller that serves a webhook, metrics or a UI to another namespace or to the "
        "control plane brings its own policy for that port."
    )
    return _checked(manifest, comment, kubernetes_version)


def allow_dns(namespace: str, *, stage: str, kubernetes_version: str) -> BaselineObject:
    """Let every pod of ``namespace`` query CoreDNS in kube-system (UDP and TCP 53)."""
    _require_names(namespace, stage)
    manifest = _policy(
        "allow-dns",
        namespace,
        stage=stage,
        policy_types=("Egress",),
        egress=[
            {
                "to": [
                    {
                        "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: KUBE_SYSTEM}},
                        "podSelector": {"matchLabels": dict(DNS_POD_LABELS)},
                    }
                ],
                "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
            }
        ],
    )
    comment = (
        f"DNS for every pod in {namespace}: to CoreDNS (pods labelled k8s-app=kube-dns in "
        "kube-system) on UDP and TCP 53, and nowhere else. TCP carries answers too large for "
        "UDP."
    )
    return _checked(manifest, comment, kubernetes_version)


def allow_same_namespace(namespace: str, *, stage: str, kubernetes_version: str) -> BaselineObject:
    """Let the pods of ``namespace`` reach each other, in both directions."""
    _require_names(namespace, stage)
    manifest = _policy(
        "allow-same-namespace",
        namespace,
        stage=stage,
        policy_types=("Ingress", "Egress"),
        ingress=[{"from": [{"podSelector": {}}]}],
        egress=[{"to": [{"podSelector": {}}]}],
    )
    comment = (
        f"Traffic between the pods of {namespace}, both ways: a controller and its own "
        "components (its webhook, its Redis, its server) talk freely; pods of other namespaces "
        "stay out."
    )
    return _checked(manifest, comment, kubernetes_version)


def allow_api_egress(namespace: str, *, stage: str, kubernetes_version: str) -> BaselineObject:
    """Let every pod of ``namespace`` call the Kubernetes API and AWS APIs.

    HTTPS to any address: the Kubernetes API is the ``kubernetes`` Service and, behind it, the
    control plane's network interfaces in the VPC; AWS APIs are public endpoints (through the
    NAT gateway), S3 through the VPC's gateway endpoint, or interface endpoints. None has a
    fixed address, so the rule names the port. Plus HTTP to the EKS Pod Identity agent, where
    the AWS SDKs fetch the credentials of a pod with a Pod Identity association.
    """
    _require_names(namespace, stage)
    manifest = _policy(
        "allow-api-egress",
        namespace,
        stage=stage,
        policy_types=("Egress",),
        egress=[
            {
                "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                "ports": [{"protocol": "TCP", "port": 443}],
            },
            {
                "to": [{"ipBlock": {"cidr": POD_IDENTITY_AGENT}}],
                "ports": [{"protocol": "TCP", "port": 80}],
            },
        ],
    )
    comment = (
        f"Egress from every pod in {namespace} to the Kubernetes API and AWS APIs: TCP 443 to "
        "any address (the kubernetes Service and the control plane's interfaces in the VPC; "
        "AWS endpoints through the NAT gateway, the S3 gateway endpoint or interface "
        "endpoints; none has a fixed address, so the rule names the port), and TCP 80 to the "
        "EKS Pod Identity agent on the node (169.254.170.23), where the AWS SDKs get the "
        "pod's credentials. Pods of other namespaces on 443 stay out of reach: each namespace "
        "denies ingress by default. The instance metadata service (169.254.169.254:80) is not "
        "allowed."
    )
    return _checked(manifest, comment, kubernetes_version)


def _checked(manifest: dict[str, Any], comment: str, kubernetes_version: str) -> BaselineObject:
    check_kubernetes_manifest(manifest, kubernetes_version)
    return BaselineObject(manifest=manifest, comment=comment)


#: The builders of a namespace's objects, in file order.
_NAMESPACE_OBJECTS = (namespace, default_deny, allow_dns, allow_same_namespace, allow_api_egress)


def baseline_objects(
    stage: str, kubernetes_version: str, namespaces: Sequence[str]
) -> list[BaselineObject]:
    """Every object of ``stage``'s baseline, sorted by file path.

    Args:
        stage: The stage whose cluster the baseline is for (a DNS-1123 label).
        kubernetes_version: The cluster's minor version, such as ``1.36``; every object is
            checked against its schemas.
        namespaces: The platform's namespaces; kube-system is refused (EKS owns it).
    """
    _require_label("stage", stage)
    if len(set(namespaces)) != len(namespaces):
        raise ValueError(f"namespaces {list(namespaces)} name one namespace twice")
    objects = [
        build(name, stage=stage, kubernetes_version=kubernetes_version)
        for name in namespaces
        for build in _NAMESPACE_OBJECTS
    ]
    return sorted(objects, key=lambda o: o.path)


def kustomization(
    resources: Sequence[str], *, images: Sequence[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """The ``kustomization.yaml`` of a directory: ``resources`` sorted, ``images`` as given.

    ``kubectl kustomize`` and Argo CD build the directory from it.

    ``images`` are kustomize image overrides (name, newName, newTag, digest); promotion owns
    them and :func:`argosy.render.render_tree` passes the existing ones back unchanged. The
    baseline itself has none.
    """
    if len(set(resources)) != len(resources):
        raise ValueError("a kustomization lists each resource once")
    document: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(resources),
    }
    if images is not None:
        document["images"] = [dict(image) for image in images]
    return document


KUSTOMIZATION_COMMENT = (
    "The platform baseline of this cluster: for each platform namespace, the namespace and its "
    "NetworkPolicies. Promotion owns `images`; `argosy render` keeps the list as it finds it."
)

ADDON_KUSTOMIZATION_COMMENT = (
    "The objects the {addon} add-on needs beside its chart, synced by its Application with the "
    "chart, in the order of their sync waves. Promotion owns `images`; `argosy render` keeps "
    "the list as it finds it."
)
