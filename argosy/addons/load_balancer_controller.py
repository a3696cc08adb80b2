"""The AWS Load Balancer Controller: ALBs for Ingresses, NLBs for LoadBalancer Services.

Chart ``aws-load-balancer-controller`` 3.5.0 (aws/eks-charts
``stable/aws-load-balancer-controller`` at 5239609242f3430be50fb0b714a24d3ef2b47983, app
v3.5.0); every values key below is in that commit's ``values.yaml``. The IAM policy is
transcribed from kubernetes-sigs/aws-load-balancer-controller ``docs/install/iam_policy.json``
at tag v3.5.0 (11eb202c97e4ae2ee45e0658c4cde9a4b59f33d4).

Choices, with the upstream evidence:

- **Region and VPC explicit.** Pods cannot reach instance metadata (IMDSv2, hop limit 1), so
  the chart gets ``region`` (``--aws-region``) and ``vpcTags`` (``--aws-vpc-tags``): the
  controller finds the VPC with ``DescribeVpcs`` filtered on the tags and fails unless exactly
  one matches (``pkg/aws/cloud.go`` ``inferVPCIDFromTags`` at v3.5.0). The tag, not the ID:
  the stack declaring the Application cannot read a spoke's VPC ID.
- **No Service mutator webhook** (``enableServiceMutatorWebhook: false``). The chart's
  ``mservice.elbv2.k8s.aws`` (``templates/webhook.yaml``) matches the CREATE of *every*
  Service in every namespace but the controller's own, with ``failurePolicy: Fail``: while
  the controller installs, restarts or is unavailable, no Service of any type can be created
  in the cluster. All it does is set ``spec.loadBalancerClass: service.k8s.aws/nlb`` on new
  LoadBalancer Services that have none (``webhooks/core/service_mutator.go``). Without it, a
  Service the controller should serve says so itself with that class (``docs/guide/service/
  nlb.md``); one without a class goes to the in-tree cloud provider
  (``docs/deploy/installation.md``).
- **The other webhooks stay**, as they cannot reject unrelated objects: the pod mutators
  (readiness gates ``mpod``, QUIC server IDs ``quicid``, ALB target control) match only pods
  in namespaces labelled ``elbv2.k8s.aws/pod-readiness-gate-inject=enabled`` (resp.
  ``…/quic-server-id-inject``, ``…/alb-target-control-agent-injection``) or pods labelled
  ``elbv2.k8s.aws/alb-target-control-agent-inject=true`` (``templates/webhook.yaml``;
  ``docs/deploy/pod_readiness_gate.md``: "you need to apply the label … to the pod
  namespace"), and ``mpod`` fails open (``podMutatorWebhookConfig.failurePolicy: Ignore``);
  the TargetGroupBinding and IngressClassParams webhooks match the controller's own kinds.
  ``vingress`` validates every Ingress with ``failurePolicy: Fail`` but passes any of another
  class (``webhooks/networking/ingress_validator.go`` ``checkIngressClass``); the platform's
  Ingresses are ALB ones, delivered after this controller (SECURITY.md L4), and the check
  enforces IngressClassParams' namespace restrictions, which failing open would skip.
- **IP targets by default** (``defaultTargetType: ip``): the chart's comment recommends it
  for the Amazon VPC CNI, and it serves ClusterIP Services, which instance targets cannot.
- **Internal by default** (``defaultLoadBalancerScheme: internal``, the controller's own
  default made explicit): a public load balancer is always asked for by its object.
"""

from __future__ import annotations

from typing import Any, Final

from argosy.addons.common import allow, replicas, resources, sized, zone_spread
from argosy.addons.spec import Addon, AddonContext, AddonIdentity, AwsTarget
from argosy.argocd.delivery import IgnoreDifference
from argosy.manifests.iam import PolicyDocument

