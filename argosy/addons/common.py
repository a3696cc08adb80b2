"""What the add-on modules' builders share: label keys, resources, replicas, zone spread.

Each add-on module keeps what is its chart's own (its numbers, its values' key names) and
builds the rest with these helpers. Every helper returns new objects on each call, so that no
two places of one values tree are the same object (YAML would write them as anchors).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from argosy.addons.spec import CLUSTER_SECRET_STORE, object_annotations

#: The well-known node label of a node's zone (the key zone spreads are on).
ZONE: Final = "topology.kubernetes.io/zone"
#: The well-known node label of a node's name (the key of one-per-node anti-affinity).
HOSTNAME: Final = "kubernetes.io/hostname"
#: Replicas of a controller in production: one leader and one standing by.
PRODUCTION_REPLICAS: Final = 2


def resources(cpu: str, memory: str, cpu_limit: str, memory_limit: str) -> dict[str, Any]:
    """A container's ``resources``: CPU and memory requests, then their limits."""
    return {
        "requests": {"cpu": cpu, "memory": memory},
        "limits": {"cpu": cpu_limit, "memory": memory_limit},
    }


def sized(
    production: bool, production_resources: dict[str, Any], other_resources: dict[str, Any]
) -> dict[str, Any]:
    """``production_resources`` on a production stage, ``other_resources`` elsewhere."""
    return production_resources if production else other_resources


def replicas(production: bool) -> int:
    """A controller's replicas: :data:`PRODUCTION_REPLICAS` in production, else one."""
    return PRODUCTION_REPLICAS if production else 1


def zone_spread(
    selector_labels: Mapping[str, str] | None = None,
    *,
    when_unsatisfiable: Literal["ScheduleAnyway", "DoNotSchedule"] = "ScheduleAnyway",
) -> list[dict[str, Any]]:
    """``topologySpreadConstraints``: pods spread over zones, at most one apart.

    ``ScheduleAnyway`` by default: a second replica in the same zone is better than none
    (only the leader works anyway). The label selector is given only with
    ``selector_labels``, for charts that pass the list as is; without it, the chart fills in
    the pods' own selector.
    """
    constraint: dict[str, Any] = {
        "maxSkew": 1,
        "topologyKey": ZONE,
        "whenUnsatisfiable": when_unsatisfiable,
    }
    if selector_labels is not None:
        constraint["labelSelector"] = {"matchLabels": dict(selector_labels)}
    return [constraint]


def availability(
    production: bool, *, replicas_key: str = "replicas", budget_key: str = "pdb"
) -> dict[str, Any]:
    """Replicas, and in production a disruption budget and a spread over zones.

    For charts whose budget is ``{enabled, minAvailable}`` and which fill in the spread's
    selector themselves; ``replicas_key`` and ``budget_key`` are the chart's names for them.
    """
    if not production:
        return {replicas_key: 1}
    return {
        replicas_key: PRODUCTION_REPLICAS,
        budget_key: {"enabled": True, "minAvailable": 1},
        "topologySpreadConstraints": zone_spread(),
    }


def allow(
    sid: str,
    actions: list[str],
    resource: str | list[str],
    condition: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An IAM ``Allow`` statement: ``actions`` (sorted) on ``resource``, under ``condition``."""
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": resource,
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


def vpc_ingress_policy(
    *,
    name: str,
    namespace: str,
    vpc_cidr: str,
    port: int,
    pod_labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A NetworkPolicy letting the VPC's range reach ``port`` of the namespace's pods.

    What the baseline's default deny keeps out and the cluster needs in: the control plane
    calling a webhook (its interfaces have addresses of the VPC), or an ALB with IP targets
    reaching a server. Only the pods of ``pod_labels`` when given, else every pod of the
    namespace; annotated to sync with the add-on's other objects, after the chart.
    """
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": object_annotations(skip_dry_run=False),
        },
        "spec": {
            "podSelector": {"matchLabels": dict(pod_labels)} if pod_labels else {},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"ipBlock": {"cidr": vpc_cidr}}],
                    "ports": [{"protocol": "TCP", "port": port}],
                }
            ],
        },
    }


#: The ExternalSecret API external-secrets serves (v1 since 0.17).
EXTERNAL_SECRET_API: Final = "external-secrets.io/v1"


def external_secret(
    *,
    name: str,
    namespace: str,
    data: Sequence[tuple[str, str, str]],
    annotations: Mapping[str, str],
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An ExternalSecret filling the Secret ``name`` of ``namespace`` from the stage's store.

    Refreshed hourly from Secrets Manager through the ClusterSecretStore
    :data:`~argosy.addons.spec.CLUSTER_SECRET_STORE`; the Secret is the ExternalSecret's own
    (deleted with it). ``data`` is (Secret key, secret's full name, JSON property) per key.
    Not checked here: the caller checks it against its cluster's schemas.
    """
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = dict(labels)
    metadata["annotations"] = dict(annotations)
    return {
        "apiVersion": EXTERNAL_SECRET_API,
        "kind": "ExternalSecret",
        "metadata": metadata,
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": CLUSTER_SECRET_STORE},
            "target": {"name": name, "creationPolicy": "Owner"},
            "data": [
                {"secretKey": key, "remoteRef": {"key": remote, "property": prop}}
                for key, remote, prop in data
            ],
        },
    }
