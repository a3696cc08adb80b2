"""Crossplane with Upbound's AWS provider families, on the AWS stages that turn it on.

Chart ``crossplane`` 2.3.4 (``https://charts.crossplane.io/stable``), packaged from
crossplane/crossplane tag v2.3.4 (c2670a735103660d7f436585447f2071bc1de973) with
``nix/build.nix``, which sets only the version; every values key below is in that tag's
``cluster/charts/crossplane/values.yaml``. The Provider and DeploymentRuntimeConfig are
checked against the CRDs of the tag (``argosy/schemas/crds/PROVENANCE-crossplane.md``).

The providers are ``xpkg.upbound.io/upbound/provider-aws-<family>`` at v2.6.0, the newest
release of crossplane-contrib/provider-upjet-aws (formerly upbound/provider-aws; tag v2.6.0,
857b535dd0eb9b8242ad9d7c4e54aaa3e4616d60, whose ``Makefile`` publishes to
``xpkg.upbound.io/upbound``). Each family pulls in ``provider-family-aws``, which serves the
``ProviderConfig`` kind, as a dependency.

Choices, with the upstream evidence:

- **One service account for every family**, ``provider-aws``, through the
  DeploymentRuntimeConfig ``aws-providers``: the provider's ``AUTHENTICATION.md`` ("EKS Pod
  Identity") does the same, and Crossplane leaves a shared account in place when one
  revision goes (``internal/controller/pkg/runtime/runtime_provider.go``, ``Deactivate``).
  The stage's stack associates it with the identity :func:`identity` describes, whose role
  gets only the policies ``crossplane.policyArns`` lists (none: no identity, and the
  providers can manage nothing).
- **Resources everywhere**: the chart's for Crossplane and its RBAC manager (more in
  production), and the provider containers' (``package-runtime``, Crossplane's
  ``ContainerName``) through the runtime config.
- **Production**: two replicas of Crossplane and of its RBAC manager (both elect a leader,
  ``leaderElection``, on by default), spread over zones, each with a PodDisruptionBudget
  (the chart has none). Provider pods stay single: a provider elects no leader unless told.
- **The webhooks reachable**: Crossplane (``webhooks.port``, 9443) and each provider
  (``ServicePort`` 9443, ``internal/controller/pkg/revision/establisher.go``) serve webhooks
  the API server calls from the control plane's interfaces in the VPC; the namespace's
  baseline denies ingress from outside it, so a NetworkPolicy lets the VPC in on 9443.

What the team still adds, per cloud account it manages: a ``ProviderConfig``
(``aws.upbound.io/v1beta1``) named ``default`` with ``spec.credentials.source: PodIdentity``,
whose CRD comes with the provider packages (so it cannot be checked or applied before them).
"""

from __future__ import annotations

from typing import Any, Final

from argosy.addons.common import replicas, resources, sized, vpc_ingress_policy, zone_spread
from argosy.addons.spec import (
    Addon,
    AddonContext,
    AddonIdentity,
    TreeObject,
    object_annotations,
)
from argosy.manifests.argo_schemas import check_manifest

NAME: Final = "crossplane"
NAMESPACE: Final = "crossplane-system"
#: The Helm release: the chart's name, as :class:`~argosy.addons.spec.Addon` defaults it.
RELEASE: Final = NAME
#: The service account every AWS provider family runs as (the identity's).
PROVIDER_SERVICE_ACCOUNT: Final = "provider-aws"
#: The DeploymentRuntimeConfig of the AWS provider families.
RUNTIME_CONFIG: Final = "aws-providers"
#: Where Upbound publishes the AWS provider families.
PROVIDER_REGISTRY: Final = "xpkg.upbound.io/upbound"
#: The release of the AWS provider families (crossplane-contrib/provider-upjet-aws v2.6.0).
PROVIDER_VERSION: Final = "v2.6.0"
#: The container of a provider's pod that the runtime config's container settings reach.
RUNTIME_CONTAINER: Final = "package-runtime"
#: The port of Crossplane's and the providers' webhooks.
WEBHOOK_PORT: Final = 9443

PKG_API: Final = "pkg.crossplane.io/v1"
RUNTIME_CONFIG_API: Final = "pkg.crossplane.io/v1beta1"

#: The chart's pod labels, by deployment (``templates/deployment.yaml``,
#: ``templates/rbac-manager-deployment.yaml``).
_CORE_LABELS: Final = {"app": NAME, "release": RELEASE}
_RBAC_MANAGER_LABELS: Final = {"app": f"{NAME}-rbac-manager", "release": RELEASE}


def values(ctx: AddonContext) -> dict[str, Any]:
    """The chart's values on ``ctx``'s stage (AWS only).

    Raises ValueError on a stage without AWS.
    """
    ctx.require_aws(NAME)
    count = replicas(ctx.production)
    rbac_manager: dict[str, Any] = {"replicas": count, "leaderElection": True}
    result: dict[str, Any] = {
        "replicas": count,
        "leaderElection": True,
        "resourcesCrossplane": sized(
            ctx.production,
            resources("250m", "512Mi", "1", "1Gi"),
            # The chart's defaults.
            resources("100m", "256Mi", "500m", "1024Mi"),
        ),
        "resourcesRBACManager": sized(
            ctx.production,
            resources("100m", "256Mi", "500m", "512Mi"),
            resources("50m", "128Mi", "100m", "512Mi"),
        ),
        "rbacManager": rbac_manager,
    }
    if ctx.production:
        # The chart passes the lists as they are: the selectors must be given.
        result["topologySpreadConstraints"] = zone_spread(_CORE_LABELS)
        rbac_manager["topologySpreadConstraints"] = zone_spread(_RBAC_MANAGER_LABELS)
    return result


