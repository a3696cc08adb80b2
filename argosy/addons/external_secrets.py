"""external-secrets: Kubernetes Secrets from the stage's AWS Secrets Manager secrets.

Chart ``external-secrets`` 2.9.0 (external-secrets/external-secrets
``deploy/charts/external-secrets`` at cc5bfbc2234ace9cb0caff4ea89c435cf517b27b, tag
``helm-chart-2.9.0``, app v2.9.0); every values key below is in that tag's ``values.yaml``
(and passes its ``values.schema.json``). Beside the chart, the stage's
:data:`~argosy.addons.spec.CLUSTER_SECRET_STORE` ClusterSecretStore.

Choices, with the upstream evidence (paths at the tag):

- **Server-side apply.** ``installCRDs: true`` installs the CRDs from the chart; the
  SecretStore and ClusterSecretStore CRDs are about 349 kB as compact JSON
  (``deploy/crds/bundle.yaml``), over the 262,144 bytes a client-side apply's
  ``last-applied-configuration`` annotation may hold.
- **Pod Identity through the SDK's default chain.** The store has no ``auth``: the AWS
  provider then passes no credentials provider to ``config.LoadDefaultConfig``
  (``providers/v1/aws/auth/auth.go`` ``New`` and ``constructCredsProvider``, whose default
  case returns nil), so the SDK's default chain finds the EKS Pod Identity credentials of the
  controller's service account. Its name is set explicitly; the chart's default would be the
  same (``external-secrets.serviceAccountName`` is the full name, the release name
  ``external-secrets`` when it contains the chart's name: ``templates/_helpers.tpl``).
- **Leader election on**: the controller and the cert controller both take
  ``--enable-leader-election`` from ``leaderElect`` (``templates/deployment.yaml``,
  ``templates/cert-controller-deployment.yaml``); the webhook is stateless.
- **No service account tokens** (``rbac.serviceAccountTokenCreate: false``): the
  controller's ClusterRole would otherwise create tokens of any service account, which only
  stores authenticating with a service account's token (``auth.jwt``) need; this one has no
  ``auth``.
- The chart's webhooks match only external-secrets' own kinds (``templates/
  validatingwebhook.yaml``): they cannot reject other objects.
"""

from __future__ import annotations

from typing import Any, Final

from argosy.addons.argo_workflows import NAMESPACE as WORKFLOWS_NAMESPACE
from argosy.addons.common import availability, resources, sized, vpc_ingress_policy
from argosy.addons.spec import (
    CLUSTER_SECRET_STORE,
    Addon,
    AddonContext,
    AddonIdentity,
    AwsTarget,
    TreeObject,
    object_annotations,
    secrets_prefix,
)
from argosy.manifests.argo_schemas import check_manifest
from argosy.manifests.iam import PolicyDocument

NAME: Final = "external-secrets"
NAMESPACE: Final = "external-secrets"
SERVICE_ACCOUNT: Final = "external-secrets"
API_VERSION: Final = "external-secrets.io/v1"

#: The Secrets Manager calls the AWS provider makes to read (``providers/v1/aws/
#: secretsmanager/secretsmanager.go`` at the tag): ``GetSecretValue`` for a key, and
#: ``DescribeSecret`` for ``metadataPolicy: Fetch`` (a secret's tags).
READ_ACTIONS: Final = ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue")


def _resources(production: bool, *, controller: bool) -> dict[str, Any]:
    """The controller's resources, or the webhook's and the cert controller's."""
    if controller:
        return sized(
            production,
            resources("100m", "128Mi", "500m", "512Mi"),
            resources("20m", "64Mi", "250m", "256Mi"),
        )
    return sized(
        production,
        resources("50m", "64Mi", "200m", "256Mi"),
        resources("10m", "32Mi", "100m", "128Mi"),
    )


def _availability(production: bool) -> dict[str, Any]:
    # The chart's names; it adds each component's own selector to a constraint that has none.
    return availability(production, replicas_key="replicaCount", budget_key="podDisruptionBudget")


def values(ctx: AddonContext) -> dict[str, Any]:
    """The chart's values on ``ctx``'s stage (AWS only).

    Raises ValueError on a stage without AWS.
    """
    aws = ctx.require_aws(NAME)
    return {
        "installCRDs": True,
        "leaderElect": True,
        "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT},
        "rbac": {"serviceAccountTokenCreate": False},
        "extraEnv": [{"name": "AWS_REGION", "value": aws.region}],
        "resources": _resources(ctx.production, controller=True),
        **_availability(ctx.production),
        "webhook": {
            "resources": _resources(ctx.production, controller=False),
            **_availability(ctx.production),
        },
        "certController": {
            "resources": _resources(ctx.production, controller=False),
            **_availability(ctx.production),
        },
    }


def secrets_arn(aws: AwsTarget, prefix: str) -> str:
    """The ARN pattern of the secrets under ``prefix`` (names end with a random suffix)."""
    return aws.arn("secretsmanager", f"secret:{prefix}*")


