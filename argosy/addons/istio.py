"""Istio's control plane, on the stages that turn it on: the ``base`` and ``istiod`` charts.

Charts ``base`` and ``istiod`` 1.30.3 (``https://istio-release.storage.googleapis.com/charts``),
built from istio/istio tag 1.30.3 (56df41f63e513f834c9a3af33d8aed82d1d961f2),
``manifests/charts/base`` and ``manifests/charts/istio-control/istio-discovery``. Both charts
keep their defaults under ``_internal_defaults_do_not_set`` in ``values.yaml`` and merge what
the user sets at the top level over them (``templates/zzz_profile.yaml``): every values key
below is one of those defaults, set at the top level as the charts' own comment asks.

Two add-ons, in this order (Istio's Helm install guide: ``base`` first):

- ``istio-base``: the CRDs (as ordinary templates, ``base.enableCRDTemplates``, so that Argo
  CD upgrades them) and the default revision's validating webhook. Server-side apply: the
  DestinationRule CRD alone is over half the 256 KiB a client-side apply's annotation holds.
- ``istiod``, after it.

istiod, with the upstream evidence (``istio-discovery/templates``):

- **Production**: the HorizontalPodAutoscaler from 2 to 5 replicas (``autoscale.yaml``;
  ``replicaCount`` 2 for when autoscaling is off), its PodDisruptionBudget, which the chart
  renders only when the minimum is above 1 (``poddisruptionbudget.yaml``, min one available),
  spread over zones by the pods' own labels (``app: istiod``, ``istio: pilot`` for the default
  revision, ``deployment.yaml``), and requests and limits. Other stages: one replica, no
  autoscaler, smaller requests.
- **Its NetworkPolicy** (``global.networkPolicy.enabled``, ``networkpolicy.yaml``): the
  namespace's baseline denies ingress from other namespaces, but every sidecar and gateway
  reaches istiod (xDS and certificates on 15012), and the API server its webhooks (15017);
  upstream's policy allows those ports from anywhere, and any egress (JWKS URLs of any port).
- ``global.istioNamespace`` stated: both charts name istiod's Service by it.
"""

from __future__ import annotations

from typing import Any, Final

from argosy.addons.common import replicas, resources, sized, zone_spread
from argosy.addons.spec import Addon, AddonContext
from argosy.argocd.delivery import IgnoreDifference

NAMESPACE: Final = "istio-system"
BASE: Final = "istio-base"
ISTIOD: Final = "istiod"

#: istiod's pod labels for the default revision (``deployment.yaml``).
_ISTIOD_LABELS: Final = {"app": "istiod", "istio": "pilot"}


def base_values(ctx: AddonContext) -> dict[str, Any]:
    """The ``base`` chart's values: its defaults, with istiod's namespace stated."""
    return {"global": {"istioNamespace": NAMESPACE}}


def istiod_values(ctx: AddonContext) -> dict[str, Any]:
    """The ``istiod`` chart's values on ``ctx``'s stage."""
    result: dict[str, Any] = {
        "global": {
            "istioNamespace": NAMESPACE,
            "defaultPodDisruptionBudget": {"enabled": True},
            "networkPolicy": {"enabled": True},
        },
        "resources": sized(
            ctx.production,
            # The chart's requests (500m, 2048Mi), with limits.
            resources("500m", "2048Mi", "2", "4Gi"),
            resources("100m", "512Mi", "1", "1Gi"),
        ),
        "replicaCount": replicas(ctx.production),
        "autoscaleEnabled": ctx.production,
    }
    if ctx.production:
        result.update(
            {
                "autoscaleMin": 2,
                "autoscaleMax": 5,
                "pdb": {"minAvailable": 1},
                "topologySpreadConstraints": zone_spread(_ISTIOD_LABELS),
            }
        )
    return result


def _enabled(ctx: AddonContext) -> bool:
    return ctx.settings.istio.enabled


#: Argo CD renders the charts with ``helm template``, where the validating webhooks come out
#: with ``failurePolicy: Ignore``; istiod then sets them to ``Fail`` once it serves them. Argo
#: CD leaves that field to istiod, or self-heal would flip it back forever.
WEBHOOK_FAILURE_POLICY: Final = (
    IgnoreDifference(
        kind="ValidatingWebhookConfiguration",
        group="admissionregistration.k8s.io",
        jq_path_expressions=(".webhooks[]?.failurePolicy",),
    ),
)

#: Istio's CRDs and default validating webhook, before istiod.
BASE_ADDON: Final = Addon(
    name=BASE,
    chart="istio-base",
    namespace=NAMESPACE,
    values=base_values,
    enabled=_enabled,
    sync_wave=-1,
    release_name=BASE,
    server_side_apply=True,
    ignore_differences=WEBHOOK_FAILURE_POLICY,
)

#: istiod, after the CRDs it serves.
ISTIOD_ADDON: Final = Addon(
    name=ISTIOD,
    chart="istiod",
    namespace=NAMESPACE,
    values=istiod_values,
    enabled=_enabled,
    release_name=ISTIOD,
    after=(BASE,),
    ignore_differences=WEBHOOK_FAILURE_POLICY,
)

#: Both, in delivery order.
ADDONS: Final[tuple[Addon, Addon]] = (BASE_ADDON, ISTIOD_ADDON)