def identity(ctx: AddonContext) -> AddonIdentity:
    """The AWS providers' identity: ``provider-aws``, with the configured policies only."""
    return AddonIdentity(
        key="crossplane_provider_aws",
        role="crossplane-provider-aws",
        namespace=NAMESPACE,
        service_account=PROVIDER_SERVICE_ACCOUNT,
        policy=None,
        managed_policy_arns=ctx.settings.crossplane.policy_arns,
    )


def identities(ctx: AddonContext) -> tuple[AddonIdentity, ...]:
    """The add-on's identities: the providers', when ``crossplane.policyArns`` names any."""
    ctx.require_aws(NAME)
    if not ctx.settings.crossplane.policy_arns:
        return ()
    return (identity(ctx),)


# --------------------------------------------------------------------------------------
# Objects


def runtime_config(ctx: AddonContext) -> TreeObject:
    """The DeploymentRuntimeConfig ``aws-providers``: the providers' account and resources."""
    provider_resources = sized(
        ctx.production,
        resources("250m", "512Mi", "1", "2Gi"),
        resources("100m", "256Mi", "500m", "1Gi"),
    )
    manifest = {
        "apiVersion": RUNTIME_CONFIG_API,
        "kind": "DeploymentRuntimeConfig",
        "metadata": {"name": RUNTIME_CONFIG, "annotations": object_annotations()},
        "spec": {
            "serviceAccountTemplate": {"metadata": {"name": PROVIDER_SERVICE_ACCOUNT}},
            "deploymentTemplate": {
                "spec": {
                    # Required by the schema; Crossplane fills in its own selector.
                    "selector": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": RUNTIME_CONTAINER,
                                    "resources": provider_resources,
                                }
                            ]
                        }
                    },
                }
            },
        },
    }
    check_manifest(manifest, ctx.kubernetes_version)
    comment = (
        "How Crossplane runs the AWS provider families: as the service account "
        f"{PROVIDER_SERVICE_ACCOUNT} in {NAMESPACE}, which the stage's stack associates with "
        "the role crossplane-provider-aws (EKS Pod Identity) when crossplane.policyArns names "
        "its policies, and with requests and limits on the provider container."
    )
    return TreeObject(manifest=manifest, comment=comment)


def provider(ctx: AddonContext, family: str) -> TreeObject:
    """The Provider ``provider-aws-<family>``, run with :func:`runtime_config`."""
    name = f"provider-aws-{family}"
    manifest = {
        "apiVersion": PKG_API,
        "kind": "Provider",
        "metadata": {"name": name, "annotations": object_annotations()},
        "spec": {
            "package": f"{PROVIDER_REGISTRY}/{name}:{PROVIDER_VERSION}",
            "runtimeConfigRef": {
                "apiVersion": RUNTIME_CONFIG_API,
                "kind": "DeploymentRuntimeConfig",
                "name": RUNTIME_CONFIG,
            },
        },
    }
    check_manifest(manifest, ctx.kubernetes_version)
    comment = (
        f"Upbound's AWS provider for {family}, {PROVIDER_VERSION}, run as "
        f"{PROVIDER_SERVICE_ACCOUNT} ({RUNTIME_CONFIG}). It manages nothing until a "
        "ProviderConfig with credentials source PodIdentity exists and the role's policies "
        "allow it."
    )
    return TreeObject(manifest=manifest, comment=comment)


def _budget(ctx: AddonContext, name: str, labels: dict[str, str]) -> TreeObject:
    manifest = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "annotations": object_annotations(skip_dry_run=False),
        },
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(labels)}},
    }
    check_manifest(manifest, ctx.kubernetes_version)
    comment = (
        f"At most one {name} pod down at a time during node drains: the chart brings no "
        "budget of its own. The selector is the chart's pod labels."
    )
    return TreeObject(manifest=manifest, comment=comment)


def webhook_policy(ctx: AddonContext) -> TreeObject:
    """The NetworkPolicy letting the control plane call the namespace's webhooks."""
    aws = ctx.require_aws(NAME)
    manifest = vpc_ingress_policy(
        name="allow-webhooks", namespace=NAMESPACE, vpc_cidr=aws.vpc_cidr, port=WEBHOOK_PORT
    )
    check_manifest(manifest, ctx.kubernetes_version)
    comment = (
        f"The API server calls the webhooks of Crossplane and of each provider (conversion "
        f"and validation) on TCP {WEBHOOK_PORT}, from the control plane's network interfaces "
        f"in the VPC ({aws.vpc_cidr}); the namespace denies other ingress by default."
    )
    return TreeObject(manifest=manifest, comment=comment)


def objects(ctx: AddonContext) -> tuple[TreeObject, ...]:
    """The add-on's objects: runtime config, providers, webhook policy, budgets (production)."""
    result = [
        runtime_config(ctx),
        *(provider(ctx, family) for family in ctx.settings.crossplane.providers),
        webhook_policy(ctx),
    ]
    if ctx.production:
        result.append(_budget(ctx, NAME, _CORE_LABELS))
        result.append(_budget(ctx, f"{NAME}-rbac-manager", _RBAC_MANAGER_LABELS))
    return tuple(result)


def _enabled(ctx: AddonContext) -> bool:
    return ctx.settings.crossplane.enabled


#: Crossplane on the AWS stages that turn it on.
ADDON: Final = Addon(
    name=NAME,
    chart="crossplane",
    namespace=NAMESPACE,
    values=values,
    enabled=_enabled,
    aws_only=True,
    identities=identities,
    objects=objects,
)
