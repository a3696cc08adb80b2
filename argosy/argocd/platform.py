"""What the platform delivers into every cluster first: the baseline, named once.

The baseline (``argosy render``: a namespace with its NetworkPolicies for each namespace the
cluster's add-ons use, :func:`argosy.addons.catalog.namespaces_for`) is one directory of the
GitOps tree per cluster, delivered by :data:`BASELINE`. The controllers are
:mod:`argosy.addons`.
"""

from __future__ import annotations

from argosy.argocd.delivery import Delivery, SyncPolicy

#: Each cluster's baseline (``argosy render``: its namespaces and their NetworkPolicies),
#: synced from the GitOps tree. No resources finalizer and no pruning: deleting or renaming
#: this Application must never take namespaces, and what runs in them, down with it; a
#: namespace leaves the baseline by a deliberate deletion. Its wave (-2) orders it first
#: where a parent Application syncs the platform's Applications; Argo CD syncs Applications
#: declared side by side independently, and each add-on's sync creates its namespace if the
#: baseline has not yet (``CreateNamespace``), so nothing waits on the baseline.
BASELINE = Delivery.directory(
    name="baseline",
    namespace="kube-system",
    path="clusters/{stage}/baseline",
    sync_policy=SyncPolicy.automated(prune=False, self_heal=True),
    finalizer=False,
    sync_wave=-2,
)
