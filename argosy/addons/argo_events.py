"""Argo Events: the events controller and the cluster's JetStream EventBus, on every stage.

Chart ``argo-events`` 2.4.22 (app v1.9.10): ``charts/argo-events/values.yaml`` and
``templates/argo-events-controller/`` of argoproj/argo-helm at tag ``argo-events-2.4.22``
(commit 4676fa5171dbc07d1ac7da7a4996561a6f2804dd). Every key :func:`values` emits is in that
``values.yaml``, except ``controller.pdb.minAvailable``, which it shows commented out and
``templates/argo-events-controller/pdb.yaml`` reads (without it the PDB says
``minAvailable: 0``).

- The controller: 2 replicas in production (the chart turns leader election off only with 1,
  ``--leader-election=false``), a PodDisruptionBudget, a spread over zones, resources, and its
  metrics Service. It runs as the non-root user of Argo Events' own manifests
  (``manifests/base/controller-manager/controller-manager-deployment.yaml`` at v1.9.10:
  ``runAsNonRoot``, ``runAsUser: 9731``; the image, ``FROM scratch``, names no user).
- The EventBus (:func:`event_bus`): ``default`` in ``argo-events``, JetStream at
  :data:`JETSTREAM_VERSION`. The chart lists nats-server 2.10.10 at the newest (2.8.1 to
  2.10.10 and ``latest``, which is 2.10.10 unpinned): affected by CVE-2025-30215 (JetStream
  API authorization, fixed in 2.10.27 and 2.11.1) and the 2026 JetStream management API
  bypass (CVE-2026-33222; the 2026 advisories name 2.11.15 and 2.12.6 as fixed). So the
  values declare one version of their own in ``configs.jetstream.versions`` (the chart's
  list is replaced, as Helm replaces lists), nats-server :data:`NATS_VERSION` with the
  chart's exporter and config reloader images. EventSources and Sensors use the EventBus of
  their own namespace, so they live in ``argo-events`` too.

No AWS identity: nothing here calls AWS.
"""

from __future__ import annotations

from typing import Any, Final

from argosy.addons.common import HOSTNAME, ZONE, availability, resources, sized
from argosy.addons.spec import Addon, AddonContext, TreeObject, object_annotations

NAME: Final = "argo-events"
NAMESPACE: Final = "argo-events"
#: The EventBus EventSources and Sensors use when they name none.
EVENT_BUS: Final = "default"
#: The nats-server release the EventBus runs (see the module docstring for why not the
#: chart's 2.10.10).
NATS_VERSION: Final = "2.11.15"
#: The EventBus's JetStream version: the name of the entry the values declare for it.
JETSTREAM_VERSION: Final = NATS_VERSION
#: The chart's exporter and config reloader of its newest JetStream entry (2.10.10's).
NATS_EXPORTER_IMAGE: Final = "natsio/prometheus-nats-exporter:0.14.0"
NATS_CONFIG_RELOADER_IMAGE: Final = "natsio/nats-server-config-reloader:0.14.0"
#: The labels argo-events puts on the EventBus's pods (``docs/eventbus/antiaffinity.md``).
EVENT_BUS_POD_LABELS: Final = {"controller": "eventbus-controller", "eventbus-name": EVENT_BUS}
#: The user of Argo Events' own manifests.
CONTROLLER_UID: Final = 9731


def values(ctx: AddonContext) -> dict[str, Any]:
    """The argo-events chart's values on ``ctx``'s stage."""
    controller: dict[str, Any] = {
        **availability(ctx.production),
        "resources": sized(
            ctx.production,
            resources("100m", "128Mi", "500m", "256Mi"),
            resources("50m", "64Mi", "250m", "128Mi"),
        ),
        "containerSecurityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
        "metrics": {"enabled": True},
    }
    return {
        "configs": {
            "jetstream": {
                "versions": [
                    {
                        "version": JETSTREAM_VERSION,
                        "natsImage": f"nats:{NATS_VERSION}",
                        "metricsExporterImage": NATS_EXPORTER_IMAGE,
                        "configReloaderImage": NATS_CONFIG_RELOADER_IMAGE,
                        "startCommand": "/nats-server",
                    }
                ]
            }
        },
        "global": {
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": CONTROLLER_UID,
                "runAsGroup": CONTROLLER_UID,
                "seccompProfile": {"type": "RuntimeDefault"},
            }
        },
        "controller": controller,
    }


def _event_bus_affinity() -> dict[str, Any]:
    # Never two servers on one node: losing it would lose the quorum. Zones are preferred, not
    # required: a stage may have fewer zones than servers, and a required zone spread would
    # leave the extra servers pending for ever.
    def selector() -> dict[str, Any]:
        return {"matchLabels": dict(EVENT_BUS_POD_LABELS)}

    return {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": selector(), "topologyKey": HOSTNAME}
            ],
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {"labelSelector": selector(), "topologyKey": ZONE},
                }
            ],
        }
    }


def event_bus(ctx: AddonContext) -> TreeObject:
    """The cluster's EventBus: JetStream, replicated, on persistent volumes."""
    settings = ctx.settings.argo_events
    persistence: dict[str, Any] = {
        "accessMode": "ReadWriteOnce",
        "volumeSize": f"{settings.event_bus_volume_gib}Gi",
    }
    if ctx.storage_class is not None:
        persistence["storageClassName"] = ctx.storage_class
    nats = sized(
        ctx.production,
        resources("250m", "512Mi", "1", "1Gi"),
        resources("100m", "256Mi", "500m", "512Mi"),
    )
    jetstream: dict[str, Any] = {
        "version": JETSTREAM_VERSION,
        "replicas": settings.event_bus_replicas,
        "persistence": persistence,
        "containerTemplate": {"resources": nats},
        "reloaderContainerTemplate": {"resources": resources("10m", "32Mi", "100m", "64Mi")},
        "metricsContainerTemplate": {"resources": resources("10m", "32Mi", "100m", "64Mi")},
    }
    if ctx.production:
        jetstream["affinity"] = _event_bus_affinity()
    manifest = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "EventBus",
        "metadata": {
            "name": EVENT_BUS,
            "namespace": NAMESPACE,
            "annotations": object_annotations(),
        },
        "spec": {"jetstream": jetstream},
    }
    replicas = settings.event_bus_replicas
    where = ctx.storage_class or "the cluster's default StorageClass"
    spread = (
        " Production keeps the servers on distinct nodes and spreads them over zones."
        if ctx.production
        else ""
    )
    comment = (
        f"The EventBus EventSources and Sensors of {NAMESPACE} publish to and read from: NATS "
        f"JetStream {JETSTREAM_VERSION}, {replicas} servers (a quorum survives the loss of "
        f"{(replicas - 1) // 2}), each with a {settings.event_bus_volume_gib}Gi volume of {where}."
        f"{spread}"
    )
    return TreeObject(manifest=manifest, comment=comment)


def objects(ctx: AddonContext) -> tuple[TreeObject, ...]:
    """The objects beside the chart: the EventBus."""
    return (event_bus(ctx),)


ADDON: Final = Addon(
    name=NAME,
    chart="argo-events",
    namespace=NAMESPACE,
    values=values,
    objects=objects,
)