NAME: Final = "aws-load-balancer-controller"
NAMESPACE: Final = "kube-system"
SERVICE_ACCOUNT: Final = "aws-load-balancer-controller"
#: The Helm release: the chart's name, as :class:`~argosy.addons.spec.Addon` defaults it.
RELEASE: Final = NAME
#: The tag the controller puts on every AWS resource it creates; the policy's conditions key
#: on it (upstream ``iam_policy.json``).
CLUSTER_TAG: Final = "elbv2.k8s.aws/cluster"

#: The chart's selector labels (``templates/_helpers.tpl``).
_SELECTOR_LABELS: Final = {"app.kubernetes.io/instance": RELEASE, "app.kubernetes.io/name": NAME}


def values(ctx: AddonContext) -> dict[str, Any]:
    """The chart's values on ``ctx``'s stage (AWS only).

    Raises ValueError on a stage without AWS.
    """
    aws = ctx.require_aws(NAME)
    result: dict[str, Any] = {
        "clusterName": aws.cluster_name,
        "region": aws.region,
        "vpcTags": {"Name": aws.vpc_name},
        # The SDK reads it where a flag does not reach (credentials, endpoints).
        "env": {"AWS_REGION": aws.region},
        "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT},
        "enableServiceMutatorWebhook": False,
        "defaultTargetType": "ip",
        "defaultLoadBalancerScheme": "internal",
        # One active controller (leader election is built in); a second one takes over
        # and keeps the webhooks (failurePolicy Fail) answering during a drain.
        "replicaCount": replicas(ctx.production),
        "resources": sized(
            ctx.production,
            resources("100m", "256Mi", "500m", "512Mi"),
            resources("50m", "128Mi", "250m", "256Mi"),
        ),
    }
    if ctx.production:
        # The chart renders the budget only with more than one replica.
        result["podDisruptionBudget"] = {"maxUnavailable": 1}
        # The chart adds no selector of its own: match its selector labels.
        result["topologySpreadConstraints"] = zone_spread(_SELECTOR_LABELS)
    return result


# --------------------------------------------------------------------------------------
# IAM


#: Requests that create a resource carry the cluster tag (upstream's ``Null: false``).
_REQUEST_TAGGED: Final = {"Null": {f"aws:RequestTag/{CLUSTER_TAG}": "false"}}
#: The resource carries the cluster tag: one the controller created.
_RESOURCE_TAGGED: Final = {"Null": {f"aws:ResourceTag/{CLUSTER_TAG}": "false"}}
#: A resource the controller created, and a request that leaves its cluster tag alone.
_OWN_TAGS_KEPT: Final = {
    "Null": {
        f"aws:RequestTag/{CLUSTER_TAG}": "true",
        f"aws:ResourceTag/{CLUSTER_TAG}": "false",
    }
}

_DESCRIBE: Final = [
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAddresses",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeVpcs",
    "ec2:DescribeVpcPeeringConnections",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeTags",
    "ec2:GetCoipPoolUsage",
    "ec2:DescribeCoipPools",
    "ec2:GetSecurityGroupsForVpc",
    "ec2:DescribeIpamPools",
    "ec2:DescribeRouteTables",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeListenerCertificates",
    "elasticloadbalancing:DescribeSSLPolicies",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTrustStores",
    "elasticloadbalancing:DescribeListenerAttributes",
    "elasticloadbalancing:DescribeCapacityReservation",
]

_INTEGRATIONS: Final = [
    "cognito-idp:DescribeUserPoolClient",
    "acm:ListCertificates",
    "acm:DescribeCertificate",
    "iam:ListServerCertificates",
    "iam:GetServerCertificate",
    "waf-regional:GetWebACL",
    "waf-regional:GetWebACLForResource",
    "waf-regional:AssociateWebACL",
    "waf-regional:DisassociateWebACL",
    "wafv2:GetWebACL",
    "wafv2:GetWebACLForResource",
    "wafv2:AssociateWebACL",
    "wafv2:DisassociateWebACL",
    "shield:GetSubscriptionState",
    "shield:DescribeProtection",
    "shield:CreateProtection",
    "shield:DeleteProtection",
]

