"""Argo Rollouts: progressive delivery controller, on every stage (the local one included).

Chart ``argo-rollouts`` 2.41.0 (app v1.9.0), ``charts/argo-rollouts/values.yaml`` and
``templates/controller/deployment.yaml`` of argoproj/argo-helm at tag ``argo-rollouts-2.41.0``
(commit 8796aeaa82428f96c3a20293f75a1a805f99d32b). Every key :func:`values` emits is in that
``values.yaml``.

- The controller: 2 replicas in production (the chart adds ``--leader-elect`` as soon as
  ``controller.replicas`` is above 1), a PodDisruptionBudget, a spread over zones, and
  resource requests and limits; its metrics Service is on.
- The dashboard (``dashboard.enabled``) follows ``argoRollouts.dashboard``; the config refuses
  it in production, as it has no sign-in. It is always read-only (``dashboard.readonly``:
  its ClusterRole cannot promote or abort).
- On AWS: target group verification, ``--aws-verify-target-group`` (chart
  ``controller.awsVerifyTargetGroup``; Argo Rollouts docs, ``docs/features/traffic-management/
  alb.md`` at v1.9.0, "Zero-Downtime Updates with AWS TargetGroup Verification": IP
  verification for blue-green, weight verification for canary; ``--alb-verify-weight`` is the
  deprecated v1.0 name, ``cmd/rollouts-controller/main.go`` at v1.9.0). The controller then
  reads ELB target groups, so it gets ``AWS_REGION``: the docs call for an ``--aws-region``
  flag, but v1.9.0 defines none; ``utils/aws/aws.go`` builds its client with
  ``config.LoadDefaultConfig``, which reads ``AWS_REGION`` (instance metadata is out of reach
  of pods). Its credentials come from EKS Pod Identity (aws-sdk-go-v2 config v1.29.14 in
  v1.9.0's ``go.mod`` has the container credentials provider Pod Identity uses), for the
  controller's service account, named explicitly: :data:`SERVICE_ACCOUNT`.
- With ``argosy:apps`` ``prometheus`` on, the controller may also assume the stage's analysis
  role (:func:`argosy.apps.cloud.analysis_role_name`, made by the stage's stack), and only
  that role, to query the stage's Amazon Managed Prometheus workspace with SigV4 (the
  AnalysisTemplates' ``authentication.sigv4.roleArn``).
"""

from __future__ import annotations

from typing import Any, Final

from argosy.addons.common import availability, resources, sized
from argosy.addons.spec import Addon, AddonContext, AddonIdentity
from argosy.manifests.apps_aws import assume_analysis_statement
from argosy.manifests.iam import PolicyDocument

NAME: Final = "argo-rollouts"
NAMESPACE: Final = "argo-rollouts"
#: The controller's service account (chart ``serviceAccount.name``), set explicitly: the
#: identity's Pod Identity association names it.
SERVICE_ACCOUNT: Final = "argo-rollouts"
#: The identity's key (the registration's ``argo_rollouts_iam_role_arn``) and role suffix.
IDENTITY_KEY: Final = "argo_rollouts"
ROLE: Final = "argo-rollouts"

#: What target group verification calls, exactly as the Argo Rollouts docs list it
#: (``docs/features/traffic-management/alb.md`` at v1.9.0, "Usage").
TARGET_GROUP_VERIFICATION_ACTIONS: Final = (
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
)


def values(ctx: AddonContext) -> dict[str, Any]:
    """The argo-rollouts chart's values on ``ctx``'s stage."""
    controller: dict[str, Any] = {
        **availability(ctx.production),
        "resources": sized(
            ctx.production,
            resources("100m", "256Mi", "1", "512Mi"),
            resources("50m", "128Mi", "500m", "256Mi"),
        ),
        "metrics": {"enabled": True},
        "awsVerifyTargetGroup": ctx.on_aws,
    }
    if ctx.aws is not None:
        controller["extraEnv"] = [{"name": "AWS_REGION", "value": ctx.aws.region}]
    return {
        "controller": controller,
        "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT},
        "dashboard": {
            "enabled": ctx.settings.argo_rollouts.dashboard,
            "readonly": True,
            "replicas": 1,
            "resources": resources("10m", "64Mi", "200m", "128Mi"),
        },
    }


def target_group_verification_policy() -> PolicyDocument:
    """The controller's policy: the ELB reads of target group verification, nothing else.

    None of these Describe actions supports resource-level permissions (Service Authorization
    Reference, Elastic Load Balancing V2: no resource type for them), so the resource is
    ``*``, as in the Argo Rollouts docs and in the Load Balancer Controller's own policy
    (``docs/install/iam_policy.json`` at v3.5.0).
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "VerifyTargetGroups",
                "Effect": "Allow",
                "Action": list(TARGET_GROUP_VERIFICATION_ACTIONS),
                # Describe* of elasticloadbalancing take no resource-level permission.
                "Resource": "*",
            }
        ],
    }


def identities(ctx: AddonContext) -> tuple[AddonIdentity, ...]:
    """The controller's identity on an AWS stage (none on local).

    Target group verification, and, with the stage's Prometheus on, assuming its analysis
    role (that role's ARN only).
    """
    if ctx.aws is None:
        return ()
    policy = target_group_verification_policy()
    if ctx.apps.prometheus:
        policy["Statement"].append(
            assume_analysis_statement(ctx.aws.partition, ctx.aws.account_id, ctx.stage)
        )
    return (
        AddonIdentity(
            key=IDENTITY_KEY,
            role=ROLE,
            namespace=NAMESPACE,
            service_account=SERVICE_ACCOUNT,
            policy=policy,
        ),
    )


ADDON: Final = Addon(
    name=NAME,
    chart="argo-rollouts",
    namespace=NAMESPACE,
    values=values,
    identities=identities,
)
