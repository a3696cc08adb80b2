"""What the platform delivers into every cluster, named once.

The platform project's destinations, the baseline tree that ``argosy render`` writes (a
namespace with its NetworkPolicies for each), and the controllers of the next issue all read
this list.
"""

from __future__ import annotations

from argosy.argocd.delivery import Delivery, SyncPolicy

#: Where the platform's deliveries go on every cluster: the controllers' namespaces
#: (Rollouts, Workflows, Events, external-dns, external-secrets; the Load Balancer Controller
#: and Karpenter run in kube-system). Production projects list namespaces (A4), never ``*``.
PLATFORM_NAMESPACES: tuple[str, ...] = (
    "argo-events",
    "argo-rollouts",
    "argo-workflows",
    "external-dns",
    "external-secrets",
    "kube-system",
)
#: The namespaces the platform creates (EKS creates kube-system; Argo CD's is the capability's).
OWNED_NAMESPACES: tuple[str, ...] = tuple(n for n in PLATFORM_NAMESPACES if n != "kube-system")

#: Each cluster's baseline (``argosy render``: its namespaces and their NetworkPolicies),
#: synced from the GitOps tree before anything else (wave -2). No resources finalizer and no
#: pruning: deleting or renaming this Application must never take namespaces, and what runs
#: in them, down with it; a namespace leaves the baseline by a deliberate deletion.
BASELINE = Delivery.directory(
    name="baseline",
    namespace="kube-system",
    path="clusters/{stage}/baseline",
    sync_policy=SyncPolicy.automated(prune=False, self_heal=True),
    finalizer=False,
    sync_wave=-2,
)
