"""Every add-on argosy delivers, in order, and what one stage gets of them.

Both sides of the delivery model read this module with the same stage context
(:meth:`~argosy.addons.spec.AddonContext.of`, from the stage's stack file):

- the stage's own stack creates :func:`identities_for` (and the artifact bucket, Karpenter's
  AWS side: :mod:`components.controllers`);
- the stack hosting Argo CD declares :func:`delivery` of each of :func:`addons_for` as an
  Application, and writes :func:`addon_roles` into the stage's registration;
- ``argosy render`` writes each add-on's :attr:`~argosy.addons.spec.Addon.objects` to
  :func:`objects_dir`, and the namespaces of :func:`namespaces_for` into the baseline.
"""

from __future__ import annotations

from typing import Final

from argosy import naming
from argosy.addons import (
    argo_events,
    argo_rollouts,
    argo_workflows,
    crossplane,
    external_dns,
    external_secrets,
    istio,
    karpenter,
    load_balancer_controller,
)
from argosy.addons.spec import Addon, AddonContext, AddonIdentity, TreeObject
from argosy.argocd.delivery import Delivery, Retry, SyncPolicy

#: Every add-on, in delivery order: what others come after first (the Load Balancer
#: Controller before anything that makes load balancers, external-secrets before the
#: ExternalSecrets of others, Istio's base before istiod).
ADDONS: Final[tuple[Addon, ...]] = (
    load_balancer_controller.ADDON,
    external_secrets.ADDON,
    external_dns.ADDON,
    karpenter.ADDON,
    *istio.ADDONS,
    argo_rollouts.ADDON,
    argo_workflows.ADDON,
    argo_events.ADDON,
    crossplane.ADDON,
)

#: How add-ons retry a failed sync: ten times, from 10 s doubling to 3 min (about 20 minutes
#: in all). An add-on's first sync can fail while another it needs is still coming up (an
#: ExternalSecret before external-secrets' CRDs exist), and Argo CD does not retry an
#: automated sync of the same revision once the retries are spent.
ADDON_RETRY: Final = Retry(limit=10, duration="10s", factor=2, max_duration="3m")
#: Add-ons follow git: automated, pruning what left it, reverting changes made in the cluster.
ADDON_SYNC_POLICY: Final = SyncPolicy.automated(prune=True, self_heal=True, retry=ADDON_RETRY)

ADDONS_BY_NAME: Final = {addon.name: addon for addon in ADDONS}
if len(ADDONS_BY_NAME) != len(ADDONS):
    raise AssertionError("two add-ons share a name")
for _index, _addon in enumerate(ADDONS):
    _earlier = {a.name for a in ADDONS[:_index]}
    if not set(_addon.after) <= _earlier:
        raise AssertionError(
            f"add-on {_addon.name} comes after {sorted(set(_addon.after) - _earlier)}, which "
            "are not earlier in ADDONS"
        )


def addons_for(ctx: AddonContext) -> tuple[Addon, ...]:
    """The add-ons ``ctx``'s stage gets, in delivery order."""
    return tuple(addon for addon in ADDONS if addon.delivered_to(ctx))


def comes_after(addon: Addon, ctx: AddonContext) -> tuple[str, ...]:
    """The add-ons whose Applications ``addon``'s comes after on ``ctx``'s stage, in order.

    Those it names (:attr:`~argosy.addons.spec.Addon.after`), and the Load Balancer
    Controller when it makes load balancers there (SECURITY.md L4); only those the stage gets.
    """
    names = set(addon.after)
    if addon.makes_load_balancers(ctx):
        names.add(load_balancer_controller.ADDON.name)
    return tuple(a.name for a in addons_for(ctx) if a.name in names)


def identities_for(ctx: AddonContext) -> tuple[AddonIdentity, ...]:
    """Every AWS identity of the stage's add-ons (none on local), in delivery order."""
    identities = tuple(i for addon in addons_for(ctx) for i in addon.identities_on(ctx))
    keys = [i.key for i in identities]
    roles = [i.role for i in identities]
    if len(set(keys)) != len(keys) or len(set(roles)) != len(roles):
        raise AssertionError(f"add-on identities share a key or role: {keys}, {roles}")
    return identities


def addon_roles(ctx: AddonContext) -> dict[str, str]:
    """Identity key to role ARN, for the registration's ``<key>_iam_role_arn`` annotations."""
    return {identity.key: ctx.role_arn(identity) for identity in identities_for(ctx)}


def objects_dir(stage: str, addon: str) -> str:
    """An add-on's directory in the GitOps tree, under the tree's base path."""
    return f"clusters/{stage}/addons/{addon}"


def objects_of(addon: Addon, ctx: AddonContext) -> tuple[TreeObject, ...]:
    """``addon``'s objects on ``ctx``'s stage: none where it is not delivered."""
    return tuple(addon.objects(ctx)) if addon.delivered_to(ctx) else ()


def namespaces_for(ctx: AddonContext) -> tuple[str, ...]:
    """The namespaces the stage's add-ons deliver into, workflows' own included, sorted."""
    namespaces = {addon.namespace for addon in addons_for(ctx)}
    if argo_workflows.ADDON.delivered_to(ctx):
        namespaces.update(ctx.settings.argo_workflows.namespaces)
    return tuple(sorted(namespaces))


def delivery(addon: Addon, ctx: AddonContext, *, finalizer: bool = True) -> Delivery:
    """``addon`` on ``ctx``'s stage, as a delivery of its pinned chart with its values.

    Its objects, if any on the stage, are a second source of the same Application
    (:func:`objects_dir`), synced after the chart inside one sync. With ``finalizer`` (the
    default) deleting the Application removes the controller; the component leaves it off
    where a controller must outlive its Application (the Load Balancer Controller of a
    self-hosted Argo CD's own cluster, which deletes Argo CD's load balancer after it).
    """
    values = addon.values(ctx)
    return Delivery.helm(
        name=addon.name,
        namespace=addon.namespace,
        chart=addon.chart,
        release_name=addon.release_name,
        values=lambda _facts: values,
        sync_policy=ADDON_SYNC_POLICY,
        finalizer=finalizer,
        sync_wave=addon.sync_wave,
        server_side_apply=addon.server_side_apply,
        ignore_differences=addon.ignore_differences,
        objects_path=objects_dir("{stage}", addon.name) if objects_of(addon, ctx) else None,
    )


def role_names(ctx: AddonContext) -> tuple[str, ...]:
    """The IAM role names of the stage's add-on identities (for the name-length check)."""
    return tuple(naming.addon_role_name(ctx.stage, i.role) for i in identities_for(ctx))