_MODIFY_OWN: Final = [
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:SetIpAddressType",
    "elasticloadbalancing:SetSecurityGroups",
    "elasticloadbalancing:SetSubnets",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:ModifyListenerAttributes",
    "elasticloadbalancing:ModifyCapacityReservation",
    "elasticloadbalancing:ModifyIpPools",
]

_MODIFY_LISTENERS: Final = [
    "elasticloadbalancing:SetWebAcl",
    "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:AddListenerCertificates",
    "elasticloadbalancing:RemoveListenerCertificates",
    "elasticloadbalancing:ModifyRule",
    "elasticloadbalancing:SetRulePriorities",
]

#: The statements whose resource is ``*``, each for a reason given in
#: :func:`controller_policy`; every other statement names ARNs of the stage's account and
#: region.
WILDCARD_SIDS: Final = frozenset(
    {
        "CreateElbServiceLinkedRole",
        "Describe",
        "CertificatesAuthWafShield",
        "OpenTargetSecurityGroups",
        "CreateSecurityGroups",
        "ManageOwnSecurityGroups",
        "CreateLoadBalancersAndTargetGroups",
        "CreateListenersAndRules",
        "ModifyOwnLoadBalancersAndTargetGroups",
        "ModifyListenersAndRules",
    }
)


def controller_policy(aws: AwsTarget) -> PolicyDocument:
    """The controller's policy: upstream ``iam_policy.json`` at v3.5.0, statement by statement.

    Same actions and conditions; ARNs in the stage's partition, and in its region and account
    where upstream writes ``*:*``. Upstream's ``*`` resources stay, for the reasons in the
    comments: the action takes no resource ARN, the resource does not exist yet (then the
    request must carry the cluster tag), or the resource is one the controller did not create
    and names only at run time (node security groups, certificates, Web ACLs).
    """

    def ec2(resource: str) -> str:
        return aws.arn("ec2", resource)

    def elb(resource: str) -> str:
        return aws.arn("elasticloadbalancing", resource)

    own_lbs_and_tgs = [
        elb("targetgroup/*/*"),
        elb("loadbalancer/net/*/*"),
        elb("loadbalancer/app/*/*"),
    ]
    statements = [
        # Created once per account on first use; the condition allows no other role.
        allow(
            "CreateElbServiceLinkedRole",
            ["iam:CreateServiceLinkedRole"],
            ["*"],
            {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
        ),
        # Read-only calls, most of which take no resource ARN.
        allow("Describe", _DESCRIBE, ["*"]),
        # Certificates, Cognito user pools and Web ACLs are named by the objects'
        # annotations (or discovered: acm:ListCertificates, iam:ListServerCertificates,
        # shield:GetSubscriptionState take no resource ARN).
        allow("CertificatesAuthWafShield", _INTEGRATIONS, ["*"]),
        # The targets' security groups (nodes, pods' ENIs) are not the controller's and
        # carry no tag of it: it opens them to its load balancers' traffic.
        allow(
            "OpenTargetSecurityGroups",
            ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            ["*"],
        ),
        # The group does not exist yet, so it has no tag to check; tagging it as it is
        # created needs the cluster tag (next statement).
        allow("CreateSecurityGroups", ["ec2:CreateSecurityGroup"], ["*"]),
        allow(
            "TagSecurityGroupsOnCreate",
            ["ec2:CreateTags"],
            [ec2("security-group/*")],
            {"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"}, **_REQUEST_TAGGED},
        ),
        allow(
            "TagOwnSecurityGroups",
            ["ec2:CreateTags", "ec2:DeleteTags"],
            [ec2("security-group/*")],
            _OWN_TAGS_KEPT,
        ),
        # Only groups carrying the cluster tag: the controller's own.
        allow(
            "ManageOwnSecurityGroups",
            [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup",
            ],
            ["*"],
            _RESOURCE_TAGGED,
        ),
        # Not created yet: the request must carry the cluster tag.
        allow(
            "CreateLoadBalancersAndTargetGroups",
            ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            ["*"],
            _REQUEST_TAGGED,
        ),
        # As upstream, without a condition: listeners and rules are created on the
        # controller's own load balancers, but the permission is not scoped to them.
        allow(
            "CreateListenersAndRules",
            [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
            ],
            ["*"],
        ),
        allow(
            "TagOwnLoadBalancersAndTargetGroups",
            ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            own_lbs_and_tgs,
            _OWN_TAGS_KEPT,
        ),
        allow(
            "TagListenersAndRules",
            ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            [
                elb("listener/net/*/*/*"),
                elb("listener/app/*/*/*"),
                elb("listener-rule/net/*/*/*"),
                elb("listener-rule/app/*/*/*"),
            ],
        ),
        # Only load balancers and target groups carrying the cluster tag.
        allow(
            "ModifyOwnLoadBalancersAndTargetGroups",
            _MODIFY_OWN,
            ["*"],
            _RESOURCE_TAGGED,
        ),
        allow(
            "TagLoadBalancersAndTargetGroupsOnCreate",
            ["elasticloadbalancing:AddTags"],
            own_lbs_and_tgs,
            {
                "StringEquals": {
                    "elasticloadbalancing:CreateAction": [
                        "CreateTargetGroup",
                        "CreateLoadBalancer",
                    ]
                },
                **_REQUEST_TAGGED,
            },
        ),
        # TargetGroupBindings may name target groups the controller did not create.
        allow(
            "RegisterTargets",
            ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            [elb("targetgroup/*/*")],
        ),
        # As upstream, without a condition: the controller changes only its own load
        # balancers' listeners and rules, but the permission is not scoped to them.
        allow("ModifyListenersAndRules", _MODIFY_LISTENERS, ["*"]),
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def identity(ctx: AddonContext) -> AddonIdentity:
    """The controller's identity: its service account in kube-system, with its policy."""
    return AddonIdentity(
        key="aws_load_balancer_controller",
        role="aws-load-balancer-controller",
        namespace=NAMESPACE,
        service_account=SERVICE_ACCOUNT,
        policy=controller_policy(ctx.require_aws(NAME)),
    )


def identities(ctx: AddonContext) -> tuple[AddonIdentity, ...]:
    """The add-on's identities on ``ctx``'s stage: the controller's."""
    return (identity(ctx),)


#: The Load Balancer Controller on every AWS stage, before anything that makes load balancers.
#: The prefix of the chart's object names: its name without ``-controller``
#: (``aws-load-balancer-controller.namePrefix`` in ``templates/_helpers.tpl``).
NAME_PREFIX: Final = "aws-load-balancer"
#: The chart generates a new self-signed webhook certificate each time it is rendered
#: (``genCA`` in ``templates/_helpers.tpl``; its ``lookup`` of the existing Secret finds nothing
#: under Argo CD, which renders without a cluster): Argo CD leaves the Secret's data and the
#: webhooks' CA bundles as first synced, so the Application is not forever OutOfSync and the
#: certificate does not rotate on every refresh.
WEBHOOK_CERTIFICATE: Final = (
    IgnoreDifference(
        kind="Secret",
        group="",
        name=f"{NAME_PREFIX}-tls",
        namespace=NAMESPACE,
        json_pointers=("/data",),
    ),
    IgnoreDifference(
        kind="MutatingWebhookConfiguration",
        group="admissionregistration.k8s.io",
        name=f"{NAME_PREFIX}-webhook",
        jq_path_expressions=(".webhooks[].clientConfig.caBundle",),
    ),
    IgnoreDifference(
        kind="ValidatingWebhookConfiguration",
        group="admissionregistration.k8s.io",
        name=f"{NAME_PREFIX}-webhook",
        jq_path_expressions=(".webhooks[].clientConfig.caBundle",),
    ),
)

ADDON: Final = Addon(
    name=NAME,
    chart="aws-load-balancer-controller",
    namespace=NAMESPACE,
    values=values,
    aws_only=True,
    sync_wave=-1,
    identities=identities,
    ignore_differences=WEBHOOK_CERTIFICATE,
)
