"""What the platform delivers into every cluster, named once.

The platform project's destinations, the baseline tree that ``argosy render`` writes (a
namespace with its NetworkPolicies for each), and the controllers of the next issue all read
this list.
"""

from __future__ import annotations

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