def secrets_policy(aws: AwsTarget, prefix: str) -> PolicyDocument:
    """Read the secrets under ``prefix`` in the stage's account and region, and nothing else.

    Nothing on ``*``: ``dataFrom.find`` would need ``secretsmanager:ListSecrets`` (and
    ``BatchGetSecretValue``), which take no resource ARN and would list every secret's name
    and tags in the account; ExternalSecrets name their keys instead. ``ListSecretVersionIds``
    is not called by the provider. Secrets encrypted with a customer managed key also need
    ``kms:Decrypt`` on it, which the key's own policy grants.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadStageSecrets",
                "Effect": "Allow",
                "Action": list(READ_ACTIONS),
                "Resource": [secrets_arn(aws, prefix)],
            }
        ],
    }


def identity(ctx: AddonContext) -> AddonIdentity:
    """The controller's identity: reads the stage's secrets (:func:`secrets_prefix`)."""
    return AddonIdentity(
        key="external_secrets",
        role="external-secrets",
        namespace=NAMESPACE,
        service_account=SERVICE_ACCOUNT,
        policy=secrets_policy(ctx.require_aws(NAME), secrets_prefix(ctx)),
    )


def identities(ctx: AddonContext) -> tuple[AddonIdentity, ...]:
    """The add-on's identities on ``ctx``'s stage: the controller's."""
    return (identity(ctx),)


#: The namespaces whose ExternalSecrets the store serves: Argo Workflows' (its SSO client).
#: The app catalog adds the namespaces of apps that read secrets.
READER_NAMESPACES: Final = (WORKFLOWS_NAMESPACE,)


def cluster_secret_store(ctx: AddonContext) -> TreeObject:
    """The stage's ClusterSecretStore: Secrets Manager in the stage's region.

    No ``auth``: the controller's own credentials (EKS Pod Identity, by the SDK's default
    chain). No ``prefix``: ExternalSecrets name the secret in full, under
    :func:`secrets_prefix`, the only names the identity may read. Only
    :data:`READER_NAMESPACES` may use it (``spec.conditions``): every secret under the prefix
    is readable through the store, so a namespace's editors must not be able to ask for them.
    """
    aws = ctx.require_aws(NAME)
    manifest = {
        "apiVersion": API_VERSION,
        "kind": "ClusterSecretStore",
        "metadata": {"name": CLUSTER_SECRET_STORE, "annotations": object_annotations()},
        "spec": {
            "provider": {"aws": {"service": "SecretsManager", "region": aws.region}},
            # Only the namespaces named here may read through the store: the chart lets
            # anyone who edits a namespace create ExternalSecrets (rbac aggregateToEdit).
            "conditions": [{"namespaces": sorted({*READER_NAMESPACES, *ctx.secret_readers})}],
        },
    }
    check_manifest(manifest, ctx.kubernetes_version)
    return TreeObject(
        manifest=manifest,
        comment=(
            f"Where ExternalSecrets read on stage {ctx.stage}: AWS Secrets Manager in "
            f"{aws.region}, as external-secrets' own identity, which may read the secrets "
            f"named {secrets_prefix(ctx)}* and nothing else."
        ),
    )


#: The webhook's port (chart ``webhook.port``) and the labels its pods are selected by
#: (``external-secrets-webhook.selectorLabels`` in ``templates/_helpers.tpl``).
WEBHOOK_PORT: Final = 10250
WEBHOOK_POD_LABELS: Final = {
    "app.kubernetes.io/name": f"{NAME}-webhook",
    "app.kubernetes.io/instance": NAME,
}


def webhook_policy(ctx: AddonContext) -> TreeObject:
    """The NetworkPolicy letting the control plane call the webhook (the baseline denies it)."""
    aws = ctx.require_aws(NAME)
    manifest = vpc_ingress_policy(
        name="allow-webhook",
        namespace=NAMESPACE,
        vpc_cidr=aws.vpc_cidr,
        port=WEBHOOK_PORT,
        pod_labels=WEBHOOK_POD_LABELS,
    )
    check_manifest(manifest, ctx.kubernetes_version)
    comment = (
        f"Lets the API server reach external-secrets' webhook on port {WEBHOOK_PORT}: the "
        f"control plane calls it from its network interfaces in the VPC ({aws.vpc_cidr}) to "
        "validate SecretStores and ExternalSecrets, and the baseline of "
        f"{NAMESPACE} denies every other ingress (SECURITY.md E8). Without it, creating the "
        "ClusterSecretStore fails."
    )
    return TreeObject(manifest=manifest, comment=comment)


def objects(ctx: AddonContext) -> tuple[TreeObject, ...]:
    """The add-on's objects on ``ctx``'s stage: the ClusterSecretStore, the webhook's policy."""
    return (cluster_secret_store(ctx), webhook_policy(ctx))


#: external-secrets and the stage's ClusterSecretStore, on every AWS stage, before the
#: ExternalSecrets of other add-ons.
ADDON: Final = Addon(
    name=NAME,
    chart="external-secrets",
    namespace=NAMESPACE,
    values=values,
    aws_only=True,
    sync_wave=-1,
    identities=identities,
    objects=objects,
    server_side_apply=True,
)
